import * as assert from 'node:assert/strict';
import type { AccountChain, AccountCredentials, ChainSpec } from '../../src/core/accounts';
import type { ClientOptions, RawResponse } from '../../src/core/api/client';
import { CredentialsNotFoundError, CredentialsRejectedError, ThrottledError } from '../../src/core/api/errors';
import type { StatusListResult } from '../../src/core/api/response';
import { Controller, type ContextKey } from '../../src/core/controller';
import type { ResolvedCredentials } from '../../src/core/credentials';
import { LAG_HISTORY_WINDOW_MS, LAG_SEGMENT_MS, MAX_POINTS_PER_DIRECTION } from '../../src/core/lagHistory';
import { LAG_HISTORY_INDEX_KEY, LAG_HISTORY_LEGACY_KEY, LagHistoryStorage, segmentKey } from '../../src/core/lagHistoryStorage';
import { FakeMemento } from './memento.fixture';
import type { Log } from '../../src/core/log';
import type { RawDirection } from '../../src/core/model';
import type { ClosableSource } from '../../src/core/refresher';
import { parseSettings, type Settings } from '../../src/core/settings';
import type { PersistedSnapshot } from '../../src/core/snapshotFormat';
import { StatusStore, type Transition } from '../../src/core/store';
import { accountGroups, accountItem } from '../../src/core/views/accounts';
import { errorItem, jobDescription, viewMessage } from '../../src/core/views/tree';

const NOW = new Date('2026-11-30T12:00:00Z');
const KEY = { accessKeyId: 'LTAI5tController0001', accessKeySecret: 'controller-Secret-0001' };
const STORED = 'VS Code SecretStorage';

interface World {
  /** The clock of DTS and of the controller alike. */
  now: Date;
  /** Job IDs answered without a checkpoint (lag unknown). */
  noCheckpoint: Set<string>;
  /** Each job's lag in seconds (5 unless set). */
  lag: Map<string, number>;
  failing: Set<string>;
  /** AccessKey IDs DTS refuses (`InvalidAccessKeyId.NotFound`). */
  rejected: Set<string>;
  throttled?: boolean;
  /** What DescribeSynchronizationJobs lists per region (job IDs, named `name-<id>`). */
  regionJobs: Map<string, string[]>;
  listed: string[];
}

/** Answers every job as Synchronizing, or Failed for the IDs in `failing`; refuses rejected keys; counts the requests. */
class FakeSource implements ClosableSource {
  requests = 0;
  readonly asked: string[] = [];
  constructor(
    private readonly world: World,
    readonly options: ClientOptions,
  ) {}
  batchKey(region: string): string {
    return region;
  }
  async describeSynchronizationJobStatusList(ids: readonly string[], region: string): Promise<StatusListResult> {
    this.requests++;
    this.asked.push(...ids.map((id) => `${id}@${region}`));
    if (this.world.rejected.has(this.options.credentials.accessKeyId)) {
      throw new CredentialsRejectedError({ code: 'InvalidAccessKeyId.NotFound', httpStatus: 404 });
    }
    if (this.world.throttled) {
      throw new ThrottledError({ code: 'Throttling.User', httpStatus: 400 });
    }
    const jobs = new Map<string, RawDirection[]>(
      ids.map((id) => [
        id,
        [
          {
            direction: 'Forward',
            status: this.world.failing.has(id) ? 'Failed' : 'Synchronizing',
            checkpoint: this.world.noCheckpoint.has(id) ? null : new Date(this.world.now.getTime() - (this.world.lag.get(id) ?? 5) * 1000),
          },
        ],
      ]),
    );
    return { requestId: 'REQ', serverDate: this.world.now, jobs, notes: [] };
  }
  /** DescribeSynchronizationJobs, one page of everything the region has. */
  async call<T>(action: string, params: Readonly<Record<string, string>>, region: string, _n: number, _s: AbortSignal | undefined, interpret: (r: RawResponse) => T): Promise<T> {
    assert.equal(action, 'DescribeSynchronizationJobs');
    this.world.listed.push(`${this.options.credentials.accessKeyId}/${region}/${params.PageNum}`);
    const ids = this.world.regionJobs.get(region) ?? [];
    const body = {
      RequestId: 'LIST',
      TotalRecordCount: ids.length,
      PageNumber: Number(params.PageNum),
      PageRecordCount: ids.length,
      SynchronizationInstances: ids.map((id) => ({ SynchronizationJobId: id, SynchronizationJobName: `name-${id}`, Status: 'Synchronizing', SynchronizationDirection: 'Forward' })),
    };
    return interpret({ status: 200, headers: {}, body: JSON.stringify(body) });
  }
  async close(): Promise<void> {}
}

interface SetupOptions {
  settings?: Record<string, unknown>;
  stored?: boolean;
  saved?: unknown;
  /** What globalState holds for the lag history when the controller is built. */
  lagState?: FakeMemento;
  warnings?: string[];
  /** Other accounts: a named key stored in SecretStorage, or a profile of that name. */
  accounts?: Record<string, { credentials: AccountCredentials; stored: boolean }>;
  /** The default account's profile region (`region_id`). */
  region?: string;
}

function setup(options: SetupOptions = {}) {
  let values: Record<string, unknown> = { refreshIntervalSeconds: 0, jobs: ['dtsjob0001', 'dtsjob0002'], ...options.settings };
  const world: World = { now: NOW, noCheckpoint: new Set<string>(), lag: new Map<string, number>(), failing: new Set<string>(), rejected: new Set<string>(), regionJobs: new Map(), listed: [] };
  let stored: AccountCredentials | undefined =
    options.stored === false ? undefined : { source: STORED, credentials: KEY, warnings: options.warnings, ...(options.region ? { region: options.region } : {}) };
  const others = { ...options.accounts };
  let lookups = 0;
  const lookupsByName = new Map<string, number>();
  const resets: string[] = [];
  const specs: ChainSpec[] = [];
  const createChain = (spec: ChainSpec): AccountChain => {
    specs.push(spec);
    const name = spec.kind === 'default' ? 'default' : spec.kind === 'stored' ? spec.account : spec.name;
    return {
      description: name,
      resolve: async () => {
        lookups++;
        lookupsByName.set(name, (lookupsByName.get(name) ?? 0) + 1);
        const found = spec.kind === 'default' ? stored : others[name]?.credentials;
        if (!found) {
          throw new CredentialsNotFoundError(`No credentials for ${name}`);
        }
        return found;
      },
      reset: () => resets.push(name),
    };
  };
  const log: Log & { lines: string[] } = {
    lines: [],
    info(m) {
      this.lines.push(`info ${m}`);
    },
    warn(m) {
      this.lines.push(`warn ${m}`);
    },
    error(m) {
      this.lines.push(`error ${m}`);
    },
  };
  const context = new Map<ContextKey, boolean>();
  const saves: PersistedSnapshot[] = [];
  const lagState = options.lagState ?? new FakeMemento();
  const notified: (readonly Transition[])[] = [];
  const sources: FakeSource[] = [];
  const store = new StatusStore();
  const controller = new Controller({
    readSettings: (profileRegions?: ReadonlyMap<string, string>): Settings => parseSettings((key) => values[key], undefined, profileRegions),
    storedAccounts: async () => [...(stored ? ['default'] : []), ...Object.keys(others).filter((n) => others[n].stored)],
    createChain,
    store,
    log,
    setContext: (key, value) => context.set(key, value),
    savedSnapshot: options.saved,
    saveSnapshot: (snapshot) => saves.push(snapshot),
    lagHistoryState: lagState,
    notify: (transitions) => notified.push(transitions),
    createClient: (o) => {
      const source = new FakeSource(world, o);
      sources.push(source);
      return source;
    },
    now: () => world.now,
  });
  return {
    controller,
    store,
    log,
    context,
    saves,
    lagState,
    /** One entry per lag-history save: each save writes the index last among its writes. */
    lagSaves: () => lagState.updates.filter((u) => u.key === LAG_HISTORY_INDEX_KEY).length,
    notified,
    world,
    sources,
    specs,
    resets,
    requests: () => sources.reduce((n, s) => n + s.requests, 0),
    lookups: () => lookups,
    lookupsOf: (name: string) => lookupsByName.get(name) ?? 0,
    setSettings(next: Record<string, unknown>) {
      values = { refreshIntervalSeconds: 0, ...next };
    },
    setStored(next: ResolvedCredentials | undefined) {
      stored = next;
    },
  };
}

const STAGING: AccountCredentials = { source: 'aliyun CLI profile "staging"', credentials: { accessKeyId: 'LTAI5tStaging00002', accessKeySecret: 'staging-Secret-0002' } };
const PROD: AccountCredentials = { source: 'VS Code SecretStorage (account prod)', credentials: { accessKeyId: 'LTAI5tProduction03', accessKeySecret: 'prod-Secret-0003' } };
const CTX = { now: NOW, timeZone: 'UTC' };

describe('controller', () => {
  it('on start: looks the credentials up, says the view is ready, refreshes once and saves the statuses', async () => {
    const t = setup();
    await t.controller.start();
    assert.deepEqual(Object.fromEntries(t.context), {
      'dtsSync.hasJobs': true,
      'dtsSync.hasCredentials': true,
      'dtsSync.hasStoredCredentials': true,
      'dtsSync.ready': true,
    });
    assert.equal(t.requests(), 1);
    assert.equal(t.lookups(), 1, 'the chain is looked up once, not again by the refresh');
    assert.deepEqual(t.store.state.jobs.map((j) => j.status?.health), ['ok', 'ok']);
    assert.equal(t.saves.length, 1);
    assert.deepEqual(t.saves[0].jobs.map((j) => j.id), ['dtsjob0001', 'dtsjob0002']);
    await t.controller.dispose();
  });

  describe('while inactive', () => {
    it('never refreshes without credentials, whatever asks, and shows no refresh error behind the welcome view', async () => {
      const t = setup({ stored: false });
      await t.controller.start();
      assert.equal(t.controller.active, false);
      assert.equal(t.context.get('dtsSync.hasCredentials'), false);
      t.setSettings({ jobs: ['dtsjob0001', 'dtsjob0003'] });
      await t.controller.settingsChanged();
      await t.controller.refresh();
      t.controller.focusChanged(false);
      assert.equal(t.requests(), 0);
      assert.equal(t.store.state.failure, undefined);
      assert.equal(viewMessage(t.store.state), undefined);
      assert.equal(t.saves.length, 0);
      await t.controller.dispose();
    });

    it('never refreshes without jobs', async () => {
      const t = setup({ settings: { jobs: [] } });
      await t.controller.start();
      await t.controller.refresh();
      assert.equal(t.controller.active, false);
      assert.equal(t.context.get('dtsSync.hasJobs'), false);
      assert.equal(t.requests(), 0);
      await t.controller.dispose();
    });

    it('becomes active when a key is stored, looking the chain up once for the change', async () => {
      const t = setup({ stored: false });
      await t.controller.start();
      t.setStored({ source: STORED, credentials: KEY });
      const before = t.lookups();
      await t.controller.credentialsChanged();
      assert.equal(t.lookups() - before, 1);
      assert.equal(t.requests(), 1);
      assert.equal(t.context.get('dtsSync.hasStoredCredentials'), true);
      await t.controller.dispose();
    });
  });

  it('goes back to inactive when the stored key is cleared, keeping the last statuses', async () => {
    const t = setup();
    await t.controller.start();
    t.setStored(undefined);
    await t.controller.credentialsChanged();
    assert.equal(t.controller.active, false);
    assert.equal(t.store.state.credentialsSource, undefined);
    assert.equal(t.context.get('dtsSync.hasCredentials'), false);
    assert.equal(t.requests(), 1);
    assert.ok(t.store.state.jobs.every((j) => j.status !== undefined));
    await t.controller.dispose();
  });

  it('saves the statuses only when a refresh changed something', async () => {
    const t = setup();
    await t.controller.start();
    await t.controller.refresh();
    assert.equal(t.requests(), 2);
    assert.equal(t.saves.length, 1, 'an identical answer is not saved again');
    t.world.failing.add('dtsjob0002');
    await t.controller.refresh();
    assert.equal(t.saves.length, 2);
    assert.equal(t.saves[1].jobs[1].health, 'error');
    await t.controller.dispose();
  });

  it('notifies of a newly failed direction only while dtsSync.notifyOnFailure is on', async () => {
    const t = setup({ settings: { jobs: ['dtsjob0001'], notifyOnFailure: false } });
    await t.controller.start();
    t.world.failing.add('dtsjob0001');
    await t.controller.refresh();
    assert.deepEqual(t.notified, []);
    const u = setup({ settings: { jobs: ['dtsjob0001'] } });
    await u.controller.start();
    u.world.failing.add('dtsjob0001');
    await u.controller.refresh();
    assert.deepEqual(u.notified, [[{ job: { id: 'dtsjob0001', region: 'cn-hangzhou' }, direction: 'Forward', status: 'Failed' }]]);
    await t.controller.dispose();
    await u.controller.dispose();
  });

  it('restores the last session’s statuses, marked stale, before any refresh', async () => {
    const first = setup();
    await first.controller.start();
    const t = setup({ stored: false, saved: JSON.parse(JSON.stringify(first.saves[0])) });
    assert.deepEqual(t.store.state.jobs.map((j) => [j.status?.health, j.stale]), [['ok', true], ['ok', true]]);
    await first.controller.dispose();
    await t.controller.dispose();
  });

  it('logs where the credentials came from, masked, once per change of source, and each warning once', async () => {
    const warning = '/home/u/.aliyun/config.json is writable by other users (mode 0666); run chmod 600 /home/u/.aliyun/config.json';
    const t = setup({ warnings: [warning] });
    await t.controller.start();
    await t.controller.refresh();
    await t.controller.credentialsChanged();
    const credentialLines = t.log.lines.filter((l) => l.includes('[credentials]'));
    assert.deepEqual(credentialLines, [
      'info [credentials] Using credentials from VS Code SecretStorage (AccessKey ID LTAI****0001)',
      `warn [credentials] ${warning}`,
    ]);
    assert.ok(!t.log.lines.join('\n').includes(KEY.accessKeySecret));
    assert.ok(!t.log.lines.join('\n').includes(KEY.accessKeyId));
    await t.controller.dispose();
  });

  it('logs each settings problem once, not on every change', async () => {
    const t = setup({ settings: { jobs: ['dtsjob0001', 'not a job'] } });
    t.setSettings({ jobs: ['dtsjob0001', 'not a job'], lagWarningSeconds: 60 });
    await t.controller.settingsChanged();
    const problems = t.log.lines.filter((l) => l.startsWith('warn [settings]'));
    assert.equal(problems.length, 1, problems.join('\n'));
    assert.match(problems[0], /dtsSync\.jobs\[1\]/);
    await t.controller.dispose();
  });

  describe('with several accounts', () => {
    const jobs = [
      'dtsjob0001',
      { id: 'dtsjob0002', account: 'staging' },
      { id: 'dtsjob0003', account: 'prod' },
      { id: 'dtsjob0004', account: 'prod', name: 'orders' },
    ];
    const accounts = { staging: { credentials: STAGING, stored: false }, prod: { credentials: PROD, stored: true } };

    it('picks a chain per account once: the default chain, a stored key, a profile', async () => {
      const t = setup({ settings: { jobs }, accounts });
      await t.controller.start();
      assert.deepEqual(t.specs, [{ kind: 'default' }, { kind: 'profile', name: 'staging' }, { kind: 'stored', account: 'prod' }]);
      assert.equal(t.lookups(), 3, 'each chain looked up once for the start and its refresh');
      assert.deepEqual(t.store.state.accounts.map((a) => [a.name, a.source, a.maskedKeyId]), [
        ['default', STORED, 'LTAI****0001'],
        ['staging', STAGING.source, 'LTAI****0002'],
        ['prod', PROD.source, 'LTAI****on03'],
      ]);
      await t.controller.dispose();
    });

    it('queries each account’s jobs with its own key, one client per account', async () => {
      const t = setup({ settings: { jobs }, accounts });
      await t.controller.start();
      const byKey = Object.fromEntries(t.sources.map((s) => [s.options.credentials.accessKeyId, s.asked.sort()]));
      assert.deepEqual(byKey, {
        [KEY.accessKeyId]: ['dtsjob0001@cn-hangzhou'],
        [STAGING.credentials.accessKeyId]: ['dtsjob0002@cn-hangzhou'],
        [PROD.credentials.accessKeyId]: ['dtsjob0003@cn-hangzhou', 'dtsjob0004@cn-hangzhou'],
      });
      await t.controller.dispose();
    });

    it('a rejected key does not slow the other accounts: no backoff for it, as there is for throttling', async () => {
      const t = setup({ settings: { jobs }, accounts });
      await t.controller.start();
      t.world.rejected.add(PROD.credentials.accessKeyId);
      await t.controller.refresh();
      assert.equal(t.controller.poller.consecutiveFailures, 0);
      t.world.rejected.clear();
      t.world.throttled = true;
      await t.controller.refresh();
      assert.equal(t.controller.poller.consecutiveFailures, 1);
      await t.controller.dispose();
    });

    it('a rejected key stales only its own jobs, and the error row names the account', async () => {
      const t = setup({ settings: { jobs }, accounts });
      await t.controller.start();
      t.world.rejected.add(PROD.credentials.accessKeyId);
      await t.controller.refresh();
      const rows = t.store.state.jobs.map((j) => [j.spec.id, jobDescription(j, CTX)]);
      assert.deepEqual(rows, [
        ['dtsjob0001', 'Synchronizing · 5 s behind'],
        ['dtsjob0002', 'Synchronizing · 5 s behind'],
        ['dtsjob0003', 'Synchronizing · 5 s behind · stale, 0 s old'],
        ['dtsjob0004', 'Synchronizing · 5 s behind · stale, 0 s old'],
      ]);
      const error = errorItem(t.store.state);
      assert.equal(error?.label, 'Refresh failed');
      assert.equal(error?.description, 'Account prod: The AccessKey was rejected: InvalidAccessKeyId.NotFound');
      assert.match(viewMessage(t.store.state) ?? '', /^Refresh failed: Account prod: The AccessKey was rejected/);
      assert.deepEqual(t.resets, ['prod'], 'the refused account’s chain looks again next time, no other');
      const groups = accountGroups(t.store.state)?.map((g) => [accountItem(g).label, accountItem(g).description, accountItem(g).icon.id]);
      assert.deepEqual(groups, [
        ['default', '1 job · Healthy', 'pass'],
        ['staging', '1 job · Healthy', 'pass'],
        ['prod', '2 jobs · AccessKey rejected', 'error'],
      ]);
      await t.controller.dispose();
    });

    it('an account without credentials fails only its jobs; the others refresh and it stays active', async () => {
      const t = setup({ settings: { jobs: ['dtsjob0001', { id: 'dtsjob0002', account: 'missing' }] } });
      await t.controller.start();
      assert.equal(t.controller.active, true);
      assert.equal(t.context.get('dtsSync.hasCredentials'), true);
      const [ok, orphan] = t.store.state.jobs;
      assert.equal(ok.status?.health, 'ok');
      assert.equal(orphan.status, undefined);
      assert.equal(orphan.error?.message, 'No credentials for missing');
      assert.equal(errorItem(t.store.state)?.description, 'Account missing: No credentials for missing');
      await t.controller.dispose();
    });

    it('is inactive only when no account in use has credentials', async () => {
      const t = setup({ stored: false, settings: { jobs: [{ id: 'dtsjob0002', account: 'nobody' }] } });
      await t.controller.start();
      assert.equal(t.controller.active, false);
      assert.equal(t.context.get('dtsSync.hasCredentials'), false);
      assert.equal(t.requests(), 0);
      await t.controller.dispose();
    });

    it('lists the accounts in use and the stored ones with their job counts', async () => {
      const t = setup({ settings: { jobs: ['dtsjob0001', { id: 'dtsjob0002', account: 'staging' }] }, accounts });
      await t.controller.start();
      assert.deepEqual(
        t.controller.accounts.map((a) => [a.name, a.inUse, a.stored, a.jobs, a.state.kind]),
        [
          ['default', true, true, 1, 'found'],
          ['staging', true, false, 1, 'found'],
          ['prod', false, true, 0, 'unknown'],
        ],
      );
      await t.controller.dispose();
    });

    it('looks up an account that comes into use with a settings change, and only that one', async () => {
      const t = setup({ accounts });
      await t.controller.start();
      assert.equal(t.lookupsOf('staging'), 0, 'an account no job uses is not looked up');
      t.setSettings({ jobs: ['dtsjob0001', { id: 'dtsjob0002', account: 'staging' }] });
      await t.controller.settingsChanged();
      assert.equal(t.lookupsOf('staging'), 1, 'looked up once for the change; the refresh uses that answer');
      assert.equal(t.store.state.jobs[1].status?.health, 'ok');
      await t.controller.dispose();
    });
  });

  describe('the default region', () => {
    it('is the default account’s profile region for bare job IDs while dtsSync.defaultRegion is unset', async () => {
      const t = setup({ region: 'cn-shanghai', settings: { jobs: ['dtsjob0001', 'dtsjob0002@cn-beijing', { id: 'dtsjob0003', region: 'cn-hangzhou' }] } });
      await t.controller.start();
      assert.deepEqual(t.store.state.jobs.map((j) => j.spec.region), ['cn-shanghai', 'cn-beijing', 'cn-hangzhou']);
      assert.deepEqual(t.sources.flatMap((s) => s.asked).sort(), ['dtsjob0001@cn-shanghai', 'dtsjob0002@cn-beijing', 'dtsjob0003@cn-hangzhou']);
      assert.equal(t.controller.settings.defaultRegionFrom, 'profile');
      await t.controller.dispose();
    });

    it('is a named profile account’s own region for that account’s bare job IDs', async () => {
      const prod = { source: 'aliyun CLI profile "prod" (RamRoleArn)', credentials: { accessKeyId: 'STS.ProdRoleKey0002', accessKeySecret: 'prod-role-secret', securityToken: 'tok' }, region: 'ap-southeast-1' };
      const t = setup({
        region: 'cn-shanghai',
        accounts: { prod: { credentials: prod, stored: false } },
        settings: { jobs: ['dtsjob0001', { id: 'dtsjob0002', account: 'prod' }] },
      });
      await t.controller.start();
      await t.controller.refresh();
      assert.deepEqual(t.store.state.jobs.map((j) => j.spec.region), ['cn-shanghai', 'ap-southeast-1']);
      assert.ok(t.sources.flatMap((s) => s.asked).includes('dtsjob0002@ap-southeast-1'));
      await t.controller.dispose();
    });

    it('is the setting when the user set it, whatever the profile says', async () => {
      const t = setup({ region: 'cn-shanghai', settings: { jobs: ['dtsjob0001'], defaultRegion: 'ap-southeast-1' } });
      await t.controller.start();
      assert.equal(t.store.state.jobs[0].spec.region, 'ap-southeast-1');
      await t.controller.dispose();
    });
  });

  describe('the lag history', () => {
    const JOB1 = { id: 'dtsjob0001', region: 'cn-hangzhou' };
    const JOB2 = { id: 'dtsjob0002', region: 'cn-hangzhou' };
    const later = (t: ReturnType<typeof setup>, ms: number): void => {
      t.world.now = new Date(t.world.now.getTime() + ms);
    };
    const lags = (t: ReturnType<typeof setup>, job = JOB1) => t.controller.lagHistory.samples(job, 'Forward').map((s) => [s.at - NOW.getTime(), s.lagSeconds]);

    it('records one sample per direction at each successful refresh, in place before the views hear of it', async () => {
      const t = setup();
      const seen: number[] = [];
      // A view subscribes after the controller is built, as the tree and the details panel do.
      t.store.onDidChange(() => seen.push(t.controller.lagHistory.samples(JOB1, 'Forward').length));
      let fired = 0;
      t.controller.onDidChangeLagHistory(() => fired++);
      await t.controller.start();
      later(t, 60_000);
      t.world.lag.set('dtsjob0001', 42);
      await t.controller.refresh();
      assert.deepEqual(lags(t), [[0, 5], [60_000, 42]]);
      assert.deepEqual(lags(t, JOB2), [[0, 5], [60_000, 5]]);
      assert.deepEqual(t.controller.lagHistory.directions(JOB1), ['Forward']);
      assert.equal(seen.at(-1), 2, 'the store’s change event for the refresh already sees its sample');
      assert.equal(fired, 2, 'one lag-history event per refresh');
      await t.controller.dispose();
    });

    it('records an unknown lag as null at each refresh, even when the row itself did not change', async () => {
      const t = setup({ settings: { jobs: ['dtsjob0001'] } });
      t.world.noCheckpoint.add('dtsjob0001');
      await t.controller.start();
      later(t, 30_000);
      await t.controller.refresh();
      assert.equal(t.saves.length, 1, 'the row did not change');
      assert.deepEqual(lags(t), [[0, null], [30_000, null]]);
      await t.controller.dispose();
    });

    it('records nothing for a failed or stale refresh', async () => {
      const t = setup();
      let fired = 0;
      t.controller.onDidChangeLagHistory(() => fired++);
      await t.controller.start();
      later(t, 60_000);
      t.world.throttled = true;
      await t.controller.refresh();
      assert.ok(t.store.state.jobs.every((j) => j.stale));
      assert.deepEqual(lags(t), [[0, 5]]);
      assert.equal(fired, 1);
      await t.controller.dispose();
    });

    it('saves at most once a minute while refreshing, and what is left on deactivation', async () => {
      const t = setup({ settings: { jobs: ['dtsjob0001'] } });
      const saved = () => new LagHistoryStorage(new FakeMemento(Object.fromEntries(t.lagState.values))).restore().samples(JOB1, 'Forward').length;
      await t.controller.start();
      assert.equal(t.lagSaves(), 1, 'the first refresh saves');
      for (const step of [20_000, 20_000, 19_000]) {
        later(t, step);
        await t.controller.refresh();
      }
      assert.equal(t.lagSaves(), 1, 'not again within the minute');
      later(t, 1_000);
      await t.controller.refresh();
      assert.equal(t.lagSaves(), 2, 'a minute after the last save');
      assert.equal(saved(), 5);
      later(t, 10_000);
      await t.controller.refresh();
      await t.controller.saveLagHistory();
      assert.equal(t.lagSaves(), 3, 'deactivation saves the unsaved sample');
      assert.equal(saved(), 6);
      await t.controller.saveLagHistory();
      assert.equal(t.lagSaves(), 3, 'nothing new, nothing written');
      await t.controller.dispose();
    });

    it('writes only the hour a refresh added samples to, and removes the hours that fell out of the window', async () => {
      const t = setup({ settings: { jobs: ['dtsjob0001'] } });
      const hour = Math.floor(NOW.getTime() / LAG_SEGMENT_MS);
      await t.controller.start();
      // A refresh a minute for 25 hours.
      for (let i = 0; i < 25 * 60; i++) {
        later(t, 60_000);
        await t.controller.refresh();
      }
      t.lagState.updates.length = 0;
      later(t, 60_000);
      await t.controller.refresh();
      const newest = Math.floor(t.world.now.getTime() / LAG_SEGMENT_MS);
      assert.deepEqual(t.lagState.written(), [segmentKey(newest), LAG_HISTORY_INDEX_KEY]);
      assert.deepEqual(
        [...t.lagState.values.keys()].filter((k) => k !== LAG_HISTORY_INDEX_KEY).sort(),
        Array.from({ length: 25 }, (_, i) => segmentKey(newest - 24 + i)).sort(),
        'the last 24 hours and the one the window starts in',
      );
      assert.ok(!t.lagState.values.has(segmentKey(hour)), 'the first hour was removed');
      await t.controller.dispose();
    });

    it('is restored after a restart and goes on from there', async () => {
      const first = setup();
      await first.controller.start();
      later(first, 60_000);
      await first.controller.refresh();
      await first.controller.saveLagHistory();
      await first.controller.dispose();
      const t = setup({ lagState: new FakeMemento(Object.fromEntries(first.lagState.values)) });
      assert.deepEqual(lags(t), [[0, 5], [60_000, 5]], 'restored before any refresh');
      t.world.now = new Date(NOW.getTime() + 120_000);
      await t.controller.start();
      assert.deepEqual(lags(t), [[0, 5], [60_000, 5], [120_000, 5]]);
      assert.deepEqual(lags(t, JOB2).length, 3);
      await t.controller.dispose();
    });

    it('reads the version 2 value of the previous version once, then saves it as hours and removes it', async () => {
      const v2 = { version: 2, jobs: [{ id: 'dtsjob0001', region: 'cn-hangzhou', directions: [{ direction: 'Forward', start: NOW.getTime() - 2 * LAG_SEGMENT_MS, t: [0, LAG_SEGMENT_MS], lag: [3, 4] }] }] };
      const t = setup({ stored: false, lagState: new FakeMemento({ [LAG_HISTORY_LEGACY_KEY]: v2 }) });
      assert.deepEqual(lags(t), [[-2 * LAG_SEGMENT_MS, 3], [-LAG_SEGMENT_MS, 4]]);
      await t.controller.saveLagHistory();
      assert.ok(!t.lagState.values.has(LAG_HISTORY_LEGACY_KEY), 'the old key is gone');
      assert.equal(t.lagState.values.size, 3, 'the index and two hours');
      const again = setup({ stored: false, lagState: new FakeMemento(Object.fromEntries(t.lagState.values)) });
      assert.deepEqual(lags(again), [[-2 * LAG_SEGMENT_MS, 3], [-LAG_SEGMENT_MS, 4]]);
      await t.controller.dispose();
      await again.controller.dispose();
    });

    it('starts empty from a saved value that is not a history, with a log line, and keeps only valid parts of one', async () => {
      for (const hostile of ['{"version":1}', 42, [], { version: 3, jobs: [] }, { __proto__: { version: 1 } }]) {
        const t = setup({ stored: false, lagState: new FakeMemento({ [LAG_HISTORY_LEGACY_KEY]: hostile }) });
        assert.deepEqual(t.controller.lagHistory.directions(JOB1), [], JSON.stringify(hostile));
        assert.ok(t.log.lines.some((l) => l === 'warn [store] The saved lag history is not one this version reads; starting an empty one'), JSON.stringify(hostile));
        await t.controller.dispose();
      }
      const partly = {
        version: 1,
        jobs: [
          { id: 'dtsjob0001', region: 'cn-hangzhou', directions: [{ direction: 'Forward', samples: [[NOW.getTime() / 1000, 3], ['x', 1], [NOW.getTime() / 1000 + 1, -5]] }] },
          { id: '__proto__', region: 'cn-hangzhou', directions: 'nope' },
        ],
      };
      const t = setup({ stored: false, lagState: new FakeMemento({ [LAG_HISTORY_LEGACY_KEY]: partly }) });
      assert.deepEqual(lags(t), [[0, 3]], 'a malformed sample or a negative lag is dropped');
      assert.ok(!t.log.lines.some((l) => l.includes('lag history')));
      await t.controller.dispose();
    });

    it('keeps at most 2,000 points and 24 hours per direction, and forgets jobs no longer configured', async () => {
      const t = setup();
      await t.controller.start();
      // A refresh every 30 s for 25 hours: 3,000 refreshes.
      for (let i = 0; i < 3_000; i++) {
        later(t, 30_000);
        t.world.lag.set('dtsjob0001', i % 100);
        await t.controller.refresh();
      }
      const samples = t.controller.lagHistory.samples(JOB1, 'Forward');
      assert.ok(samples.length <= MAX_POINTS_PER_DIRECTION, `${samples.length} points`);
      assert.ok(samples[0].at > t.world.now.getTime() - LAG_HISTORY_WINDOW_MS, 'nothing older than 24 hours');
      assert.equal(samples.at(-1)?.at, t.world.now.getTime());
      assert.equal(Math.max(...samples.map((s) => s.lagSeconds ?? 0)), 99, 'thinning keeps the peaks');
      t.setSettings({ jobs: ['dtsjob0001'] });
      await t.controller.settingsChanged();
      assert.deepEqual(t.controller.lagHistory.directions(JOB2), []);
      await t.controller.dispose();
    });
  });

  describe('dtsSync.watchRegions', () => {
    const labels = (t: ReturnType<typeof setup>) => t.store.state.jobs.map((j) => `${j.spec.name ?? j.spec.id}@${j.spec.region}:${j.status?.health ?? '-'}`);

    it('watches every job the region lists after the configured ones, and queries their statuses in the same refresh', async () => {
      const t = setup({ settings: { jobs: ['dtsjob0001'], watchRegions: ['cn-shanghai'] } });
      t.world.regionJobs.set('cn-shanghai', ['dtsshan001', 'dtsshan002']);
      await t.controller.start();
      assert.deepEqual(labels(t), ['dtsjob0001@cn-hangzhou:ok', 'name-dtsshan001@cn-shanghai:ok', 'name-dtsshan002@cn-shanghai:ok']);
      assert.deepEqual(t.world.listed, ['LTAI5tController0001/cn-shanghai/1']);
      assert.deepEqual([...t.controller.discoveredJobKeys].length, 2);
    });

    it('is active with only watched regions, and says a region has no jobs by an empty tree, not the welcome view', async () => {
      const t = setup({ settings: { jobs: [], watchRegions: ['cn-shanghai'] } });
      t.world.regionJobs.set('cn-shanghai', ['dtsshan001']);
      await t.controller.start();
      assert.equal(t.context.get('dtsSync.hasJobs'), true);
      assert.deepEqual(labels(t), ['name-dtsshan001@cn-shanghai:ok']);
    });

    it('reads the list again after 10 minutes or on a manual refresh, adding and removing jobs with a log line', async () => {
      const t = setup({ settings: { jobs: [], watchRegions: ['cn-shanghai'] } });
      t.world.regionJobs.set('cn-shanghai', ['dtsshan001', 'dtsshan002']);
      await t.controller.start();
      t.world.regionJobs.set('cn-shanghai', ['dtsshan002', 'dtsshan003']);
      t.world.now = new Date(NOW.getTime() + 60_000);
      await t.controller.poller.refresh('interval');
      assert.equal(t.world.listed.length, 1, 'not yet due');
      assert.deepEqual(labels(t), ['name-dtsshan001@cn-shanghai:ok', 'name-dtsshan002@cn-shanghai:ok']);
      await t.controller.refresh();
      assert.equal(t.world.listed.length, 2, 'a manual refresh reads the list again');
      assert.deepEqual(labels(t), ['name-dtsshan002@cn-shanghai:ok', 'name-dtsshan003@cn-shanghai:ok']);
      assert.ok(t.log.lines.some((l) => l.includes('DTS job dtsshan001 is no longer listed in cn-shanghai')), t.log.lines.join('\n'));
      t.world.now = new Date(NOW.getTime() + 11 * 60_000);
      await t.controller.poller.refresh('interval');
      assert.equal(t.world.listed.length, 3, 'due again after 10 minutes');
    });

    it("keeps a configured entry's name for a job the region also lists", async () => {
      const t = setup({ settings: { jobs: [{ id: 'dtsshan001', region: 'cn-shanghai', name: 'orders' }], watchRegions: ['cn-shanghai'] } });
      t.world.regionJobs.set('cn-shanghai', ['dtsshan001', 'dtsshan002']);
      await t.controller.start();
      assert.deepEqual(labels(t), ['orders@cn-shanghai:ok', 'name-dtsshan002@cn-shanghai:ok']);
    });

    it('lists a region with its account, and shows a region that cannot be listed as a problem, keeping the others', async () => {
      const t = setup({
        settings: { jobs: ['dtsjob0001'], watchRegions: [{ region: 'cn-beijing', account: 'staging' }, { region: 'cn-qingdao', account: 'nobody' }] },
        accounts: { staging: { credentials: STAGING, stored: false } },
      });
      t.world.regionJobs.set('cn-beijing', ['dtsbeij001']);
      await t.controller.start();
      assert.deepEqual(labels(t), ['dtsjob0001@cn-hangzhou:ok', 'name-dtsbeij001@cn-beijing:ok']);
      assert.deepEqual(t.world.listed, ['LTAI5tStaging00002/cn-beijing/1']);
      assert.equal(t.store.state.jobs[1].spec.account, 'staging');
      assert.ok(
        t.controller.settings.problems.some((p) => p.startsWith('Could not list the jobs of cn-qingdao (account nobody): No credentials for nobody')),
        t.controller.settings.problems.join('\n'),
      );
    });

    it('drops the jobs of a region as soon as it leaves the setting', async () => {
      const t = setup({ settings: { jobs: ['dtsjob0001'], watchRegions: ['cn-shanghai'] } });
      t.world.regionJobs.set('cn-shanghai', ['dtsshan001']);
      await t.controller.start();
      t.setSettings({ jobs: ['dtsjob0001'] });
      await t.controller.settingsChanged();
      assert.deepEqual(labels(t), ['dtsjob0001@cn-hangzhou:ok']);
    });

    it('lists a region for Add Job with an account no job uses yet', async () => {
      const t = setup({ settings: { jobs: ['dtsjob0001'] }, accounts: { staging: { credentials: STAGING, stored: true } } });
      t.world.regionJobs.set('cn-beijing', ['dtsbeij001', 'dtsbeij002']);
      await t.controller.start();
      const listing = await t.controller.listJobs('staging', 'cn-beijing');
      assert.deepEqual(listing.jobs.map((j) => [j.jobId, j.name]), [['dtsbeij001', 'name-dtsbeij001'], ['dtsbeij002', 'name-dtsbeij002']]);
      assert.deepEqual(t.world.listed, ['LTAI5tStaging00002/cn-beijing/1']);
      await assert.rejects(t.controller.listJobs('nobody', 'cn-beijing'), /No credentials for nobody/);
    });
  });
});
