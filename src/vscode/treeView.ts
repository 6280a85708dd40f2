import * as vscode from 'vscode';
import { accountOf } from '../core/accounts';
import { jobKey, type JobSpec } from '../core/jobs';
import type { JobView, StatusStore, StoreChange } from '../core/store';
import { accountGroups, accountItem } from '../core/views/accounts';
import type { IconSpec } from '../core/views/health';
import { directionItems, directionReason, errorBadge, errorItem, jobItem, precheckItems, reasonItem, viewMessage, type ItemModel } from '../core/views/tree';

/** A row of the tree: the error row, an account (with several in use), a job, or one of its directions. */
export type JobsNode =
  | { readonly kind: 'error' }
  | { readonly kind: 'account'; readonly account: string }
  | { readonly kind: 'job'; readonly job: JobSpec }
  | { readonly kind: 'direction'; readonly job: JobSpec; readonly direction: string }
  | { readonly kind: 'reason'; readonly job: JobSpec; readonly direction: string }
  /** A failed precheck item by its place among the failed ones (MAX_PRECHECK_ROWS is the "… N more" row). */
  | { readonly kind: 'precheck'; readonly job: JobSpec; readonly direction: string; readonly index: number };

export function toThemeIcon(icon: IconSpec): vscode.ThemeIcon {
  return new vscode.ThemeIcon(icon.id, icon.color ? new vscode.ThemeColor(icon.color) : undefined);
}

export function toTreeItem(model: ItemModel, command?: vscode.Command): vscode.TreeItem {
  const item = new vscode.TreeItem(
    model.label,
    model.collapsible ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.None,
  );
  item.id = model.id;
  item.description = model.description;
  item.tooltip = new vscode.MarkdownString(model.tooltip, true);
  item.iconPath = toThemeIcon(model.icon);
  item.contextValue = model.contextValue;
  item.command = command;
  return item;
}

/**
 * Reads the store; never calls the network and never prompts. The welcome views cover the empty states. Job rows are
 * found by key, not by search, and a refresh that changed some rows redraws only those.
 */
export class JobsTreeProvider implements vscode.TreeDataProvider<JobsNode>, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<JobsNode | JobsNode[] | undefined>();
  readonly onDidChangeTreeData = this.emitter.event;
  private readonly subscription: { dispose(): void };
  /** One node object per job: VS Code finds the rows to redraw by the identity of the element it was given. */
  private nodes = new Map<string, JobsNode & { kind: 'job' }>();
  private accountNodes = new Map<string, JobsNode & { kind: 'account' }>();
  private views = new Map<string, JobView>();

  constructor(
    private readonly store: StatusStore,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.index();
    this.subscription = store.onDidChange((_state, change) => this.changed(change));
  }

  private index(): void {
    const nodes = new Map<string, JobsNode & { kind: 'job' }>();
    this.views = new Map();
    for (const view of this.store.state.jobs) {
      const key = jobKey(view.spec);
      const existing = this.nodes.get(key);
      // A renamed job keeps its row (same key), but the node must carry the new spec.
      nodes.set(key, existing && existing.job === view.spec ? existing : { kind: 'job', job: view.spec });
      this.views.set(key, view);
    }
    this.nodes = nodes;
    const accountNodes = new Map<string, JobsNode & { kind: 'account' }>();
    for (const group of accountGroups(this.store.state) ?? []) {
      accountNodes.set(group.name, this.accountNodes.get(group.name) ?? { kind: 'account', account: group.name });
    }
    this.accountNodes = accountNodes;
  }

  private changed(change: StoreChange): void {
    this.index();
    if (change.all) {
      this.emitter.fire(undefined);
      return;
    }
    const jobs = [...change.jobs].flatMap((key) => this.nodes.get(key) ?? []);
    // A job's change can change its account row's count of problems and icon.
    const accounts = new Set(jobs.flatMap((n) => this.accountNodes.get(accountOf(n.job)) ?? []));
    const rows: JobsNode[] = [...accounts, ...jobs];
    if (rows.length > 0) {
      this.emitter.fire(rows);
    }
  }

  getChildren(node?: JobsNode): JobsNode[] {
    const state = this.store.state;
    if (!node) {
      // No credentials: no rows, so the "Set AccessKey…" welcome view shows.
      if (!state.credentialsSource) {
        return [];
      }
      const rows: JobsNode[] = this.accountNodes.size > 0 ? [...this.accountNodes.values()] : [...this.nodes.values()];
      return errorItem(state) ? [{ kind: 'error' }, ...rows] : rows;
    }
    if (node.kind === 'account') {
      return [...this.nodes.values()].filter((n) => accountOf(n.job) === node.account);
    }
    if (node.kind === 'job') {
      return (this.views.get(jobKey(node.job))?.status?.directions ?? []).map((d) => ({ kind: 'direction', job: node.job, direction: d.direction }));
    }
    if (node.kind === 'direction') {
      const view = this.views.get(jobKey(node.job));
      if (!view) {
        return [];
      }
      const reason: JobsNode[] = directionReason(view, node.direction) !== undefined ? [{ kind: 'reason', job: node.job, direction: node.direction }] : [];
      const checks = precheckItems(view, node.direction).map((_, index): JobsNode => ({ kind: 'precheck', job: node.job, direction: node.direction, index }));
      return [...reason, ...checks];
    }
    return [];
  }

  getParent(node: JobsNode): JobsNode | undefined {
    if (node.kind === 'direction') {
      return this.nodes.get(jobKey(node.job));
    }
    if (node.kind === 'reason' || node.kind === 'precheck') {
      return { kind: 'direction', job: node.job, direction: node.direction };
    }
    return node.kind === 'job' ? this.accountNodes.get(accountOf(node.job)) : undefined;
  }

  /** What a row shows, as the pure presenters computed it. */
  describe(node: JobsNode): ItemModel | undefined {
    const state = this.store.state;
    const ctx = { now: this.now() };
    if (node.kind === 'error') {
      return errorItem(state);
    }
    if (node.kind === 'account') {
      const group = accountGroups(state)?.find((g) => g.name === node.account);
      return group ? accountItem(group) : undefined;
    }
    const view = this.views.get(jobKey(node.job));
    if (!view) {
      return undefined;
    }
    if (node.kind === 'job') {
      const account = state.accounts.find((a) => a.name === accountOf(view.spec));
      // The job's own account's source: with several accounts, the first one found is not necessarily this job's.
      const source = state.accounts.length > 0 ? account?.source : state.credentialsSource;
      return jobItem(view, ctx, source, accountOf(view.spec));
    }
    if (node.kind === 'reason') {
      return reasonItem(view, node.direction);
    }
    if (node.kind === 'precheck') {
      return precheckItems(view, node.direction)[node.index];
    }
    const index = view.status?.directions.findIndex((d) => d.direction === node.direction) ?? -1;
    return index < 0 ? undefined : directionItems(view, ctx)[index];
  }

  getTreeItem(node: JobsNode): vscode.TreeItem {
    const model = this.describe(node);
    if (!model) {
      return new vscode.TreeItem(vscode.l10n.t('(removed)'));
    }
    const command = node.kind === 'error' ? { command: 'dtsSync.showLog', title: vscode.l10n.t('Show Log') } : undefined;
    return toTreeItem(model, command);
  }

  /** The view's message and badge follow the store too. */
  bindView(view: vscode.TreeView<JobsNode>): vscode.Disposable {
    const update = (): void => {
      const state = this.store.state;
      view.message = viewMessage(state);
      view.badge = errorBadge(state);
    };
    update();
    return this.store.onDidChange(update);
  }

  dispose(): void {
    this.subscription.dispose();
    this.emitter.dispose();
  }
}
