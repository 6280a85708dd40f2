import * as vscode from 'vscode';
import { accountOf } from '../core/accounts';
import { jobKey, type JobSpec } from '../core/jobs';
import type { GroupBy } from '../core/settings';
import type { JobView, StatusStore, StoreChange } from '../core/store';
import { accountGroups, accountItem } from '../core/views/accounts';
import { groupItem, jobGroups, viewDescription } from '../core/views/groups';
import type { IconSpec } from '../core/views/health';
import {
  directionNamed,
  directionReason,
  directionRow,
  directionTooltip,
  errorBadge,
  errorItem,
  jobRow,
  jobTooltip,
  namesAccounts,
  precheckItems,
  precheckRowCount,
  reasonItem,
  viewMessage,
  type ItemModel,
  type PresentContext,
} from '../core/views/tree';

/** A row of the tree: the error row, an account or a group (`dtsSync.groupBy`), a job, or what hangs below a job. */
export type JobsNode =
  | { readonly kind: 'error' }
  | { readonly kind: 'account'; readonly account: string }
  /** `region:cn-hangzhou` or `health:error` (see jobGroups). */
  | { readonly kind: 'group'; readonly group: string }
  | { readonly kind: 'job'; readonly job: JobSpec }
  | { readonly kind: 'direction'; readonly job: JobSpec; readonly direction: string }
  | { readonly kind: 'reason'; readonly job: JobSpec; readonly direction: string }
  /** A failed precheck item by its place among the failed ones (MAX_PRECHECK_ROWS is the "… N more" row). */
  | { readonly kind: 'precheck'; readonly job: JobSpec; readonly direction: string; readonly index: number };

type JobNode = JobsNode & { kind: 'job' };
type ParentNode = JobsNode & { kind: 'account' | 'group' };
/** A job's row or one below it. */
type BelowJob = Extract<JobsNode, { readonly job: JobSpec }>;

/** What the composition root knows that the store does not. */
export interface TreeOptions {
  /** `dtsSync.groupBy`, read at every store change (a settings change always is one). */
  readonly groupBy?: () => GroupBy;
  /** The keys of the jobs a watched region added (`dtsSync.watchRegions`), read at every store change. */
  readonly discovered?: () => ReadonlySet<string>;
}

/**
 * One job's rows: its node (the same object while the job stays), its view, its direction nodes once asked for, and
 * what was built for them since the job last changed.
 */
interface JobRows {
  readonly key: string;
  readonly node: JobNode;
  view: JobView;
  /** The same objects while the job reports the same directions: fewer objects, and VS Code's elements stay. */
  directions?: JobsNode[];
  /** The TreeItems of the job row and of its direction rows (by place in `directions`). */
  item?: vscode.TreeItem;
  directionItems?: (vscode.TreeItem | undefined)[];
  /** The reason and precheck rows below its failed directions. */
  below?: Map<JobsNode, JobsNode[]>;
  /** The TreeItems of those rows (and of any node VS Code kept from an earlier version of the job). */
  otherItems?: Map<JobsNode, vscode.TreeItem>;
  /** What a click on the job row runs: open its details. */
  command?: vscode.Command;
}

/** Drops what was built for a job's rows (its direction nodes stay). */
function forget(row: JobRows): void {
  row.item = undefined;
  row.directionItems = undefined;
  row.below = undefined;
  row.otherItems = undefined;
}

const NONE: ReadonlySet<string> = new Set();
const NAMES_ACCOUNT = { accountInDescription: true };

/**
 * `jobKey` of a spec, written once per spec object (specs are immutable and outlive many refreshes): every lookup of a
 * row then hashes a string it hashed before instead of a new one.
 */
const keys = new WeakMap<JobSpec, string>();

function keyOf(spec: JobSpec): string {
  let key = keys.get(spec);
  if (key === undefined) {
    key = jobKey(spec);
    keys.set(spec, key);
  }
  return key;
}

/** A handful of icons serve every row: one ThemeIcon each (VS Code only reads them). */
const themeIcons = new Map<string, Map<string | undefined, vscode.ThemeIcon>>();

export function toThemeIcon(icon: IconSpec): vscode.ThemeIcon {
  let byColor = themeIcons.get(icon.id);
  if (!byColor) {
    byColor = new Map();
    themeIcons.set(icon.id, byColor);
  }
  let themeIcon = byColor.get(icon.color);
  if (!themeIcon) {
    themeIcon = new vscode.ThemeIcon(icon.id, icon.color ? new vscode.ThemeColor(icon.color) : undefined);
    byColor.set(icon.color, themeIcon);
  }
  return themeIcon;
}

/** A row's TreeItem; without a tooltip in the model, VS Code asks resolveTreeItem for it on hover. */
export function toTreeItem(model: Omit<ItemModel, 'tooltip'> & { readonly tooltip?: string }, command?: vscode.Command): vscode.TreeItem {
  const item = new vscode.TreeItem(
    model.label,
    model.collapsible ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.None,
  );
  item.id = model.id;
  item.description = model.description;
  item.tooltip = model.tooltip === undefined ? undefined : new vscode.MarkdownString(model.tooltip, true);
  item.iconPath = toThemeIcon(model.icon);
  item.contextValue = model.contextValue;
  item.command = command;
  return item;
}

/**
 * Reads the store; never calls the network and never prompts. The welcome views cover the empty states. Rows are found
 * by key; a row's TreeItems are built once per change of its job; a store change is one tree change event, naming the
 * rows it changed (VS Code then asks for those and what is below them), or everything when rows came, went or moved.
 */
export class JobsTreeProvider implements vscode.TreeDataProvider<JobsNode>, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<JobsNode | JobsNode[] | undefined>();
  readonly onDidChangeTreeData = this.emitter.event;
  private readonly subscription: { dispose(): void };
  /**
   * VS Code finds the rows to redraw by the identity of the elements it was given: each row keeps its node object. The
   * TreeItems of a job's rows are built when VS Code first asks and dropped when the job changes.
   */
  private rows = new Map<string, JobRows>();
  private readonly errorNode: JobsNode = { kind: 'error' };
  private parentNodes = new Map<string, ParentNode>();
  /** The group or account rows (empty for a flat tree), with their members and what they show. */
  private members = new Map<ParentNode, JobNode[]>();
  private parentModels = new Map<ParentNode, ItemModel>();
  private parentOf = new Map<string, ParentNode>();
  private top: JobsNode[] = [];
  private errorModel: ItemModel | undefined;
  private discovered: ReadonlySet<string> = NONE;
  /** Grouped by region or health while several accounts are in use: job rows name their account. */
  private accountInDescription = false;
  /** The shape of the tree (which rows, in which order, under which parent): a change redraws everything. */
  private shape = '';
  /** The presenters' context for the rows of one store change, so their repeated words are written once. */
  private ctx: PresentContext | undefined;
  /** The job rows' command title (VS Code's language is fixed for the life of the extension host). */
  private showDetailsTitle: string | undefined;

  constructor(
    private readonly store: StatusStore,
    private readonly now: () => Date = () => new Date(),
    private readonly options: TreeOptions = {},
  ) {
    this.index({ jobs: new Set(), all: true });
    this.subscription = store.onDidChange((_state, change) => this.changed(change));
  }

  /** Rebuilds the rows from the store; returns the group and account rows whose content changed. */
  private index(change: StoreChange): JobsNode[] {
    const state = this.store.state;
    this.ctx = undefined;
    this.discovered = this.options.discovered?.() ?? NONE;
    if (!change.all && this.sameJobs(state.jobs)) {
      // The same jobs in the same order (a refresh): each row takes its new view; a changed job's rows are built again.
      let i = 0;
      for (const row of this.rows.values()) {
        const view = state.jobs[i++];
        row.view = view;
        if (change.jobs.has(row.key)) {
          forget(row);
          if (!sameDirections(row.directions, view)) {
            row.directions = undefined;
          }
        }
      }
    } else {
      const rows = new Map<string, JobRows>();
      for (const view of state.jobs) {
        const key = keyOf(view.spec);
        const old = this.rows.get(key);
        // A renamed job keeps its row (same key), but the node must carry the new spec.
        const same = old !== undefined && old.node.job === view.spec;
        if (same && !change.all && !change.jobs.has(key)) {
          old.view = view;
          rows.set(key, old);
        } else {
          const directions = same && sameDirections(old.directions, view) ? old.directions : undefined;
          rows.set(key, { key, node: same ? old.node : { kind: 'job', job: view.spec }, view, directions });
        }
      }
      this.rows = rows;
    }
    const rows = this.rows;

    const groupBy = this.options.groupBy?.() ?? 'none';
    const groups = jobGroups(state.jobs, groupBy);
    this.accountInDescription = groups !== undefined && namesAccounts(state);
    const parents: { key: string; node: () => ParentNode; model: ItemModel; jobs: readonly JobView[] }[] = groups
      ? groups.map((g) => ({ key: `group:${g.key}`, node: () => ({ kind: 'group', group: g.key }), model: groupItem(g), jobs: g.jobs }))
      : (accountGroups(state) ?? []).map((g) => ({ key: `account:${g.name}`, node: () => ({ kind: 'account', account: g.name }), model: accountItem(g), jobs: g.jobs }));
    const parentNodes = new Map<string, ParentNode>();
    const members = new Map<ParentNode, JobNode[]>();
    const parentModels = new Map<ParentNode, ItemModel>();
    const parentOf = new Map<string, ParentNode>();
    const redraw: JobsNode[] = [];
    const shape: string[] = [];
    for (const parent of parents) {
      const node = this.parentNodes.get(parent.key) ?? parent.node();
      parentNodes.set(parent.key, node);
      const before = this.parentModels.get(node);
      if (before && JSON.stringify(before) !== JSON.stringify(parent.model)) {
        redraw.push(node);
      }
      parentModels.set(node, parent.model);
      const jobs: JobNode[] = [];
      shape.push(parent.key);
      for (const view of parent.jobs) {
        const key = keyOf(view.spec);
        const row = rows.get(key);
        if (row) {
          jobs.push(row.node);
          parentOf.set(key, node);
          shape.push(key);
        }
      }
      members.set(node, jobs);
    }
    this.parentNodes = parentNodes;
    this.members = members;
    this.parentModels = parentModels;
    this.parentOf = parentOf;
    this.top = parents.length > 0 ? [...parentNodes.values()] : [...rows.values()].map((r) => r.node);

    const errorModel = errorItem(state);
    if (errorModel && this.errorModel && JSON.stringify(errorModel) !== JSON.stringify(this.errorModel)) {
      redraw.push(this.errorNode);
    }
    this.errorModel = errorModel;
    const shapeKey = [errorModel !== undefined, state.credentialsSource !== undefined, ...shape].join('\n');
    const reshaped = shapeKey !== this.shape;
    this.shape = shapeKey;
    return reshaped ? [] : redraw;
  }

  /** Whether the rows are those of `jobs`, in their order, each with its spec. */
  private sameJobs(jobs: readonly JobView[]): boolean {
    if (jobs.length !== this.rows.size) {
      return false;
    }
    let i = 0;
    for (const row of this.rows.values()) {
      if (row.node.job !== jobs[i++].spec) {
        return false;
      }
    }
    return true;
  }

  private changed(change: StoreChange): void {
    const shapeBefore = this.shape;
    const parents = this.index(change);
    if (change.all || this.shape !== shapeBefore) {
      this.emitter.fire(undefined);
      return;
    }
    // A job's change can change its group's or account's counts and icon: those rows come first.
    const rows: JobsNode[] = parents;
    for (const key of change.jobs) {
      const row = this.rows.get(key);
      if (row) {
        rows.push(row.node);
      }
    }
    if (rows.length > 0) {
      this.emitter.fire(rows);
    }
  }

  getChildren(node?: JobsNode): JobsNode[] {
    if (!node) {
      // No credentials: no rows, so the "Set AccessKey…" welcome view shows.
      if (!this.store.state.credentialsSource) {
        return [];
      }
      return this.errorModel ? [this.errorNode, ...this.top] : this.top;
    }
    if (node.kind === 'account' || node.kind === 'group') {
      return this.members.get(node) ?? [];
    }
    const row = 'job' in node ? this.rows.get(keyOf(node.job)) : undefined;
    if (!row) {
      return [];
    }
    if (node.kind === 'job') {
      row.directions ??= (row.view.status?.directions ?? []).map((d) => ({ kind: 'direction', job: row.node.job, direction: d.direction }));
      return row.directions;
    }
    if (node.kind === 'direction') {
      let below = row.below?.get(node);
      if (!below) {
        const { job, direction } = node;
        const reason = directionReason(row.view, direction) !== undefined;
        const checks = precheckRowCount(row.view, direction);
        if (!reason && checks === 0) {
          return [];
        }
        below = reason ? [{ kind: 'reason', job, direction }] : [];
        for (let index = 0; index < checks; index++) {
          below.push({ kind: 'precheck', job, direction, index });
        }
        (row.below ??= new Map()).set(node, below);
      }
      return below;
    }
    return [];
  }

  getParent(node: JobsNode): JobsNode | undefined {
    if (node.kind === 'job') {
      return this.parentOf.get(keyOf(node.job));
    }
    if (node.kind === 'direction') {
      return this.rows.get(keyOf(node.job))?.node;
    }
    if (node.kind === 'reason' || node.kind === 'precheck') {
      const row = this.rows.get(keyOf(node.job));
      const directions = row ? this.getChildren(row.node) : [];
      return directions.find((d) => d.kind === 'direction' && d.direction === node.direction) ?? { kind: 'direction', job: node.job, direction: node.direction };
    }
    return undefined;
  }

  /** What a row shows, as the pure presenters computed it; a direction's tooltip waits for resolveTreeItem. */
  describe(node: JobsNode): (Omit<ItemModel, 'tooltip'> & { readonly tooltip?: string }) | undefined {
    if (node.kind === 'error') {
      return this.errorModel;
    }
    if (node.kind === 'account' || node.kind === 'group') {
      return this.parentModels.get(node);
    }
    return this.describeJobRow(node, this.rows.get(keyOf(node.job)));
  }

  /** What a job's row or a row below it shows. */
  private describeJobRow(node: BelowJob, row: JobRows | undefined): Omit<ItemModel, 'tooltip'> | undefined {
    const view = row?.view;
    if (!view) {
      return undefined;
    }
    const ctx = this.context();
    if (node.kind === 'job') {
      return jobRow(view, ctx, accountOf(view.spec), this.accountInDescription ? NAMES_ACCOUNT : {});
    }
    if (node.kind === 'reason') {
      return reasonItem(view, node.direction);
    }
    if (node.kind === 'precheck') {
      return precheckItems(view, node.direction)[node.index];
    }
    const direction = directionNamed(view, node.direction);
    return direction ? directionRow(view, direction, ctx) : undefined;
  }

  /**
   * The tooltip of a job or direction row, when it is hovered: a refresh of 500 jobs would otherwise write 1,500
   * tooltips nobody reads. Written afresh at each call, so its ages ("checked 2 min ago") are those of the hover.
   */
  resolveTreeItem(item: vscode.TreeItem, node: JobsNode): vscode.TreeItem {
    const tooltip = this.tooltip(node);
    if (tooltip !== undefined) {
      item.tooltip = new vscode.MarkdownString(tooltip, true);
    }
    return item;
  }

  /** The hover text of a job or direction row (other rows carry theirs); undefined when the row is gone. */
  tooltip(node: JobsNode): string | undefined {
    if (node.kind === 'job') {
      const view = this.rows.get(keyOf(node.job))?.view;
      if (!view) {
        return undefined;
      }
      const state = this.store.state;
      const accountName = accountOf(view.spec);
      // The job's own account's source: with several accounts, the first one found is not necessarily this job's.
      const source = state.accounts.length > 0 ? state.accounts.find((a) => a.name === accountName)?.source : state.credentialsSource;
      return jobTooltip(view, this.context(), source, accountName, this.discovered.has(keyOf(view.spec)));
    }
    if (node.kind === 'direction') {
      const view = this.rows.get(keyOf(node.job))?.view;
      const direction = view && directionNamed(view, node.direction);
      return view && direction ? directionTooltip(view, direction, this.context()) : undefined;
    }
    return undefined;
  }

  /** One context while the clock moves less than a second (texts say "12 s ago" at most that precisely). */
  private context(): PresentContext {
    const now = this.now();
    if (!this.ctx || Math.abs(now.getTime() - this.ctx.now.getTime()) >= 1000) {
      this.ctx = { now, memo: new Map() };
    }
    return this.ctx;
  }

  getTreeItem(node: JobsNode): vscode.TreeItem {
    if (!('job' in node)) {
      // Group, account and error rows are few: built at each call.
      const model = this.describe(node);
      return model ? toTreeItem(model, node.kind === 'error' ? { command: 'dtsSync.showLog', title: vscode.l10n.t('Show Log') } : undefined) : removed();
    }
    // Job rows and those below them are kept until their job changes.
    const row = this.rows.get(keyOf(node.job));
    const cached = row && built(row, node);
    if (cached) {
      // A tooltip an earlier hover resolved would go out again with the ages of then: VS Code asks for it afresh instead.
      if (node.kind === 'job' || node.kind === 'direction') {
        cached.tooltip = undefined;
      }
      return cached;
    }
    const model = this.describeJobRow(node, row);
    if (!row || !model) {
      return removed();
    }
    const item = toTreeItem(model, node.kind === 'job' ? this.command(row) : undefined);
    keep(row, node, item);
    return item;
  }

  /** A click on a job row opens its details. */
  private command(row: JobRows): vscode.Command {
    this.showDetailsTitle ??= vscode.l10n.t('Show Job Details');
    row.command ??= { command: 'dtsSync.showDetails', title: this.showDetailsTitle, arguments: [row.key] };
    return row.command;
  }

  /**
   * The view's message, badge (failed jobs, on the activity bar) and title follow the store too. The counts go in the
   * title ("Sync Jobs · 1 failed · 45 jobs"), not the description: a view alone in its container is drawn under the
   * container's title ("DTS Sync: Sync Jobs · …"), where VS Code shows no description.
   */
  bindView(view: vscode.TreeView<JobsNode>): vscode.Disposable {
    const baseTitle = view.title ?? vscode.l10n.t('Sync Jobs');
    // Each assignment is a message to the workbench: only changes are sent.
    const update = (): void => {
      const state = this.store.state;
      const message = viewMessage(state);
      const badge = errorBadge(state);
      const counts = viewDescription(state);
      const title = counts === undefined ? baseTitle : `${baseTitle} · ${counts}`;
      if (view.message !== message) {
        view.message = message;
      }
      if (view.badge?.value !== badge?.value || view.badge?.tooltip !== badge?.tooltip) {
        view.badge = badge;
      }
      if (view.title !== title) {
        view.title = title;
      }
    };
    update();
    return this.store.onDidChange(update);
  }

  dispose(): void {
    this.subscription.dispose();
    this.emitter.dispose();
  }
}

function removed(): vscode.TreeItem {
  return new vscode.TreeItem(vscode.l10n.t('(removed)'));
}

/** The TreeItem built for `node` (a job's row or one below it) since its job last changed. */
function built(row: JobRows, node: JobsNode): vscode.TreeItem | undefined {
  if (node === row.node) {
    return row.item;
  }
  const place = row.directions?.indexOf(node) ?? -1;
  return place !== -1 ? row.directionItems?.[place] : row.otherItems?.get(node);
}

/** Keeps `item` for `node` until its job changes. */
function keep(row: JobRows, node: JobsNode, item: vscode.TreeItem): void {
  if (node === row.node) {
    row.item = item;
    return;
  }
  const place = row.directions?.indexOf(node) ?? -1;
  if (place !== -1) {
    (row.directionItems ??= [])[place] = item;
  } else {
    (row.otherItems ??= new Map()).set(node, item);
  }
}

/** Whether `nodes` are the direction rows `view` reports, in its order. */
function sameDirections(nodes: readonly JobsNode[] | undefined, view: JobView): boolean {
  const directions = view.status?.directions ?? [];
  if (nodes === undefined || nodes.length !== directions.length) {
    return false;
  }
  for (let i = 0; i < nodes.length; i++) {
    const n = nodes[i];
    if (n.kind !== 'direction' || n.direction !== directions[i].direction) {
      return false;
    }
  }
  return true;
}
