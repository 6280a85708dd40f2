import { createHash } from 'node:crypto';
import { describeProxy, DtsClient, STATUS_LIST_ACTION, type AttemptEvent, type ClientOptions, type StatusListSource } from './api/client';
import type { JobDetails } from './api/jobDetails';
import { listSynchronizationJobs, type JobListClient, type JobListing } from './api/jobList';
import { DETAILS_CONCURRENCY, DetailsPolicy, type DetailsRequest } from './detailsPolicy';
import { BadInputError } from './api/errors';
import type { ResolvedCredentials } from './credentials';
import { componentLog, type Log } from './log';
import type { RefreshOutcome, RefreshReason } from './poller';
import { queryJobStatuses } from './query';
import { jobKey, type JobSpec } from './jobs';
import type { Settings } from './settings';
import { toQueryError, type DetailsResult, type QueryError, type StatusStore, type Transition } from './store';

/** What the refresher needs of a client: the status list, the details of one direction (optional for fakes), close. */
export type ClosableSource = StatusListSource & {
  close(): Promise<void>;
  /** DtsClient's generic call, for DescribeSynchronizationJobs (optional for fakes). */
  call?: JobListClient['call'];
  describeSynchronizationJobStatus?(jobId: string, direction: string, region: string, signal?: AbortSignal): Promise<JobDetails>;
};

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
  /** Accounts whose credentials DTS refused (a rejected key, an expired token): their chains should look again. */
  readonly rejected?: readonly string[];
}

/** The most one region's job listing (every page, retries included) may take. */
export const LIST_DEADLINE_MS = 60_000;

/** One log line per HTTP attempt: region, batch size, duration, RequestId, outcome, retry reason. */
export function formatAttempt(e: AttemptEvent): string {
  const action = e.action === STATUS_LIST_ACTION ? '' : ` ${e.action}`;
  const head = `[${e.region}]${action} ${e.batchSize} job${e.batchSize === 1 ? '' : 's'}, attempt ${e.attempt}: ${e.outcome} in ${e.durationMs} ms`;
  const id = e.requestId ? ` (RequestId ${e.requestId})` : '';
  const retry = e.retryInMs !== undefined ? `; retrying in ${(e.retryInMs / 1000).toFixed(1)} s: ${e.retryReason}` : '';
  return `${head}${id}${retry}`;
}

/** One account's part of a refresh: its jobs and either its credentials or why it has none. */
export type AccountRun =
  | { readonly account: string; readonly jobs: readonly JobSpec[]; readonly resolved: ResolvedCredentials }
  | { readonly account: string; readonly jobs: readonly JobSpec[]; readonly error: QueryError };

interface AccountClient {
  readonly client: ClosableSource;
  readonly key: string;
}

/**
 * One refresh: settings and each account's credentials in, one query per account (one client each), the store
 * updated in one batch. An account without credentials fails only its own jobs. Knows nothing of VS Code.
 */
export class Refresher {
  private readonly clients = new Map<string, AccountClient>();
  private lastEndpoint: string | undefined;
  /** Aborts the refresh in flight when the extension shuts down, so no request outlives it. */
  private readonly shutdown = new AbortController();
  private readonly policy: DetailsPolicy;

  private readonly log: Log;
  private readonly clientLog: Log;

  constructor(private readonly deps: RefresherDeps) {
    this.log = componentLog(deps.log, 'refresh');
    this.clientLog = componentLog(deps.log, 'client');
    this.policy = new DetailsPolicy({ now: () => (deps.now ?? (() => new Date()))().getTime() });
  }

  /**
   * One refresh with the settings and credentials the controller holds: the queries (accounts in parallel), then the
   * store updated in one batch (one change event). Never throws for a failed query: the store shows it.
   */
  async refresh(reason: RefreshReason, settings: Settings, runs: readonly AccountRun[]): Promise<RefreshResult> {
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
    this.closeClientsExcept(new Set(runs.flatMap((r) => ('resolved' in r ? [r.account] : []))));
    // Named only with several accounts, so a single-account log reads as it always did.
    const tag = (account: string): string => (runs.length > 1 ? `[account ${account}] ` : '');
    store.setRefreshing(true, now());
    const started = Date.now();
    let result: RefreshResult;
    try {
      const answered = await Promise.all(
        runs.map(async (run) => {
          if (!('resolved' in run)) {
            return { run, snapshot: undefined };
          }
          const snapshot = await queryJobStatuses(run.jobs, this.clientFor(run.account, settings, run.resolved), {
            lagWarningSeconds: settings.lagWarningSeconds,
            now,
            signal: this.shutdown.signal,
          });
          return { run, snapshot };
        }),
      );
      const transitions = store.batch(() =>
        answered.flatMap(({ run, snapshot }) => {
          const mine = new Set(run.jobs.map(jobKey));
          const only = (spec: JobSpec): boolean => mine.has(jobKey(spec));
          if (!snapshot) {
            store.failJobs((run as { error: QueryError }).error, only);
            return [];
          }
          return store.applySnapshot(snapshot, only);
        }),
      );
      let failed = false;
      const rejected = answered.flatMap(({ run, snapshot }) => (snapshot?.errors.some((f) => f.error.kind === 'credentials') ? [run.account] : []));
      for (const { run, snapshot } of answered) {
        if (!snapshot) {
          log.error(`${tag(run.account)}${run.jobs.length} job${run.jobs.length === 1 ? '' : 's'} not refreshed: ${(run as { error: QueryError }).error.message}`);
          continue;
        }
        // Backing off helps against throttling and outages; a refused or missing key only concerns its own account.
        failed ||= snapshot.errors.some((f) => f.error.retryable);
        const found = snapshot.jobs.filter((j) => j.found).length;
        log.info(
          `${tag(run.account)}Refresh (${reason}): ${found} of ${run.jobs.length} jobs answered` +
            `${snapshot.errors.length ? `, ${snapshot.errors.length} batch${snapshot.errors.length === 1 ? '' : 'es'} failed` : ''} in ${Date.now() - started} ms`,
        );
        for (const note of snapshot.notes) {
          log.warn(`${tag(run.account)}[${note.region}] ${note.message}`);
        }
        for (const failure of snapshot.errors) {
          log.error(
            `${tag(run.account)}[${failure.region}] ${failure.jobIds.length} job${failure.jobIds.length === 1 ? '' : 's'} not refreshed: ${failure.error.message}`,
          );
        }
      }
      result = { outcome: failed ? 'failed' : 'ok', transitions, rejected };
    } finally {
      store.setRefreshing(false);
    }
    // After the status batch is applied and shown: the details never hold it back nor change its outcome.
    await this.refreshDetails(reason, settings, runs);
    return result;
  }

  /**
   * The details calls the policy plans for this refresh, with each account's client, DETAILS_CONCURRENCY at a time
   * per region (every call still passes the client's rate limiter), applied in one store batch. Never throws.
   */
  private async refreshDetails(reason: RefreshReason, settings: Settings, runs: readonly AccountRun[]): Promise<void> {
    const { store } = this.deps;
    try {
      const requests = this.policy.plan(store.state.jobs, reason);
      const accountOfJob = new Map<string, AccountRun>();
      for (const run of runs) {
        for (const job of run.jobs) {
          accountOfJob.set(jobKey(job), run);
        }
      }
      const queues = new Map<string, { client: NonNullable<ClosableSource['describeSynchronizationJobStatus']>; requests: DetailsRequest[] }>();
      for (const request of requests) {
        const run = accountOfJob.get(jobKey(request.job));
        if (!run || !('resolved' in run)) {
          this.policy.settled(request, false);
          continue;
        }
        const client = this.clientFor(run.account, settings, run.resolved);
        if (!client.describeSynchronizationJobStatus) {
          this.policy.settled(request, false);
          continue;
        }
        const key = `${run.account}\u0000${request.job.region}`;
        const queue = queues.get(key) ?? { client: client.describeSynchronizationJobStatus.bind(client), requests: [] };
        queue.requests.push(request);
        queues.set(key, queue);
      }
      if (queues.size === 0) {
        return;
      }
      const results: DetailsResult[] = [];
      const signal = this.shutdown.signal;
      await Promise.all(
        [...queues.values()].map(async ({ client, requests: pending }) => {
          const worker = async (): Promise<void> => {
            for (let request = pending.shift(); request && !signal.aborted; request = pending.shift()) {
              try {
                const details = await client(request.job.id, request.direction, request.job.region, signal);
                results.push({ job: request.job, direction: request.direction, details });
                this.policy.settled(request, true);
              } catch (e) {
                const message = e instanceof Error ? e.message : String(e);
                results.push({ job: request.job, direction: request.direction, error: message });
                this.policy.settled(request, false);
                this.log.warn(`[${request.job.region}] Details of ${request.job.id} (${request.direction}) unavailable: ${message}`);
              }
            }
          };
          await Promise.all(Array.from({ length: Math.min(DETAILS_CONCURRENCY, pending.length) }, worker));
        }),
      );
      if (!signal.aborted && results.length > 0) {
        store.batch(() => store.applyDetails(results));
      }
    } catch (e) {
      this.log.error(`Details not refreshed: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  private closeClientsExcept(keep: ReadonlySet<string>): void {
    for (const [account, { client }] of this.clients) {
      if (!keep.has(account)) {
        void client.close().catch(() => undefined);
        this.clients.delete(account);
      }
    }
  }

  /**
   * Every page of one region's sync jobs (DescribeSynchronizationJobs) with the account's credentials: through the
   * account's status client when it has one (same rate limit, same connection), else through a client made for this
   * listing and closed after it (Add Job with an account no job uses yet). Throws only when `signal` aborts.
   */
  async listJobs(account: string, settings: Settings, resolved: ResolvedCredentials, region: string, signal?: AbortSignal): Promise<JobListing> {
    const c = resolved.credentials;
    const known = { accessKeyId: c.accessKeyId, accessKeySecret: c.accessKeySecret, securityToken: c.securityToken };
    const shared = this.clients.has(account);
    const client = shared ? this.clientFor(account, settings, resolved) : this.createClient(settings, resolved);
    try {
      if (typeof client.call !== 'function') {
        throw new Error('this client cannot list jobs');
      }
      // A region's pages share one budget: a hung or throttling endpoint ends the listing, not the refresh after it.
      const end = Date.now() + LIST_DEADLINE_MS;
      const deadline = { totalMs: LIST_DEADLINE_MS, remainingMs: () => end - Date.now() };
      return await listSynchronizationJobs(client as ClosableSource & JobListClient, region, { signal, known, deadline });
    } finally {
      if (!shared) {
        void client.close().catch(() => undefined);
      }
    }
  }

  /** Reuses an account's keep-alive client while nothing it depends on changed. */
  private clientFor(account: string, settings: Settings, resolved: ResolvedCredentials): ClosableSource {
    const c = resolved.credentials;
    // A digest, so the secret is not kept around in one more string.
    const key = createHash('sha256')
      .update(
        JSON.stringify([settings.endpoint, settings.allowInsecureEndpoint, settings.httpProxy, settings.signatureVersion, settings.requestTimeoutSeconds, c.accessKeyId, c.accessKeySecret, c.securityToken]),
      )
      .digest('hex');
    const existing = this.clients.get(account);
    if (existing && existing.key === key) {
      return existing.client;
    }
    void existing?.client.close().catch(() => undefined);
    const client = this.createClient(settings, resolved);
    this.clients.set(account, { client, key });
    return client;
  }

  private createClient(settings: Settings, resolved: ResolvedCredentials): ClosableSource {
    const c = resolved.credentials;
    const create = this.deps.createClient ?? ((o: ClientOptions) => new DtsClient(o));
    return create({
      credentials: c,
      endpoint: settings.endpoint,
      allowInsecureHttp: settings.allowInsecureEndpoint,
      proxy: settings.httpProxy,
      signatureVersion: settings.signatureVersion,
      timeoutMs: settings.requestTimeoutSeconds * 1000,
      userAgent: this.deps.userAgent,
      onAttempt: (e) => (e.outcome === 'ok' ? this.clientLog.info(formatAttempt(e)) : this.clientLog.warn(formatAttempt(e))),
    });
  }

  async dispose(): Promise<void> {
    this.shutdown.abort(new Error('The extension is shutting down'));
    await Promise.all([...this.clients.values()].map(({ client }) => client.close().catch(() => undefined)));
    this.clients.clear();
  }
}
