import * as assert from 'node:assert/strict';
import { InvalidInputError } from '../../src/core/inputError';
import { jobIdProblem, jobKey, jobRefProblem, parseJobList, parseJobRef } from '../../src/core/jobs';

function refused(text: string, pattern: RegExp, defaultRegion = 'cn-hangzhou'): void {
  assert.throws(
    () => parseJobRef(text, defaultRegion),
    (e: unknown) => {
      assert.ok(e instanceof InvalidInputError, `expected an InvalidInputError, got ${String(e)}`);
      assert.match(e.message, pattern);
      return true;
    },
  );
}

describe('jobs', () => {
  describe('jobRefProblem (what the Add Job input box says while typing)', () => {
    it('accepts an ID alone or with a region', () => {
      assert.equal(jobRefProblem('dtsexjk1alb116abcd'), undefined);
      assert.equal(jobRefProblem('dtsexjk1alb116abcd@cn-shanghai'), undefined);
    });
    it('names what is wrong with the ID or the region, the same words parseJobRef uses', () => {
      assert.equal(jobRefProblem('dts job'), '"dts job" contains whitespace');
      assert.equal(jobRefProblem('dtsexjk1alb116abcd@Shanghai'), '"Shanghai" is not a region ID (expected something like cn-hangzhou)');
      assert.throws(() => parseJobRef('dtsexjk1alb116abcd@Shanghai', 'cn-hangzhou'), /"Shanghai" is not a region ID/);
    });
  });

  describe('parseJobRef', () => {
    it('takes a bare ID in the default region', () => {
      assert.deepEqual(parseJobRef('dtsexjk1alb116abcd', 'cn-hangzhou'), { id: 'dtsexjk1alb116abcd', region: 'cn-hangzhou' });
    });

    it('takes ID@region', () => {
      assert.deepEqual(parseJobRef('dtsexjk1alb116abcd@ap-northeast-1', 'cn-hangzhou'), {
        id: 'dtsexjk1alb116abcd',
        region: 'ap-northeast-1',
      });
    });

    it('accepts dashes and underscores inside an ID', () => {
      assert.equal(parseJobRef('dts_job-0001', 'cn-hangzhou').id, 'dts_job-0001');
    });

    it('refuses an ID with whitespace inside', () => {
      refused('dtsexjk1 alb116abcd', /^Invalid job "dtsexjk1 alb116abcd": "dtsexjk1 alb116abcd" contains whitespace$/);
    });

    it('refuses an ID with surrounding whitespace instead of silently querying a different ID', () => {
      refused(' dtsexjk1alb116abcd', /contains whitespace/);
    });

    it('refuses a quoted ID and says to give the bare ID', () => {
      refused('"dtsexjk1alb116abcd"', /contains quotes or brackets \(give the bare ID/);
      refused("'dtsexjk1alb116abcd'", /contains quotes or brackets/);
    });

    it('refuses a pasted JSON list', () => {
      refused('["dtsexjk1alb116abcd"]', /contains quotes or brackets/);
    });

    it('refuses a masked ID copied from the docs', () => {
      refused('dtsexjk1alb116****', /"dtsexjk1alb116\*\*\*\*" is masked with \*; use the full ID from the DTS console/);
    });

    it('refuses an empty ID', () => {
      refused('', /the job ID is empty/);
      refused('@cn-hangzhou', /the job ID is empty/);
    });

    it('refuses IDs that are too short or contain other characters', () => {
      refused('dts', /"dts" is not a DTS job ID \(4-64 letters, digits, - or _\)/);
      refused('dts.job.0001', /is not a DTS job ID/);
      refused('-dtsjob0001', /is not a DTS job ID/);
      refused('d'.repeat(65), /is not a DTS job ID/);
    });

    it('refuses a malformed region after @', () => {
      refused('dtsexjk1alb116abcd@Hangzhou', /^Invalid job "dtsexjk1alb116abcd@Hangzhou": "Hangzhou" is not a region ID \(expected something like cn-hangzhou\)$/);
      refused('dtsexjk1alb116abcd@', /"" is not a region ID/);
    });

    it('refuses a malformed default region', () => {
      refused('dtsexjk1alb116abcd', /"hangzhou" is not a region ID/, 'hangzhou');
    });
  });

  describe('jobIdProblem', () => {
    it('has no problem with a real ID', () => {
      assert.equal(jobIdProblem('dtsexjk1alb116abcd'), undefined);
    });
  });

  describe('jobKey', () => {
    it('tells the same ID in two regions apart', () => {
      assert.notEqual(jobKey({ id: 'dtsjob0001', region: 'cn-hangzhou' }), jobKey({ id: 'dtsjob0001', region: 'cn-shanghai' }));
      assert.equal(jobKey({ id: 'dtsjob0001', region: 'cn-hangzhou' }), 'dtsjob0001@cn-hangzhou');
    });
  });

  describe('parseJobList', () => {
    it('reads string and object entries with the default region', () => {
      const parsed = parseJobList(
        ['dtsjob0001', 'dtsjob0002@cn-shanghai', { id: 'dtsjob0003' }, { id: 'dtsjob0004', region: 'ap-northeast-1', name: 'Orders' }],
        'cn-hangzhou',
      );
      assert.deepEqual(parsed.problems, []);
      assert.deepEqual(parsed.jobs, [
        { id: 'dtsjob0001', region: 'cn-hangzhou' },
        { id: 'dtsjob0002', region: 'cn-shanghai' },
        { id: 'dtsjob0003', region: 'cn-hangzhou' },
        { id: 'dtsjob0004', region: 'ap-northeast-1', name: 'Orders' },
      ]);
    });

    it('trims whitespace in settings entries', () => {
      const parsed = parseJobList(['  dtsjob0001  ', { id: ' dtsjob0002 ', region: ' cn-shanghai ', name: ' Orders ' }], 'cn-hangzhou');
      assert.deepEqual(parsed.problems, []);
      assert.deepEqual(parsed.jobs, [
        { id: 'dtsjob0001', region: 'cn-hangzhou' },
        { id: 'dtsjob0002', region: 'cn-shanghai', name: 'Orders' },
      ]);
    });

    it('uses the default region for an empty region and drops an empty name', () => {
      const parsed = parseJobList([{ id: 'dtsjob0001', region: '', name: '  ' }], 'cn-beijing');
      assert.deepEqual(parsed.jobs, [{ id: 'dtsjob0001', region: 'cn-beijing' }]);
    });

    it('is empty without the setting', () => {
      assert.deepEqual(parseJobList(undefined, 'cn-hangzhou'), { jobs: [], problems: [] });
      assert.deepEqual(parseJobList(null, 'cn-hangzhou'), { jobs: [], problems: [] });
      assert.deepEqual(parseJobList([], 'cn-hangzhou'), { jobs: [], problems: [] });
    });

    it('explains a setting that is not a list', () => {
      assert.deepEqual(parseJobList('dtsjob0001', 'cn-hangzhou'), { jobs: [], problems: ['dtsSync.jobs must be a list of job IDs'] });
      assert.deepEqual(parseJobList({ id: 'dtsjob0001' }, 'cn-hangzhou').problems, ['dtsSync.jobs must be a list of job IDs']);
    });

    it('skips each bad entry with a clear problem while the valid entries still load', () => {
      const parsed = parseJobList(
        [
          'dtsjob0001',
          42,
          '',
          'dtsjob0002@Hangzhou',
          { id: 'dtsjob0003', region: 'cn_shanghai' },
          'dtsjob0001',
          { id: 7 },
          { id: 'dtsjob0004', region: 5 },
          { id: 'dtsjob0005', name: false },
          'dtsjob0006@cn-shanghai',
          null,
          ['dtsjob0007'],
          'dtsjob0008****',
        ],
        'cn-hangzhou',
      );
      assert.deepEqual(parsed.jobs, [
        { id: 'dtsjob0001', region: 'cn-hangzhou' },
        { id: 'dtsjob0006', region: 'cn-shanghai' },
      ]);
      assert.deepEqual(parsed.problems, [
        'dtsSync.jobs[1]: expected a job ID or { "id", "region", "name", "account" }, got 42',
        'dtsSync.jobs[2]: Invalid job "": the job ID is empty',
        'dtsSync.jobs[3]: Invalid job "dtsjob0002@Hangzhou": "Hangzhou" is not a region ID (expected something like cn-hangzhou)',
        'dtsSync.jobs[4]: "cn_shanghai" is not a region ID (expected something like cn-hangzhou)',
        'dtsSync.jobs[5]: dtsjob0001 in cn-hangzhou is listed twice; the later entry is ignored',
        'dtsSync.jobs[6]: "id" must be a string, got 7',
        'dtsSync.jobs[7]: "region" must be a string, got 5',
        'dtsSync.jobs[8]: "name" must be a string, got false',
        'dtsSync.jobs[10]: expected a job ID or { "id", "region", "name", "account" }, got null',
        'dtsSync.jobs[11]: expected a job ID or { "id", "region", "name", "account" }, got ["dtsjob0007"]',
        'dtsSync.jobs[12]: Invalid job "dtsjob0008****": "dtsjob0008****" is masked with *; use the full ID from the DTS console',
      ]);
    });

    it('explains an object entry without an id', () => {
      assert.deepEqual(parseJobList([{ region: 'cn-hangzhou' }], 'cn-hangzhou').problems, ['dtsSync.jobs[0]: "id" must be a string, got null']);
    });

    it('counts a string and an object for the same job in the same region as a duplicate', () => {
      const parsed = parseJobList(['dtsjob0001@cn-shanghai', { id: 'dtsjob0001', region: 'cn-shanghai', name: 'Orders' }], 'cn-hangzhou');
      assert.equal(parsed.jobs.length, 1);
      assert.match(parsed.problems[0], /dtsjob0001 in cn-shanghai is listed twice/);
    });

    it('keeps the same ID in two regions as two jobs', () => {
      const parsed = parseJobList(['dtsjob0001', 'dtsjob0001@cn-shanghai'], 'cn-hangzhou');
      assert.equal(parsed.jobs.length, 2);
      assert.deepEqual(parsed.problems, []);
    });
  });

  describe('account', () => {
    it('reads an entry’s account, trimmed; "default" is the same as none', () => {
      const parsed = parseJobList(
        [{ id: 'dtsjob0001', account: ' staging ' }, { id: 'dtsjob0002', account: 'default' }, { id: 'dtsjob0003', name: 'orders', account: 'prod@team' }],
        'cn-hangzhou',
      );
      assert.deepEqual(parsed.jobs, [
        { id: 'dtsjob0001', region: 'cn-hangzhou', account: 'staging' },
        { id: 'dtsjob0002', region: 'cn-hangzhou' },
        { id: 'dtsjob0003', region: 'cn-hangzhou', name: 'orders', account: 'prod@team' },
      ]);
      assert.deepEqual(parsed.problems, []);
    });

    it('skips an entry whose account is not a name, saying why', () => {
      const parsed = parseJobList([{ id: 'dtsjob0001', account: 'my prod' }, { id: 'dtsjob0002', account: 3 }, { id: 'dtsjob0003', account: '' }], 'cn-hangzhou');
      assert.deepEqual(parsed.jobs, []);
      assert.deepEqual(parsed.problems, [
        'dtsSync.jobs[0]: "my prod" is not an account name (1-64 letters, digits, ., @, - or _)',
        'dtsSync.jobs[1]: "account" must be a string, got 3',
        'dtsSync.jobs[2]: the account name is empty',
      ]);
    });
  });
});
