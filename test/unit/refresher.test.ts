import * as assert from 'node:assert/strict';
import { STATUS_LIST_ACTION, type AttemptEvent, type ClientOptions } from '../../src/core/api/client';
import { ServerError, ThrottledError } from '../../src/core/api/errors';
import type { StatusListResult } from '../../src/core/api/response';
import type { ResolvedCredentials } from '../../src/core/credentials';
import type { RawDirection } from '../../src/core/model';
import type { Log } from '../../src/core/log';
import type { RefreshOutcome, RefreshReason } from '../../src/core/poller';
import { formatAttempt, LIST_DEADLINE_MS, Refresher, type ClosableSource } from '../../src/core/refresher';
import { parseSettings, type Settings } from '../../src/core/settings';
import { StatusStore, type Transition } from '../../src/core/store';
import { jobDescription } from '../../src/core/views/tree';

const NOW = new Date('2024-05-01T12:00:00Z');
const ACCESS_KEY_ID = 'LTAI5tQWERTYUI0001';
const SECRET = 'Zq7-DISTINCTIVE-secret-value-4242';

const settingsOf = (values: Record<string, unknown>): Settings => parseSettings((key) => values[key]);

class CollectingLog implements Log {
  readonly lines: { level: 'info' | 'warn' | 'error'; message: string }[] = [];
  info(message: string): void {
    this.lines.push({ level: 'info', message });
  }
  warn(message: string): void {
    this.lines.push({ level: 'warn', message });
  }
  error(message: string): void {
    this.lines.push({ level: 'error', message });
  }
  get all(): string[] {
    return this.lines.map((l) => l.message);
  }
}

/** Answers from a table per region, reports one attempt per call like the real client, and can fail chosen regions. */
class FakeClient implements ClosableSource {
  closed = false;
  readonly calls: { ids: string[]; region: string; refreshing: boolean }[] = [];
  constructor(
    readonly options: ClientOptions,
    private readonly world: World,
  ) {}

  batchKey(region: string): string {
    return `${this.options.endpoint ?? 'official'}|${region}|${this.options.credentials.accessKeyId}`;
  }

  async describeSynchronizationJobStatusList(ids: readonly string[], region: string, signal?: AbortSignal): Promise<StatusListResult> {
    this.calls.push({ ids: [...ids], region, refreshing: this.world.store.state.refreshing });
    await new Promise((resolve) => setImmediate(resolve));
    if (this.world.hang) {
      await new Promise((_resolve, reject) => {
        signal?.throwIfAborted();
        signal?.addEventListener('abort', () => reject(signal.reason), { once: true });
      });
    }
    const failure = this.world.failRegions[region];
    const base = { action: STATUS_LIST_ACTION, region, batchSize: ids.length, attempt: 1, durationMs: 12 };
    if (failure) {
      this.options.onAttempt?.({ ...base, outcome: failure.code, requestId: failure.requestId, retryInMs: 1500, retryReason: failure.message });
      this.options.onAttempt?.({ ...base, attempt: 2, outcome: failure.code, requestId: failure.requestId });
      throw failure;
    }
    this.options.onAttempt?.({ ...base, outcome: 'ok', requestId: `REQ-${region}` });
    const jobs = new Map<string, RawDirection[]>();
    for (const id of ids) {
      const directions = this.world.answers[id];
      if (directions) {
        jobs.set(id, directions);
      }
    }
    return { requestId: `REQ-${region}`, serverDate: NOW, jobs, notes: [] };
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}

interface World {
  store: StatusStore;
  answers: Record<string, RawDirection[]>;
  failRegions: Record<string, Error & { code: string; requestId?: string }>;
  /** Requests never answer; only an abort ends them. */
  hang?: boolean;
}

function setup(options: { settings?: Record<string, unknown>; credentials?: () => Promise<ResolvedCredentials> } = {}) {
  const store = new StatusStore();
  const log = new CollectingLog();
  const world: World = {
    store,
    answers: {
      dtsjob0001: [{ direction: 'Forward', status: 'Synchronizing', checkpoint: new Date(NOW.getTime() - 15 * 60_000) }],
      dtsjob0002: [{ direction: 'Forward', status: 'Synchronizing', checkpoint: new Date(NOW.getTime() - 8_000) }],
      dtsjob0003: [{ direction: 'Forward', status: 'Synchronizing', checkpoint: new Date(NOW.getTime() - 8_000) }],
    },
    failRegions: {},
  };
  let settings = settingsOf(options.settings ?? { jobs: ['dtsjob0001', 'dtsjob0002', 'dtsjob0003'] });
  let credentials: ResolvedCredentials = { source: 'SecretStorage', credentials: { accessKeyId: ACCESS_KEY_ID, accessKeySecret: SECRET } };
  const clients: FakeClient[] = [];
  const transitions: Transition[][] = [];
  const refresher = new Refresher({
    store,
    log,
    now: () => NOW,
    createClient: (o) => {
      const client = new FakeClient(o, world);
      clients.push(client);
      return client;
    },
  });
  store.setJobs(settings.jobs);
  return {
    store,
    log,
    world,
    clients,
    transitions,
    refresher,
    /** One refresh with the current settings and credentials, as the controller runs it. */
    async refresh(reason: RefreshReason): Promise<RefreshOutcome> {
      const resolved = options.credentials ? await options.credentials() : credentials;
      const result = await refresher.refresh(reason, settings, [{ account: 'default', jobs: settings.jobs, resolved }]);
      if (result.transitions.length > 0) {
        transitions.push([...result.transitions]);
      }
      return result.outcome;
    },
    setSettings(values: Record<string, unknown>) {
      settings = settingsOf(values);
      store.setJobs(settings.jobs);
    },
    setCredentials(c: ResolvedCredentials) {
      credentials = c;
    },
  };
}

describe('refresher', () => {
  describe('a successful refresh', () => {
    it('fills the store with every job status and reports ok', async () => {
      const t = setup();
      assert.equal(await t.refresh('manual'), 'ok');
      const ctx = { now: NOW, timeZone: 'UTC' };
      assert.deepEqual(
        t.store.state.jobs.map((j) => [j.spec.id, jobDescription(j, ctx)]),
        [
          ['dtsjob0001', 'Synchronizing · 15 min behind'],
          ['dtsjob0002', 'Synchronizing · 8 s behind'],
          ['dtsjob0003', 'Synchronizing · 8 s behind'],
        ],
      );
      assert.equal(t.store.state.refreshing, false);
      assert.equal(t.store.state.lastAttemptAt?.getTime(), NOW.getTime());
    });

    it('asks once for the whole batch while the store shows it is refreshing', async () => {
      const t = setup();
      await t.refresh('manual');
      assert.deepEqual(t.clients[0].calls, [{ ids: ['dtsjob0001', 'dtsjob0002', 'dtsjob0003'], region: 'cn-hangzhou', refreshing: true }]);
    });

    it('logs one summary line with the reason and the count of answered jobs', async () => {
      const t = setup();
      await t.refresh('interval');
      const summaries = t.log.all.filter((l) => l.startsWith('[refresh] Refresh'));
      assert.equal(summaries.length, 1, t.log.all.join('\n'));
      assert.match(summaries[0], /^\[refresh\] Refresh \(interval\): 3 of 3 jobs answered in \d+ ms$/);
      assert.ok(t.log.lines.every((l) => l.level === 'info'), t.log.all.join('\n'));
    });

    it('logs each HTTP attempt', async () => {
      const t = setup();
      await t.refresh('manual');
      assert.ok(t.log.all.includes('[client] [cn-hangzhou] 3 jobs, attempt 1: ok in 12 ms (RequestId REQ-cn-hangzhou)'), t.log.all.join('\n'));
    });

    it('counts a job the API did not return as not answered', async () => {
      const t = setup({ settings: { jobs: ['dtsjob0001', 'dtsgone0009'] } });
      assert.equal(await t.refresh('manual'), 'ok');
      assert.match(t.log.all.find((l) => l.startsWith('[refresh] Refresh')) ?? '', /^\[refresh\] Refresh \(manual\): 1 of 2 jobs answered/);
      assert.equal(jobDescription(t.store.state.jobs[1], { now: NOW }), 'Not found in cn-hangzhou');
    });

    it('builds the client from the settings', async () => {
      const t = setup({ settings: { jobs: ['dtsjob0001'], endpoint: 'http://127.0.0.1:9000', signatureVersion: 'v2', requestTimeoutSeconds: 7 } });
      await t.refresh('manual');
      const o = t.clients[0].options;
      assert.equal(o.endpoint, 'http://127.0.0.1:9000');
      assert.equal(o.signatureVersion, 'v2');
      assert.equal(o.timeoutMs, 7000);
      assert.equal(o.credentials.accessKeyId, ACCESS_KEY_ID);
    });

    it('does nothing when no job is configured', async () => {
      const t = setup({ settings: {} });
      assert.equal(await t.refresh('manual'), 'ok');
      assert.equal(t.clients.length, 0);
      assert.deepEqual(t.log.all, []);
    });
  });

  describe('hostile answers and settings', () => {
    it('refuses a plain-http endpoint that is not loopback: an error for every job and the log, no client, no request', async () => {
      const t = setup({ settings: { jobs: ['dtsjob0001'], endpoint: 'http://gateway.example.com:8080' } });
      assert.equal(await t.refresh('manual'), 'failed');
      assert.equal(t.clients.length, 0);
      const job = t.store.state.jobs[0];
      assert.match(job.error?.message ?? t.store.state.failure?.message ?? '', /uses plain http:\/\/ .*cleartext/);
      assert.ok(t.log.lines.some((l) => l.level === 'error' && /^\[refresh\] Refresh \(manual\) refused: dtsSync\.endpoint: .*cleartext/.test(l.message)), t.log.all.join('\n'));
    });

    it('sends to a plain-http endpoint once dtsSync.allowInsecureEndpoint opts in', async () => {
      const t = setup({ settings: { jobs: ['dtsjob0001'], endpoint: 'http://gateway.example.com:8080', allowInsecureEndpoint: true } });
      assert.equal(await t.refresh('manual'), 'ok');
      assert.equal(t.clients[0].options.allowInsecureHttp, true);
      assert.equal(t.clients[0].options.endpoint, 'http://gateway.example.com:8080');
    });

    it('logs the notes of an answer (duplicates, impossible checkpoints) as warnings with the region', async () => {
      const t = setup({ settings: { jobs: ['dtsjob0001'] } });
      t.world.answers['dtsjob0001'] = [{ direction: 'Forward', status: 'Synchronizing', checkpoint: null, checkpointRaw: '99999999999999999999' }];
      await t.refresh('manual');
      assert.ok(
        t.log.lines.some((l) => l.level === 'warn' && l.message === '[refresh] [cn-hangzhou] dtsjob0001 Forward: checkpoint "99999999999999999999" is not a plausible time; shown as none'),
        t.log.all.join('\n'),
      );
    });
  });

  describe('a failed batch', () => {
    it('keeps the last statuses, marks them stale, logs the error and reports failed', async () => {
      const t = setup({ settings: { jobs: ['dtsjob0001', 'dtsjob0002@cn-shanghai'] } });
      await t.refresh('manual');
      t.world.failRegions['cn-shanghai'] = new ThrottledError({ code: 'Throttling', apiMessage: 'Request was denied.', requestId: 'REQ-T' });
      assert.equal(await t.refresh('interval'), 'failed');
      const shanghai = t.store.state.jobs[1];
      assert.equal(shanghai.stale, true);
      assert.equal(shanghai.status?.health, 'ok');
      assert.equal(shanghai.error?.code, 'Throttling');
      assert.equal(t.store.state.jobs[0].stale, false);
      const errors = t.log.lines.filter((l) => l.level === 'error').map((l) => l.message);
      assert.equal(errors.length, 1, errors.join('\n'));
      assert.match(errors[0], /^\[refresh\] \[cn-shanghai\] 1 jobs? not refreshed: Throttled by Alibaba Cloud: Throttling Request was denied\. \(RequestId REQ-T\)$/);
      assert.match(t.log.all.filter((l) => l.startsWith('[refresh] Refresh'))[1], /^\[refresh\] Refresh \(interval\): 1 of 2 jobs answered, 1 batch failed in \d+ ms$/);
    });

    it('says "1 job", not "1 jobs", when a batch of one was not refreshed', async () => {
      const t = setup({ settings: { jobs: ['dtsjob0001', 'dtsjob0002@cn-shanghai'] } });
      t.world.failRegions['cn-shanghai'] = new ThrottledError({ code: 'Throttling', requestId: 'REQ-T' });
      await t.refresh('manual');
      const errors = t.log.lines.filter((l) => l.level === 'error').map((l) => l.message);
      assert.deepEqual(errors, ['[refresh] [cn-shanghai] 1 job not refreshed: Throttled by Alibaba Cloud: Throttling (RequestId REQ-T)']);
    });

    it('says how many jobs of a larger batch were not refreshed', async () => {
      const t = setup();
      t.world.failRegions['cn-hangzhou'] = new ThrottledError({ code: 'Throttling' });
      await t.refresh('manual');
      const errors = t.log.lines.filter((l) => l.level === 'error').map((l) => l.message);
      assert.deepEqual(errors, ['[refresh] [cn-hangzhou] 3 jobs not refreshed: Throttled by Alibaba Cloud: Throttling']);
    });

    it('logs a retried attempt as a warning with the retry reason', async () => {
      const t = setup();
      t.world.failRegions['cn-hangzhou'] = new ServerError({ code: 'ServiceUnavailable', httpStatus: 503, requestId: 'REQ-S' });
      await t.refresh('manual');
      const warnings = t.log.lines.filter((l) => l.level === 'warn').map((l) => l.message);
      assert.ok(
        warnings.includes(
          '[client] [cn-hangzhou] 3 jobs, attempt 1: ServiceUnavailable in 12 ms (RequestId REQ-S); retrying in 1.5 s: DTS server error (HTTP 503): ServiceUnavailable (RequestId REQ-S)',
        ),
        warnings.join('\n'),
      );
    });
  });

  describe('secrets', () => {
    it('never writes the AccessKey secret or the full AccessKey ID to the log or the store', async () => {
      const t = setup({ settings: { jobs: ['dtsjob0001', 'dtsjob0002@cn-shanghai'] } });
      await t.refresh('startup');
      t.world.failRegions['cn-shanghai'] = new ThrottledError({ code: 'Throttling', requestId: 'REQ-T' });
      await t.refresh('interval');
      t.setCredentials({ source: 'environment', credentials: { accessKeyId: ACCESS_KEY_ID, accessKeySecret: SECRET, securityToken: `${SECRET}-token` } });
      await t.refresh('credentials');
      t.setSettings({ jobs: ['dtsjob0001'], endpoint: 'http://127.0.0.1:9000' });
      await t.refresh('settings');
      assert.ok(t.log.lines.length > 5, 'the scenario produced log lines');
      for (const line of t.log.all) {
        assert.ok(!line.includes(SECRET), `secret in: ${line}`);
        assert.ok(!line.includes(ACCESS_KEY_ID), `full AccessKey ID in: ${line}`);
      }
      const stored = JSON.stringify(t.store.state);
      assert.ok(!stored.includes(SECRET));
    });
  });

  describe('the client', () => {
    it('is reused while settings and credentials are unchanged', async () => {
      const t = setup();
      await t.refresh('startup');
      await t.refresh('interval');
      t.setSettings({ jobs: [{ id: 'dtsjob0001', name: 'orders' }, 'dtsjob0002'] });
      await t.refresh('settings');
      assert.equal(t.clients.length, 1);
      assert.equal(t.clients[0].closed, false);
      assert.equal(t.clients[0].calls.length, 3);
    });

    it('is recreated, and the old one closed, when the endpoint changes', async () => {
      const t = setup();
      await t.refresh('startup');
      t.setSettings({ jobs: ['dtsjob0001'], endpoint: 'http://127.0.0.1:9000' });
      await t.refresh('settings');
      assert.equal(t.clients.length, 2);
      assert.equal(t.clients[0].closed, true);
      assert.equal(t.clients[1].closed, false);
      assert.equal(t.clients[1].options.endpoint, 'http://127.0.0.1:9000');
      assert.equal(t.clients[1].calls.length, 1);
    });

    it('is recreated when the signature version or the timeout changes', async () => {
      const t = setup();
      await t.refresh('startup');
      t.setSettings({ jobs: ['dtsjob0001'], signatureVersion: 'v2' });
      await t.refresh('settings');
      t.setSettings({ jobs: ['dtsjob0001'], signatureVersion: 'v2', requestTimeoutSeconds: 30 });
      await t.refresh('settings');
      assert.equal(t.clients.length, 3);
      assert.deepEqual(
        t.clients.map((c) => c.closed),
        [true, true, false],
      );
    });

    it('is recreated when the AccessKey secret changes, even with the same ID and source', async () => {
      const t = setup();
      await t.refresh('startup');
      t.setCredentials({ source: 'SecretStorage', credentials: { accessKeyId: ACCESS_KEY_ID, accessKeySecret: `${SECRET}-rotated` } });
      await t.refresh('credentials');
      assert.equal(t.clients.length, 2);
      assert.equal(t.clients[0].closed, true);
      assert.equal(t.clients[1].options.credentials.accessKeySecret, `${SECRET}-rotated`);
    });

    it('is recreated when the AccessKey ID changes', async () => {
      const t = setup();
      await t.refresh('startup');
      t.setCredentials({ source: 'SecretStorage', credentials: { accessKeyId: 'LTAI5tOTHERKEY0002', accessKeySecret: SECRET } });
      await t.refresh('credentials');
      assert.equal(t.clients.length, 2);
      assert.equal(t.clients[0].closed, true);
    });

    it('is closed on dispose', async () => {
      const t = setup();
      await t.refresh('startup');
      await t.refresher.dispose();
      assert.equal(t.clients[0].closed, true);
    });
  });

  describe('transitions', () => {
    it('passes a direction newly entering error to onTransitions, once', async () => {
      const t = setup();
      await t.refresh('startup');
      assert.deepEqual(t.transitions, [], 'nothing is in error yet');
      t.world.answers['dtsjob0002'] = [{ direction: 'Forward', status: 'Failed', checkpoint: null }];
      await t.refresh('interval');
      await t.refresh('interval');
      assert.deepEqual(t.transitions, [[{ job: { id: 'dtsjob0002', region: 'cn-hangzhou' }, direction: 'Forward', status: 'Failed' }]]);
    });
  });

  describe('formatAttempt', () => {
    const ok: AttemptEvent = {
      action: STATUS_LIST_ACTION,
      region: 'cn-hangzhou',
      batchSize: 3,
      attempt: 1,
      durationMs: 12,
      requestId: 'X',
      outcome: 'ok',
    };

    it('formats a successful attempt', () => {
      assert.equal(formatAttempt(ok), '[cn-hangzhou] 3 jobs, attempt 1: ok in 12 ms (RequestId X)');
    });

    it('formats an attempt that is retried, with the delay and the reason', () => {
      assert.equal(
        formatAttempt({ ...ok, outcome: 'Throttling', durationMs: 40, retryInMs: 1500, retryReason: 'Throttled by Alibaba Cloud: Throttling' }),
        '[cn-hangzhou] 3 jobs, attempt 1: Throttling in 40 ms (RequestId X); retrying in 1.5 s: Throttled by Alibaba Cloud: Throttling',
      );
    });

    it('says "job" for one and leaves out a missing RequestId', () => {
      assert.equal(formatAttempt({ ...ok, batchSize: 1, requestId: undefined, outcome: 'Timeout', attempt: 3 }), '[cn-hangzhou] 1 job, attempt 3: Timeout in 12 ms');
    });

    it('names an action other than the status list', () => {
      assert.equal(formatAttempt({ ...ok, action: 'DescribeRegions' }), '[cn-hangzhou] DescribeRegions 3 jobs, attempt 1: ok in 12 ms (RequestId X)');
    });
  });
  it('aborts the refresh in flight when disposed, keeping the last statuses and closing the client', async () => {
    const t = setup();
    await t.refresh('manual');
    t.world.hang = true;
    const pending = t.refresh('interval');
    await new Promise((resolve) => setImmediate(resolve));
    await t.refresher.dispose();
    await assert.rejects(pending, /shutting down/);
    assert.ok(t.clients[0].closed);
    assert.equal(t.store.state.refreshing, false);
    assert.ok(t.store.state.jobs.every((j) => j.status !== undefined), 'the last statuses stay');
  });
  it('sends requests through VS Code http.proxy and logs the proxy without its password', async () => {
    const t = setup({ settings: { jobs: ['dtsjob0001'] } });
    const proxied = parseSettings((key) => (key === 'jobs' ? ['dtsjob0001'] : undefined), 'http://ops:s3cret-proxy@proxy.corp:3128');
    const refresher = new Refresher({
      store: t.store,
      log: t.log,
      createClient: (o) => {
        const client = new FakeClient(o, t.world);
        t.clients.push(client);
        return client;
      },
    });
    await refresher.refresh('manual', proxied, [
      { account: 'default', jobs: proxied.jobs, resolved: { source: 'SecretStorage', credentials: { accessKeyId: ACCESS_KEY_ID, accessKeySecret: SECRET } } },
    ]);
    const client = t.clients[t.clients.length - 1];
    assert.equal(client.options.proxy, 'http://ops:s3cret-proxy@proxy.corp:3128');
    assert.ok(t.log.all.some((m) => m === '[refresh] Sending requests to the official endpoint of each region through the proxy http://proxy.corp:3128'), t.log.all.join('\n'));
    assert.ok(!t.log.all.join('\n').includes('s3cret-proxy'));
  });

  it('lists a region within one deadline for all its pages, through a client made for the listing and closed after it', async () => {
    const t = setup({ settings: { jobs: ['dtsjob0001'] } });
    const budgets: number[] = [];
    let closed = 0;
    const refresher = new Refresher({
      store: t.store,
      log: t.log,
      createClient: (o) => {
        const client = new FakeClient(o, t.world);
        return Object.assign(client, {
          call: async <T>(_a: string, _p: Readonly<Record<string, string>>, _r: string, _n: number, _s: AbortSignal | undefined, interpret: (r: { status: number; headers: Record<string, string | undefined>; body: string }) => T, deadline?: { totalMs: number; remainingMs(): number }) => {
            budgets.push(deadline?.totalMs ?? -1, deadline ? Math.round(deadline.remainingMs() / 1000) : -1);
            return interpret({ status: 200, headers: {}, body: JSON.stringify({ RequestId: 'R', TotalRecordCount: 1, SynchronizationInstances: [{ SynchronizationJobId: 'dtslisted01' }] }) });
          },
          close: async () => void closed++,
        });
      },
    });
    const listing = await refresher.listJobs('staging', settingsOf({ jobs: ['dtsjob0001'] }), { source: 'profile', credentials: { accessKeyId: ACCESS_KEY_ID, accessKeySecret: SECRET } }, 'cn-beijing');
    assert.deepEqual(listing.jobs.map((j) => j.jobId), ['dtslisted01']);
    assert.deepEqual(budgets, [LIST_DEADLINE_MS, LIST_DEADLINE_MS / 1000]);
    assert.equal(closed, 1, 'an account no refresh uses gets a client for this listing only');
  });
});
