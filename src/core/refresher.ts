import { createHash } from 'node:crypto';
import { describeProxy, DtsClient, STATUS_LIST_ACTION, type AttemptEvent, type ClientOptions, type StatusListSource } from './api/client';
import { BadInputError, CredentialsNotFoundError, DtsError } from './api/errors';
import { maskAccessKeyId, type ResolvedCredentials } from './credentials';
import type { RefreshOutcome, RefreshReason } from './poller';
import { queryJobStatuses } from './query';
import type { Settings } from './settings';
import { toQueryError, type StatusStore, type Transition } from './store';

export interface Log {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export type ClosableSource = StatusListSource & { close(): Promise<void> };

export interface RefresherDeps {
  readonly settings: () => Settings;
  /** The provider chain; throws CredentialsNotFoundError when there is nothing to sign with. */
  readonly credentials: () => Promise<ResolvedCredentials>;
  readonly store: StatusStore;
  readonly log: Log;
  readonly createClient?: (options: ClientOptions) => ClosableSource;
  readonly onTransitions?: (transitions: Transition[]) => void;
  readonly now?: () => Date;
  readonly userAgent?: string;
}

/** One log line per HTTP attempt: region, batch size, duration, RequestId, outcome, retry reason. */
export function formatAttempt(e: AttemptEvent): string {
  const action = e.action === STATUS_LIST_ACTION ? '' : ` ${e.action}`;
  const head = `[${e.region}]${action} ${e.batchSize} job${e.batchSize === 1 ? '' : 's'}, attempt ${e.attempt}: ${e.outcome} in ${e.durationMs} ms`;
  const id = e.requestId ? ` (RequestId ${e.requestId})` : '';
  const retry = e.retryInMs !== undefined ? `; retrying in ${(e.retryInMs / 1000).toFixed(1)} s: ${e.retryReason}` : '';
  return `${head}${id}${retry}`;
}

/** One refresh: settings and credentials in, a query through the client, the store updated. Knows nothing of VS Code. */
export class Refresher {
  private client: ClosableSource | undefined;
  private clientKey: string | undefined;
  private lastSource: string | undefined;
  private lastEndpoint: string | undefined;
  /** Credential warnings (a config file others can write) are logged once, not on every refresh. */
  private readonly warned = new Set<string>();
  /** Aborts the refresh in flight when the extension shuts down, so no request outlives it. */
  private readonly shutdown = new AbortController();

  constructor(private readonly deps: RefresherDeps) {}

  async refresh(reason: RefreshReason, callerSignal?: AbortSignal): Promise<RefreshOutcome> {
    const { store, log } = this.deps;
    const signal = callerSignal ? AbortSignal.any([callerSignal, this.shutdown.signal]) : this.shutdown.signal;
    const settings = this.deps.settings();
    if (settings.jobs.length === 0) {
      return 'ok';
    }
    const now = this.deps.now ?? (() => new Date());
    if (settings.endpointRefusal) {
      store.failAll(toQueryError(new BadInputError(settings.endpointRefusal)));
      log.error(`Refresh (${reason}) refused: ${settings.endpointRefusal}`);
      return 'failed';
    }
    let resolved: ResolvedCredentials;
    try {
      resolved = await this.deps.credentials();
    } catch (e) {
      const error = e instanceof DtsError ? e : new CredentialsNotFoundError(String(e));
      store.setCredentialsSource(undefined);
      store.failAll(toQueryError(error));
      log.warn(`Refresh (${reason}) skipped: ${error.message}`);
      return 'failed';
    }
    const endpoint =
      (settings.endpoint ?? 'the official endpoint of each region') + (settings.httpProxy ? ` through the proxy ${describeProxy(settings.httpProxy)}` : '');
    if (endpoint !== this.lastEndpoint) {
      log.info(`Sending requests to ${endpoint}`);
      this.lastEndpoint = endpoint;
    }
    if (resolved.source !== this.lastSource) {
      log.info(`Using credentials from ${resolved.source} (AccessKey ID ${maskAccessKeyId(resolved.credentials.accessKeyId)})`);
      this.lastSource = resolved.source;
    }
    for (const warning of resolved.warnings ?? []) {
      if (!this.warned.has(warning)) {
        this.warned.add(warning);
        log.warn(warning);
      }
    }
    store.setCredentialsSource(resolved.source);
    const client = this.clientFor(settings, resolved);
    store.setRefreshing(true, now());
    const started = Date.now();
    try {
      const snapshot = await queryJobStatuses(settings.jobs, client, { lagWarningSeconds: settings.lagWarningSeconds, now, signal });
      const transitions = store.applySnapshot(snapshot);
      const found = snapshot.jobs.filter((j) => j.found).length;
      log.info(
        `Refresh (${reason}): ${found} of ${settings.jobs.length} jobs answered` +
          `${snapshot.errors.length ? `, ${snapshot.errors.length} batch${snapshot.errors.length === 1 ? '' : 'es'} failed` : ''} in ${Date.now() - started} ms`,
      );
      for (const note of snapshot.notes) {
        log.warn(`[${note.region}] ${note.message}`);
      }
      for (const failure of snapshot.errors) {
        log.error(`[${failure.region}] ${failure.jobIds.length} job${failure.jobIds.length === 1 ? '' : 's'} not refreshed: ${failure.error.message}`);
      }
      if (transitions.length > 0) {
        this.deps.onTransitions?.(transitions);
      }
      return snapshot.errors.length > 0 ? 'failed' : 'ok';
    } finally {
      store.setRefreshing(false);
    }
  }

  /** Reuses the keep-alive client while nothing it depends on changed. */
  private clientFor(settings: Settings, resolved: ResolvedCredentials): ClosableSource {
    const c = resolved.credentials;
    // A digest, so the secret is not kept around in one more string.
    const key = createHash('sha256')
      .update(
        JSON.stringify([settings.endpoint, settings.allowInsecureEndpoint, settings.httpProxy, settings.signatureVersion, settings.requestTimeoutSeconds, c.accessKeyId, c.accessKeySecret, c.securityToken]),
      )
      .digest('hex');
    if (this.client && key === this.clientKey) {
      return this.client;
    }
    void this.client?.close().catch(() => undefined);
    const create = this.deps.createClient ?? ((o: ClientOptions) => new DtsClient(o));
    this.client = create({
      credentials: c,
      endpoint: settings.endpoint,
      allowInsecureHttp: settings.allowInsecureEndpoint,
      proxy: settings.httpProxy,
      signatureVersion: settings.signatureVersion,
      timeoutMs: settings.requestTimeoutSeconds * 1000,
      userAgent: this.deps.userAgent,
      onAttempt: (e) => (e.outcome === 'ok' ? this.deps.log.info(formatAttempt(e)) : this.deps.log.warn(formatAttempt(e))),
    });
    this.clientKey = key;
    return this.client;
  }

  async dispose(): Promise<void> {
    this.shutdown.abort(new Error('The extension is shutting down'));
    await this.client?.close().catch(() => undefined);
    this.client = undefined;
  }
}
