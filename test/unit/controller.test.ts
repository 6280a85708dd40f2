import * as assert from 'node:assert/strict';
import type { StatusListResult } from '../../src/core/api/response';
import { Controller, type ContextKey } from '../../src/core/controller';
import type { CredentialProvider, ResolvedCredentials } from '../../src/core/credentials';
import type { Log } from '../../src/core/log';
import type { RawDirection } from '../../src/core/model';
import type { ClosableSource } from '../../src/core/refresher';
import { parseSettings, type Settings } from '../../src/core/settings';
import type { PersistedSnapshot } from '../../src/core/snapshotFormat';
import { StatusStore, type Transition } from '../../src/core/store';
import { viewMessage } from '../../src/core/views/tree';

const NOW = new Date('2026-11-30T12:00:00Z');
const KEY = { accessKeyId: 'LTAI5tController0001', accessKeySecret: 'controller-Secret-0001' };
const STORED = 'VS Code SecretStorage';

/** Answers every job as Synchronizing, or Failed for the IDs in `failing`; counts the requests. */
class FakeSource implements ClosableSource {
  requests = 0;
  constructor(private readonly world: { failing: Set<string> }) {}
  batchKey(region: string): string {
    return region;
  }
  async describeSynchronizationJobStatusList(ids: readonly string[]): Promise<StatusListResult> {
    this.requests++;
    const jobs = new Map<string, RawDirection[]>(
      ids.map((id) => [id, [{ direction: 'Forward', status: this.world.failing.has(id) ? 'Failed' : 'Synchronizing', checkpoint: new Date(NOW.getTime() - 5000) }]]),
    );
    return { requestId: 'REQ', serverDate: NOW, jobs, notes: [] };
  }
  async close(): Promise<void> {}
}

function setup(options: { settings?: Record<string, unknown>; stored?: boolean; saved?: unknown; warnings?: string[] } = {}) {
  let values: Record<string, unknown> = { refreshIntervalSeconds: 0, jobs: ['dtsjob0001', 'dtsjob0002'], ...options.settings };
  const world = { failing: new Set<string>() };
  let stored: ResolvedCredentials | undefined = options.stored === false ? undefined : { source: STORED, credentials: KEY, warnings: options.warnings };
  let lookups = 0;
  const provider: CredentialProvider = {
    description: 'SecretStorage',
    resolve: async () => {
      lookups++;
      return stored;
    },
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
    readSettings: (): Settings => parseSettings((key) => values[key]),
    credentialProviders: [provider],
    isStoredSource: (source) => source === STORED,
    store,
    log,
    setContext: (key, value) => context.set(key, value),
    savedSnapshot: options.saved,
    saveSnapshot: (snapshot) => saves.push(snapshot),
    notify: (transitions) => notified.push(transitions),
    createClient: () => {
      const source = new FakeSource(world);
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
    requests: () => sources.reduce((n, s) => n + s.requests, 0),
    lookups: () => lookups,
    setSettings(next: Record<string, unknown>) {
      values = { refreshIntervalSeconds: 0, ...next };
    },
    setStored(next: ResolvedCredentials | undefined) {
      stored = next;
    },
  };
}

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
});
