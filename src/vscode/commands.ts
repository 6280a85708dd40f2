import * as vscode from 'vscode';
import { consoleUrl } from '../core/api/endpoints';
import { credentialsProblem } from '../core/credentials';
import { displayName, jobKey, jobRefProblem, parseJobRef, type JobSpec } from '../core/jobs';
import { KNOWN_REGIONS, regionProblem } from '../core/regions';
import type { Controller } from '../core/controller';
import type { StatusStore } from '../core/store';
import type { ExtensionLog } from './log';
import { SecretStorageUnavailableError, type SecretCredentials } from './secrets';
import { addJobToSettings, readSettings, removeJobFromSettings } from './settings';
import type { JobsNode } from './treeView';

export interface CommandDeps {
  readonly store: StatusStore;
  readonly controller: Controller;
  readonly secrets: SecretCredentials;
  readonly log: ExtensionLog;
}

/** The job a command was invoked on: a tree row, or one picked from the configured jobs. */
async function targetJob(node: JobsNode | undefined, store: StatusStore, placeHolder: string): Promise<JobSpec | undefined> {
  if (node && node.kind !== 'error') {
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

async function setCredentials({ secrets, log }: CommandDeps): Promise<void> {
  const accessKeyId = await vscode.window.showInputBox({
    title: vscode.l10n.t('Set AccessKey ({0}/{1})', 1, 3),
    prompt: vscode.l10n.t('AccessKey ID of a RAM user allowed to call dts:DescribeSynchronizationJobStatusList'),
    placeHolder: 'LTAI…',
    ignoreFocusOut: true,
    validateInput: (v) => (v.trim() === '' ? vscode.l10n.t('Enter the AccessKey ID') : credentialsProblem({ accessKeyId: v.trim(), accessKeySecret: 'x' })),
  });
  if (accessKeyId === undefined) {
    return;
  }
  const accessKeySecret = await vscode.window.showInputBox({
    title: vscode.l10n.t('Set AccessKey ({0}/{1})', 2, 3),
    prompt: vscode.l10n.t('AccessKey secret (stored in VS Code SecretStorage, never in settings)'),
    password: true,
    ignoreFocusOut: true,
    validateInput: (v) => (v.trim() === '' ? vscode.l10n.t('Enter the AccessKey secret') : credentialsProblem({ accessKeyId: 'LTAI', accessKeySecret: v.trim() })),
  });
  if (accessKeySecret === undefined) {
    return;
  }
  const securityToken = await vscode.window.showInputBox({
    title: vscode.l10n.t('Set AccessKey ({0}/{1})', 3, 3),
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
    await secrets.store({
      accessKeyId: accessKeyId.trim(),
      accessKeySecret: accessKeySecret.trim(),
      ...(securityToken.trim() ? { securityToken: securityToken.trim() } : {}),
    });
    log.info('AccessKey stored in VS Code SecretStorage');
    void vscode.window.showInformationMessage(vscode.l10n.t('DTS: AccessKey stored in VS Code SecretStorage.'));
  } catch (e) {
    reportSecretError(e, log);
  }
}

async function clearCredentials({ secrets, log }: CommandDeps): Promise<void> {
  try {
    await secrets.clear();
    log.info('Stored AccessKey removed from VS Code SecretStorage');
    void vscode.window.showInformationMessage(vscode.l10n.t('DTS: stored AccessKey removed.'));
  } catch (e) {
    reportSecretError(e, log);
  }
}

function addJobStep(step: number): string {
  return vscode.l10n.t('Add Job ({0}/{1})', step, 3);
}

function warnAlreadyListed(id: string, region: string): void {
  void vscode.window.showWarningMessage(vscode.l10n.t('DTS job {0} in {1} is already in the list.', id, region));
}

async function pickRegion(defaultRegion: string): Promise<string | undefined> {
  const other = `$(edit) ${vscode.l10n.t('Other region…')}`;
  const regions = [defaultRegion, ...KNOWN_REGIONS.filter((r) => r !== defaultRegion)];
  const picked = await vscode.window.showQuickPick(
    [...regions.map((r) => ({ label: r, description: r === defaultRegion ? vscode.l10n.t('default') : undefined })), { label: other }],
    { title: addJobStep(2), placeHolder: vscode.l10n.t('Region of the job'), ignoreFocusOut: true },
  );
  if (!picked || picked.label !== other) {
    return picked?.label;
  }
  return vscode.window.showInputBox({
    title: addJobStep(2),
    prompt: vscode.l10n.t('Region ID'),
    placeHolder: vscode.l10n.t('e.g. {0}', 'cn-hangzhou'),
    ignoreFocusOut: true,
    validateInput: (v) => regionProblem(v.trim()),
  });
}

async function addJob(): Promise<void> {
  const settings = readSettings();
  const rawId = await vscode.window.showInputBox({
    title: addJobStep(1),
    prompt: vscode.l10n.t('DTS synchronization job ID (from the DTS console), optionally ID@region'),
    placeHolder: 'dtsexjk1alb116xxxx',
    ignoreFocusOut: true,
    validateInput: (v) => jobRefProblem(v.trim()),
  });
  if (rawId === undefined) {
    return;
  }
  const text = rawId.trim();
  // With ID@region the region question is skipped.
  const ref = text.includes('@') ? parseJobRef(text, settings.defaultRegion) : undefined;
  const id = ref?.id ?? text;
  const region = ref?.region ?? (await pickRegion(settings.defaultRegion));
  if (region === undefined) {
    return;
  }
  if (settings.jobs.some((j) => jobKey(j) === jobKey({ id, region }))) {
    warnAlreadyListed(id, region);
    return;
  }
  const name = await vscode.window.showInputBox({
    title: addJobStep(3),
    prompt: vscode.l10n.t('Display name (optional; press Enter to show the ID)'),
    ignoreFocusOut: true,
  });
  if (name === undefined) {
    return;
  }
  const job: JobSpec = name.trim() ? { id, region, name: name.trim() } : { id, region };
  if ((await addJobToSettings(job, settings)) === 'duplicate') {
    warnAlreadyListed(id, region);
  }
}

async function removeJob(deps: CommandDeps, node?: JobsNode): Promise<void> {
  const job = await targetJob(node, deps.store, vscode.l10n.t('Job to stop watching'));
  if (!job) {
    return;
  }
  const removed = await removeJobFromSettings(job, readSettings().defaultRegion);
  if (!removed) {
    void vscode.window.showWarningMessage(
      vscode.l10n.t('DTS job {0} is not listed in the settings this window can edit (dtsSync.jobs).', job.id),
    );
  }
}

export function registerCommands(deps: CommandDeps): vscode.Disposable[] {
  const { store, controller, log } = deps;
  return [
    vscode.commands.registerCommand('dtsSync.refresh', () =>
      vscode.window.withProgress({ location: { viewId: 'dtsSync.jobs' } }, () => controller.refresh()),
    ),
    vscode.commands.registerCommand('dtsSync.setCredentials', () => setCredentials(deps)),
    vscode.commands.registerCommand('dtsSync.clearCredentials', () => clearCredentials(deps)),
    vscode.commands.registerCommand('dtsSync.addJob', () => addJob()),
    vscode.commands.registerCommand('dtsSync.removeJob', (node?: JobsNode) => removeJob(deps, node)),
    vscode.commands.registerCommand('dtsSync.copyJobId', async (node?: JobsNode) => {
      const job = await targetJob(node, store, vscode.l10n.t('Job ID to copy'));
      if (job) {
        await vscode.env.clipboard.writeText(job.id);
        void vscode.window.setStatusBarMessage(vscode.l10n.t('Copied {0}', job.id), 3000);
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
