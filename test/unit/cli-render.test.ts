import * as assert from 'node:assert/strict';
import { exitCodeFor, renderErrors, renderTable, toDocument } from '../../src/cli/render';
import { CredentialsRejectedError, TimeoutError } from '../../src/core/api/errors';
import { buildJobStatus, type JobStatus, type RawDirection } from '../../src/core/model';
import type { BatchFailure, Snapshot } from '../../src/core/query';

const NOW = new Date('2024-05-01T12:00:00Z');
const ago = (seconds: number): Date => new Date(NOW.getTime() - seconds * 1000);
// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;]*m/;
// eslint-disable-next-line no-control-regex
const ALL_ANSI = /\x1b\[[0-9;]*m/g;

function jobWith(id: string, region: string, raw: RawDirection[] | undefined): JobStatus {
  return buildJobStatus(id, region, raw, NOW, 300);
}

const twoWay = jobWith('dtsexjk1alb116abcd', 'cn-hangzhou', [
  { direction: 'Reverse', status: 'Synchronizing', checkpoint: ago(610) },
  { direction: 'Forward', status: 'Synchronizing', checkpoint: ago(8) },
]);
const failed = jobWith('dtskfq1149w254abcd', 'ap-northeast-1', [{ direction: 'Forward', status: 'InitializeFailed', checkpoint: null }]);
const missing = jobWith('dtsgone00001', 'cn-shanghai', undefined);
const finished = jobWith('dtsdone00001', 'cn-hangzhou', [{ direction: 'Forward', status: 'Finished', checkpoint: ago(86_400) }]);
const pending = jobWith('dtsnew000001', 'cn-hangzhou', [{ direction: 'Forward', status: 'Prechecking', checkpoint: null }]);
const okJob = jobWith('dtsok0000001', 'cn-hangzhou', [{ direction: 'Forward', status: 'Synchronizing', checkpoint: ago(5) }]);
const paused = jobWith('dtspause0001', 'cn-hangzhou', [{ direction: 'Forward', status: 'Suspending', checkpoint: ago(5) }]);
const strange = jobWith('dtsodd000001', 'cn-hangzhou', [{ direction: 'Forward', status: 'Hibernating', checkpoint: null }]);

const rejected: BatchFailure = {
  region: 'eu-central-1',
  jobIds: ['dtseu0000001', 'dtseu0000002'],
  error: new CredentialsRejectedError({
    code: 'InvalidAccessKeyId.NotFound',
    apiMessage: 'Specified access key is not found.',
    requestId: 'REQ-EU-1',
    httpStatus: 404,
  }),
};
const timedOut: BatchFailure = { region: 'us-west-1', jobIds: ['dtsus0000001'], error: new TimeoutError(10) };

function snapshot(jobs: JobStatus[], errors: BatchFailure[] = []): Snapshot {
  return { checkedAt: NOW, jobs, errors, notes: [] };
}

describe('cli render', () => {
  describe('toDocument (the --json contract)', () => {
    it('has exactly the documented shape', () => {
      const doc = toDocument(snapshot([twoWay, missing], [rejected, timedOut]));
      assert.deepEqual(JSON.parse(JSON.stringify(doc)), {
        checkedAt: '2024-05-01T12:00:00.000Z',
        jobs: [
          {
            jobId: 'dtsexjk1alb116abcd',
            region: 'cn-hangzhou',
            found: true,
            health: 'warning',
            directions: [
              { direction: 'Forward', status: 'Synchronizing', health: 'ok', checkpoint: '2024-05-01T11:59:52.000Z', lagSeconds: 8 },
              { direction: 'Reverse', status: 'Synchronizing', health: 'warning', checkpoint: '2024-05-01T11:49:50.000Z', lagSeconds: 610 },
            ],
          },
          { jobId: 'dtsgone00001', region: 'cn-shanghai', found: false, health: 'unknown', directions: [] },
        ],
        errors: [
          {
            region: 'eu-central-1',
            code: 'InvalidAccessKeyId.NotFound',
            message: 'The AccessKey was rejected: InvalidAccessKeyId.NotFound Specified access key is not found. (RequestId REQ-EU-1)',
            requestId: 'REQ-EU-1',
            jobIds: ['dtseu0000001', 'dtseu0000002'],
          },
          { region: 'us-west-1', code: 'Timeout', message: 'No answer within 10 s', requestId: null, jobIds: ['dtsus0000001'] },
        ],
      });
    });

    it('keeps the status as the API sent it and null for a missing checkpoint and lag', () => {
      const doc = toDocument(snapshot([strange]));
      assert.deepEqual(doc.jobs[0].directions, [{ direction: 'Forward', status: 'Hibernating', health: 'unknown', checkpoint: null, lagSeconds: null }]);
      assert.equal(doc.jobs[0].health, 'unknown');
    });

    it('has empty lists when there is nothing to report', () => {
      assert.deepEqual(toDocument(snapshot([])), { checkedAt: '2024-05-01T12:00:00.000Z', jobs: [], errors: [] });
    });

    it('uses exactly the documented keys, in order', () => {
      const doc = toDocument(snapshot([twoWay], [rejected]));
      assert.deepEqual(Object.keys(doc), ['checkedAt', 'jobs', 'errors']);
      assert.deepEqual(Object.keys(doc.jobs[0]), ['jobId', 'region', 'found', 'health', 'directions']);
      assert.deepEqual(Object.keys(doc.jobs[0].directions[0]), ['direction', 'status', 'health', 'checkpoint', 'lagSeconds']);
      assert.deepEqual(Object.keys(doc.errors[0]), ['region', 'code', 'message', 'requestId', 'jobIds']);
    });
  });

  describe('exitCodeFor', () => {
    const cases: readonly [string, Snapshot, 0 | 1 | 2][] = [
      ['all synchronizing within the threshold', snapshot([okJob]), 0],
      ['pending and finished jobs', snapshot([okJob, pending, finished]), 0],
      ['no jobs at all', snapshot([]), 0],
      ['a direction past the lag threshold', snapshot([okJob, twoWay]), 1],
      ['a paused job', snapshot([paused]), 1],
      ['a failed job', snapshot([okJob, failed]), 1],
      ['an unknown status', snapshot([strange]), 1],
      ['a job not found', snapshot([okJob, missing]), 1],
      ['a failed batch, even with healthy jobs', snapshot([okJob], [timedOut]), 2],
      ['a failed batch and an unhealthy job', snapshot([failed], [rejected]), 2],
    ];
    for (const [situation, snap, code] of cases) {
      it(`exits ${code} for ${situation}`, () => {
        assert.equal(exitCodeFor(snap), code);
      });
    }
  });

  describe('renderTable', () => {
    const table = renderTable(snapshot([twoWay, failed, missing, finished]), false);
    const lines = table.split('\n');

    it('prints a header and one line per direction, Forward before Reverse', () => {
      assert.equal(lines.length, 1 + 2 + 1 + 1 + 1);
      assert.match(lines[0], /^JOB\s+REGION\s+DIRECTION\s+STATUS\s+LAG\s+CHECKPOINT$/);
      assert.match(lines[1], /^dtsexjk1alb116abcd\s+cn-hangzhou\s+Forward\s+Synchronizing\s+8 s\s+2024-05-01 11:59:52 UTC$/);
      assert.match(lines[2], /^dtsexjk1alb116abcd\s+cn-hangzhou\s+Reverse\s+Synchronizing\s+10 min 10 s\s+2024-05-01 11:49:50 UTC$/);
    });

    it('shows status words, and dashes where there is no lag or checkpoint', () => {
      assert.match(lines[3], /^dtskfq1149w254abcd\s+ap-northeast-1\s+Forward\s+Initialization failed\s+-\s+-$/);
      assert.match(lines[5], /^dtsdone00001\s+cn-hangzhou\s+Forward\s+Finished\s+1 d\s+2024-04-30 12:00:00 UTC$/);
    });

    it('says a missing job is not found in its region', () => {
      assert.match(lines[4], /^dtsgone00001\s+cn-shanghai\s+-\s+Not found in cn-shanghai\s+-\s+-$/);
    });

    it('aligns every column', () => {
      for (const title of ['REGION', 'DIRECTION', 'STATUS', 'LAG', 'CHECKPOINT']) {
        const column = lines[0].indexOf(title);
        for (const line of lines.slice(1)) {
          assert.notEqual(line[column - 1], undefined, `line too short: ${line}`);
          assert.equal(line.slice(column - 2, column), '  ', `column ${title} not preceded by two spaces in: ${JSON.stringify(line)}`);
          assert.notEqual(line[column], ' ', `column ${title} starts with a space in: ${JSON.stringify(line)}`);
        }
      }
    });

    it('has no trailing whitespace', () => {
      for (const line of lines) {
        assert.equal(line, line.trimEnd());
      }
    });

    it('has no ANSI codes when colour is off', () => {
      assert.doesNotMatch(table, ANSI);
    });

    it('colours the status when colour is on, keeping the same text and alignment', () => {
      const coloured = renderTable(snapshot([twoWay, failed, missing, finished]), true);
      assert.match(coloured, ANSI);
      assert.equal(coloured.replace(ALL_ANSI, ''), table);
      const colouredLines = coloured.split('\n');
      assert.doesNotMatch(colouredLines[0], ANSI, 'the header is not coloured');
      assert.ok(colouredLines[1].includes('\x1b[32mSynchronizing'), 'ok is green');
      assert.ok(colouredLines[2].includes('\x1b[33mSynchronizing'), 'a lagging direction is yellow');
      assert.ok(colouredLines[3].includes('\x1b[31mInitialization failed'), 'error is red');
      assert.ok(colouredLines[4].includes('\x1b[35mNot found in cn-shanghai'), 'not found takes the unknown health colour of the model');
      for (const line of colouredLines.slice(1)) {
        assert.ok(line.includes('\x1b[0m'), `every coloured cell is reset: ${JSON.stringify(line)}`);
      }
    });

    it('shows an unknown status as the API sent it', () => {
      assert.match(renderTable(snapshot([strange]), false).split('\n')[1], /\bHibernating\b/);
    });

    it('says so when a found job reported no directions', () => {
      const empty = jobWith('dtsempty0001', 'cn-hangzhou', []);
      assert.match(renderTable(snapshot([empty]), false).split('\n')[1], /No directions reported/);
    });

    it('prints nothing when there are no jobs', () => {
      assert.equal(renderTable(snapshot([], [timedOut]), false), '');
    });
  });

  describe('renderErrors', () => {
    it('prints one line per failed batch with its region, job IDs and message', () => {
      assert.deepEqual(renderErrors(snapshot([], [rejected, timedOut])), [
        'error: eu-central-1 (dtseu0000001, dtseu0000002): The AccessKey was rejected: InvalidAccessKeyId.NotFound Specified access key is not found. (RequestId REQ-EU-1)',
        'error: us-west-1 (dtsus0000001): No answer within 10 s',
      ]);
    });
  });
});
