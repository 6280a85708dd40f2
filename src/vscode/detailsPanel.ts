import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import { jobKey, type JobSpec } from '../core/jobs';
import type { JobView, StatusStore, StoreChange } from '../core/store';
import { presentDetails, renderDetailsSections, type DetailsModel, type DetailsSection, type LagSamples } from '../core/views/details';
import { escapeHtml } from '../core/views/html';

export interface DetailsPanelDeps {
  readonly store: StatusStore;
  readonly extensionUri: vscode.Uri;
  /** Read at each update: the history is recorded before the store's change event fires. */
  readonly lagHistory: () => LagSamples | undefined;
  readonly lagWarningSeconds: () => number;
  /** Fires after a refresh recorded lag samples, also when nothing else in the store changed. */
  readonly onDidChangeLagHistory?: (listener: () => void) => { dispose(): void };
  readonly now?: () => Date;
  /** The script nonce; random per page unless a test fixes it. */
  readonly nonce?: () => string;
}

export const VIEW_TYPE = 'dtsSync.details';

/** Where the page's script and stylesheet are: media/details.{js,css}, minified into dist/webview/ by the build. */
function webviewAssets(extensionUri: vscode.Uri): vscode.Uri {
  return vscode.Uri.joinPath(extensionUri, 'dist', 'webview');
}

/** The panel's webview options: scripts only for the Copy button; nothing loads but dist/webview/. */
function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions {
  return { enableScripts: true, localResourceRoots: [webviewAssets(extensionUri)] };
}

/** The job key a restored page saved (its state is the page's, so hostile until read): `ID@region`, else undefined. */
export function restoredJobKey(state: unknown): string | undefined {
  if (typeof state !== 'object' || state === null || !Object.hasOwn(state, 'job')) {
    return undefined;
  }
  const job = (state as Record<string, unknown>)['job'];
  return typeof job === 'string' && job.length <= 200 && /^[A-Za-z0-9_-]+@[a-z0-9-]+$/.test(job) ? job : undefined;
}

/** What the page's script may send: a Copy click (by direction index) or "loaded, send me the current sections". */
type FromWebview = { readonly type: 'copy'; readonly index: number } | { readonly type: 'ready' };

function readMessage(message: unknown): FromWebview | undefined {
  if (typeof message !== 'object' || message === null) {
    return undefined;
  }
  const m = message as Record<string, unknown>;
  if (m['type'] === 'ready') {
    return { type: 'ready' };
  }
  const index = m['index'];
  return m['type'] === 'copy' && typeof index === 'number' && Number.isInteger(index) && index >= 0 ? { type: 'copy', index } : undefined;
}

/**
 * One job's details webview. The page (a strict CSP, one nonce'd script, the stylesheet, all from media/) is written
 * once; each store change sends the sections again by postMessage and the script replaces only those whose HTML
 * changed, so scrolling, focus and a selection in an unchanged error message survive a refresh. The script keeps the
 * last sections and the scroll position with setState, so a panel hidden and shown again comes back as it was.
 */
export class DetailsPanel implements vscode.Disposable {
  readonly key: string;
  private current: { model: DetailsModel; sections: DetailsSection[] } | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  private disposed = false;
  /** The sections last sent, so an event that changed nothing on the page sends nothing. */
  private posted = '';
  /** One per page: the page is written once. */
  private readonly nonce: string;
  /** How many times the sections were sent: tests wait on it. */
  updates = 0;

  constructor(
    readonly job: JobSpec,
    readonly panel: vscode.WebviewPanel,
    private readonly deps: DetailsPanelDeps,
    private readonly onDispose: () => void,
  ) {
    this.key = jobKey(job);
    this.nonce = deps.nonce?.() ?? randomBytes(18).toString('base64');
    panel.iconPath = vscode.Uri.joinPath(deps.extensionUri, 'media', 'dts-sync.svg');
    this.render();
    panel.webview.html = this.page();
    this.disposables.push(
      deps.store.onDidChange((_state, change) => this.changed(change)),
      ...(deps.onDidChangeLagHistory ? [deps.onDidChangeLagHistory(() => this.update())] : []),
      // Each finished refresh: "last checked" moves on even when no row changed.
      deps.store.onDidChangeProgress((state) => {
        if (!state.refreshing) {
          this.update();
        }
      }),
      panel.webview.onDidReceiveMessage((m: unknown) => void this.receive(m)),
      // A hidden page may have missed updates (it is not retained): send the latest when it shows again.
      panel.onDidChangeViewState(() => {
        if (panel.visible) {
          this.post(true);
        }
      }),
      panel.onDidDispose(() => this.dispose()),
    );
  }

  /** The latest view model (undefined once the job is no longer configured). */
  get model(): DetailsModel | undefined {
    return this.current?.model;
  }

  /** The page as the webview now shows it: the page it was given, with the latest sections in place. */
  get html(): string {
    return this.page();
  }

  private view(): JobView | undefined {
    return this.deps.store.state.jobs.find((j) => jobKey(j.spec) === this.key);
  }

  /** Rebuilds the model; false when the job is gone. */
  private render(): boolean {
    const view = this.view();
    if (!view) {
      return false;
    }
    const model = presentDetails(view, this.deps.lagHistory(), { now: this.deps.now?.() ?? new Date(), lagWarningSeconds: this.deps.lagWarningSeconds() });
    this.current = { model, sections: renderDetailsSections(model) };
    this.panel.title = vscode.l10n.t('DTS: {0}', model.title);
    return true;
  }

  private changed(change: StoreChange): void {
    if (!change.all && !change.jobs.has(this.key)) {
      return;
    }
    if (!this.render()) {
      // Removed from dtsSync.jobs: nothing left to show.
      this.panel.dispose();
      return;
    }
    this.post();
  }

  /** Rebuilds and shows the page now (a refresh, or the command run again on an open panel). */
  update(): void {
    if (this.render()) {
      this.post();
    }
  }

  /** Sends the sections when they changed since last sent, or always when `force` (a page that may have lost them). */
  private post(force = false): void {
    if (this.disposed || !this.current) {
      return;
    }
    const posted = JSON.stringify(this.current.sections);
    if (!force && posted === this.posted) {
      return;
    }
    this.posted = posted;
    this.updates++;
    // The job key goes along so the page keeps it in its state: a window reload then brings this panel back.
    void this.panel.webview.postMessage({ type: 'update', job: this.key, sections: this.current.sections });
  }

  /** A message from the page (also how tests press Copy): only `ready` and `copy` with a direction index are heeded. */
  async receive(message: unknown): Promise<void> {
    const m = readMessage(message);
    if (m?.type === 'ready') {
      this.post(true);
    } else if (m?.type === 'copy') {
      // The text copied is the extension's own, never what the page sends.
      const text = this.current?.model.directions[m.index]?.error;
      if (text !== undefined) {
        await vscode.env.clipboard.writeText(text);
        void vscode.window.showInformationMessage(vscode.l10n.t('DTS: error message copied.'));
      }
    }
  }

  private page(): string {
    const webview = this.panel.webview;
    const assets = webviewAssets(this.deps.extensionUri);
    const css = webview.asWebviewUri(vscode.Uri.joinPath(assets, 'details.css'));
    const js = webview.asWebviewUri(vscode.Uri.joinPath(assets, 'details.js'));
    const nonce = this.nonce;
    const csp = [`default-src 'none'`, `style-src ${webview.cspSource}`, `script-src 'nonce-${nonce}'`, `img-src ${webview.cspSource} data:`].join('; ');
    const sections = (this.current?.sections ?? [])
      .map((s) => `<section id="section-${s.id}" data-section="${s.id}">${s.html}</section>`)
      .join('\n');
    return [
      '<!DOCTYPE html>',
      `<html lang="${escapeHtml(vscode.env.language)}">`,
      '<head>',
      '<meta charset="UTF-8">',
      `<meta http-equiv="Content-Security-Policy" content="${csp}">`,
      '<meta name="viewport" content="width=device-width, initial-scale=1.0">',
      `<link rel="stylesheet" href="${css.toString()}">`,
      `<title>${escapeHtml(this.current?.model.title ?? this.key)}</title>`,
      '</head>',
      '<body>',
      `<main id="details">${sections}</main>`,
      `<script nonce="${nonce}" src="${js.toString()}"></script>`,
      '</body>',
      '</html>',
    ].join('\n');
  }

  dispose(): void {
    if (this.disposed) {
      return;
    }
    this.disposed = true;
    for (const d of this.disposables.splice(0)) {
      d.dispose();
    }
    this.panel.dispose();
    this.onDispose();
  }
}

/** The open details panels, one per job (by job key): showing a job that has one reveals it. */
export class DetailsPanels implements vscode.Disposable {
  private readonly panels = new Map<string, DetailsPanel>();

  constructor(private readonly deps: DetailsPanelDeps) {}

  /** Opens the job's panel, or reveals (and refreshes) the one already open. */
  show(job: JobSpec): DetailsPanel {
    const key = jobKey(job);
    const open = this.panels.get(key);
    if (open) {
      open.panel.reveal();
      open.update();
      return open;
    }
    const panel = vscode.window.createWebviewPanel(VIEW_TYPE, vscode.l10n.t('DTS: {0}', job.name ?? job.id), vscode.ViewColumn.Active, webviewOptions(this.deps.extensionUri));
    return this.attach(job, panel);
  }

  /**
   * A panel VS Code kept across a window reload (registerWebviewPanelSerializer): it shows its job again when that job
   * is still watched, and closes otherwise. Undefined when it closed.
   */
  restore(panel: vscode.WebviewPanel, state: unknown): DetailsPanel | undefined {
    const key = restoredJobKey(state);
    const job = key === undefined ? undefined : this.deps.store.state.jobs.find((j) => jobKey(j.spec) === key)?.spec;
    if (!job || this.panels.has(key ?? '')) {
      panel.dispose();
      return undefined;
    }
    panel.webview.options = webviewOptions(this.deps.extensionUri);
    return this.attach(job, panel);
  }

  private attach(job: JobSpec, panel: vscode.WebviewPanel): DetailsPanel {
    const key = jobKey(job);
    const details = new DetailsPanel(job, panel, this.deps, () => this.panels.delete(key));
    this.panels.set(key, details);
    return details;
  }

  get(job: Pick<JobSpec, 'id' | 'region'>): DetailsPanel | undefined {
    return this.panels.get(jobKey(job));
  }

  dispose(): void {
    for (const panel of [...this.panels.values()]) {
      panel.dispose();
    }
  }
}
