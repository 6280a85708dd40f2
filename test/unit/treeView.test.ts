import * as assert from 'node:assert/strict';
import Module from 'node:module';
import { join } from 'node:path';
import type * as FakeVscode from '../bench/fake-vscode';
import type * as TreeViewModule from '../../src/vscode/treeView';
import type * as StatusBarModule from '../../src/vscode/statusBar';
import { jobKey, type JobSpec } from '../../src/core/jobs';
import { buildJobStatus } from '../../src/core/model';
import type { Snapshot } from '../../src/core/query';
import type { GroupBy } from '../../src/core/settings';
import { StatusStore } from '../../src/core/store';

// The adapters import `vscode`, which exists only inside VS Code: here it is the bench's fake (test/bench/fake-vscode.ts).
const moduleInternals = Module as unknown as { _resolveFilename(request: string, ...rest: unknown[]): string };
const resolveFilename = moduleInternals._resolveFilename;
let fake: typeof FakeVscode;
let JobsTreeProvider: typeof TreeViewModule.JobsTreeProvider;
let StatusBar: typeof StatusBarModule.StatusBar;
type JobsNode = TreeViewModule.JobsNode;
type Fired = JobsNode | JobsNode[] | undefined;

const NOW = Date.UTC(2026, 10, 30, 12, 0, 0);

function fleet(count: number, region = 'cn-hangzhou', account?: string): JobSpec[] {
  return Array.from({ length: count }, (_, i) => ({ id: `dtsjob${String(i).padStart(5, '0')}${region.slice(3, 5)}`, region, ...(account ? { account } : {}) }));
}

/** A refresh as the refresher applies it: every job answered, `failing` failed, each checkpoint `lag` seconds old. */
function snapshot(specs: readonly JobSpec[], at: number, failing: ReadonlySet<string> = new Set(), lag = 5): Snapshot {
  const checkedAt = new Date(at);
  return {
    checkedAt,
    errors: [],
    notes: [],
    jobs: specs.map((s) =>
      buildJobStatus(
        s.id,
        s.region,
        [
          { direction: 'Forward', status: failing.has(s.id) ? 'Failed' : 'Synchronizing', checkpoint: new Date(at - lag * 1000) },
          { direction: 'Reverse', status: 'Synchronizing', checkpoint: new Date(at - lag * 1000) },
        ],
        checkedAt,
        300,
      ),
    ),
  };
}

interface Harness {
  store: StatusStore;
  tree: TreeViewModule.JobsTreeProvider;
  fired: Fired[];
  clock: { now: number };
  refresh(failing?: ReadonlySet<string>, lag?: number): Fired[];
}

function harness(specs: readonly JobSpec[], options: { groupBy?: GroupBy; discovered?: ReadonlySet<string>; accounts?: string[] } = {}): Harness {
  const clock = { now: NOW };
  const now = (): Date => new Date(clock.now);
  const store = new StatusStore(now);
  store.setJobs(specs);
  if (options.accounts) {
    store.setAccounts(options.accounts.map((name) => ({ name, source: `source of ${name}`, maskedKeyId: 'LTAI****0001', failure: undefined })));
  } else {
    store.setCredentialsSource('test');
  }
  const groupBy = { value: options.groupBy ?? 'none' };
  const tree = new JobsTreeProvider(store, now, { groupBy: () => groupBy.value, discovered: () => options.discovered ?? new Set() });
  const fired: Fired[] = [];
  tree.onDidChangeTreeData((e) => fired.push(e));
  const refresh = (failing?: ReadonlySet<string>, lag?: number): Fired[] => {
    const from = fired.length;
    clock.now += 60_000;
    store.setRefreshing(true, now());
    store.batch(() => store.applySnapshot(snapshot(specs, clock.now, failing, lag)));
    store.setRefreshing(false);
    return fired.slice(from);
  };
  return { store, tree, fired, clock, refresh };
}

const label = (item: { label?: unknown }): string => String(item.label);

describe('vscode/treeView (vscode faked)', () => {
  before(() => {
    const fakePath = join(__dirname, '..', 'bench', 'fake-vscode.js');
    moduleInternals._resolveFilename = (request: string, ...rest: unknown[]): string =>
      request === 'vscode' ? fakePath : resolveFilename.call(Module, request, ...rest);
    /* eslint-disable @typescript-eslint/no-require-imports -- loaded once the resolver above is in place */
    fake = require('../bench/fake-vscode') as typeof FakeVscode;
    JobsTreeProvider = (require('../../src/vscode/treeView') as typeof TreeViewModule).JobsTreeProvider;
    StatusBar = (require('../../src/vscode/statusBar') as typeof StatusBarModule).StatusBar;
    /* eslint-enable @typescript-eslint/no-require-imports */
  });

  after(() => {
    moduleInternals._resolveFilename = resolveFilename;
  });

  it('fires one change event per refresh, naming the job rows that changed', () => {
    const specs = fleet(50);
    const h = harness(specs);
    h.refresh();
    const events = h.refresh();
    assert.equal(events.length, 1);
    const named = events[0];
    assert.ok(Array.isArray(named), 'the rows, not the whole tree');
    assert.deepEqual(
      named.map((n) => (n.kind === 'job' ? n.job.id : n.kind)),
      specs.map((s) => s.id),
    );
    // VS Code finds the rows by the identity of the elements it got from getChildren.
    const shown = h.tree.getChildren();
    assert.ok(named.every((n) => shown.includes(n)));
  });

  it('fires nothing for a refresh that changed nothing a row shows', () => {
    const specs = fleet(3);
    const h = harness(specs);
    h.refresh();
    const from = h.fired.length;
    h.store.batch(() => h.store.applySnapshot(snapshot(specs, h.clock.now)));
    assert.equal(h.fired.length, from);
  });

  it('redraws the whole tree once when a refresh moves a job into another health group', () => {
    const specs = fleet(4);
    const h = harness(specs, { groupBy: 'health' });
    h.refresh();
    assert.deepEqual(h.tree.getChildren().map((n) => label(h.tree.getTreeItem(n))), ['Healthy']);
    const events = h.refresh(new Set([specs[2].id]));
    assert.deepEqual(events, [undefined]);
    const groups = h.tree.getChildren();
    assert.deepEqual(
      groups.map((n) => [label(h.tree.getTreeItem(n)), h.tree.getTreeItem(n).description]),
      [
        ['Failed', '1 job'],
        ['Healthy', '3 jobs'],
      ],
    );
    assert.deepEqual(
      h.tree.getChildren(groups[0]).map((n) => (n.kind === 'job' ? n.job.id : n.kind)),
      [specs[2].id],
    );
  });

  it('keeps the group rows (same ids, same elements) across refreshes, so VS Code keeps them expanded', () => {
    const specs = [...fleet(2, 'cn-hangzhou'), ...fleet(2, 'cn-shanghai')];
    const h = harness(specs, { groupBy: 'region' });
    h.refresh();
    const before = h.tree.getChildren();
    h.refresh(undefined, 20);
    const after = h.tree.getChildren();
    assert.deepEqual(before, after);
    assert.ok(before.every((n, i) => n === after[i]));
    assert.deepEqual(
      after.map((n) => h.tree.getTreeItem(n).id),
      ['group:region:cn-hangzhou', 'group:region:cn-shanghai'],
    );
    assert.equal(h.tree.getTreeItem(after[0]).collapsibleState, fake.TreeItemCollapsibleState.Expanded);
    const job = h.tree.getChildren(after[1])[0];
    assert.equal(h.tree.getParent(job), after[1]);
  });

  it('redraws a region group row with its jobs when a job in it fails, and no other row', () => {
    const specs = [...fleet(2, 'cn-hangzhou'), ...fleet(2, 'cn-shanghai')];
    const h = harness(specs, { groupBy: 'region' });
    h.refresh();
    // Checkpoints that do not move: only the failing job changes.
    const fixed = (failing: ReadonlySet<string>): Fired[] => {
      const from = h.fired.length;
      h.store.batch(() => h.store.applySnapshot(snapshot(specs, h.clock.now, failing, 5)));
      return h.fired.slice(from);
    };
    fixed(new Set());
    const events = fixed(new Set([specs[3].id]));
    assert.equal(events.length, 1);
    const named = events[0];
    assert.ok(Array.isArray(named));
    assert.deepEqual(
      named.map((n) => (n.kind === 'job' ? n.job.id : n.kind === 'group' ? n.group : n.kind)),
      ['region:cn-shanghai', specs[3].id],
    );
    assert.equal(h.tree.getTreeItem(named[0]).description, 'cn-shanghai · 1 failed · 2 jobs');
  });

  it('with several accounts and a groupBy, puts the groups on top and names the account in each job row', () => {
    const specs = [...fleet(1, 'cn-hangzhou', 'prod'), ...fleet(1, 'cn-shanghai', 'staging')];
    const h = harness(specs, { groupBy: 'region', accounts: ['prod', 'staging'] });
    h.refresh();
    const groups = h.tree.getChildren();
    assert.deepEqual(
      groups.map((n) => n.kind),
      ['group', 'group'],
    );
    const node = h.tree.getChildren(groups[1])[0];
    const job = h.tree.getTreeItem(node);
    assert.equal(job.description, 'staging · Synchronizing · 5 s behind');
    assert.match(String((h.tree.resolveTreeItem(job, node).tooltip as FakeVscode.MarkdownString).value), /Credentials: source of staging/);
  });

  it('without a groupBy keeps one row per account when several are in use', () => {
    const specs = [...fleet(1, 'cn-hangzhou', 'prod'), ...fleet(1, 'cn-shanghai', 'staging')];
    const h = harness(specs, { accounts: ['prod', 'staging'] });
    h.refresh();
    assert.deepEqual(
      h.tree.getChildren().map((n) => label(h.tree.getTreeItem(n))),
      ['prod', 'staging'],
    );
    const job = h.tree.getTreeItem(h.tree.getChildren(h.tree.getChildren()[0])[0]);
    assert.equal(job.description, 'Synchronizing · 5 s behind');
  });

  it('opens the details panel when a job row is clicked, and nothing on the rows below it', () => {
    const specs = fleet(1);
    const h = harness(specs);
    h.refresh();
    const [job] = h.tree.getChildren();
    assert.deepEqual(h.tree.getTreeItem(job).command, { command: 'dtsSync.showDetails', title: 'Show Job Details', arguments: [jobKey(specs[0])] });
    for (const direction of h.tree.getChildren(job)) {
      assert.equal(h.tree.getTreeItem(direction).command, undefined);
    }
  });

  it('writes a job row\'s and a direction row\'s tooltip when VS Code resolves it (on hover), not at every refresh', () => {
    const h = harness(fleet(1));
    h.refresh();
    const [job] = h.tree.getChildren();
    const jobItem = h.tree.getTreeItem(job);
    assert.equal(jobItem.tooltip, undefined);
    assert.match(String((h.tree.resolveTreeItem(jobItem, job).tooltip as FakeVscode.MarkdownString).value), /dtsjob00000ha/);
    const [forward] = h.tree.getChildren(job);
    const item = h.tree.getTreeItem(forward);
    assert.equal(item.tooltip, undefined);
    const resolved = h.tree.resolveTreeItem(item, forward);
    assert.match(String((resolved.tooltip as FakeVscode.MarkdownString).value), /^\*\*dtsjob00000ha\*\* · Forward/);
  });

  it('writes the ages in a tooltip as of the hover, however long after the last change of the row', () => {
    const h = harness(fleet(1));
    h.refresh();
    const [job] = h.tree.getChildren();
    const [forward] = h.tree.getChildren(job);
    const tooltip = (node: JobsNode): string => String((h.tree.resolveTreeItem(h.tree.getTreeItem(node), node).tooltip as FakeVscode.MarkdownString).value);
    assert.match(tooltip(job), /\(just now\)/);
    assert.match(tooltip(forward), /Fetched just now/);
    // No store change for two minutes: VS Code asks for the same rows again (a parent redrawn, a row expanded) and hovers.
    h.clock.now += 120_000;
    assert.equal(h.tree.getTreeItem(job).tooltip, undefined, 'sent without its old tooltip, so VS Code resolves it again');
    assert.match(tooltip(job), /\(2 min ago\)/);
    assert.match(tooltip(forward), /Fetched 2 min ago/);
  });

  it('lists a failed direction\'s reason and failed checks below it, and nothing below a healthy one', () => {
    const specs = fleet(1);
    const h = harness(specs);
    h.refresh(new Set([specs[0].id]));
    const failed = { itemName: 'CHECK_AUTH_SRC', checkStatus: 'Failed', errorMessage: 'Access denied' };
    const precheck = { status: 'Failed', items: [failed, { itemName: 'CHECK_CONN_SRC', checkStatus: 'Success' }, { ...failed, itemName: 'CHECK_BINLOG' }] };
    h.store.applyDetails([{ job: specs[0], direction: 'Forward', details: { checkpoint: null, precheck } }]);
    const [job] = h.tree.getChildren();
    const [forward, reverse] = h.tree.getChildren(job);
    assert.equal(h.tree.getTreeItem(forward).collapsibleState, fake.TreeItemCollapsibleState.Expanded);
    assert.deepEqual(
      h.tree.getChildren(forward).map((n) => [h.tree.getTreeItem(n).contextValue, label(h.tree.getTreeItem(n))]),
      [
        ['directionError', 'Access denied'],
        ['precheckItem', 'CHECK_AUTH_SRC'],
        ['precheckItem', 'CHECK_BINLOG'],
      ],
    );
    assert.equal(h.tree.getTreeItem(reverse).collapsibleState, fake.TreeItemCollapsibleState.None);
    assert.deepEqual(h.tree.getChildren(reverse), []);
  });

  it('says in the tooltip of a job a watched region added where it comes from', () => {
    const specs = fleet(2, 'cn-shanghai');
    const h = harness(specs, { discovered: new Set([jobKey(specs[1])]) });
    h.refresh();
    const [configured, watched] = h.tree.getChildren().map((n) => String((h.tree.resolveTreeItem(h.tree.getTreeItem(n), n).tooltip as FakeVscode.MarkdownString).value));
    assert.doesNotMatch(configured, /Watched through/);
    assert.match(watched, /Watched through dtsSync\.watchRegions \(`cn-shanghai`\)/);
  });

  it('builds a row again only when its job changed', () => {
    const specs = fleet(2);
    const h = harness(specs);
    h.refresh();
    const [a, b] = h.tree.getChildren();
    const itemA = h.tree.getTreeItem(a);
    const itemB = h.tree.getTreeItem(b);
    h.store.batch(() => h.store.applySnapshot(snapshot(specs, h.clock.now, new Set([specs[1].id]))));
    assert.equal(h.tree.getTreeItem(a), itemA);
    assert.notEqual(h.tree.getTreeItem(b), itemB);
    assert.match(String(h.tree.getTreeItem(b).description), /^Failed/);
  });

  it('keeps the direction elements of a job that reports the same directions, with their rows rebuilt when it changed', () => {
    const specs = fleet(1);
    const h = harness(specs);
    h.refresh();
    const [job] = h.tree.getChildren();
    const [forward] = h.tree.getChildren(job);
    const before = h.tree.getTreeItem(forward);
    h.refresh(new Set([specs[0].id]));
    const [after] = h.tree.getChildren(job);
    assert.equal(after, forward);
    assert.notEqual(h.tree.getTreeItem(after), before);
    assert.match(String(h.tree.getTreeItem(after).description), /^Failed/);
    assert.equal(h.tree.getParent(after), job);
  });

  it('sets the view title to the counts and the badge to the failed jobs', () => {
    const specs = fleet(3);
    const h = harness(specs);
    const view = { message: undefined as string | undefined, badge: undefined as { value: number; tooltip: string } | undefined, title: 'Sync Jobs' as string | undefined };
    const binding = h.tree.bindView(view as unknown as Parameters<TreeViewModule.JobsTreeProvider['bindView']>[0]);
    h.refresh(new Set([specs[0].id]));
    assert.equal(view.title, 'Sync Jobs · 1 failed · 3 jobs');
    assert.deepEqual(view.badge, { value: 1, tooltip: '1 DTS job failed' });
    h.refresh();
    assert.equal(view.title, 'Sync Jobs · 3 jobs');
    assert.equal(view.badge, undefined);
    binding.dispose();
  });

  it('updates the status bar once per store change and once per start and end of a refresh, with the spinner while it runs', () => {
    const h = harness(fleet(2));
    const bar = new StatusBar(h.store, () => new Date(h.clock.now));
    const item = fake.statusBarItems[fake.statusBarItems.length - 1];
    const texts: string[] = [];
    const show = item.show.bind(item);
    item.show = () => {
      texts.push(item.text);
      show();
    };
    h.refresh();
    assert.deepEqual(texts, ['$(sync~spin) DTS: 2', '$(sync~spin) DTS: 2 OK', '$(check) DTS: 2 OK']);
    bar.dispose();
  });
});
