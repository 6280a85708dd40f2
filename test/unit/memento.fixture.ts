import type { KeyValueState } from '../../src/core/lagHistoryStorage';

/**
 * VS Code's globalState as far as the lag history uses it: values go through JSON as in the real state database, and
 * every update (a removal is `undefined`) is logged in order.
 */
export class FakeMemento implements KeyValueState {
  readonly values = new Map<string, unknown>();
  readonly updates: { key: string; value: unknown }[] = [];

  constructor(initial: Record<string, unknown> = {}) {
    for (const [key, value] of Object.entries(initial)) {
      this.values.set(key, value);
    }
  }

  get(key: string): unknown {
    return this.values.get(key);
  }

  update(key: string, value: unknown): Promise<void> {
    this.updates.push({ key, value });
    if (value === undefined) {
      this.values.delete(key);
    } else {
      this.values.set(key, JSON.parse(JSON.stringify(value)) as unknown);
    }
    return Promise.resolve();
  }

  keys(): readonly string[] {
    return [...this.values.keys()];
  }

  /** The keys written (not removed) since the log was last cleared, in order. */
  written(): string[] {
    return this.updates.filter((u) => u.value !== undefined).map((u) => u.key);
  }

  removed(): string[] {
    return this.updates.filter((u) => u.value === undefined).map((u) => u.key);
  }
}
