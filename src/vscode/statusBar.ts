import * as vscode from 'vscode';
import type { StatusStore } from '../core/store';
import { statusSummary, withProgress, type StatusSummary } from '../core/views/statusBar';

/** The one status-bar item `dtsSync.status`; its text and colour come from `statusSummary` and `withProgress`. */
export class StatusBar implements vscode.Disposable {
  readonly item: vscode.StatusBarItem;
  private readonly subscriptions: { dispose(): void }[];
  /** The statuses' part, computed once per store change; a refresh starting or ending only adds or drops the spinner. */
  private summary: StatusSummary;

  constructor(
    private readonly store: StatusStore,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.item = vscode.window.createStatusBarItem('dtsSync.status', vscode.StatusBarAlignment.Left, 50);
    this.item.name = vscode.l10n.t('DTS Sync Status');
    this.item.command = 'workbench.view.extension.dtsSync';
    this.summary = statusSummary(store.state, { now: this.now() });
    this.subscriptions = [
      store.onDidChange((state) => {
        this.summary = statusSummary(state, { now: this.now() });
        this.update();
      }),
      store.onDidChangeProgress(() => this.update()),
    ];
    this.update();
  }

  update(): void {
    const model = withProgress(this.summary, this.store.state, { now: this.now() });
    if (!model.visible) {
      this.item.hide();
      return;
    }
    this.item.text = model.text;
    this.item.tooltip = new vscode.MarkdownString(model.tooltip, true);
    this.item.backgroundColor = model.background ? new vscode.ThemeColor(`statusBarItem.${model.background}Background`) : undefined;
    this.item.accessibilityInformation = { label: model.text.replace(/\$\([^)]*\)\s*/g, '') };
    this.item.show();
  }

  dispose(): void {
    this.subscriptions.forEach((s) => s.dispose());
    this.item.dispose();
  }
}
