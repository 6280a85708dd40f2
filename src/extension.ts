import * as vscode from 'vscode';
import { aliyunProfileProvider, environmentProvider, resolveCredentials, type CredentialProvider } from './core/credentials';
import { Poller } from './core/poller';
import { Refresher } from './core/refresher';
import { StatusStore } from './core/store';
import { registerCommands } from './vscode/commands';
import { ExtensionLog } from './vscode/log';
import { notifyFailures } from './vscode/notifications';
import { SECRET_STORAGE_SOURCE, SecretCredentials } from './vscode/secrets';
import { readSettings, SECTION } from './vscode/settings';
import { StatusBar } from './vscode/statusBar';
import { JobsTreeProvider, type JobsNode } from './vscode/treeView';

const SNAPSHOT_KEY = 'dtsSync.snapshot';

/** What the extension-host tests reach through `getExtension(...).exports`. */
export interface TestApi {
  readonly store: StatusStore;
  readonly tree: JobsTreeProvider;
  readonly treeView: vscode.TreeView<JobsNode>;
  readonly statusBar: StatusBar;
  readonly poller: Poller;
  readonly secrets: SecretCredentials;
}

/** Composition root: builds the pieces and wires them. No network call happens here. */
export function activate(context: vscode.ExtensionContext): TestApi {
  const started = performance.now();
  const log = new ExtensionLog();
  const store = new StatusStore();
  const secrets = new SecretCredentials(context.secrets);
  let settings = readSettings();

  let secretStorageWarned = false;
  const providers: CredentialProvider[] = [
    secrets.provider((e) => {
      if (!secretStorageWarned) {
        secretStorageWarned = true;
        log.error(e.message);
        void vscode.window.showWarningMessage(e.message);
      }
    }),
    environmentProvider(process.env),
    aliyunProfileProvider({ env: process.env }),
  ];

  const refresher = new Refresher({
    settings: () => settings,
    credentials: () => resolveCredentials(providers),
    store,
    log,
    userAgent: `dts-sync-status/${context.extension.packageJSON.version as string} vscode/${vscode.version}`,
    onTransitions: (transitions) => {
      if (settings.notifyOnFailure) {
        void notifyFailures(transitions);
      }
    },
  });
  const poller = new Poller({
    intervalSeconds: settings.refreshIntervalSeconds,
    refresh: async (reason) => {
      const outcome = await refresher.refresh(reason);
      void context.globalState.update(SNAPSHOT_KEY, store.toPersisted());
      return outcome;
    },
    onSchedule: (delayMs, reason) => log.channel.trace(`Next ${reason} refresh in ${Math.round(delayMs / 1000)} s`),
  });

  const tree = new JobsTreeProvider(store);
  const treeView = vscode.window.createTreeView('dtsSync.jobs', { treeDataProvider: tree, showCollapseAll: true });
  const statusBar = new StatusBar(store);

  /** Credentials are looked up locally (SecretStorage, environment, profile file): cheap, no network. */
  const updateCredentialState = async (): Promise<boolean> => {
    let source: string | undefined;
    try {
      source = (await resolveCredentials(providers)).source;
    } catch {
      source = undefined;
    }
    store.setCredentialsSource(source);
    await vscode.commands.executeCommand('setContext', 'dtsSync.hasCredentials', source !== undefined);
    // SecretStorage is the chain's first link, so a key is stored exactly when the chain answered from it.
    await vscode.commands.executeCommand('setContext', 'dtsSync.hasStoredCredentials', source === SECRET_STORAGE_SOURCE);
    poller.setActive(source !== undefined && settings.jobs.length > 0);
    return source !== undefined;
  };

  const applySettings = (): void => {
    settings = readSettings();
    store.setJobs(settings.jobs, settings.problems);
    for (const problem of settings.problems) {
      log.warn(problem);
    }
    void vscode.commands.executeCommand('setContext', 'dtsSync.hasJobs', settings.jobs.length > 0);
    poller.setIntervalSeconds(settings.refreshIntervalSeconds);
    poller.setActive(store.state.credentialsSource !== undefined && settings.jobs.length > 0);
  };

  applySettings();
  store.restore(context.globalState.get(SNAPSHOT_KEY));
  poller.setFocused(vscode.window.state.focused);

  context.subscriptions.push(
    log,
    tree,
    treeView,
    tree.bindView(treeView),
    statusBar,
    { dispose: () => poller.dispose() },
    { dispose: () => void refresher.dispose() },
    ...registerCommands({ store, poller, secrets, log }),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration(SECTION) || e.affectsConfiguration('http.proxy') || e.affectsConfiguration('http.proxySupport')) {
        log.info('Settings changed');
        applySettings();
        void poller.refresh('settings');
      }
    }),
    secrets.onDidChange(() => {
      void updateCredentialState().then(() => poller.refresh('credentials'));
    }),
    vscode.window.onDidChangeWindowState((s) => poller.setFocused(s.focused)),
  );

  // The first refresh starts once activation has returned: activation itself stays offline.
  void updateCredentialState().then(async (hasCredentials) => {
    await vscode.commands.executeCommand('setContext', 'dtsSync.ready', true);
    if (hasCredentials && settings.jobs.length > 0) {
      await poller.refresh('startup');
    }
  });

  log.info(`Activated in ${(performance.now() - started).toFixed(1)} ms; ${settings.jobs.length} job(s) configured`);
  return { store, tree, treeView, statusBar, poller, secrets };
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
