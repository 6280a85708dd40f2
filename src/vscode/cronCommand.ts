import * as path from 'node:path';
import * as vscode from 'vscode';
import { cronLines } from '../core/cronLine';
import type { JobSpec } from '../core/jobs';

/**
 * DTS: Copy Cron Lines for Prometheus. Copies crontab lines that run this extension's own bundled CLI for the watched
 * jobs (OpenMetrics into node_exporter's textfile directory) and opens them in an editor to review. The walkthrough's
 * last step completes on this command.
 */
export function registerCronCommand(extensionPath: string, jobs: () => readonly JobSpec[]): vscode.Disposable {
  return vscode.commands.registerCommand('dtsSync.copyCronLines', async () => {
    const text = cronLines({ nodePath: 'node', cliPath: path.join(extensionPath, 'dist', 'cli.js'), jobs: jobs() });
    await vscode.env.clipboard.writeText(text);
    const document = await vscode.workspace.openTextDocument({ content: text, language: 'shellscript' });
    await vscode.window.showTextDocument(document, { preview: true });
    void vscode.window.showInformationMessage(
      vscode.l10n.t('Cron lines copied. Add them with crontab -e on a machine where the aliyun CLI credentials are set up.'),
    );
    return text;
  });
}
