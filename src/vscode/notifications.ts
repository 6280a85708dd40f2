import * as vscode from 'vscode';
import { consoleUrl } from '../core/api/endpoints';
import { statusLabel } from '../core/model';
import { safeText } from '../core/safeText';
import type { Transition } from '../core/store';

/** One warning per refresh in which directions newly entered `error`; staying failed does not notify again. */
export async function notifyFailures(transitions: readonly Transition[]): Promise<void> {
  if (transitions.length === 0) {
    return;
  }
  const first = transitions[0];
  const name = (t: Transition): string => t.job.name ?? t.job.id;
  const message = safeText(
    transitions.length === 1
      ? `DTS job ${name(first)}: ${first.direction} direction ${statusLabel(first.status).toLowerCase()}.`
      : `${transitions.length} DTS job directions failed: ${transitions.map((t) => `${name(t)} (${t.direction})`).join(', ')}.`,
  );
  const choice = await vscode.window.showWarningMessage(message, 'Show', 'Open in DTS Console');
  if (choice === 'Show') {
    await vscode.commands.executeCommand('workbench.view.extension.dtsSync');
  } else if (choice === 'Open in DTS Console') {
    await vscode.env.openExternal(vscode.Uri.parse(consoleUrl(first.job.region)));
  }
}
