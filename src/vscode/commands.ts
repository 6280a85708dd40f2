import * as vscode from 'vscode';
import { consoleUrl } from '../core/api/endpoints';
import { knownAccounts } from '../core/accounts';
import { credentialsProblem } from '../core/credentials';
import { accountNameProblem, DEFAULT_ACCOUNT, displayName, jobKey, type JobSpec } from '../core/jobs';
import { maskAccessKeyId, quoteUntrusted } from '../core/safeText';
import type { AccountInfo, Controller } from '../core/controller';
import type { StatusStore } from '../core/store';
import { directionReason } from '../core/views/tree';
import type { DetailsPanels, DetailsPanel } from './detailsPanel';
import type { ExtensionLog } from './log';
import { SecretStorageUnavailableError, type SecretCredentials } from './secrets';
import { addJob } from './addJob';
import { addJobsToSettings, removeJobFromSettings } from './settings';
import type { JobsNode } from './treeView';

export interface CommandDeps {
  readonly store: StatusStore;
  readonly controller: Controller;
  readonly secrets: SecretCredentials;
  readonly log: ExtensionLog;
  readonly details: DetailsPanels;
}

/**
 * Show Job Details: from any row of a job, with a job key (`ID@region`) or from the palette (a pick list).
 * Returns the panel, so tests can read what it shows.
 */
async function showDetails(deps: CommandDeps, panels: DetailsPanels, arg?: JobsNode | string): Promise<DetailsPanel | undefined> {
  const job =
    typeof arg === 'string'
      ? deps.store.state.jobs.find((j) => jobKey(j.spec) === arg || (j.spec.id === arg && !arg.includes('@')))?.spec
      : arg !== undefined && 'job' in arg
        ? arg.job
        : await targetJob(undefined, deps.store, vscode.l10n.t('Job to show details of'));
  if (!job) {
    if (typeof arg === 'string') {
      void vscode.window.showWarningMessage(vscode.l10n.t('DTS job {0} is not configured.', quoteUntrusted(arg)));
    }
    return undefined;
  }
  return panels.show(job);
}

/** The job a command was invoked on: a tree row, or one picked from the configured jobs. */
async function targetJob(node: JobsNode | undefined, store: StatusStore, placeHolder: string): Promise<JobSpec | undefined> {
  if (node && (node.kind === 'job' || node.kind === 'direction')) {
    return node.job;
  }
  const jobs = store.state.jobs.map((j) => j.spec);
  if (jobs.length === 0) {
    void vscode.window.showInformationMessage(vscode.l10n.t('No DTS sync jobs are configured.'));
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(
    jobs.map((job) => ({ label: displayName(job), description: job.name ? `${job.id} · ${job.region}` : job.region, job })),
    { placeHolder },
  );
  return picked?.job;
}

function reportSecretError(e: unknown, log: ExtensionLog): void {
  const message = e instanceof Error ? e.message : String(e);
  log.error(message);
  const showLog = vscode.l10n.t('Show Log');
  void vscode.window.showErrorMessage(message, e instanceof SecretStorageUnavailableError ? showLog : vscode.l10n.t('OK')).then((choice) => {
    if (choice === showLog) {
      log.show();
    }
  });
}

/** What a pick list says about an account: where its key comes from, or why it has none. */
function describeAccount(info: AccountInfo): { description: string; detail: string } {
  const jobs = info.jobs === 1 ? vscode.l10n.t('1 job') : vscode.l10n.t('{0} jobs', info.jobs);
  const state = info.state;
  if (state.kind === 'found') {
    return {
      description: state.resolved.source,
      detail: vscode.l10n.t('AccessKey ID {0} · {1}', maskAccessKeyId(state.resolved.credentials.accessKeyId), jobs),
    };
  }
  if (state.kind === 'missing') {
    return { description: vscode.l10n.t('no credentials'), detail: `${jobs} · ${state.message}` };
  }
  return { description: info.stored ? vscode.l10n.t('stored in VS Code SecretStorage') : vscode.l10n.t('not in use'), detail: jobs };
}

/** Every account worth offering: those in use and stored, and always the default one. */
function accountChoices(controller: Controller): AccountInfo[] {
  const infos = controller.accounts;
  const names = knownAccounts([DEFAULT_ACCOUNT, ...infos.map((a) => a.name)], []);
  return names.map((name) => infos.find((a) => a.name === name) ?? { name, inUse: false, stored: false, jobs: 0, state: { kind: 'unknown' } });
}

/** An account from a pick list of `accounts`, or a new name when `allowNew`; undefined when cancelled. */
async function pickAccount(
  accounts: readonly AccountInfo[],
  options: { title: string; placeHolder: string; allowNew: boolean },
): Promise<string | undefined> {
  const newAccount = `$(add) ${vscode.l10n.t('New account…')}`;
  const items = [
    ...accounts.map((info) => ({ label: info.name, ...describeAccount(info) })),
    ...(options.allowNew ? [{ label: newAccount, description: '', detail: vscode.l10n.t('A named AccessKey, or the name of an aliyun CLI or credentials-file profile') }] : []),
  ];
  const picked = await vscode.window.showQuickPick(items, { title: options.title, placeHolder: options.placeHolder, ignoreFocusOut: true });
  if (!picked || picked.label !== newAccount) {
    return picked?.label;
  }
  const name = await vscode.window.showInputBox({
    title: options.title,
    prompt: vscode.l10n.t('Account name (jobs name it in their "account" field)'),
    placeHolder: vscode.l10n.t('e.g. {0}', 'staging'),
    ignoreFocusOut: true,
    validateInput: (v) => accountNameProblem(v.trim()),
  });
  return name?.trim();
}

/** The account a command was invoked on: an account row, a name, or undefined. */
function accountArgument(arg: JobsNode | string | undefined): string | undefined {
  if (typeof arg === 'string') {
    return accountNameProblem(arg) === undefined ? arg : undefined;
  }
  return arg?.kind === 'account' ? arg.account : undefined;
}

const SET_STEPS = 4;

async function setCredentials({ secrets, log, controller }: CommandDeps, arg?: JobsNode | string): Promise<void> {
  const account =
    accountArgument(arg) ??
    (await pickAccount(accountChoices(controller), {
      title: vscode.l10n.t('Set AccessKey ({0}/{1})', 1, SET_STEPS),
      placeHolder: vscode.l10n.t('Account to store the AccessKey for (jobs without an account use "default")'),
      allowNew: true,
    }));
  if (account === undefined) {
    return;
  }
  const accessKeyId = await vscode.window.showInputBox({
    title: vscode.l10n.t('Set AccessKey ({0}/{1})', 2, SET_STEPS),
    prompt: vscode.l10n.t('AccessKey ID of a RAM user allowed to call dts:DescribeSynchronizationJobStatusList'),
    placeHolder: 'LTAI…',
    ignoreFocusOut: true,
    validateInput: (v) => (v.trim() === '' ? vscode.l10n.t('Enter the AccessKey ID') : credentialsProblem({ accessKeyId: v.trim(), accessKeySecret: 'x' })),
  });
  if (accessKeyId === undefined) {
    return;
  }
  const accessKeySecret = await vscode.window.showInputBox({
    title: vscode.l10n.t('Set AccessKey ({0}/{1})', 3, SET_STEPS),
    prompt: vscode.l10n.t('AccessKey secret (stored in VS Code SecretStorage, never in settings)'),
    password: true,
    ignoreFocusOut: true,
    validateInput: (v) => (v.trim() === '' ? vscode.l10n.t('Enter the AccessKey secret') : credentialsProblem({ accessKeyId: 'LTAI', accessKeySecret: v.trim() })),
  });
  if (accessKeySecret === undefined) {
    return;
  }
  const securityToken = await vscode.window.showInputBox({
    title: vscode.l10n.t('Set AccessKey ({0}/{1})', 4, SET_STEPS),
    prompt: vscode.l10n.t('STS security token, only for temporary credentials (press Enter to skip)'),
    password: true,
    ignoreFocusOut: true,
    validateInput: (v) =>
      v.trim() === '' ? undefined : credentialsProblem({ accessKeyId: 'LTAI', accessKeySecret: 'x', securityToken: v.trim() }),
  });
  if (securityToken === undefined) {
    return;
  }
  try {
    await secrets.store(
      {
        accessKeyId: accessKeyId.trim(),
        accessKeySecret: accessKeySecret.trim(),
        ...(securityToken.trim() ? { securityToken: securityToken.trim() } : {}),
      },
      account,
    );
    log.info(`AccessKey of account ${account} stored in VS Code SecretStorage`);
    void vscode.window.showInformationMessage(
      account === DEFAULT_ACCOUNT
        ? vscode.l10n.t('DTS: AccessKey stored in VS Code SecretStorage.')
        : vscode.l10n.t('DTS: AccessKey of account {0} stored in VS Code SecretStorage.', account),
    );
  } catch (e) {
    reportSecretError(e, log);
  }
}

async function clearCredentials({ secrets, log }: CommandDeps, arg?: JobsNode | string): Promise<void> {
  let account = accountArgument(arg);
  try {
    const stored = await secrets.accounts();
    if (account !== undefined && !stored.includes(account)) {
      void vscode.window.showInformationMessage(vscode.l10n.t('DTS: no AccessKey is stored for account {0}.', account));
      return;
    }
    if (account === undefined) {
      if (stored.length === 0) {
        void vscode.window.showInformationMessage(vscode.l10n.t('DTS: no AccessKey is stored.'));
        return;
      }
      // One stored key: nothing to ask.
      account =
        stored.length === 1
          ? stored[0]
          : (await vscode.window.showQuickPick(stored, { title: vscode.l10n.t('Clear AccessKey'), placeHolder: vscode.l10n.t('Account whose stored AccessKey to remove') }));
      if (account === undefined) {
        return;
      }
    }
    await secrets.clear(account);
    log.info(`Stored AccessKey of account ${account} removed from VS Code SecretStorage`);
    void vscode.window.showInformationMessage(
      account === DEFAULT_ACCOUNT
        ? vscode.l10n.t('DTS: stored AccessKey removed.')
        : vscode.l10n.t('DTS: stored AccessKey of account {0} removed.', account),
    );
  } catch (e) {
    reportSecretError(e, log);
  }
}

/** Every account in use and stored, with its source, masked key ID and jobs; picking one offers Set and Clear. */
async function showAccounts(deps: CommandDeps): Promise<void> {
  const accounts = accountChoices(deps.controller);
  const name = await pickAccount(accounts, {
    title: vscode.l10n.t('DTS Accounts'),
    placeHolder: vscode.l10n.t('Accounts in use and stored; pick one to set or clear its AccessKey'),
    allowNew: true,
  });
  if (name === undefined) {
    return;
  }
  const stored = accounts.find((a) => a.name === name)?.stored ?? false;
  const set = vscode.l10n.t('Set AccessKey…');
  const clear = vscode.l10n.t('Clear AccessKey');
  const action = await vscode.window.showQuickPick(stored ? [set, clear] : [set], { title: vscode.l10n.t('Account {0}', name) });
  if (action === set) {
    await setCredentials(deps, name);
  } else if (action === clear) {
    await clearCredentials(deps, name);
  }
}

async function removeJob(deps: CommandDeps, node?: JobsNode): Promise<void> {
  const job = await targetJob(node, deps.store, vscode.l10n.t('Job to stop watching'));
  if (!job) {
    return;
  }
  const removed = await removeJobFromSettings(job, deps.controller.settings.defaultRegion);
  if (!removed && deps.controller.discoveredJobKeys.has(jobKey(job))) {
    void vscode.window.showWarningMessage(
      vscode.l10n.t('DTS job {0} is watched because dtsSync.watchRegions lists {1}: remove the region there to stop watching its jobs.', job.id, job.region),
    );
  } else if (!removed) {
    void vscode.window.showWarningMessage(
      vscode.l10n.t('DTS job {0} is not listed in the settings this window can edit (dtsSync.jobs).', job.id),
    );
  }
}

export function registerCommands(deps: CommandDeps): vscode.Disposable[] {
  const { store, controller, log } = deps;
  const panels = deps.details;
  return [
    vscode.commands.registerCommand('dtsSync.showDetails', (arg?: JobsNode | string) => showDetails(deps, panels, arg)),
    vscode.commands.registerCommand('dtsSync.refresh', () =>
      vscode.window.withProgress({ location: { viewId: 'dtsSync.jobs' } }, () => controller.refresh()),
    ),
    vscode.commands.registerCommand('dtsSync.setCredentials', (arg?: JobsNode | string) => setCredentials(deps, arg)),
    vscode.commands.registerCommand('dtsSync.clearCredentials', (arg?: JobsNode | string) => clearCredentials(deps, arg)),
    vscode.commands.registerCommand('dtsSync.showAccounts', () => showAccounts(deps)),
    vscode.commands.registerCommand('dtsSync.addJob', () =>
      addJob({
        settings: () => controller.settings,
        accounts: () => accountChoices(controller).map((a) => a.name),
        pickAccount: (title) =>
          pickAccount(accountChoices(controller), { title, placeHolder: vscode.l10n.t('Account whose credentials list and query the jobs'), allowNew: true }),
        listJobs: (account, region, signal) => controller.listJobs(account, region, signal),
        addJobs: (jobs) => addJobsToSettings(jobs, controller.settings),
      }),
    ),
    vscode.commands.registerCommand('dtsSync.removeJob', (node?: JobsNode) => removeJob(deps, node)),
    vscode.commands.registerCommand('dtsSync.copyJobId', async (node?: JobsNode) => {
      const job = await targetJob(node, store, vscode.l10n.t('Job ID to copy'));
      if (job) {
        await vscode.env.clipboard.writeText(job.id);
        void vscode.window.setStatusBarMessage(vscode.l10n.t('Copied {0}', job.id), 3000);
      }
    }),
    vscode.commands.registerCommand('dtsSync.copyError', async (node?: JobsNode) => {
      if (node?.kind !== 'reason' && node?.kind !== 'direction') {
        return;
      }
      const view = deps.store.state.jobs.find((j) => jobKey(j.spec) === jobKey(node.job));
      const reason = view ? directionReason(view, node.direction) : undefined;
      if (reason !== undefined) {
        await vscode.env.clipboard.writeText(reason);
        void vscode.window.setStatusBarMessage(vscode.l10n.t('Error message copied'), 3000);
      }
    }),
    vscode.commands.registerCommand('dtsSync.openConsole', async (node?: JobsNode) => {
      const job = await targetJob(node, store, vscode.l10n.t('Job to open in the DTS console'));
      if (job) {
        await vscode.env.openExternal(vscode.Uri.parse(consoleUrl(job.region)));
      }
    }),
    vscode.commands.registerCommand('dtsSync.showLog', () => log.show()),
  ];
}
