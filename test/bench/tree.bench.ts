/**
 * The extension host's share of a refresh (`npm run bench:tree`): 500 jobs x 2 directions through the real tree
 * provider (src/vscode/treeView.ts) and status bar (src/vscode/statusBar.ts), with `vscode` resolved to a small fake
 * (test/bench/fake-vscode.ts). A refresh is what the refresher does to the store (refreshing on, one snapshot applied,
 * refreshing off); after it, what VS Code would do is done: for every change event of the tree, `getTreeItem` and
 * `getChildren` for the rows it names (every row for a full redraw), down through the expanded jobs.
 *
 *   npm run bench:tree -- --jobs 500 --refreshes 20
 *
 * Prints the first refresh (every row new, cold code) and the median of the next ones (every checkpoint moved, so every
 * row changed), with the change events each fired. Not part of `npm test`.
 */
import Module from 'node:module';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

// `vscode` exists only inside VS Code: for this process it is the fake.
const fakePath = join(__dirname, 'fake-vscode.js');
const moduleInternals = Module as unknown as { _resolveFilename(request: string, ...rest: unknown[]): string };
const resolveFilename = moduleInternals._resolveFilename.bind(Module);
moduleInternals._resolveFilename = (request: string, ...rest: unknown[]): string => (request === 'vscode' ? fakePath : resolveFilename(request, ...rest));

/* eslint-disable @typescript-eslint/no-require-imports -- loaded after the resolver above is in place */
const fake = require('./fake-vscode') as typeof import('./fake-vscode');
const { JobsTreeProvider } = require('../../src/vscode/treeView') as typeof import('../../src/vscode/treeView');
const { StatusBar } = require('../../src/vscode/statusBar') as typeof import('../../src/vscode/statusBar');
const { StatusStore } = require('../../src/core/store') as typeof import('../../src/core/store');
const { buildJobStatus } = require('../../src/core/model') as typeof import('../../src/core/model');
/* eslint-enable @typescript-eslint/no-require-imports */
import type { JobsNode } from '../../src/vscode/treeView';
import type { Snapshot } from '../../src/core/query';

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function main(): void {
  const { values } = parseArgs({ args: process.argv.slice(2), strict: true, options: { jobs: { type: 'string' }, refreshes: { type: 'string' } } });
  const jobCount = Number(values.jobs ?? 500);
  const refreshes = Number(values.refreshes ?? 20);
  const region = 'cn-hangzhou';
  let clock = Date.UTC(2026, 10, 30, 12, 0, 0);
  const now = (): Date => new Date(clock);
  const store = new StatusStore(now);
  const specs = Array.from({ length: jobCount }, (_, i) => ({ id: `dtsbench${String(i).padStart(5, '0')}x7`, region }));
  store.setJobs(specs);
  store.setCredentialsSource('bench');
  const tree = new JobsTreeProvider(store, now);
  const statusBar = new StatusBar(store, now);
  const item = fake.statusBarItems[0];

  // What VS Code does with each change event: ask for the items it names, and for the children of expanded rows.
  let itemsBuilt = 0;
  const render = (node: JobsNode | undefined): void => {
    const children = node === undefined ? tree.getChildren() : (tree.getTreeItem(node), itemsBuilt++, tree.getChildren(node));
    for (const child of children) {
      render(child);
    }
  };
  const pending: (JobsNode | JobsNode[] | undefined)[] = [];
  tree.onDidChangeTreeData((e) => pending.push(e));

  const snapshot = (round: number): Snapshot => {
    const checkedAt = now();
    return {
      checkedAt,
      errors: [],
      notes: [],
      jobs: specs.map((spec, i) =>
        buildJobStatus(
          spec.id,
          region,
          [
            { direction: 'Forward', status: i % 50 === 0 ? 'Failed' : 'Synchronizing', checkpoint: new Date(clock - ((i + round) % 400) * 1000) },
            { direction: 'Reverse', status: 'Synchronizing', checkpoint: new Date(clock - ((i * 7 + round) % 900) * 1000) },
          ],
          checkedAt,
          300,
        ),
      ),
    };
  };

  const refresh = (round: number): { ms: number; treeEvents: number; statusBarUpdates: number; items: number } => {
    const events = pending.length;
    const updates = item.updates;
    itemsBuilt = 0;
    const started = performance.now();
    store.setRefreshing(true, now());
    clock += 60_000;
    store.batch(() => store.applySnapshot(snapshot(round)));
    store.setRefreshing(false);
    const fired = pending.splice(events);
    for (const e of fired) {
      if (e === undefined) {
        render(undefined);
      } else {
        for (const node of Array.isArray(e) ? e : [e]) {
          render(node);
        }
      }
    }
    return { ms: performance.now() - started, treeEvents: fired.length, statusBarUpdates: item.updates - updates, items: itemsBuilt };
  };

  const first = refresh(0);
  const rest = Array.from({ length: refreshes }, (_, r) => refresh(r + 1));
  const steady = median(rest.map((r) => r.ms));
  const last = rest[rest.length - 1];
  process.stdout.write(
    `${jobCount} jobs x 2 directions through the tree provider and the status bar (vscode faked), node ${process.version}\n` +
      `first refresh (every row new): ${first.ms.toFixed(1)} ms, ${first.treeEvents} tree change event(s), ${first.statusBarUpdates} status bar update(s), ${first.items} tree items built\n` +
      `a refresh that changes every row, median of ${refreshes}: ${steady.toFixed(1)} ms (min ${Math.min(...rest.map((r) => r.ms)).toFixed(1)}, max ${Math.max(...rest.map((r) => r.ms)).toFixed(1)}), ` +
      `${last.treeEvents} tree change event(s), ${last.statusBarUpdates} status bar update(s), ${last.items} tree items built\n` +
      `status bar: ${item.text}\n` +
      `goal (issue 12): <= 15 ms and one change event per refresh\n`,
  );
  tree.dispose();
  statusBar.dispose();
}

main();
