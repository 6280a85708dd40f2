import * as vscode from 'vscode';
import { cronLines } from '../core/cronLine';
import type { JobSpec } from '../core/jobs';

const SCHEME = 'dtssync-cron';

/**
 * DTS: Copy Cron Lines for Prometheus. Copies crontab lines that run the dts-sync-status command line for the watched
 * jobs (metrics into node_exporter's textfile directory) and shows them in a read-only editor to review (read-only,
 * so closing it never asks to save). The walkthrough's last step completes on this command.
 */
export function registerCronCommand(jobs: () => readonly JobSpec[]): vscode.Disposable {
  let latest = '';
  const changed = new vscode.EventEmitter<vscode.Uri>();
  const uri = vscode.Uri.from({ scheme: SCHEME, path: '/crontab.sh' });
  const provider = vscode.workspace.registerTextDocumentContentProvider(SCHEME, { onDidChange: changed.event, provideTextDocumentContent: () => latest });
  const command = vscode.commands.registerCommand('dtsSync.copyCronLines', async () => {
    latest = cronLines({ jobs: jobs() });
    changed.fire(uri);
    await vscode.env.clipboard.writeText(latest);
    const document = await vscode.workspace.openTextDocument(uri);
    await vscode.languages.setTextDocumentLanguage(document, 'shellscript');
    await vscode.window.showTextDocument(document, { preview: true });
    void vscode.window.showInformationMessage(
      vscode.l10n.t('Cron lines copied. Add them with crontab -e on a machine where the aliyun CLI credentials are set up.'),
    );
    return latest;
  });
  return vscode.Disposable.from(command, provider, changed);
}
