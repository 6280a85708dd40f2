import * as path from 'node:path';
import * as vscode from 'vscode';
import { providerChain, type AccountChain, type ChainSpec } from './core/accounts';
import { Controller, type ChainContext } from './core/controller';
import { defaultChain, profileChain, type ChainOptions } from './core/credentials';
import { configureLocale } from './core/locale';
import { StatusStore } from './core/store';
import { registerCommands } from './vscode/commands';
import { registerCronCommand } from './vscode/cronCommand';
import { DetailsPanels, VIEW_TYPE } from './vscode/detailsPanel';
import { LagHistoryFiles } from './vscode/lagHistoryFiles';
import { ExtensionLog } from './vscode/log';
import { notifyFailures } from './vscode/notifications';
import { SecretCredentials, type SecretStorageUnavailableError } from './vscode/secrets';
import { readSettings, SECTION } from './vscode/settings';
import { StatusBar } from './vscode/statusBar';
import { JobsTreeProvider, type JobsNode } from './vscode/treeView';

const SNAPSHOT_KEY = 'dtsSync.snapshot';

/** The running controller, so deactivation can save what it keeps only in memory. */
let running: Controller | undefined;

/** What the extension-host tests reach through `getExtension(...).exports`. */
export interface TestApi {
  readonly store: StatusStore;
  readonly tree: JobsTreeProvider;
  readonly treeView: vscode.TreeView<JobsNode>;
  readonly statusBar: StatusBar;
  readonly controller: Controller;
  readonly secrets: SecretCredentials;
  readonly log: ExtensionLog;
  readonly details: DetailsPanels;
  /** Where the lag history's hour files are (undefined: kept in globalState). */
  readonly lagHistoryFolder: string | undefined;
}

/** Composition root: builds the adapters and the controller, and forwards VS Code's events to it. No decisions here. */
export function activate(context: vscode.ExtensionContext): TestApi {
  const started = performance.now();
  // First: the credential providers and the controller translate their texts as they are built.
  configureLocale(vscode.env.language, vscode.l10n.bundle);
  const log = new ExtensionLog();
  const store = new StatusStore();
  const secrets = new SecretCredentials(context.secrets);
  const unavailable = (e: SecretStorageUnavailableError): void => {
    log.error(`[credentials] ${e.message}`);
    void vscode.window.showWarningMessage(e.message);
  };
  // Which chain serves which account is decided in the core (accounts.ts); here each is only built.
  const createChain = (spec: ChainSpec, chainContext: ChainContext): AccountChain => {
    const options: ChainOptions = { env: process.env, proxy: chainContext.proxy, requestTimeoutMs: chainContext.requestTimeoutMs };
    switch (spec.kind) {
      case 'default':
        return defaultChain({ ...options, first: [secrets.provider(unavailable)] });
      case 'stored':
        return providerChain(secrets.provider(unavailable, spec.account));
      case 'profile':
        return profileChain(spec.name, options);
    }
  };
  const lagHistoryFolder = context.globalStorageUri.scheme === 'file' ? path.join(context.globalStorageUri.fsPath, 'lagHistory') : undefined;
  const controller = new Controller({
    readSettings,
    storedAccounts: () => secrets.accounts(),
    createChain,
    store,
    log,
    setContext: (key, value) => void vscode.commands.executeCommand('setContext', key, value),
    savedSnapshot: context.globalState.get(SNAPSHOT_KEY),
    saveSnapshot: (snapshot) => void context.globalState.update(SNAPSHOT_KEY, snapshot),
    // One file per hour of samples (lagHistoryStorage.ts): a save writes only the hours that changed. Not globalState,
    // which VS Code writes whole at every update; there only where global storage is not a local folder.
    lagHistoryState: lagHistoryFolder ? new LagHistoryFiles(lagHistoryFolder, context.globalState) : context.globalState,
    notify: (transitions) => void notifyFailures(transitions),
    userAgent: `dts-sync-status/${context.extension.packageJSON.version as string} vscode/${vscode.version}`,
  });
  running = controller;
  const tree = new JobsTreeProvider(store, undefined, { groupBy: () => controller.settings.groupBy, discovered: () => controller.discoveredJobKeys });
  const treeView = vscode.window.createTreeView('dtsSync.jobs', { treeDataProvider: tree, showCollapseAll: true });
  const statusBar = new StatusBar(store);
  const details = new DetailsPanels({
    store,
    extensionUri: context.extensionUri,
    lagHistory: () => controller.lagHistory,
    lagWarningSeconds: () => controller.settings.lagWarningSeconds,
    onDidChangeLagHistory: (listener) => controller.onDidChangeLagHistory(listener),
  });

  context.subscriptions.push(
    log,
    tree,
    treeView,
    tree.bindView(treeView),
    statusBar,
    { dispose: () => void controller.dispose() },
    details,
    // A details panel open when the window reloaded comes back showing its job.
    vscode.window.registerWebviewPanelSerializer(VIEW_TYPE, {
      deserializeWebviewPanel: async (panel, state: unknown) => void details.restore(panel, state),
    }),
    ...registerCommands({ store, controller, secrets, log, details }),
    registerCronCommand(() => controller.settings.jobs),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration(SECTION) || e.affectsConfiguration('http.proxy') || e.affectsConfiguration('http.proxySupport')) {
        void controller.settingsChanged();
      }
    }),
    secrets.onDidChange(() => void controller.credentialsChanged()),
    vscode.window.onDidChangeWindowState((s) => controller.focusChanged(s.focused)),
  );
  controller.focusChanged(vscode.window.state.focused);
  // The first lookup and refresh start once activation has returned: activation itself stays offline.
  void controller.start();

  log.info(`[activation] Activated in ${(performance.now() - started).toFixed(1)} ms; ${controller.settings.jobs.length} job(s) configured`);
  return { store, tree, treeView, statusBar, controller, secrets, log, details, lagHistoryFolder };
}

/** VS Code waits for the returned promise: the lag history's last minute is saved before the extension goes. */
export async function deactivate(): Promise<void> {
  // Everything else is disposed through context.subscriptions.
  const controller = running;
  running = undefined;
  await controller?.saveLagHistory();
}
