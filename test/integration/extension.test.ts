/**
 * The extension in a real extension host, through its adapters (commands, settings reader, tree provider, status
 * bar). Every test sets up what it needs: a fresh emulator scenario, the settings, and the AccessKey or none.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { TestApi } from '../../src/extension';
import type { DetailsPanel } from '../../src/vscode/detailsPanel';
import type { JobsNode } from '../../src/vscode/treeView';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startEmulator, type Emulator } from '../emulator/server';
import { loadScenario, type Fault } from '../emulator/scenario';
import { activateExtension, configure, EXTENSION_ID, jobNode, JOBS, KEY, rows, SCENARIO, waitFor } from './support';

const COMMANDS = [
  'dtsSync.refresh',
  'dtsSync.setCredentials',
  'dtsSync.clearCredentials',
  'dtsSync.showAccounts',
  'dtsSync.addJob',
  'dtsSync.removeJob',
  'dtsSync.copyJobId',
  'dtsSync.openConsole',
  'dtsSync.showLog',
  'dtsSync.copyError',
  'dtsSync.showDetails',
  'dtsSync.copyCronLines',
];

const SETTINGS = ['endpoint', 'refreshIntervalSeconds', 'requestTimeoutSeconds', 'notifyOnFailure', 'jobs', 'lagWarningSeconds', 'expiryWarningDays'];

const REASON = 'Connect Source DB failed. cause by [java.sql.SQLException: Access denied for user dts_user] DTS-070211';

/** A failing direction with a reason, and a healthy subscription that expires in 2 days. */
const DETAILS_SCENARIO = {
  ...SCENARIO,
  jobs: [
    { id: 'dtsfail00000001', region: 'cn-hangzhou', directions: [{ direction: 'Forward' as const, status: 'Failed', lagSeconds: 7200, errorMessage: REASON }] },
    { id: 'dtsbill00000001', region: 'cn-hangzhou', name: 'billing-replica', payType: 'PrePaid', expireInDays: 2, directions: [{ direction: 'Forward' as const, status: 'Synchronizing', lagSeconds: 2 }] },
  ],
};

describe('DTS Sync Status in a real extension host', function () {
  this.timeout(60_000);
  let api: TestApi;
  let emulator: Emulator;

  /** The settings every test starts from: the emulator, manual refresh only, the five demo jobs. */
  async function baseSettings(jobs: unknown[] = JOBS): Promise<void> {
    await configure({ endpoint: emulator.url, refreshIntervalSeconds: 0, requestTimeoutSeconds: 1, notifyOnFailure: false, lagWarningSeconds: undefined, jobs });
    await waitFor('the settings to apply', () => api.store.state.jobs.length === jobs.length);
  }

  /** An AccessKey stored and every job answered. */
  async function withStatuses(): Promise<void> {
    await api.secrets.store(KEY);
    await waitFor('the stored key to be in use', () => api.store.state.credentialsSource === 'VS Code SecretStorage');
    await vscode.commands.executeCommand('dtsSync.refresh');
    await waitFor('every job to have a fresh status', () => api.store.state.jobs.every((j) => j.status !== undefined && !j.stale));
  }

  before(async () => {
    for (const name of ['ALIBABA_CLOUD_ACCESS_KEY_ID', 'ALIBABA_CLOUD_ACCESS_KEY_SECRET', 'ALICLOUD_ACCESS_KEY_ID']) {
      assert.ok(!process.env[name], `${name} must not be set for these tests`);
    }
    emulator = await startEmulator({ scenario: SCENARIO });
    const started = performance.now();
    api = await activateExtension();
    // Reported, not asserted: timings on these shared machines are noise for a test (npm run bench measures).
    console.log(`      activate() took ${(performance.now() - started).toFixed(1)} ms`);
  });

  beforeEach(async () => {
    emulator.setScenario(SCENARIO);
    await api.secrets.clear();
    await waitFor('no key in use', () => api.store.state.credentialsSource === undefined);
    await baseSettings();
    emulator.clearRequests();
  });

  after(async () => {
    await api?.secrets.clear();
    await configure(Object.fromEntries(SETTINGS.map((key) => [key, undefined])));
    await emulator?.close();
  });

  it('activates and registers every command', async () => {
    const registered = new Set(await vscode.commands.getCommands(true));
    for (const command of COMMANDS) {
      assert.ok(registered.has(command), `${command} is registered`);
    }
  });

  it('shows no rows (so the "Set AccessKey…" welcome) while no AccessKey is found, and sends nothing', async () => {
    assert.deepEqual(api.tree.getChildren(), []);
    assert.equal(api.statusBar.item.text, '$(key) DTS: no AccessKey');
    await configure({ jobs: ['dtsok0000000001'] });
    await waitFor('the settings to apply', () => api.store.state.jobs.length === 1);
    await vscode.commands.executeCommand('dtsSync.refresh');
    assert.equal(emulator.requests.length, 0, 'inactive: neither a settings change nor Refresh queries DTS');
    assert.equal(api.treeView.message, undefined, 'no refresh error behind the welcome view');
  });

  it('fills the tree from DTS once an AccessKey is stored in SecretStorage', async () => {
    await api.secrets.store(KEY);
    await waitFor('every job to have a status', () => api.store.state.jobs.every((j) => j.status !== undefined));
    assert.equal(api.store.state.credentialsSource, 'VS Code SecretStorage');
    const top = rows(api);
    assert.deepEqual(
      top.map((r) => r.label),
      ['orders', 'dtslag000000001', 'dtsfail00000001', 'dtstwoway000001', 'dtsmissing00001'],
    );
    const [ok, lagging, failed, twoWay, missing] = top;
    assert.match(ok.description, /^Synchronizing · \d+ s behind$/);
    assert.deepEqual([ok.icon, ok.color], ['pass', 'testing.iconPassed']);
    assert.match(lagging.description, /^Synchronizing · 15 min( \d+ s)? behind$/);
    assert.deepEqual([lagging.icon, lagging.color], ['warning', 'charts.yellow']);
    assert.match(failed.description, /^Failed · 2 h( \d+ min)? behind$/);
    assert.deepEqual([failed.icon, failed.color], ['error', 'testing.iconFailed']);
    assert.equal(twoWay.icon, 'pass');
    assert.equal(missing.description, 'Not found in cn-hangzhou');
    assert.equal(missing.icon, 'circle-slash');
    assert.ok(top.every((r) => r.contextValue === 'job'));
  });

  it('shows one child per direction with its status, lag and checkpoint time', async () => {
    await withStatuses();
    const directions = rows(api, jobNode(api, 'dtstwoway000001'));
    assert.deepEqual(directions.map((r) => r.label), ['Forward', 'Reverse']);
    for (const row of directions) {
      assert.match(row.description, /^Synchronizing · \d+ s behind · \d{2}:\d{2}:\d{2}$/);
      assert.equal(row.icon, 'pass');
    }
  });

  it('records each direction’s lag at every refresh for the details panel', async () => {
    await withStatuses();
    const twoWay = { id: 'dtstwoway000001', region: 'cn-hangzhou' };
    const history = api.controller.lagHistory;
    await waitFor('the first samples', () => history.samples(twoWay, 'Reverse').length > 0);
    const before = history.samples(twoWay, 'Forward').length;
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    await vscode.commands.executeCommand('dtsSync.refresh');
    await waitFor('a sample from the manual refresh', () => history.samples(twoWay, 'Forward').length === before + 1);
    assert.deepEqual(history.directions(twoWay), ['Forward', 'Reverse']);
    const last = history.samples(twoWay, 'Reverse').at(-1);
    assert.ok(last && last.lagSeconds !== null && last.lagSeconds >= 4 && last.lagSeconds < 60, JSON.stringify(last));
    assert.deepEqual(history.samples({ id: 'dtsmissing00001', region: 'cn-hangzhou' }, 'Forward'), [], 'a job DTS did not return has no samples');
    // Saved by the hour as files in the extension's global storage folder, not in globalState.
    await api.controller.saveLagHistory();
    const folder = api.lagHistoryFolder;
    assert.ok(folder, 'global storage is a local folder');
    const index = join(folder, 'dtsSync.lagHistory.index.json');
    await waitFor('the saved index', () => existsSync(index));
    const saved = JSON.parse(readFileSync(index, 'utf8')) as { version: number; segments: number[] };
    assert.equal(saved.version, 3);
    const hour = Math.floor((last?.at ?? 0) / 3_600_000);
    assert.ok(saved.segments.includes(hour), JSON.stringify(saved));
    const segment = JSON.parse(readFileSync(join(folder, `dtsSync.lagHistory.h${hour}.json`), 'utf8')) as { jobs: { id: string }[] };
    assert.ok(segment.jobs.some((j) => j.id === 'dtstwoway000001'));
  });

  it('makes the status bar say how many jobs failed, on the error background', async () => {
    await withStatuses();
    assert.equal(api.statusBar.item.text, '$(error) DTS: 1 failed');
    assert.equal((api.statusBar.item.backgroundColor as vscode.ThemeColor).id, 'statusBarItem.errorBackground');
    assert.match(String((api.statusBar.item.tooltip as vscode.MarkdownString).value), /dtsfail00000001/);
    assert.deepEqual(api.treeView.badge, { value: 1, tooltip: '1 DTS job failed' });
  });

  it('turns the status bar to a warning when no job failed but one lags', async () => {
    await baseSettings(['dtsok0000000001', 'dtslag000000001']);
    await withStatuses();
    assert.equal(api.statusBar.item.text, '$(warning) DTS: 1 needs attention');
    assert.equal((api.statusBar.item.backgroundColor as vscode.ThemeColor).id, 'statusBarItem.warningBackground');
    assert.equal(api.treeView.badge, undefined);
  });

  it('reads dtsSync.jobs and dtsSync.lagWarningSeconds from the settings without a reload', async () => {
    await withStatuses();
    await configure({ jobs: ['dtslag000000001', 'not a job'], lagWarningSeconds: 3600 });
    await waitFor('the new settings to apply', () => api.store.state.jobs.length === 1 && api.store.state.settingsProblems.length === 1);
    await vscode.commands.executeCommand('dtsSync.refresh');
    const [lagging] = rows(api);
    assert.equal(lagging.icon, 'pass', 'a 15 min lag is within a 1 h threshold');
    assert.match(api.treeView.message ?? '', /^Ignored settings: dtsSync\.jobs\[1\]: .*"not a job" contains whitespace/);
  });

  it('redraws only the rows a refresh changed', async () => {
    await withStatuses();
    const fired: (JobsNode | JobsNode[] | undefined)[] = [];
    const subscription = api.tree.onDidChangeTreeData((e) => fired.push(e));
    try {
      emulator.setScenario({
        ...SCENARIO,
        jobs: SCENARIO.jobs.map((j) => (j.id === 'dtsfail00000001' ? { ...j, directions: [{ direction: 'Forward', status: 'Synchronizing', lagSeconds: 7200 }] } : j)),
      });
      await vscode.commands.executeCommand('dtsSync.refresh');
      const redrawn = fired.flatMap((e) => (e === undefined ? ['everything'] : (Array.isArray(e) ? e : [e]).map((n) => (n.kind === 'job' ? n.job.id : n.kind))));
      assert.ok(redrawn.includes('dtsfail00000001'), redrawn.join(', '));
      assert.ok(!redrawn.includes('everything'), `the whole tree was redrawn: ${redrawn.join(', ')}`);
      assert.ok(!redrawn.includes('dtsmissing00001'), redrawn.join(', '));
    } finally {
      subscription.dispose();
    }
  });

  it('refreshes on a timer once an interval is set, without a reload', async function () {
    this.timeout(40_000);
    await withStatuses();
    await configure({ refreshIntervalSeconds: 10 });
    await waitFor('the settings refresh to finish', () => !api.controller.poller.isRunning && api.store.state.jobs.every((j) => !j.stale));
    assert.equal(api.controller.poller.nextDelayMs(), vscode.window.state.focused ? 10_000 : 50_000);
    const before = emulator.requests.length;
    const started = Date.now();
    await waitFor('an automatic refresh', () => emulator.requests.length > before, 25_000);
    assert.ok(Date.now() - started > 5_000, 'the automatic refresh waited for the interval');
  });

  const faults: [string, Fault][] = [
    ['throttling', { kind: 'throttle' }],
    ['a 503', { kind: 'server-error', status: 503 }],
    ['a hung connection', { kind: 'hang' }],
    ["a proxy's HTML page", { kind: 'html' }],
  ];
  for (const [name, fault] of faults) {
    it(`keeps the last statuses visible and marked stale after ${name}`, async () => {
      await withStatuses();
      emulator.setScenario({ ...SCENARIO, faults: [fault] });
      await vscode.commands.executeCommand('dtsSync.refresh');
      const [errorRow, ...jobs] = rows(api);
      assert.equal(errorRow.label, 'Refresh failed');
      assert.equal(errorRow.contextValue, 'refreshError');
      assert.match(api.treeView.message ?? '', /^Refresh failed: .*Showing the last known statuses\./);
      const ok = jobs.find((r) => r.label === 'orders');
      assert.match(ok?.description ?? '', /^Synchronizing · \d+ s behind · stale, /);
      assert.equal(api.statusBar.item.text, '$(error) DTS: 1 failed');
      emulator.setScenario(SCENARIO);
      await vscode.commands.executeCommand('dtsSync.refresh');
      assert.notEqual(rows(api)[0].label, 'Refresh failed');
      assert.equal(api.treeView.message, undefined);
    });
  }

  it('Copy Job ID puts the row’s ID on the clipboard', async () => {
    await withStatuses();
    await vscode.env.clipboard.writeText('');
    await vscode.commands.executeCommand('dtsSync.copyJobId', jobNode(api, 'dtslag000000001'));
    assert.equal(await vscode.env.clipboard.readText(), 'dtslag000000001');
  });

  it('shows a failed direction’s reason as a child row; Copy Error copies the whole message', async () => {
    emulator.setScenario(DETAILS_SCENARIO);
    await baseSettings(['dtsfail00000001']);
    await withStatuses();
    // Earlier tests' details of this job (without a reason) stay until this refresh's details replace them.
    await waitFor('the details with the reason to arrive', () => api.store.state.jobs[0].details?.get('Forward')?.errorMessage !== undefined);
    const [forward] = api.tree.getChildren(jobNode(api, 'dtsfail00000001'));
    const children = api.tree.getChildren(forward);
    assert.equal(children.length, 1);
    const [reason] = rows(api, forward);
    assert.equal(reason.label, 'DTS-070211: Connect Source DB failed.');
    assert.equal(reason.contextValue, 'directionError');
    assert.equal(reason.icon, 'error');
    await vscode.env.clipboard.writeText('');
    await vscode.commands.executeCommand('dtsSync.copyError', children[0]);
    assert.equal(await vscode.env.clipboard.readText(), REASON);
  });

  it('lists the demo’s failed precheck items below the direction’s reason, each with its error and repair method', async () => {
    const root = vscode.extensions.getExtension(EXTENSION_ID)?.extensionPath ?? '';
    const job = loadScenario(join(root, 'test/emulator/demo.json')).jobs.find((j) => j.name === 'crm-to-warehouse');
    assert.ok(job, 'the demo scenario has its precheck-failed job');
    emulator.setScenario({ ...SCENARIO, jobs: [job] });
    await baseSettings([job.id]);
    await withStatuses();
    await waitFor('the details to arrive', () => api.store.state.jobs[0].details?.has('Forward'));
    const [forward] = api.tree.getChildren(jobNode(api, job.id));
    assert.match(rows(api)[0].description, /^Precheck failed/);
    const children = rows(api, forward);
    assert.deepEqual(
      children.map((r) => [r.label, r.contextValue]),
      [
        ["Original error: Access denied for user 'dts_sync'@'100.104.175.%' (using password: YES)", 'directionError'],
        ['CHECK_AUTH_SRC', 'precheckItem'],
        ['CHECK_BINLOG_FORMAT', 'precheckItem'],
      ],
    );
    assert.equal(children[2].description, 'binlog_format is STATEMENT, expected ROW');
    assert.equal(children[2].icon, 'error');
    const tooltip = api.tree.getTreeItem(api.tree.getChildren(forward)[2]).tooltip as vscode.MarkdownString;
    assert.match(tooltip.value, /Repair: Set binlog\\_format=ROW on the source database/);
  });

  it('shows a subscription expiring within dtsSync.expiryWarningDays and counts it in the status bar', async () => {
    emulator.setScenario(DETAILS_SCENARIO);
    await baseSettings(['dtsbill00000001']);
    await withStatuses();
    await waitFor('the expiry to show', () => /expires in/.test(rows(api)[0]?.description ?? ''));
    const [row] = rows(api);
    assert.equal(row.label, 'billing-replica', 'a job without a configured name shows its DTS name');
    assert.match(row.description, /^Synchronizing · \d+ s behind · expires in 2 days$/);
    assert.equal(row.icon, 'warning');
    assert.equal(api.statusBar.item.text, '$(warning) DTS: 1 needs attention');
    assert.match(String((api.statusBar.item.tooltip as vscode.MarkdownString).value), /expires in/);
    await configure({ expiryWarningDays: 1 });
    await waitFor('the warning to go', () => !/expires in/.test(rows(api)[0]?.description ?? ''));
    assert.match(api.statusBar.item.text, /DTS: 1 OK/);
    await configure({ expiryWarningDays: undefined });
  });

  it('Remove Job takes the row’s job out of dtsSync.jobs and the tree', async () => {
    await withStatuses();
    await vscode.commands.executeCommand('dtsSync.removeJob', jobNode(api, 'dtsmissing00001'));
    await waitFor('the row to go', () => !rows(api).some((r) => r.label === 'dtsmissing00001'));
    const configured = vscode.workspace.getConfiguration('dtsSync').get<unknown[]>('jobs') ?? [];
    assert.equal(configured.length, 4);
    assert.ok(!configured.includes('dtsmissing00001'));
  });

  it('goes back to the welcome state after Clear AccessKey', async () => {
    await withStatuses();
    await vscode.commands.executeCommand('dtsSync.clearCredentials');
    await waitFor('the credentials to be gone', () => api.store.state.credentialsSource === undefined);
    await vscode.commands.executeCommand('dtsSync.refresh');
    assert.deepEqual(api.tree.getChildren(), []);
    assert.equal(api.statusBar.item.text, '$(key) DTS: no AccessKey');
  });

  it('opens the job’s details panel when its row is clicked (the row’s command)', async () => {
    await withStatuses();
    const node = jobNode(api, 'dtsok0000000001');
    assert.ok(node);
    const item = api.tree.getTreeItem(node);
    assert.ok(item.command, 'a job row has a click command');
    assert.equal(item.command.command, 'dtsSync.showDetails');
    const panel = await vscode.commands.executeCommand<DetailsPanel | undefined>(item.command.command, ...(item.command.arguments ?? []));
    try {
      assert.ok(panel, 'the click opened a panel');
      assert.equal(panel.panel.title, 'DTS: orders');
      assert.equal(panel.model?.directions[0].direction, 'Forward');
    } finally {
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    }
    const [forward] = api.tree.getChildren(jobNode(api, 'dtsok0000000001'));
    assert.equal(api.tree.getTreeItem(forward).command, undefined, 'a direction row keeps a click for selecting it');
  });

  it('groups the jobs by health with dtsSync.groupBy, failed first, and shows the counts in the view title', async () => {
    await withStatuses();
    assert.equal(api.treeView.title, 'Sync Jobs · 1 failed · 2 need attention · 5 jobs');
    try {
      await configure({ groupBy: 'health' });
      await waitFor('the health groups', () => api.tree.getChildren().some((n) => n.kind === 'group'));
      const groups = rows(api);
      assert.deepEqual(
        groups.map((r) => [r.label, r.description, r.icon]),
        [
          ['Failed', '1 job', 'error'],
          ['Needs attention', '1 job', 'warning'],
          ['Unknown status', '1 job', 'question'],
          ['Healthy', '2 jobs', 'pass'],
        ],
      );
      const [failed] = api.tree.getChildren();
      assert.deepEqual(
        rows(api, failed).map((r) => r.label),
        ['dtsfail00000001'],
      );
      // A refresh that changes statuses but moves no job keeps the group rows (VS Code keeps them expanded by id).
      const before = api.tree.getChildren();
      await vscode.commands.executeCommand('dtsSync.refresh');
      assert.ok(api.tree.getChildren().every((n, i) => n === before[i]));

      await configure({ groupBy: 'region' });
      await waitFor('the region group', () => rows(api)[0]?.label === 'China (Hangzhou)');
      assert.deepEqual(
        rows(api).map((r) => [r.label, r.description, r.icon]),
        [['China (Hangzhou)', 'cn-hangzhou · 1 failed · 2 need attention · 5 jobs', 'error']],
      );
      assert.equal(api.tree.getTreeItem(api.tree.getChildren()[0]).id, 'group:region:cn-hangzhou');
    } finally {
      await configure({ groupBy: undefined });
    }
    await waitFor('the flat tree again', () => rows(api)[0]?.label === 'orders');
  });
});
