import * as vscode from 'vscode';
import type { JobSpec } from '../core/jobs';
import type { JobView, StatusStore } from '../core/store';
import type { IconSpec } from '../core/views/health';
import { directionItems, errorBadge, errorItem, jobItem, viewMessage, type ItemModel } from '../core/views/tree';

/** A row of the tree: the error row, a job, or one of its directions. */
export type JobsNode =
  | { readonly kind: 'error' }
  | { readonly kind: 'job'; readonly job: JobSpec }
  | { readonly kind: 'direction'; readonly job: JobSpec; readonly direction: string };

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

/** Reads the store; never calls the network and never prompts. The welcome views cover the empty states. */
export class JobsTreeProvider implements vscode.TreeDataProvider<JobsNode>, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<JobsNode | undefined>();
  readonly onDidChangeTreeData = this.emitter.event;
  private readonly subscription: { dispose(): void };

  constructor(
    private readonly store: StatusStore,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.subscription = store.onDidChange(() => this.emitter.fire(undefined));
  }

  private find(job: JobSpec): JobView | undefined {
    return this.store.state.jobs.find((j) => j.spec.id === job.id && j.spec.region === job.region);
  }

  getChildren(node?: JobsNode): JobsNode[] {
    const state = this.store.state;
    if (!node) {
      // No credentials: no rows, so the "Set AccessKey…" welcome view shows.
      if (!state.credentialsSource) {
        return [];
      }
      const rows: JobsNode[] = state.jobs.map((j) => ({ kind: 'job', job: j.spec }));
      return errorItem(state) ? [{ kind: 'error' }, ...rows] : rows;
    }
    if (node.kind === 'job') {
      return (this.find(node.job)?.status?.directions ?? []).map((d) => ({ kind: 'direction', job: node.job, direction: d.direction }));
    }
    return [];
  }

  getParent(node: JobsNode): JobsNode | undefined {
    return node.kind === 'direction' ? { kind: 'job', job: node.job } : undefined;
  }

  /** What a row shows, as the pure presenters computed it. */
  describe(node: JobsNode): ItemModel | undefined {
    const state = this.store.state;
    const ctx = { now: this.now() };
    if (node.kind === 'error') {
      return errorItem(state);
    }
    const view = this.find(node.job);
    if (!view) {
      return undefined;
    }
    if (node.kind === 'job') {
      return jobItem(view, ctx, state.credentialsSource);
    }
    return directionItems(view, ctx).find((d) => d.label === node.direction);
  }

  getTreeItem(node: JobsNode): vscode.TreeItem {
    const model = this.describe(node);
    if (!model) {
      return new vscode.TreeItem('(removed)');
    }
    const command = node.kind === 'error' ? { command: 'dtsSync.showLog', title: 'Show Log' } : undefined;
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
