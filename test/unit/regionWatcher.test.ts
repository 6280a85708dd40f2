import { strict as assert } from 'node:assert';
import { NetworkError } from '../../src/core/api/errors';
import type { JobListing, ListedJob } from '../../src/core/api/jobList';
import { MAX_JOBS } from '../../src/core/jobs';
import { REGION_RELIST_MS, RegionWatcher } from '../../src/core/regionWatcher';

function listed(id: string, region = 'cn-shanghai', name?: string): ListedJob {
  return { jobId: id, region, directions: ['Forward'], ...(name ? { name } : {}) };
}

function listing(region: string, jobs: ListedJob[], extra: Partial<JobListing> = {}): JobListing {
  return { region, jobs, pages: 1, complete: true, notes: [], totalRecordCount: jobs.length, ...extra };
}

/** A fake DTS: what each (account, region) lists now, and every call made. */
function fakeDts() {
  const answers = new Map<string, () => JobListing>();
  const calls: string[] = [];
  const lines: string[] = [];
  let clock = 0;
  const watcher = new RegionWatcher({
    list: async (account, region) => {
      calls.push(`${account}/${region}`);
      const answer = answers.get(`${account}/${region}`);
      if (!answer) {
        throw new Error('no such region');
      }
      return answer();
    },
    log: { info: (m) => lines.push(`info ${m}`), warn: (m) => lines.push(`warn ${m}`), error: (m) => lines.push(`error ${m}`) },
    now: () => clock,
  });
  return {
    watcher,
    calls,
    lines,
    set: (account: string, region: string, fn: () => JobListing) => answers.set(`${account}/${region}`, fn),
    advance: (ms: number) => (clock += ms),
  };
}

const SHANGHAI = [{ region: 'cn-shanghai', account: 'default' }];

describe('RegionWatcher', () => {
  it('watches every job a region lists, after the configured jobs, named as DTS names them', async () => {
    const dts = fakeDts();
    dts.set('default', 'cn-shanghai', () => listing('cn-shanghai', [listed('dtsaaaa1', 'cn-shanghai', 'orders'), listed('dtsbbbb2')]));
    assert.equal(await dts.watcher.update(SHANGHAI, false), true);
    const { jobs } = dts.watcher.merge([{ id: 'dtsconf1', region: 'cn-hangzhou', name: 'mine' }]);
    assert.deepEqual(jobs, [
      { id: 'dtsconf1', region: 'cn-hangzhou', name: 'mine' },
      { id: 'dtsaaaa1', region: 'cn-shanghai', name: 'orders' },
      { id: 'dtsbbbb2', region: 'cn-shanghai' },
    ]);
  });

  it("keeps the configured entry of a job also listed: its name and account win", async () => {
    const dts = fakeDts();
    dts.set('default', 'cn-shanghai', () => listing('cn-shanghai', [listed('dtsaaaa1', 'cn-shanghai', 'DTS name')]));
    await dts.watcher.update(SHANGHAI, false);
    const { jobs } = dts.watcher.merge([{ id: 'dtsaaaa1', region: 'cn-shanghai', name: 'my name' }]);
    assert.deepEqual(jobs, [{ id: 'dtsaaaa1', region: 'cn-shanghai', name: 'my name' }]);
    assert.equal(dts.watcher.merge([{ id: 'dtsaaaa1', region: 'cn-shanghai' }]).jobs.length, 1, 'nothing discovered beside the configured entry');
  });

  it('gives listed jobs the account of the watched region', async () => {
    const dts = fakeDts();
    dts.set('prod', 'cn-beijing', () => listing('cn-beijing', [listed('dtsprod01', 'cn-beijing')]));
    await dts.watcher.update([{ region: 'cn-beijing', account: 'prod' }], false);
    assert.deepEqual(dts.watcher.merge([]).jobs, [{ id: 'dtsprod01', region: 'cn-beijing', account: 'prod' }]);
  });

  it('reads the list again only every 10 minutes, or when forced (a manual refresh)', async () => {
    const dts = fakeDts();
    dts.set('default', 'cn-shanghai', () => listing('cn-shanghai', [listed('dtsaaaa1')]));
    await dts.watcher.update(SHANGHAI, false);
    dts.advance(REGION_RELIST_MS - 1);
    assert.equal(await dts.watcher.update(SHANGHAI, false), false);
    assert.equal(dts.calls.length, 1);
    dts.advance(1);
    await dts.watcher.update(SHANGHAI, false);
    assert.equal(dts.calls.length, 2);
    await dts.watcher.update(SHANGHAI, true);
    assert.equal(dts.calls.length, 3);
  });

  it('adds jobs that appear and removes jobs that leave the region, with a log line', async () => {
    const dts = fakeDts();
    let jobs = [listed('dtsaaaa1'), listed('dtsbbbb2')];
    dts.set('default', 'cn-shanghai', () => listing('cn-shanghai', jobs));
    await dts.watcher.update(SHANGHAI, false);
    jobs = [listed('dtsbbbb2'), listed('dtscccc3')];
    assert.equal(await dts.watcher.update(SHANGHAI, true), true);
    assert.deepEqual(dts.watcher.merge([]).jobs.map((j) => j.id), ['dtsbbbb2', 'dtscccc3']);
    assert.ok(dts.lines.some((l) => l === 'info [refresh] DTS job dtsaaaa1 is no longer listed in cn-shanghai; it is no longer watched'), dts.lines.join('\n'));
    assert.ok(dts.lines.some((l) => l.includes('1 new job(s) in cn-shanghai: dtscccc3')), dts.lines.join('\n'));
    assert.equal(await dts.watcher.update(SHANGHAI, true), false, 'the same list again is no change');
  });

  it('removes nothing when a page fails midway, adds what it read, and reports the region', async () => {
    const dts = fakeDts();
    let answer = listing('cn-shanghai', [listed('dtsaaaa1'), listed('dtsbbbb2')]);
    dts.set('default', 'cn-shanghai', () => answer);
    await dts.watcher.update(SHANGHAI, false);
    answer = listing('cn-shanghai', [listed('dtscccc3')], { complete: false, pages: 2, error: new NetworkError('Network error (socket hang up)', {}) });
    await dts.watcher.update(SHANGHAI, true);
    assert.deepEqual(dts.watcher.merge([]).jobs.map((j) => j.id), ['dtsaaaa1', 'dtsbbbb2', 'dtscccc3']);
    assert.deepEqual(dts.watcher.problems(), ['Could not list the jobs of cn-shanghai: Network error (socket hang up)']);
    answer = listing('cn-shanghai', [listed('dtscccc3')]);
    await dts.watcher.update(SHANGHAI, true);
    assert.deepEqual(dts.watcher.merge([]).jobs.map((j) => j.id), ['dtscccc3']);
    assert.deepEqual(dts.watcher.problems(), []);
  });

  it('keeps the last list when a listing throws, and says which region and account failed', async () => {
    const dts = fakeDts();
    let fail = false;
    dts.set('prod', 'cn-shanghai', () => {
      if (fail) {
        throw new Error('The AccessKey was rejected');
      }
      return listing('cn-shanghai', [listed('dtsaaaa1')]);
    });
    const watch = [{ region: 'cn-shanghai', account: 'prod' }];
    await dts.watcher.update(watch, false);
    fail = true;
    assert.equal(await dts.watcher.update(watch, true), false);
    assert.deepEqual(dts.watcher.merge([]).jobs.map((j) => j.id), ['dtsaaaa1']);
    assert.deepEqual(dts.watcher.problems(), ['Could not list the jobs of cn-shanghai (account prod): The AccessKey was rejected']);
  });

  it('drops the jobs of a region no longer watched', async () => {
    const dts = fakeDts();
    dts.set('default', 'cn-shanghai', () => listing('cn-shanghai', [listed('dtsaaaa1')]));
    await dts.watcher.update(SHANGHAI, false);
    assert.equal(await dts.watcher.update([], false), true);
    assert.deepEqual(dts.watcher.merge([]).jobs, []);
  });

  it('ignores listed entries that are not job IDs or belong to another region', async () => {
    const dts = fakeDts();
    dts.set('default', 'cn-shanghai', () =>
      listing('cn-shanghai', [listed('dtsaaaa1'), listed('../etc/passwd'), listed('__proto__'), listed('dtsother1', 'cn-beijing')]),
    );
    await dts.watcher.update(SHANGHAI, false);
    assert.deepEqual(dts.watcher.merge([]).jobs.map((j) => j.id), ['dtsaaaa1']);
  });

  it('watches at most MAX_JOBS jobs in all, counting the ones left out', async () => {
    const dts = fakeDts();
    dts.set('default', 'cn-shanghai', () => listing('cn-shanghai', Array.from({ length: 30 }, (_, i) => listed(`dtslisted${i}`))));
    await dts.watcher.update(SHANGHAI, false);
    const configured = Array.from({ length: MAX_JOBS - 10 }, (_, i) => ({ id: `dtsconf${i}`, region: 'cn-hangzhou' }));
    const merged = dts.watcher.merge(configured);
    assert.equal(merged.jobs.length, MAX_JOBS);
    assert.equal(merged.capped, 20);
  });
});
