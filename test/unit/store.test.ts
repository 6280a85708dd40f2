import * as assert from 'node:assert/strict';
import { CredentialsNotFoundError, ThrottledError } from '../../src/core/api/errors';
import type { JobSpec } from '../../src/core/jobs';
import { buildJobStatus, type JobStatus, type RawDirection } from '../../src/core/model';
import type { Snapshot } from '../../src/core/query';
import { parsePersisted, toPersisted } from '../../src/core/snapshotFormat';
import { StatusStore, toQueryError, type StoreChange, type StoreState } from '../../src/core/store';
import { jobDescription, jobItem } from '../../src/core/views/tree';

const T0 = new Date('2024-05-01T12:00:00Z');
const T1 = new Date('2024-05-01T12:01:00Z');
const T2 = new Date('2024-05-01T12:02:00Z');

const A: JobSpec = { id: 'dtsjobA001', region: 'cn-hangzhou' };
const B: JobSpec = { id: 'dtsjobB001', region: 'cn-shanghai' };
const C: JobSpec = { id: 'dtsjobC001', region: 'cn-hangzhou' };

const sync = (checkpoint: Date | null, direction = 'Forward'): RawDirection => ({ direction, status: 'Synchronizing', checkpoint });
const failed = (direction = 'Forward'): RawDirection => ({ direction, status: 'Failed', checkpoint: null });

function status(job: JobSpec, directions: RawDirection[] | undefined, now = T0): JobStatus {
  return buildJobStatus(job.id, job.region, directions, now, 300);
}

function snapshot(checkedAt: Date, jobs: JobStatus[], failedJobs: JobSpec[] = []): Snapshot {
  const error = new ThrottledError({ code: 'Throttling', apiMessage: 'Request was denied.', requestId: 'REQ-7' });
  const regions = [...new Set(failedJobs.map((j) => j.region))];
  return {
    checkedAt,
    jobs,
    errors: regions.map((region) => ({ region, error, jobIds: failedJobs.filter((j) => j.region === region).map((j) => j.id) })),
    notes: [],
  };
}

function storeWith(specs: JobSpec[]): StatusStore {
  const store = new StatusStore();
  store.setJobs(specs);
  return store;
}

const find = (state: StoreState, job: JobSpec) => state.jobs.find((j) => j.spec.id === job.id && j.spec.region === job.region);

describe('store', () => {
  describe('setJobs', () => {
    it('lists the configured jobs, in order, waiting for their first status', () => {
      const state = storeWith([A, B]).state;
      assert.deepEqual(
        state.jobs.map((j) => [j.spec.id, j.status, j.stale, j.error]),
        [
          ['dtsjobA001', undefined, false, undefined],
          ['dtsjobB001', undefined, false, undefined],
        ],
      );
    });

    it('keeps the statuses of jobs that stay configured and drops removed ones', () => {
      const store = storeWith([A, B]);
      store.applySnapshot(snapshot(T0, [status(A, [sync(T0)]), status(B, [failed()])]));
      store.setJobs([B, C]);
      const state = store.state;
      assert.deepEqual(
        state.jobs.map((j) => j.spec.id),
        ['dtsjobB001', 'dtsjobC001'],
      );
      assert.equal(find(state, B)?.status?.health, 'error');
      assert.equal(find(state, B)?.stale, false);
      assert.equal(find(state, C)?.status, undefined);
      assert.equal(find(state, A), undefined);
    });

    it('keeps the status when only the display name changes, and shows the new name', () => {
      const store = storeWith([A]);
      store.applySnapshot(snapshot(T0, [status(A, [sync(T0)])]));
      store.setJobs([{ ...A, name: 'orders' }]);
      const [view] = store.state.jobs;
      assert.equal(view.spec.name, 'orders');
      assert.equal(view.status?.health, 'ok');
      assert.equal(view.fetchedAt?.getTime(), T0.getTime());
      assert.equal(jobItem(view, { now: T0, timeZone: 'UTC' }).label, 'orders');
    });

    it('does not carry a status over to the same ID in another region', () => {
      const store = storeWith([A]);
      store.applySnapshot(snapshot(T0, [status(A, [sync(T0)])]));
      store.setJobs([{ id: A.id, region: 'cn-beijing' }]);
      assert.equal(store.state.jobs[0].status, undefined);
    });

    it('keeps the settings problems for the view', () => {
      const store = new StatusStore();
      store.setJobs([A], ['dtsSync.jobs[1]: the job ID is empty']);
      assert.deepEqual(store.state.settingsProblems, ['dtsSync.jobs[1]: the job ID is empty']);
    });
  });

  describe('applySnapshot', () => {
    it('sets fresh statuses with the time they were checked', () => {
      const store = storeWith([A, B]);
      store.applySnapshot(snapshot(T1, [status(A, [sync(T0)]), status(B, undefined)]));
      const state = store.state;
      assert.equal(find(state, A)?.status?.health, 'ok');
      assert.equal(find(state, A)?.fetchedAt?.getTime(), T1.getTime());
      assert.equal(find(state, A)?.stale, false);
      assert.equal(find(state, B)?.status?.found, false);
      assert.equal(find(state, B)?.stale, false);
    });

    it('keeps the last statuses of a failed batch, marks them stale and attaches the error', () => {
      const store = storeWith([A, B]);
      store.applySnapshot(snapshot(T0, [status(A, [sync(T0)]), status(B, [sync(T0)])]));
      store.applySnapshot(snapshot(T1, [status(B, [sync(T1)], T1)], [A]));
      const a = find(store.state, A);
      assert.equal(a?.status?.health, 'ok', 'the last status is kept');
      assert.equal(a?.fetchedAt?.getTime(), T0.getTime(), 'with the time it was fetched');
      assert.equal(a?.stale, true);
      assert.equal(a?.error?.code, 'Throttling');
      assert.equal(a?.error?.requestId, 'REQ-7');
      assert.match(a?.error?.message ?? '', /^Throttled by Alibaba Cloud/);
      const b = find(store.state, B);
      assert.equal(b?.stale, false);
      assert.equal(b?.error, undefined);
      assert.equal(b?.fetchedAt?.getTime(), T1.getTime());
      assert.equal(jobDescription(a!, { now: T2, timeZone: 'UTC' }), 'Synchronizing · 0 s behind · stale, 2 min old');
    });

    it('clears the error and the stale mark once the job is answered again', () => {
      const store = storeWith([A]);
      store.applySnapshot(snapshot(T0, [status(A, [sync(T0)])]));
      store.applySnapshot(snapshot(T1, [], [A]));
      store.applySnapshot(snapshot(T2, [status(A, [sync(T2)], T2)]));
      const [a] = store.state.jobs;
      assert.equal(a.stale, false);
      assert.equal(a.error, undefined);
      assert.equal(a.fetchedAt?.getTime(), T2.getTime());
    });

    it('attaches the error to a job that never had a status, without inventing one', () => {
      const store = storeWith([A]);
      store.applySnapshot(snapshot(T0, [], [A]));
      const [a] = store.state.jobs;
      assert.equal(a.status, undefined);
      assert.equal(a.stale, false);
      assert.equal(a.error?.code, 'Throttling');
    });

    it('keeps a failed batch apart by region: the same ID elsewhere is not affected', () => {
      const elsewhere: JobSpec = { id: A.id, region: 'cn-shanghai' };
      const store = storeWith([A, elsewhere]);
      store.applySnapshot(snapshot(T0, [status(A, [sync(T0)]), status(elsewhere, [sync(T0)])]));
      store.applySnapshot(snapshot(T1, [status(elsewhere, [sync(T1)], T1)], [A]));
      assert.equal(find(store.state, A)?.stale, true);
      assert.equal(find(store.state, elsewhere)?.stale, false);
      assert.equal(find(store.state, elsewhere)?.error, undefined);
    });
  });

  describe('failAll', () => {
    it('keeps every status, marks all stale and records the failure', () => {
      const store = storeWith([A, B]);
      store.applySnapshot(snapshot(T0, [status(A, [sync(T0)]), status(B, [sync(T0)])]));
      const error = toQueryError(new CredentialsNotFoundError('No AccessKey found'));
      store.failAll(error);
      const state = store.state;
      assert.deepEqual(state.failure, error);
      assert.deepEqual(
        state.jobs.map((j) => [j.status?.health, j.stale, j.error?.message]),
        [
          ['ok', true, 'No AccessKey found'],
          ['ok', true, 'No AccessKey found'],
        ],
      );
    });

    it('is cleared by the next successful refresh', () => {
      const store = storeWith([A]);
      store.failAll(toQueryError(new CredentialsNotFoundError('No AccessKey found')));
      store.applySnapshot(snapshot(T1, [status(A, [sync(T1)], T1)]));
      assert.equal(store.state.failure, undefined);
      assert.equal(store.state.jobs[0].error, undefined);
    });
  });

  describe('transitions', () => {
    it('reports a direction newly entering error once', () => {
      const store = storeWith([A]);
      assert.deepEqual(store.applySnapshot(snapshot(T0, [status(A, [sync(T0)])])), []);
      assert.deepEqual(store.applySnapshot(snapshot(T1, [status(A, [failed('Forward')], T1)])), [
        { job: A, direction: 'Forward', status: 'Failed' },
      ]);
    });

    it('reports a job found in error on its first refresh', () => {
      const store = storeWith([A]);
      assert.deepEqual(
        store.applySnapshot(snapshot(T0, [status(A, [failed('Forward')])])).map((t) => t.direction),
        ['Forward'],
      );
    });

    it('reports nothing while a direction stays in error', () => {
      const store = storeWith([A]);
      store.applySnapshot(snapshot(T0, [status(A, [failed('Forward')])]));
      assert.deepEqual(store.applySnapshot(snapshot(T1, [status(A, [failed('Forward')], T1)])), []);
      assert.deepEqual(store.applySnapshot(snapshot(T2, [status(A, [failed('Forward')], T2)])), []);
    });

    it('reports nothing when the refresh of a failed job fails, nor when it then answers still in error', () => {
      const store = storeWith([A]);
      store.applySnapshot(snapshot(T0, [status(A, [failed('Forward')])]));
      assert.deepEqual(store.applySnapshot(snapshot(T1, [], [A])), []);
      assert.deepEqual(store.applySnapshot(snapshot(T2, [status(A, [failed('Forward')], T2)])), []);
    });

    it('reports again after the direction recovered and failed again', () => {
      const store = storeWith([A]);
      store.applySnapshot(snapshot(T0, [status(A, [failed('Forward')])]));
      store.applySnapshot(snapshot(T1, [status(A, [sync(T1)], T1)]));
      assert.equal(store.applySnapshot(snapshot(T2, [status(A, [failed('Forward')], T2)])).length, 1);
    });

    it('reports each direction separately, with its own status', () => {
      const store = storeWith([A, B]);
      store.applySnapshot(snapshot(T0, [status(A, [sync(T0, 'Forward'), failed('Reverse')]), status(B, [sync(T0)])]));
      const transitions = store.applySnapshot(
        snapshot(T1, [
          status(A, [{ direction: 'Forward', status: 'PrecheckFailed', checkpoint: null }, failed('Reverse')], T1),
          status(B, [failed('Forward')], T1),
        ]),
      );
      assert.deepEqual(
        transitions.map((t) => [t.job.id, t.direction, t.status]),
        [
          ['dtsjobA001', 'Forward', 'PrecheckFailed'],
          ['dtsjobB001', 'Forward', 'Failed'],
        ],
      );
    });

    it('does not report a paused or lagging direction', () => {
      const store = storeWith([A]);
      store.applySnapshot(snapshot(T0, [status(A, [sync(T0)])]));
      const lagging = status(A, [sync(new Date(T2.getTime() - 3600_000))], T2);
      assert.equal(lagging.health, 'warning');
      assert.deepEqual(store.applySnapshot(snapshot(T2, [lagging])), []);
      assert.deepEqual(store.applySnapshot(snapshot(T2, [status(A, [{ direction: 'Forward', status: 'Suspending', checkpoint: T0 }], T2)])), []);
    });
  });

  describe('persistence', () => {
    function persistedStore(): StatusStore {
      const store = storeWith([A, B, C]);
      store.applySnapshot(
        snapshot(T1, [status(A, [sync(T0, 'Forward'), failed('Reverse')], T1), status(B, undefined, T1)]),
      );
      return store;
    }

    it('round-trips statuses through JSON, reviving dates, and marks restored statuses stale', () => {
      const saved = JSON.parse(JSON.stringify(toPersisted(persistedStore().state.jobs))) as unknown;
      const restored = storeWith([A, B, C]);
      restored.restore(parsePersisted(saved));
      const a = find(restored.state, A);
      assert.ok(a?.status);
      assert.ok(a.fetchedAt instanceof Date);
      assert.equal(a.fetchedAt.getTime(), T1.getTime());
      const forward = a.status.directions[0];
      assert.ok(forward.checkpoint instanceof Date);
      assert.equal(forward.checkpoint.getTime(), T0.getTime());
      assert.equal(forward.lagSeconds, 60);
      assert.equal(a.status.directions[1].checkpoint, null);
      assert.equal(a.status.health, 'error');
      assert.equal(a.stale, true);
      assert.equal(jobDescription(a, { now: T2, timeZone: 'UTC' }), 'Failed · stale, 1 min old');
      assert.equal(find(restored.state, B)?.status?.found, false);
      assert.equal(find(restored.state, B)?.stale, true);
      assert.equal(find(restored.state, C)?.status, undefined, 'a job without a status stays waiting');
    });

    it('keeps an impossible checkpoint’s raw value across sessions, in the same form as the CLI’s --json', () => {
      const store = storeWith([A]);
      store.applySnapshot(snapshot(T1, [status(A, [{ direction: 'Forward', status: 'Synchronizing', checkpoint: null, checkpointRaw: '9999999999999999' }], T1)]));
      const saved = JSON.parse(JSON.stringify(toPersisted(store.state.jobs))) as unknown;
      const restored = storeWith([A]);
      restored.restore(parsePersisted(saved));
      assert.equal(restored.state.jobs[0].status?.directions[0].checkpointRaw, '9999999999999999');
      assert.equal(restored.state.jobs[0].status?.directions[0].checkpoint, null);
    });

    it('persists only jobs with a status', () => {
      assert.deepEqual(
        toPersisted(persistedStore().state.jobs).jobs.map((j) => j.id),
        ['dtsjobA001', 'dtsjobB001'],
      );
    });

    it('ignores saved jobs that are no longer configured', () => {
      const restored = storeWith([C, { id: A.id, region: 'cn-beijing' }]);
      restored.restore(parsePersisted(toPersisted(persistedStore().state.jobs)));
      assert.deepEqual(
        restored.state.jobs.map((j) => j.status),
        [undefined, undefined],
      );
    });

    it('does not overwrite a status that is already newer', () => {
      const saved = parsePersisted(toPersisted(persistedStore().state.jobs));
      const store = storeWith([A]);
      store.applySnapshot(snapshot(T2, [status(A, [sync(T2)], T2)]));
      store.restore(saved);
      const [a] = store.state.jobs;
      assert.equal(a.fetchedAt?.getTime(), T2.getTime());
      assert.equal(a.stale, false);
      assert.equal(a.status?.health, 'ok');
    });

    describe('ignores garbage', () => {
      const garbage: Record<string, unknown> = {
        undefined: undefined,
        null: null,
        'a string': 'snapshot',
        'a number': 42,
        'another version': { version: 2, jobs: [] },
        'jobs that are not a list': { version: 1, jobs: {} },
        'a job without an id': { version: 1, jobs: [{ region: 'cn-hangzhou', fetchedAt: T0.toISOString(), directions: [] }] },
        'a job with a bad date': { version: 1, jobs: [{ id: A.id, region: A.region, fetchedAt: 'yesterday', directions: [] }] },
        'a null job': { version: 1, jobs: [null] },
        'a null direction': {
          version: 1,
          jobs: [{ id: A.id, region: A.region, fetchedAt: T0.toISOString(), found: true, health: 'ok', directions: [null] }],
        },
        'a checkpoint that is not a date': {
          version: 1,
          jobs: [
            {
              id: A.id,
              region: A.region,
              fetchedAt: T0.toISOString(),
              found: true,
              health: 'ok',
              directions: [{ direction: 'Forward', status: 'Synchronizing', health: 'ok', checkpoint: 'soon', lagSeconds: 0 }],
            },
          ],
        },
      };
      for (const [what, value] of Object.entries(garbage)) {
        it(what, () => {
          const store = storeWith([A]);
          assert.doesNotThrow(() => store.restore(parsePersisted(value)));
          assert.equal(parsePersisted(value).size, 0);
          const [a] = store.state.jobs;
          for (const d of a.status?.directions ?? []) {
            assert.ok(d.checkpoint === null || !Number.isNaN(d.checkpoint.getTime()), `restored an invalid checkpoint: ${String(d.checkpoint)}`);
          }
          if (a.status) {
            // Whatever was restored must render.
            assert.doesNotThrow(() => jobItem(a, { now: T2, timeZone: 'UTC' }));
          }
        });
      }
    });
  });

  describe('change events and state', () => {
    it('tells listeners once per batch, with the new state and what changed', () => {
      const store = new StatusStore();
      const seen: { state: StoreState; change: StoreChange }[] = [];
      store.onDidChange((state, change) => seen.push({ state, change }));
      store.setJobs([A, B]);
      store.batch(() => {
        store.setCredentialsSource('SecretStorage');
        store.applySnapshot(snapshot(T0, [status(A, [sync(T0)]), status(B, [sync(T0)])]));
      });
      assert.equal(seen.length, 2);
      assert.equal(seen[0].change.all, true);
      assert.equal(seen[1].state.credentialsSource, 'SecretStorage');
      assert.equal(seen[1].state.jobs[0].status?.health, 'ok');
      assert.equal(seen[1], seen.at(-1));
      assert.equal(seen[1].state, store.state, 'listeners get the same object the store then returns');
    });

    it('says which rows changed, and stays silent when a refresh changed nothing a row shows', () => {
      const store = storeWith([A, B]);
      store.setCredentialsSource('SecretStorage');
      store.applySnapshot(snapshot(T0, [status(A, [sync(T0)]), status(B, [sync(T0)])]));
      const changes: StoreChange[] = [];
      store.onDidChange((_state, change) => changes.push(change));
      store.applySnapshot(snapshot(T1, [status(A, [sync(T0)]), status(B, [sync(T1, 'Forward')], T1)]));
      store.applySnapshot(snapshot(T1, [status(A, [sync(T0)]), status(B, [sync(T1, 'Forward')], T1)]));
      assert.equal(changes.length, 1, 'the identical second answer is no change');
      assert.deepEqual([...changes[0].jobs], ['dtsjobB001@cn-shanghai']);
      assert.equal(changes[0].all, false);
    });

    it('reports the refresh progress on its own event, not as a change of the statuses', () => {
      const store = storeWith([A]);
      let changes = 0;
      const progress: boolean[] = [];
      store.onDidChange(() => changes++);
      store.onDidChangeProgress((s) => progress.push(s.refreshing));
      store.setRefreshing(true, T0);
      store.setRefreshing(false);
      assert.deepEqual(progress, [true, false]);
      assert.equal(changes, 0);
      assert.equal(store.state.lastAttemptAt?.getTime(), T0.getTime(), 'the last attempt time stays after the refresh ends');
    });

    it('counts as a change each thing a direction row shows, and only that', () => {
      const at = (ms: number): Date => new Date(T0.getTime() + ms);
      const raw = (checkpointRaw?: string): RawDirection => ({ direction: 'Forward', status: 'Synchronizing', checkpoint: null, ...(checkpointRaw ? { checkpointRaw } : {}) });
      const pairs: [string, JobStatus, JobStatus][] = [
        ['status', status(A, [sync(T0)], T1), status(A, [{ ...sync(T0), status: 'Suspending' }], T1)],
        ['checkpoint', status(A, [sync(T0)], T1), status(A, [sync(at(1000))], at(61_000))],
        ['lag', status(A, [sync(T0)], T1), status(A, [sync(T0)], T2)],
        ['health', buildJobStatus(A.id, A.region, [sync(T0)], T1, 300), buildJobStatus(A.id, A.region, [sync(T0)], T1, 30)],
        ['raw checkpoint', status(A, [raw()], T1), status(A, [raw('0000-00-00')], T1)],
        ['clock skew', status(A, [sync(at(120_000))], T0), status(A, [sync(at(120_000))], at(30_000))],
        ['directions', status(A, [sync(T0)], T1), status(A, [sync(T0), sync(T0, 'Reverse')], T1)],
        ['found', status(A, [], T1), status(A, undefined, T1)],
      ];
      for (const [what, before, after] of pairs) {
        const store = storeWith([A]);
        store.applySnapshot(snapshot(T1, [before]));
        let changes = 0;
        store.onDidChange(() => changes++);
        store.applySnapshot(snapshot(T1, [after]));
        assert.equal(changes, 1, what);
        store.applySnapshot(snapshot(T1, [{ ...after, directions: after.directions.map((d) => ({ ...d })) }]));
        assert.equal(changes, 1, `${what}: the same again, in new objects, is no change`);
      }
    });

    it('keeps the job views across the start and end of a refresh', () => {
      const store = storeWith([A, B]);
      store.applySnapshot(snapshot(T0, [status(A, [sync(T0)]), status(B, [sync(T0)])]));
      const jobs = store.state.jobs;
      store.setRefreshing(true, T1);
      assert.equal(store.state.jobs, jobs);
      assert.equal(store.state.refreshing, true);
      store.setRefreshing(false);
      assert.equal(store.state.jobs, jobs);
      assert.deepEqual([store.state.refreshing, store.state.lastAttemptAt], [false, T1]);
    });

    it('records a failure for every job in one event', () => {
      const store = storeWith([A, B]);
      const seen: StoreState[] = [];
      store.onDidChange((s) => seen.push(s));
      store.failAll(toQueryError(new CredentialsNotFoundError('No AccessKey found')));
      assert.equal(seen.length, 1);
      assert.equal(seen[0].failure?.message, 'No AccessKey found');
    });

    it('stops telling a listener once it is disposed', () => {
      const store = new StatusStore();
      let calls = 0;
      const subscription = store.onDidChange(() => calls++);
      store.setJobs([A]);
      subscription.dispose();
      store.setJobs([A, B]);
      assert.equal(calls, 1);
    });

    it('returns the same state object until something changes', () => {
      const store = storeWith([A]);
      const before = store.state;
      assert.equal(store.state, before);
      store.applySnapshot(snapshot(T0, [status(A, [sync(T0)])]));
      const after = store.state;
      assert.notEqual(after, before);
      assert.equal(store.state, after);
      assert.equal(before.jobs[0].status, undefined, 'an earlier state is not changed afterwards');
    });
  });
});
