import * as assert from 'node:assert/strict';
import { ThrottledError } from '../../src/core/api/errors';
import type { JobSpec } from '../../src/core/jobs';
import { buildJobStatus, type RawDirection } from '../../src/core/model';
import { toQueryError, type JobView } from '../../src/core/store';
import { groupItem, jobCounts, jobGroups, viewDescription } from '../../src/core/views/groups';
import { storeState } from './store-state.fixture';

const NOW = new Date('2024-05-01T14:03:13Z');
const ago = (seconds: number): Date => new Date(NOW.getTime() - seconds * 1000);

function job(id: string, region: string, directions: RawDirection[] | undefined, extra: Partial<JobView> = {}): JobView {
  const spec: JobSpec = { id, region };
  return { spec, status: buildJobStatus(id, region, directions, NOW, 300), fetchedAt: NOW, error: undefined, stale: false, ...extra };
}
const healthy = (id: string, region = 'cn-hangzhou'): JobView => job(id, region, [{ direction: 'Forward', status: 'Synchronizing', checkpoint: ago(8) }]);
const failed = (id: string, region = 'cn-hangzhou'): JobView => job(id, region, [{ direction: 'Forward', status: 'Failed', checkpoint: null }]);
const lagging = (id: string, region = 'cn-hangzhou'): JobView =>
  job(id, region, [{ direction: 'Forward', status: 'Synchronizing', checkpoint: ago(15 * 60) }]);
const starting = (id: string): JobView => job(id, 'cn-hangzhou', [{ direction: 'Forward', status: 'NotStarted', checkpoint: null }]);
const finished = (id: string): JobView => job(id, 'cn-hangzhou', [{ direction: 'Forward', status: 'Finished', checkpoint: ago(60) }]);
const notFound = (id: string): JobView => job(id, 'cn-hangzhou', undefined);

const ids = (g: { jobs: readonly JobView[] }): string[] => g.jobs.map((j) => j.spec.id);

describe('views/groups', () => {
  it('leaves the tree ungrouped for groupBy none', () => {
    assert.equal(jobGroups([healthy('a'), failed('b')], 'none'), undefined);
  });

  it('groups by region in region ID order, each region once, jobs in their configured order', () => {
    const groups = jobGroups([healthy('a', 'cn-shanghai'), failed('b', 'ap-southeast-1'), healthy('c', 'cn-shanghai')], 'region') ?? [];
    assert.deepEqual(
      groups.map((g) => [g.key, ids(g)]),
      [
        ['region:ap-southeast-1', ['b']],
        ['region:cn-shanghai', ['a', 'c']],
      ],
    );
  });

  it('groups by health failed first, then needs attention, unknown, starting, healthy, finished, leaving out empty groups', () => {
    const jobs = [finished('f'), healthy('ok'), starting('s'), notFound('nf'), lagging('lag'), failed('x'), failed('y')];
    const groups = jobGroups(jobs, 'health') ?? [];
    assert.deepEqual(
      groups.map((g) => [groupItem(g).label, groupItem(g).description, ids(g)]),
      [
        ['Failed', '2 jobs', ['x', 'y']],
        ['Needs attention', '1 job', ['lag']],
        ['Unknown status', '1 job', ['nf']],
        ['Starting or changing', '1 job', ['s']],
        ['Healthy', '1 job', ['ok']],
        ['Finished', '1 job', ['f']],
      ],
    );
    assert.deepEqual(groupItem(groups[0]).icon, { id: 'error', color: 'testing.iconFailed' });
    assert.equal(jobGroups([healthy('a')], 'health')?.length, 1);
  });

  it('puts a job whose refresh failed with the ones needing attention, not with the healthy ones', () => {
    const stale = { ...healthy('a'), stale: true, error: toQueryError(new ThrottledError({ code: 'Throttling', apiMessage: 'slow down' })) };
    const first = { ...healthy('b'), status: undefined, error: stale.error };
    assert.deepEqual(jobGroups([stale, first, healthy('c')], 'health')?.map((g) => [g.key, ids(g)]), [['health:warning', ['a', 'b']], ['health:ok', ['c']]]);
    assert.equal(jobCounts([stale, first, healthy('c')]), '2 need attention · 3 jobs');
  });

  it('names a region group after the region, with its ID, its counts and its worst job\'s icon', () => {
    const [hangzhou] = jobGroups([healthy('a'), failed('b'), lagging('c')], 'region') ?? [];
    const item = groupItem(hangzhou);
    assert.equal(item.id, 'group:region:cn-hangzhou');
    assert.equal(item.label, 'China (Hangzhou)');
    assert.equal(item.description, 'cn-hangzhou · 1 failed · 1 needs attention · 3 jobs');
    assert.deepEqual(item.icon, { id: 'error', color: 'testing.iconFailed' });
    assert.equal(item.collapsible, true);
    assert.match(item.tooltip, /^\*\*China \\\(Hangzhou\\\)\*\* \(`cn-hangzhou`\)/);
  });

  it('names a region DTS does not document by its ID alone', () => {
    const [own] = jobGroups([healthy('a', 'cn-private-1')], 'region') ?? [];
    assert.equal(groupItem(own).label, 'cn-private-1');
    assert.equal(groupItem(own).description, '1 job');
    assert.deepEqual(groupItem(own).icon, { id: 'pass', color: 'testing.iconPassed' });
  });

  it('keeps a group\'s id whatever its jobs and language, so VS Code keeps it expanded', () => {
    const before = jobGroups([failed('a')], 'health') ?? [];
    const after = jobGroups([failed('a'), failed('b'), healthy('c')], 'health') ?? [];
    assert.equal(groupItem(before[0]).id, groupItem(after[0]).id);
    assert.equal(groupItem(after[0]).id, 'group:health:error');
  });

  it('counts failed and attention jobs for the view title, or just the jobs when all is well', () => {
    assert.equal(jobCounts([healthy('a'), healthy('b')]), '2 jobs');
    assert.equal(jobCounts([failed('a'), failed('b'), lagging('c'), healthy('d')]), '2 failed · 1 needs attention · 4 jobs');
    assert.equal(jobCounts([lagging('c'), lagging('d')]), '2 need attention · 2 jobs');
    assert.equal(viewDescription(storeState([failed('a'), healthy('b')])), '1 failed · 2 jobs');
    assert.equal(viewDescription(storeState([healthy('b')])), '1 job');
  });

  it('has no view title counts without jobs or without credentials (the welcome views speak then)', () => {
    assert.equal(viewDescription(storeState([])), undefined);
    assert.equal(viewDescription(storeState([healthy('a')], { credentialsSource: undefined })), undefined);
  });
});
