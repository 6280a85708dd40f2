import * as assert from 'node:assert/strict';
import { DetailsPolicy, FACTS_SPACING_MS, MAX_FACTS_PER_PLAN, STATUS_DETAILS_SPACING_MS, type DetailsRequest } from '../../src/core/detailsPolicy';
import type { JobSpec } from '../../src/core/jobs';
import { buildJobStatus, type RawDirection } from '../../src/core/model';
import type { RefreshReason } from '../../src/core/poller';
import type { JobView } from '../../src/core/store';

const MINUTE = 60_000;
const T0 = Date.parse('2024-05-01T00:00:00Z');

class Clock {
  time = T0;
  now = (): number => this.time;
  advance(ms: number): void {
    this.time += ms;
  }
}

function spec(n: number): JobSpec {
  return { id: `dtsjob${String(n).padStart(4, '0')}`, region: 'cn-hangzhou' };
}

function view(job: JobSpec, directions: Record<string, string>, extra: Partial<JobView> = {}): JobView {
  const now = new Date(T0);
  const raw: RawDirection[] = Object.entries(directions).map(([direction, status]) => ({ direction, status, checkpoint: now }));
  return { spec: job, status: buildJobStatus(job.id, job.region, raw, now, 300), fetchedAt: now, error: undefined, stale: false, ...extra };
}

/** Every call answered successfully. */
function answer(policy: DetailsPolicy, requests: readonly DetailsRequest[]): void {
  for (const request of requests) {
    policy.settled(request, true);
  }
}

const brief = (requests: readonly DetailsRequest[]): string[] => requests.map((r) => `${r.job.id} ${r.direction} ${r.kind}`);

describe('DetailsPolicy', () => {
  let clock: Clock;
  let policy: DetailsPolicy;
  beforeEach(() => {
    clock = new Clock();
    policy = new DetailsPolicy({ now: clock.now });
  });

  it('makes 83 calls in an hour for 50 one-way jobs refreshed every minute with 3 failing', () => {
    // 3 failing directions × 12 status calls (minutes 0, 5, …, 55) = 36; their facts ride on those answers.
    // 47 healthy jobs × 1 facts call each, spread 20 + 20 + 7 over the first three refreshes = 47. 36 + 47 = 83.
    const views = Array.from({ length: 50 }, (_, i) => view(spec(i), { Forward: i < 3 ? 'Failed' : 'Synchronizing' }));
    const perMinute: number[] = [];
    const all: DetailsRequest[] = [];
    for (let minute = 0; minute < 60; minute++) {
      const requests = policy.plan(views, minute === 0 ? 'startup' : 'interval');
      perMinute.push(requests.length);
      all.push(...requests);
      clock.advance(MINUTE);
    }
    assert.equal(all.length, 83);
    assert.equal(all.filter((r) => r.kind === 'status').length, 36);
    assert.equal(all.filter((r) => r.kind === 'facts').length, 47);
    assert.deepEqual(perMinute.slice(0, 6), [3 + MAX_FACTS_PER_PLAN, MAX_FACTS_PER_PLAN, 7, 0, 0, 3]);
    assert.deepEqual(new Set(all.filter((r) => r.kind === 'status').map((r) => r.job.id)), new Set(['dtsjob0000', 'dtsjob0001', 'dtsjob0002']));
    // The next hour starts the facts round again, oldest first.
    assert.equal(policy.plan(views, 'interval').filter((r) => r.kind === 'facts').length, MAX_FACTS_PER_PLAN);
  });

  it('asks about a direction as it fails, every 5 minutes while it stays failed, and not after it recovers', () => {
    const job = spec(1);
    assert.deepEqual(brief(policy.plan([view(job, { Forward: 'Synchronizing' })], 'startup')), ['dtsjob0001 Forward facts']);
    clock.advance(MINUTE);
    const failed = view(job, { Forward: 'Failed' });
    assert.deepEqual(brief(policy.plan([failed], 'interval')), ['dtsjob0001 Forward status'], 'entering failure asks at once');
    clock.advance(STATUS_DETAILS_SPACING_MS - 1);
    assert.deepEqual(policy.plan([failed], 'interval'), [], 'not before 5 minutes');
    clock.advance(1);
    assert.deepEqual(brief(policy.plan([failed], 'interval')), ['dtsjob0001 Forward status']);
    clock.advance(MINUTE);
    assert.deepEqual(policy.plan([view(job, { Forward: 'Synchronizing' })], 'interval'), [], 'a recovered direction needs no reason');
    clock.advance(MINUTE);
    assert.deepEqual(brief(policy.plan([failed], 'interval')), ['dtsjob0001 Forward status'], 'failing again is news again');
  });

  it('asks again at once when an unhealthy direction changes status, and only about the directions that are unhealthy', () => {
    const job = spec(2);
    assert.deepEqual(brief(policy.plan([view(job, { Forward: 'Synchronizing', Reverse: 'Suspending' })], 'startup')), ['dtsjob0002 Reverse status']);
    clock.advance(MINUTE);
    assert.deepEqual(brief(policy.plan([view(job, { Forward: 'Synchronizing', Reverse: 'Failed' })], 'interval')), ['dtsjob0002 Reverse status']);
  });

  it('asks about every unhealthy direction on a manual refresh, however recently it asked', () => {
    const views = [view(spec(1), { Forward: 'Failed' }), view(spec(2), { Forward: 'Synchronizing' })];
    answer(policy, policy.plan(views, 'startup'));
    clock.advance(10_000);
    assert.deepEqual(policy.plan(views, 'interval'), []);
    assert.deepEqual(brief(policy.plan(views, 'manual')), ['dtsjob0001 Forward status']);
  });

  it('asks for every job’s facts once an hour, healthy or not', () => {
    const views = [view(spec(1), { Forward: 'Synchronizing' }), view(spec(2), { Forward: 'Finished' })];
    const first = policy.plan(views, 'startup');
    assert.deepEqual(brief(first), ['dtsjob0001 Forward facts', 'dtsjob0002 Forward facts']);
    answer(policy, first);
    clock.advance(FACTS_SPACING_MS - 1);
    assert.deepEqual(policy.plan(views, 'manual'), [], 'facts that arrived are not asked for again by a manual refresh');
    clock.advance(1);
    assert.equal(policy.plan(views, 'interval').length, 2);
  });

  it('retries a failed facts call only at the normal spacing, or sooner on a manual refresh', () => {
    const views = [view(spec(1), { Forward: 'Synchronizing' })];
    const [request] = policy.plan(views, 'startup');
    policy.settled(request, false);
    for (let minute = 1; minute < 60; minute++) {
      clock.advance(MINUTE);
      assert.deepEqual(policy.plan(views, 'interval'), [], `no retry at minute ${minute}`);
    }
    assert.deepEqual(brief(policy.plan(views, 'manual')), ['dtsjob0001 Forward facts']);
  });

  it('retries a failed status call no sooner than a successful one would be repeated', () => {
    const views = [view(spec(1), { Forward: 'Failed' })];
    const [request] = policy.plan(views, 'startup');
    policy.settled(request, false);
    const reasons: RefreshReason[] = ['interval', 'focus', 'backoff', 'settings'];
    for (const reason of reasons) {
      clock.advance(MINUTE);
      assert.deepEqual(policy.plan(views, reason), [], reason);
    }
    clock.advance(MINUTE);
    assert.equal(policy.plan(views, 'interval').length, 1);
  });

  it('makes no call for a job that is stale, not found or not fetched yet', () => {
    const job = spec(1);
    const stale = view(job, { Forward: 'Failed' }, { stale: true });
    const notFound: JobView = { ...view(job, {}), status: buildJobStatus(job.id, job.region, undefined, new Date(T0), 300) };
    const never: JobView = { spec: job, status: undefined, fetchedAt: undefined, error: undefined, stale: false };
    assert.deepEqual(policy.plan([stale], 'manual'), []);
    assert.deepEqual(policy.plan([notFound], 'manual'), []);
    assert.deepEqual(policy.plan([never], 'manual'), []);
  });

  it('forgets a job that is no longer configured, so adding it back asks afresh', () => {
    const failed = view(spec(1), { Forward: 'Failed' });
    policy.plan([failed], 'startup');
    clock.advance(MINUTE);
    policy.plan([], 'settings');
    clock.advance(MINUTE);
    assert.deepEqual(brief(policy.plan([failed], 'settings')), ['dtsjob0001 Forward status']);
  });
});
