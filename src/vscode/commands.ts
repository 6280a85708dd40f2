import * as vscode from 'vscode';
import { consoleUrl, KNOWN_REGIONS } from '../core/api/endpoints';
import { credentialsProblem } from '../core/credentials';
import { jobKey, jobRefProblem, parseJobRef, regionProblem, type JobSpec } from '../core/jobs';
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
    void vscode.window.showInformationMessage('No DTS sync jobs are configured.');
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(
    jobs.map((job) => ({ label: job.name ?? job.id, description: job.name ? `${job.id} · ${job.region}` : job.region, job })),
    { placeHolder },
  );
  return picked?.job;
}

function reportSecretError(e: unknown, log: ExtensionLog): void {
  const message = e instanceof Error ? e.message : String(e);
  log.error(message);
  void vscode.window.showErrorMessage(message, e instanceof SecretStorageUnavailableError ? 'Show Log' : 'OK').then((choice) => {
    if (choice === 'Show Log') {
      log.show();
    }
  });
}

async function setCredentials({ secrets, log }: CommandDeps): Promise<void> {
  const accessKeyId = await vscode.window.showInputBox({
    title: 'Set AccessKey (1/3)',
    prompt: 'AccessKey ID of a RAM user allowed to call dts:DescribeSynchronizationJobStatusList',
    placeHolder: 'LTAI…',
    ignoreFocusOut: true,
    validateInput: (v) => (v.trim() === '' ? 'Enter the AccessKey ID' : credentialsProblem({ accessKeyId: v.trim(), accessKeySecret: 'x' })),
  });
  if (accessKeyId === undefined) {
    return;
  }
  const accessKeySecret = await vscode.window.showInputBox({
    title: 'Set AccessKey (2/3)',
    prompt: 'AccessKey secret (stored in VS Code SecretStorage, never in settings)',
    password: true,
    ignoreFocusOut: true,
    validateInput: (v) => (v.trim() === '' ? 'Enter the AccessKey secret' : credentialsProblem({ accessKeyId: 'LTAI', accessKeySecret: v.trim() })),
  });
  if (accessKeySecret === undefined) {
    return;
  }
  const securityToken = await vscode.window.showInputBox({
    title: 'Set AccessKey (3/3)',
    prompt: 'STS security token, only for temporary credentials (press Enter to skip)',
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
    void vscode.window.showInformationMessage('DTS: AccessKey stored in VS Code SecretStorage.');
  } catch (e) {
    reportSecretError(e, log);
  }
}

async function clearCredentials({ secrets, log }: CommandDeps): Promise<void> {
  try {
    await secrets.clear();
    log.info('Stored AccessKey removed from VS Code SecretStorage');
    void vscode.window.showInformationMessage('DTS: stored AccessKey removed.');
  } catch (e) {
    reportSecretError(e, log);
  }
}

async function pickRegion(defaultRegion: string): Promise<string | undefined> {
  const other = '$(edit) Other region…';
  const regions = [defaultRegion, ...KNOWN_REGIONS.filter((r) => r !== defaultRegion)];
  const picked = await vscode.window.showQuickPick(
    [...regions.map((r) => ({ label: r, description: r === defaultRegion ? 'default' : undefined })), { label: other }],
    { title: 'Add Job (2/3)', placeHolder: 'Region of the job', ignoreFocusOut: true },
  );
  if (!picked || picked.label !== other) {
    return picked?.label;
  }
  return vscode.window.showInputBox({
    title: 'Add Job (2/3)',
    prompt: 'Region ID',
    placeHolder: 'e.g. cn-hangzhou',
    ignoreFocusOut: true,
    validateInput: (v) => regionProblem(v.trim()),
  });
}

async function addJob(): Promise<void> {
  const settings = readSettings();
  const rawId = await vscode.window.showInputBox({
    title: 'Add Job (1/3)',
    prompt: 'DTS synchronization job ID (from the DTS console), optionally ID@region',
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
    void vscode.window.showWarningMessage(`DTS job ${id} in ${region} is already in the list.`);
    return;
  }
  const name = await vscode.window.showInputBox({
    title: 'Add Job (3/3)',
    prompt: 'Display name (optional; press Enter to show the ID)',
    ignoreFocusOut: true,
  });
  if (name === undefined) {
    return;
  }
  const job: JobSpec = name.trim() ? { id, region, name: name.trim() } : { id, region };
  if ((await addJobToSettings(job, settings)) === 'duplicate') {
    void vscode.window.showWarningMessage(`DTS job ${id} in ${region} is already in the list.`);
  }
}

async function removeJob(deps: CommandDeps, node?: JobsNode): Promise<void> {
  const job = await targetJob(node, deps.store, 'Job to stop watching');
  if (!job) {
    return;
  }
  const removed = await removeJobFromSettings(job, readSettings().defaultRegion);
  if (!removed) {
    void vscode.window.showWarningMessage(`DTS job ${job.id} is not listed in the settings this window can edit (dtsSync.jobs).`);
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
      const job = await targetJob(node, store, 'Job ID to copy');
      if (job) {
        await vscode.env.clipboard.writeText(job.id);
        void vscode.window.setStatusBarMessage(`Copied ${job.id}`, 3000);
      }
    }),
    vscode.commands.registerCommand('dtsSync.openConsole', async (node?: JobsNode) => {
      const job = await targetJob(node, store, 'Job to open in the DTS console');
      if (job) {
        await vscode.env.openExternal(vscode.Uri.parse(consoleUrl(job.region)));
      }
    }),
    vscode.commands.registerCommand('dtsSync.showLog', () => log.show()),
  ];
}
