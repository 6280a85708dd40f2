import * as vscode from 'vscode';
import { consoleUrl } from '../core/api/endpoints';
import { displayName } from '../core/jobs';
import { directionLabel, statusLabel } from '../core/model';
import { safeText } from '../core/safeText';
import type { Transition } from '../core/store';

/** One warning per refresh in which directions newly entered `error`; staying failed does not notify again. */
export async function notifyFailures(transitions: readonly Transition[]): Promise<void> {
  if (transitions.length === 0) {
    return;
  }
  const first = transitions[0];
  const message = safeText(
    transitions.length === 1
      ? vscode.l10n.t('DTS job {0}, {1} direction: {2}.', displayName(first.job), directionLabel(first.direction), statusLabel(first.status))
      : vscode.l10n.t(
          '{0} DTS job directions failed: {1}.',
          transitions.length,
          transitions.map((t) => vscode.l10n.t('{0} ({1})', displayName(t.job), directionLabel(t.direction))).join(', '),
        ),
  );
  const show = vscode.l10n.t('Show');
  const open = vscode.l10n.t('Open in DTS Console');
  const choice = await vscode.window.showWarningMessage(message, show, open);
  if (choice === show) {
    await vscode.commands.executeCommand('workbench.view.extension.dtsSync');
  } else if (choice === open) {
    await vscode.env.openExternal(vscode.Uri.parse(consoleUrl(first.job.region)));
  }
}
