import * as assert from 'node:assert/strict';
import { ThrottledError } from '../../src/core/api/errors';
import type { JobSpec } from '../../src/core/jobs';
import { buildJobStatus, type RawDirection } from '../../src/core/model';
import { toQueryError, type JobView } from '../../src/core/store';
import { statusBarModel } from '../../src/core/views/statusBar';
import type { PresentContext } from '../../src/core/views/tree';
import { storeState } from './store-state.fixture';

const NOW = new Date('2024-05-01T14:03:13Z');
const CTX: PresentContext = { now: NOW, timeZone: 'UTC' };
const ago = (seconds: number): Date => new Date(NOW.getTime() - seconds * 1000);

const spec = (n: number, name?: string): JobSpec =>
  name ? { id: `dtsjob000${n}`, region: 'cn-hangzhou', name } : { id: `dtsjob000${n}`, region: 'cn-hangzhou' };

function job(s: JobSpec, directions: RawDirection[] | undefined, extra: Partial<JobView> = {}): JobView {
  return { spec: s, status: buildJobStatus(s.id, s.region, directions, NOW, 300), fetchedAt: NOW, error: undefined, stale: false, ...extra };
}

const healthy = (n: number, name?: string): JobView => job(spec(n, name), [{ direction: 'Forward', status: 'Synchronizing', checkpoint: ago(8) }]);
const failed = (n: number, name?: string): JobView => job(spec(n, name), [{ direction: 'Forward', status: 'Failed', checkpoint: null }]);
const paused = (n: number, name?: string): JobView => job(spec(n, name), [{ direction: 'Forward', status: 'Suspending', checkpoint: ago(8) }]);
const lagging = (n: number, name?: string): JobView =>
  job(spec(n, name), [{ direction: 'Forward', status: 'Synchronizing', checkpoint: ago(15 * 60) }]);
const notFound = (n: number, name?: string): JobView => job(spec(n, name), undefined);

const state = storeState;

describe('views/statusBar', () => {
  it('is hidden when no job is configured', () => {
    const model = statusBarModel(state([]), CTX);
    assert.equal(model.visible, false);
    assert.equal(model.text, '');
  });

  it('shows a check and the number of jobs, without background, when all are well', () => {
    const model = statusBarModel(state([healthy(1), healthy(2), healthy(3)]), CTX);
    assert.equal(model.visible, true);
    assert.equal(model.text, '$(check) DTS: 3 OK');
    assert.equal(model.background, undefined);
    assert.ok(model.tooltip.startsWith('All 3 DTS sync jobs healthy'), model.tooltip);
  });

  it('does not call jobs healthy before their first status arrives', () => {
    const waiting: JobView = { spec: spec(2), status: undefined, fetchedAt: undefined, error: undefined, stale: false };
    const model = statusBarModel(state([healthy(1), waiting]), CTX);
    assert.equal(model.text, '$(clock) DTS: 2');
    assert.equal(model.background, undefined);
    assert.ok(model.tooltip.startsWith('Waiting for the first status of 1 DTS sync job'), model.tooltip);
  });

  it('speaks of the one job, not "all 1 jobs", when a single job is healthy', () => {
    assert.ok(statusBarModel(state([healthy(1)]), CTX).tooltip.startsWith('The DTS sync job is healthy'));
  });

  it('counts failed jobs on an error background and lists them in the tooltip', () => {
    const model = statusBarModel(state([failed(1, 'orders'), healthy(2, 'billing'), failed(3, 'users')]), CTX);
    assert.equal(model.text, '$(error) DTS: 2 failed');
    assert.equal(model.background, 'error');
    assert.ok(model.tooltip.includes('**2 failed**'), model.tooltip);
    assert.ok(model.tooltip.includes('- **orders**: Failed'), model.tooltip);
    assert.ok(model.tooltip.includes('- **users**: Failed'), model.tooltip);
    assert.ok(!model.tooltip.includes('billing'), model.tooltip);
  });

  it('counts a paused job as needing attention on a warning background', () => {
    const model = statusBarModel(state([paused(1, 'orders'), healthy(2)]), CTX);
    assert.equal(model.text, '$(warning) DTS: 1 needs attention');
    assert.equal(model.background, 'warning');
    assert.ok(model.tooltip.includes('**1 needs attention**'), model.tooltip);
    assert.ok(model.tooltip.includes('- **orders**: Paused · 8 s behind'), model.tooltip);
  });

  it('counts lagging, not found and stale jobs as needing attention', () => {
    const staleSpec = spec(3, 'stale');
    const stale = job(staleSpec, undefined, {
      status: buildJobStatus(staleSpec.id, staleSpec.region, [{ direction: 'Forward', status: 'Synchronizing', checkpoint: ago(308) }], ago(300), 300),
      fetchedAt: ago(300),
      stale: true,
      error: toQueryError(new ThrottledError({ code: 'Throttling' })),
    });
    const model = statusBarModel(state([lagging(1, 'lagging'), notFound(2, 'missing'), stale, healthy(4, 'fine')]), CTX);
    assert.equal(model.text, '$(warning) DTS: 3 need attention');
    assert.equal(model.background, 'warning');
    assert.ok(model.tooltip.includes('- **lagging**: Synchronizing · 15 min behind'), model.tooltip);
    assert.ok(model.tooltip.includes('- **missing**: Not found in cn\\-hangzhou'), model.tooltip);
    assert.ok(model.tooltip.includes('- **stale**: Synchronizing · 8 s behind · stale, 5 min old'), model.tooltip);
    assert.ok(!model.tooltip.includes('fine'), model.tooltip);
  });

  it('counts a job that never got a status because its refresh failed as needing attention', () => {
    const noStatus: JobView = { spec: spec(1), status: undefined, fetchedAt: undefined, error: toQueryError(new ThrottledError({ code: 'Throttling' })), stale: false };
    const model = statusBarModel(state([noStatus, healthy(2)]), CTX);
    assert.equal(model.text, '$(warning) DTS: 1 needs attention');
    assert.ok(model.tooltip.includes('No status: throttled'), model.tooltip);
  });

  it('shows failures first and still lists the jobs needing attention', () => {
    const model = statusBarModel(state([failed(1, 'orders'), paused(2, 'billing')]), CTX);
    assert.equal(model.text, '$(error) DTS: 1 failed');
    assert.equal(model.background, 'error');
    const tooltip = model.tooltip;
    assert.ok(tooltip.indexOf('**1 failed**') < tooltip.indexOf('**1 needs attention**'), tooltip);
    assert.ok(tooltip.includes('- **billing**: Paused'), tooltip);
  });

  it('spins while refreshing and says so first in the tooltip', () => {
    const model = statusBarModel(state([healthy(1), healthy(2)], { refreshing: true, lastAttemptAt: ago(1) }), CTX);
    assert.equal(model.text, '$(sync~spin) DTS: 2 OK');
    assert.ok(model.tooltip.startsWith('Refreshing…'), model.tooltip);
  });

  it('keeps the failed count and background while refreshing', () => {
    const model = statusBarModel(state([failed(1)], { refreshing: true }), CTX);
    assert.equal(model.text, '$(sync~spin) DTS: 1 failed');
    assert.equal(model.background, 'error');
  });

  it('says when the last refresh was', () => {
    const model = statusBarModel(state([healthy(1)], { lastAttemptAt: ago(12) }), CTX);
    assert.ok(model.tooltip.includes('Last refresh 12 s ago'), model.tooltip);
  });

  it('says "no AccessKey" when there are no credentials, whatever the jobs', () => {
    const model = statusBarModel(state([failed(1), healthy(2)], { credentialsSource: undefined }), CTX);
    assert.equal(model.text, '$(key) DTS: no AccessKey');
    assert.equal(model.background, 'warning');
    assert.ok(model.tooltip.includes('Set AccessKey'), model.tooltip);
  });

  it('lists at most ten jobs under each heading and counts the rest', () => {
    const jobs = [...Array.from({ length: 12 }, (_, i) => failed(10 + i, `failed${i}`)), lagging(30, 'late')];
    const tooltip = statusBarModel(state(jobs), CTX).tooltip;
    assert.ok(tooltip.includes('- **failed9**: Failed'), tooltip);
    assert.ok(!tooltip.includes('failed10'), tooltip);
    assert.ok(tooltip.includes('- … and 2 more\n\n**1 needs attention**\n- **late**: Synchronizing · 15 min behind'), tooltip);
  });

  it('invites a click to the view', () => {
    assert.ok(statusBarModel(state([healthy(1)]), CTX).tooltip.endsWith('Click to show the DTS Sync view'));
  });
});
