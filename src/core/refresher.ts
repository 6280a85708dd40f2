import { createHash } from 'node:crypto';
import { describeProxy, DtsClient, STATUS_LIST_ACTION, type AttemptEvent, type ClientOptions, type StatusListSource } from './api/client';
import { BadInputError } from './api/errors';
import type { ResolvedCredentials } from './credentials';
import { componentLog, type Log } from './log';
import type { RefreshOutcome, RefreshReason } from './poller';
import { queryJobStatuses } from './query';
import type { Settings } from './settings';
import { toQueryError, type StatusStore, type Transition } from './store';

export type ClosableSource = StatusListSource & { close(): Promise<void> };

export interface RefresherDeps {
  readonly store: StatusStore;
  readonly log: Log;
  readonly createClient?: (options: ClientOptions) => ClosableSource;
  readonly now?: () => Date;
  readonly userAgent?: string;
}

/** What one refresh did: `failed` makes the poller back off; transitions are directions that newly failed. */
export interface RefreshResult {
  readonly outcome: RefreshOutcome;
  readonly transitions: readonly Transition[];
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
  private lastEndpoint: string | undefined;
  /** Aborts the refresh in flight when the extension shuts down, so no request outlives it. */
  private readonly shutdown = new AbortController();

  private readonly log: Log;
  private readonly clientLog: Log;

  constructor(private readonly deps: RefresherDeps) {
    this.log = componentLog(deps.log, 'refresh');
    this.clientLog = componentLog(deps.log, 'client');
  }

  /**
   * One refresh with the settings and credentials the controller holds: the query, then the store updated in one
   * batch (one change event). Never throws for a failed query: the store shows it.
   */
  async refresh(reason: RefreshReason, settings: Settings, resolved: ResolvedCredentials): Promise<RefreshResult> {
    const { store } = this.deps;
    const log = this.log;
    if (settings.jobs.length === 0) {
      return { outcome: 'ok', transitions: [] };
    }
    const now = this.deps.now ?? (() => new Date());
    if (settings.endpointRefusal) {
      store.failAll(toQueryError(new BadInputError(settings.endpointRefusal)));
      log.error(`Refresh (${reason}) refused: ${settings.endpointRefusal}`);
      return { outcome: 'failed', transitions: [] };
    }
    const endpoint =
      (settings.endpoint ?? 'the official endpoint of each region') + (settings.httpProxy ? ` through the proxy ${describeProxy(settings.httpProxy)}` : '');
    if (endpoint !== this.lastEndpoint) {
      log.info(`Sending requests to ${endpoint}`);
      this.lastEndpoint = endpoint;
    }
    const client = this.clientFor(settings, resolved);
    store.setRefreshing(true, now());
    const started = Date.now();
    try {
      const snapshot = await queryJobStatuses(settings.jobs, client, {
        lagWarningSeconds: settings.lagWarningSeconds,
        now,
        signal: this.shutdown.signal,
      });
      const transitions = store.batch(() => {
        store.setCredentialsSource(resolved.source);
        return store.applySnapshot(snapshot);
      });
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
      return { outcome: snapshot.errors.length > 0 ? 'failed' : 'ok', transitions };
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
      onAttempt: (e) => (e.outcome === 'ok' ? this.clientLog.info(formatAttempt(e)) : this.clientLog.warn(formatAttempt(e))),
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
