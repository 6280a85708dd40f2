import * as assert from 'node:assert/strict';
import type { AccountChain, AccountCredentials, ChainSpec } from '../../src/core/accounts';
import type { ClientOptions } from '../../src/core/api/client';
import { CredentialsNotFoundError, CredentialsRejectedError, ThrottledError } from '../../src/core/api/errors';
import type { StatusListResult } from '../../src/core/api/response';
import { Controller, type ContextKey } from '../../src/core/controller';
import type { ResolvedCredentials } from '../../src/core/credentials';
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
  failing: Set<string>;
  /** AccessKey IDs DTS refuses (`InvalidAccessKeyId.NotFound`). */
  rejected: Set<string>;
  throttled?: boolean;
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
      ids.map((id) => [id, [{ direction: 'Forward', status: this.world.failing.has(id) ? 'Failed' : 'Synchronizing', checkpoint: new Date(NOW.getTime() - 5000) }]]),
    );
    return { requestId: 'REQ', serverDate: NOW, jobs, notes: [] };
  }
  async close(): Promise<void> {}
}

interface SetupOptions {
  settings?: Record<string, unknown>;
  stored?: boolean;
  saved?: unknown;
  warnings?: string[];
  /** Other accounts: a named key stored in SecretStorage, or a profile of that name. */
  accounts?: Record<string, { credentials: AccountCredentials; stored: boolean }>;
  /** The default account's profile region (`region_id`). */
  region?: string;
}

function setup(options: SetupOptions = {}) {
  let values: Record<string, unknown> = { refreshIntervalSeconds: 0, jobs: ['dtsjob0001', 'dtsjob0002'], ...options.settings };
  const world: World = { failing: new Set<string>(), rejected: new Set<string>() };
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
    notify: (transitions) => notified.push(transitions),
    createClient: (o) => {
      const source = new FakeSource(world, o);
      sources.push(source);
      return source;
    },
    now: () => NOW,
  });
  return {
    controller,
    store,
    log,
    context,
    saves,
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
});
