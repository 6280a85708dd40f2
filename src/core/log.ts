/**
 * The one log every part writes to. Lines stay English on purpose (searchable, fit for a bug report); each carries the
 * component it came from, so a reader can follow one part: `[poller]`, `[client]`, `[credentials]`, …
 */
export interface Log {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  /** Detail only worth seeing when looking for a problem (VS Code's Trace level). */
  trace?(message: string): void;
}

export type LogComponent = 'activation' | 'settings' | 'credentials' | 'poller' | 'refresh' | 'client' | 'store' | 'commands';

/** A view of `log` whose lines start with `[component]`. */
export function componentLog(log: Log, component: LogComponent): Required<Log> {
  const tag = `[${component}] `;
  return {
    info: (message) => log.info(tag + message),
    warn: (message) => log.warn(tag + message),
    error: (message) => log.error(tag + message),
    trace: (message) => (log.trace ?? log.info).call(log, tag + message),
  };
}
