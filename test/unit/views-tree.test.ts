import * as assert from 'node:assert/strict';
import { CredentialsNotFoundError, ThrottledError } from '../../src/core/api/errors';
import type { JobSpec } from '../../src/core/jobs';
import { buildJobStatus, type RawDirection } from '../../src/core/model';
import { StatusStore, toQueryError, type JobView, type QueryError, type StoreState } from '../../src/core/store';
import {
  directionDescription,
  directionItems,
  errorBadge,
  errorItem,
  escapeMarkdown,
  jobDescription,
  jobItem,
  jobTooltip,
  MAX_PRECHECK_ROWS,
  precheckItems,
  precheckRowCount,
  reasonItem,
  viewMessage,
  type PresentContext,
} from '../../src/core/views/tree';
import type { JobDetails, PrecheckItem } from '../../src/core/api/jobDetails';
import { configureLocale, readBundle } from '../../src/core/locale';
import { join } from 'node:path';
import { repoRoot } from './repo-root.fixture';
import { storeState } from './store-state.fixture';

const NOW = new Date('2024-05-01T14:03:13Z');
const CTX: PresentContext = { now: NOW, timeZone: 'UTC' };
const ago = (seconds: number): Date => new Date(NOW.getTime() - seconds * 1000);

const HANGZHOU: JobSpec = { id: 'dtsjob0001', region: 'cn-hangzhou' };
const NAMED: JobSpec = { id: 'dtsjob0002', region: 'cn-hangzhou', name: 'orders' };
const SHANGHAI: JobSpec = { id: 'dtsjob0003', region: 'cn-shanghai' };

const dir = (direction: string, status: string, checkpoint: Date | null): RawDirection => ({ direction, status, checkpoint });
const status = (spec: JobSpec, directions: RawDirection[] | undefined) => buildJobStatus(spec.id, spec.region, directions, NOW, 300);

function view(spec: JobSpec, directions: RawDirection[] | undefined, extra: Partial<JobView> = {}): JobView {
  return { spec, status: status(spec, directions), fetchedAt: NOW, error: undefined, stale: false, ...extra };
}

const state = storeState;

const throttled = (): QueryError =>
  toQueryError(new ThrottledError({ code: 'Throttling', apiMessage: 'Request was denied due to request throttling.', requestId: 'REQ-1' }));

describe('views/tree', () => {
  describe('job rows', () => {
    it('are labelled with the configured name, or the job ID when there is none', () => {
      assert.equal(jobItem(view(NAMED, [dir('Forward', 'Synchronizing', ago(8))]), CTX).label, 'orders');
      assert.equal(jobItem(view(HANGZHOU, [dir('Forward', 'Synchronizing', ago(8))]), CTX).label, 'dtsjob0001');
    });

    it('describe the worst direction with its status and lag', () => {
      const v = view(HANGZHOU, [dir('Forward', 'Synchronizing', ago(8)), dir('Reverse', 'Synchronizing', ago(15 * 60))]);
      assert.equal(jobDescription(v, CTX), 'Synchronizing · 15 min behind');
      assert.deepEqual(jobItem(v, CTX).icon, { id: 'warning', color: 'charts.yellow' });
    });

    it('describe a failed direction before a lagging one', () => {
      const v = view(HANGZHOU, [dir('Forward', 'Synchronizing', ago(15 * 60)), dir('Reverse', 'Failed', null)]);
      assert.equal(jobDescription(v, CTX), 'Failed');
      assert.deepEqual(jobItem(v, CTX).icon, { id: 'error', color: 'testing.iconFailed' });
    });

    it('show a paused job with the pause sign', () => {
      const v = view(HANGZHOU, [dir('Forward', 'Suspending', ago(60))]);
      assert.equal(jobDescription(v, CTX), 'Paused · 1 min behind');
      assert.equal(jobItem(v, CTX).icon.id, 'debug-pause');
    });

    it('are expandable while waiting for their first status, so they open once the directions arrive', () => {
      const waiting = { spec: HANGZHOU, status: undefined, fetchedAt: undefined, error: undefined, stale: false };
      assert.equal(jobItem(waiting, CTX).collapsible, true);
    });

    it('say "Not found in <region>" for a job the API did not return, and do not expand', () => {
      const v = view(SHANGHAI, undefined);
      assert.equal(jobDescription(v, CTX), 'Not found in cn-shanghai');
      const item = jobItem(v, CTX);
      assert.equal(item.collapsible, false);
      assert.deepEqual(item.icon, { id: 'circle-slash', color: 'charts.yellow' });
    });

    it('say "Waiting for the first refresh" with a spinning icon before any status', () => {
      const v: JobView = { spec: HANGZHOU, status: undefined, fetchedAt: undefined, error: undefined, stale: false };
      assert.equal(jobDescription(v, CTX), 'Waiting for the first refresh');
      assert.equal(jobItem(v, CTX).icon.id, 'sync~spin');
    });

    it('say "No status: <what went wrong>" in plain words when the batch failed before any status came', () => {
      const v: JobView = { spec: HANGZHOU, status: undefined, fetchedAt: undefined, error: throttled(), stale: false };
      assert.equal(jobDescription(v, CTX), 'No status: throttled');
      assert.equal(jobItem(v, CTX).icon.id, 'warning');
    });

    it('add "stale" and the age of a status that the latest refresh did not renew', () => {
      const v = view(HANGZHOU, [dir('Forward', 'Synchronizing', ago(308))], { fetchedAt: ago(300), stale: true });
      assert.equal(jobDescription(v, CTX), 'Synchronizing · 5 min 8 s behind · stale, 5 min old');
    });

    it('add no stale suffix to a fresh status', () => {
      const v = view(HANGZHOU, [dir('Forward', 'Synchronizing', ago(8))], { fetchedAt: ago(300), stale: false });
      assert.equal(jobDescription(v, CTX), 'Synchronizing · 8 s behind');
    });

    it('expand to their directions, Forward before Reverse, with the job context menu', () => {
      const v = view(HANGZHOU, [dir('Reverse', 'Synchronizing', ago(8)), dir('Forward', 'Synchronizing', ago(8))]);
      const item = jobItem(v, CTX);
      assert.equal(item.collapsible, true);
      assert.equal(item.contextValue, 'job');
      assert.deepEqual(
        directionItems(v, CTX).map((d) => [d.label, d.contextValue]),
        [
          ['Forward', 'direction'],
          ['Reverse', 'direction'],
        ],
      );
    });

    it('have ids that differ for the same job ID in two regions', () => {
      const a = jobItem(view({ id: 'dtsjob0001', region: 'cn-hangzhou' }, [dir('Forward', 'Synchronizing', ago(8))]), CTX);
      const b = jobItem(view({ id: 'dtsjob0001', region: 'cn-shanghai' }, [dir('Forward', 'Synchronizing', ago(8))]), CTX);
      assert.notEqual(a.id, b.id);
    });
  });

  describe('direction rows', () => {
    it('show an impossible checkpoint as none, with the raw value DTS sent in the tooltips', () => {
      const raw: RawDirection = { direction: 'Forward', status: 'Synchronizing', checkpoint: null, checkpointRaw: '99999999999999999999' };
      const v = view(HANGZHOU, [raw]);
      const item = directionItems(v, CTX)[0];
      assert.equal(item.description, 'Synchronizing');
      assert.match(item.tooltip, /Checkpoint: none \(DTS sent `99999999999999999999`, not a plausible time\)/);
      assert.match(jobTooltip(v, CTX), /\| none \(DTS sent `99999999999999999999`, not a plausible time\) \|/);
    });

    it('say so when the checkpoint is ahead of the server clock, with the lag as 0', () => {
      const v = view(HANGZHOU, [dir('Forward', 'Synchronizing', new Date(NOW.getTime() + 2 * 3600_000))]);
      const item = directionItems(v, CTX)[0];
      assert.match(item.description, /^Synchronizing · 0 s behind/);
      assert.match(item.tooltip, /Note: checkpoint is 2 h ahead of the server clock \(clock skew\?\); lag shown as 0/);
    });

    it('describe status, lag and the checkpoint time', () => {
      const v = view(HANGZHOU, [dir('Forward', 'Synchronizing', new Date('2024-05-01T14:03:05Z'))]);
      assert.equal(directionDescription(v.status!.directions[0], CTX), 'Synchronizing · 8 s behind · 14:03:05');
      assert.equal(directionItems(v, CTX)[0].description, 'Synchronizing · 8 s behind · 14:03:05');
    });

    it('show the date of a checkpoint from an earlier day', () => {
      const v = view(HANGZHOU, [dir('Forward', 'Synchronizing', new Date('2024-04-30T23:59:55Z'))]);
      assert.match(directionItems(v, CTX)[0].description, /· 2024-04-30 23:59:55$/);
    });

    it('show the local time in the given time zone', () => {
      const v = view(HANGZHOU, [dir('Forward', 'Synchronizing', new Date('2024-05-01T14:03:05Z'))]);
      assert.equal(directionItems(v, { now: NOW, timeZone: 'Asia/Shanghai' })[0].description, 'Synchronizing · 8 s behind · 22:03:05');
    });

    it('leave out lag and time when there is no checkpoint yet', () => {
      const v = view(HANGZHOU, [dir('Forward', 'Initializing', null)]);
      assert.equal(directionItems(v, CTX)[0].description, 'Initializing');
      assert.equal(directionItems(v, CTX)[0].icon.id, 'sync~spin');
    });

    it('show an unknown status exactly as the API sent it', () => {
      const v = view(HANGZHOU, [dir('Forward', 'Catching_Up', null)]);
      const [row] = directionItems(v, CTX);
      assert.equal(row.description, 'Catching_Up');
      assert.equal(row.icon.id, 'question');
    });

    it('put the raw status and its health words in the tooltip', () => {
      const v = view(HANGZHOU, [dir('Forward', 'Suspending', ago(8))]);
      const [row] = directionItems(v, CTX);
      assert.ok(row.tooltip.includes('Status: Suspending (Needs attention)'), row.tooltip);
      assert.ok(row.tooltip.includes('Lag: 8 s'), row.tooltip);
    });

    it('escapes Markdown in a raw status so an odd value cannot break the tooltip', () => {
      const [row] = directionItems(view(HANGZHOU, [dir('Forward', 'Odd`Status*', ago(8))]), CTX);
      assert.ok(row.tooltip.includes('Status: Odd\\`Status\\* (Unknown status)'), row.tooltip);
    });
  });

  describe('job tooltip', () => {
    const checkpoint = new Date('2024-05-01T14:03:05Z');
    const v = view(NAMED, [dir('Forward', 'Synchronizing', checkpoint), dir('Reverse', 'Weird_Status*', null)], { fetchedAt: ago(12) });
    const tooltip = jobTooltip(v, CTX, 'SecretStorage');

    it('names the job, its ID and its region', () => {
      assert.ok(tooltip.startsWith('**orders**'), tooltip);
      assert.ok(tooltip.includes('ID: `dtsjob0002`'), tooltip);
      assert.ok(tooltip.includes('Region: `cn-hangzhou`'), tooltip);
    });

    it('puts both checkpoint times on one line of the cell (hovers drop <br>)', () => {
      assert.ok(tooltip.includes('| 2024-05-01 14:03:05 UTC · 14:03:05 local |'), tooltip);
      assert.ok(!tooltip.includes('<br>'), tooltip);
    });

    it('shows a status in the user’s words with the API’s word beside it when they differ', () => {
      const paused = jobTooltip(view(HANGZHOU, [dir('Forward', 'Suspending', checkpoint)]), CTX);
      assert.ok(paused.includes('| Forward | Paused (`Suspending`) | Needs attention |'), paused);
    });

    it("lists each direction's raw status", () => {
      assert.ok(tooltip.includes('| Forward | Synchronizing | Healthy |'), tooltip);
    });

    it('shows an unknown status verbatim, Markdown-escaped', () => {
      assert.ok(tooltip.includes('| Reverse | Weird\\_Status\\* | Unknown status |'), tooltip);
    });

    it('gives the checkpoint in UTC and in local time, and the lag', () => {
      assert.ok(tooltip.includes('2024-05-01 14:03:05 UTC'), tooltip);
      assert.ok(tooltip.includes('14:03:05 local'), tooltip);
      assert.ok(tooltip.includes('| 8 s |'), tooltip);
      assert.ok(tooltip.includes('| none yet | – |'), tooltip);
    });

    it('says when the status was fetched and where the credentials came from', () => {
      assert.ok(tooltip.includes('Fetched 2024-05-01 14:03:01 UTC (12 s ago)'), tooltip);
      assert.ok(!tooltip.includes('stale'), tooltip);
      assert.ok(tooltip.includes('Credentials: SecretStorage'), tooltip);
    });

    it('marks a stale status and shows the error message of the failed refresh', () => {
      const error = throttled();
      const stale = jobTooltip({ ...v, stale: true, error }, CTX);
      assert.ok(stale.includes('— **stale**'), stale);
      assert.ok(stale.includes(`$(error) ${escapeMarkdown(error.message)}`), stale);
      assert.ok(stale.includes('Throttled by Alibaba Cloud: Throttling'), stale);
    });

    it('tells the user to check the ID and region of a job that was not found', () => {
      const text = jobTooltip(view(SHANGHAI, undefined), CTX);
      assert.ok(text.includes('**Not found in cn-shanghai.** Check the job ID and its region.'), text);
      assert.ok(!text.includes('| Direction |'), text);
    });
  });

  describe('when a refresh fails', () => {
    function failedBatchState(): StoreState {
      const store = new StatusStore();
      store.setJobs([HANGZHOU, NAMED]);
      store.setCredentialsSource('SecretStorage');
      store.applySnapshot({
        checkedAt: ago(120),
        jobs: [
          buildJobStatus(HANGZHOU.id, HANGZHOU.region, [dir('Forward', 'Synchronizing', ago(128))], ago(120), 300),
          buildJobStatus(NAMED.id, NAMED.region, [dir('Forward', 'Synchronizing', ago(130))], ago(120), 300),
        ],
        errors: [],
        notes: [],
      });
      store.applySnapshot({
        checkedAt: NOW,
        jobs: [],
        errors: [
          {
            region: 'cn-hangzhou',
            jobIds: [HANGZHOU.id, NAMED.id],
            error: new ThrottledError({ code: 'Throttling', apiMessage: 'Request was denied.', requestId: 'REQ-9' }),
          },
        ],
        notes: [],
      });
      return store.state;
    }

    it('shows an error row with the message, Retry/Show Log menus and the count of jobs concerned', () => {
      const item = errorItem(failedBatchState());
      assert.ok(item);
      assert.equal(item.label, 'Refresh failed');
      assert.equal(item.description, 'Throttled by Alibaba Cloud: Throttling Request was denied. (RequestId REQ-9)');
      assert.equal(item.contextValue, 'refreshError');
      assert.deepEqual(item.icon, { id: 'error', color: 'testing.iconFailed' });
      assert.ok(item.tooltip.includes('for 2 of 2 jobs'), item.tooltip);
      assert.ok(item.tooltip.includes('last known statuses are kept'), item.tooltip);
    });

    it('keeps every job row with its last status, marked stale with its age', () => {
      const s = failedBatchState();
      assert.deepEqual(
        s.jobs.map((j) => jobDescription(j, CTX)),
        ['Synchronizing · 8 s behind · stale, 2 min old', 'Synchronizing · 10 s behind · stale, 2 min old'],
      );
    });

    it('says in the view message that the last known statuses are shown', () => {
      assert.equal(
        viewMessage(failedBatchState()),
        'Refresh failed: Throttled by Alibaba Cloud: Throttling Request was denied. (RequestId REQ-9). Showing the last known statuses.',
      );
    });

    it('counts further distinct errors in the view message', () => {
      const s = state([
        view(HANGZHOU, [dir('Forward', 'Synchronizing', ago(8))], { stale: true, error: throttled() }),
        view(SHANGHAI, [dir('Forward', 'Synchronizing', ago(8))], { stale: true, error: toQueryError(new ThrottledError({ code: 'Throttling.User' })) }),
      ]);
      assert.match(viewMessage(s) ?? '', /^Refresh failed: Throttled by Alibaba Cloud: Throttling Request was denied due to request throttling\. \(RequestId REQ-1\) \(and 1 more\)\./);
      assert.equal(errorItem(s)?.tooltip.split('\n').filter((l) => l.startsWith('- ')).length, 2);
    });

    it('puts a failure of every job (no credentials) first', () => {
      const store = new StatusStore();
      store.setJobs([HANGZHOU]);
      store.failAll(toQueryError(new CredentialsNotFoundError('No AccessKey found')));
      assert.equal(errorItem(store.state)?.description, 'No AccessKey found');
      assert.match(viewMessage(store.state) ?? '', /^Refresh failed: No AccessKey found\./);
    });

    it('shows no error row and no message after a successful refresh', () => {
      const s = state([view(HANGZHOU, [dir('Forward', 'Synchronizing', ago(8))])]);
      assert.equal(errorItem(s), undefined);
      assert.equal(viewMessage(s), undefined);
    });
  });

  describe('view message for settings', () => {
    it('lists ignored settings', () => {
      const s = state([], { settingsProblems: ['dtsSync.jobs[1]: the job ID is empty', 'dtsSync.signatureVersion must be "v3" or "v2"; using v3'] });
      assert.equal(
        viewMessage(s),
        'Ignored settings: dtsSync.jobs[1]: the job ID is empty; dtsSync.signatureVersion must be "v3" or "v2"; using v3',
      );
    });

    it('shows a refresh failure and settings problems on separate lines', () => {
      const s = state([view(HANGZHOU, [dir('Forward', 'Synchronizing', ago(8))], { stale: true, error: throttled() })], {
        settingsProblems: ['dtsSync.jobs[0]: the job ID is empty'],
      });
      const lines = (viewMessage(s) ?? '').split('\n');
      assert.equal(lines.length, 2);
      assert.match(lines[0], /^Refresh failed: /);
      assert.equal(lines[1], 'Ignored settings: dtsSync.jobs[0]: the job ID is empty');
    });
  });

  describe('badge', () => {
    it('counts only jobs in error', () => {
      const s = state([
        view(HANGZHOU, [dir('Forward', 'Failed', null)]),
        view(NAMED, [dir('Forward', 'Suspending', ago(8))]),
        view(SHANGHAI, undefined),
        view({ id: 'dtsjob0004', region: 'cn-hangzhou' }, [dir('Forward', 'Synchronizing', ago(3600))]),
        { spec: { id: 'dtsjob0005', region: 'cn-hangzhou' }, status: undefined, fetchedAt: undefined, error: throttled(), stale: false },
      ]);
      assert.deepEqual(errorBadge(s), { value: 1, tooltip: '1 DTS job failed' });
    });

    it('says "jobs" for more than one', () => {
      const s = state([view(HANGZHOU, [dir('Forward', 'Failed', null)]), view(NAMED, [dir('Reverse', 'PrecheckFailed', null)])]);
      assert.deepEqual(errorBadge(s), { value: 2, tooltip: '2 DTS jobs failed' });
    });

    it('is absent when no job failed', () => {
      assert.equal(errorBadge(state([view(HANGZHOU, [dir('Forward', 'Synchronizing', ago(8))])])), undefined);
    });
  });

  describe('precheck rows', () => {
    const AUTH: PrecheckItem = {
      itemName: 'CHECK_AUTH_SRC',
      checkStatus: 'Failed',
      errorMessage: "Original error: Access denied for user 'dts_sync'@'100.104.175.%' (using password: YES)\nat com.alibaba.dts.Check",
      repairMethod: 'Check the password of the source database account.',
    };
    const BINLOG: PrecheckItem = { itemName: 'CHECK_BINLOG_FORMAT', checkStatus: 'failed', errorMessage: 'binlog_format is STATEMENT, expected ROW', repairMethod: 'Set binlog_format=ROW' };
    const PASSED: PrecheckItem = { itemName: 'CHECK_CONN_SRC', checkStatus: 'Success' };
    const withPrecheck = (items: PrecheckItem[], status = 'PrecheckFailed'): JobView => {
      const details: JobDetails = { checkpoint: null, precheck: { status: 'Failed', items } };
      return view(HANGZHOU, [dir('Forward', status, null)], { details: new Map([['Forward', details]]) });
    };
    afterEach(() => configureLocale('en'));

    it('list each failed item below the reason: its name, its error’s first line, the whole error and the repair in the tooltip', () => {
      const v = withPrecheck([PASSED, AUTH, BINLOG]);
      assert.equal(directionItems(v, CTX)[0].collapsible, true);
      assert.match(reasonItem(v, 'Forward')?.label ?? '', /^Original error: Access denied/, 'the reason row comes first');
      const rows = precheckItems(v, 'Forward');
      assert.deepEqual(
        rows.map((r) => [r.label, r.description, r.contextValue, r.icon.id]),
        [
          ['CHECK_AUTH_SRC', "Original error: Access denied for user 'dts_sync'@'100.104.175.%' (using password: YES)", 'precheckItem', 'error'],
          ['CHECK_BINLOG_FORMAT', 'binlog_format is STATEMENT, expected ROW', 'precheckItem', 'error'],
        ],
      );
      assert.match(rows[0].tooltip, /^\*\*Precheck failed: CHECK\\_AUTH\\_SRC\*\*/);
      assert.match(rows[0].tooltip, /```\nOriginal error: .*\nat com\.alibaba\.dts\.Check\n```/);
      assert.match(rows[0].tooltip, /Repair: Check the password of the source database account\\\./);
      assert.notEqual(rows[0].id, rows[1].id);
    });

    it('show nothing once the direction no longer fails, though its details still hold the old failed precheck', () => {
      const v = withPrecheck([AUTH, BINLOG], 'Synchronizing');
      assert.deepEqual(precheckItems(v, 'Forward'), []);
      assert.equal(directionItems(v, CTX)[0].collapsible, false);
    });

    it('show nothing when every item passed', () => {
      const v = withPrecheck([PASSED], 'Prechecking');
      assert.deepEqual(precheckItems(v, 'Forward'), []);
      assert.equal(directionItems(v, CTX)[0].collapsible, false);
    });

    it(`stop at ${MAX_PRECHECK_ROWS} rows and count the rest in one more row`, () => {
      const many = Array.from({ length: 23 }, (_, i): PrecheckItem => ({ itemName: `CHECK_${i}`, checkStatus: 'Failed' }));
      const rows = precheckItems(withPrecheck(many), 'Forward');
      assert.equal(rows.length, MAX_PRECHECK_ROWS + 1);
      assert.equal(rows[MAX_PRECHECK_ROWS - 1].label, 'CHECK_19');
      assert.equal(rows[MAX_PRECHECK_ROWS].label, '… 3 more failed checks');
      assert.equal(rows[MAX_PRECHECK_ROWS].contextValue, 'precheckMore');
      assert.equal(precheckItems(withPrecheck(many.slice(0, 21)), 'Forward')[MAX_PRECHECK_ROWS].label, '… 1 more failed check');
      assert.equal(precheckItems(withPrecheck(many.slice(0, 20)), 'Forward').length, 20);
    });

    it('are counted without being written, as many as precheckItems makes', () => {
      const many = Array.from({ length: 23 }, (_, i): PrecheckItem => ({ itemName: `CHECK_${i}`, checkStatus: 'Failed' }));
      for (const v of [withPrecheck(many), withPrecheck(many.slice(0, 21)), withPrecheck(many.slice(0, 20)), withPrecheck([PASSED, AUTH]), withPrecheck([AUTH], 'Synchronizing')]) {
        assert.equal(precheckRowCount(v, 'Forward'), precheckItems(v, 'Forward').length);
      }
      assert.deepEqual(
        [withPrecheck(many), withPrecheck([PASSED, AUTH]), withPrecheck([AUTH], 'Synchronizing')].map((v) => precheckRowCount(v, 'Forward')),
        [MAX_PRECHECK_ROWS + 1, 1, 0],
      );
    });

    it('name an unnamed item and strip control characters from what DTS sent', () => {
      const [row] = precheckItems(withPrecheck([{ itemName: '', checkStatus: 'Failed', errorMessage: 'bad\u001b[31m thing' }]), 'Forward');
      assert.equal(row.label, '(unnamed check)');
      assert.equal(row.description, 'bad [31m thing');
      assert.equal(row.tooltip.includes('\u001b'), false);
    });

    it('are worded in Simplified Chinese', () => {
      configureLocale('zh-cn', readBundle(join(repoRoot(), 'l10n'), 'zh-cn'));
      const many = Array.from({ length: 22 }, (_, i): PrecheckItem => ({ itemName: `CHECK_${i}`, checkStatus: 'Failed', repairMethod: 'x' }));
      const rows = precheckItems(withPrecheck(many), 'Forward');
      assert.match(rows[0].tooltip, /预检查失败/);
      assert.match(rows[0].tooltip, /修复方法：x/);
      assert.equal(rows[MAX_PRECHECK_ROWS].label, '… 另有 2 项检查失败');
    });
  });

  describe('initialization progress', () => {
    it('shows "Full data 42 %" on the direction row and on the job row', () => {
      const details: JobDetails = { checkpoint: null, dataInitialization: { status: 'Migrating', percent: 42 } };
      const v = view(HANGZHOU, [dir('Forward', 'Initializing', null)], { details: new Map([['Forward', details]]) });
      assert.equal(directionItems(v, CTX)[0].description, 'Initializing · Full data 42 %');
      assert.equal(jobDescription(v, CTX), 'Initializing · Full data 42 %');
    });
  });
});
