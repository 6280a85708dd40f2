import * as vscode from 'vscode';
import { regionChoices, regionProblem } from '../core/regions';

export interface RegionPickOptions {
  readonly title: string;
  readonly placeHolder?: string;
  /** Regions already in use (the default region first), offered before the others and marked. */
  readonly inUse: readonly string[];
  readonly defaultRegion: string;
}

/**
 * Asks for a region: the documented DTS regions by name ("China (Hangzhou)" · cn-hangzhou), those in use first, and
 * "Other region…" for any well-formed ID typed by hand (validated as it is typed). Filtering matches the name and the
 * ID alike. Undefined when the user cancels.
 */
export async function pickRegion(options: RegionPickOptions): Promise<string | undefined> {
  const other = `$(edit) ${vscode.l10n.t('Other region…')}`;
  type Item = vscode.QuickPickItem & { readonly region?: string };
  const items: Item[] = [];
  let section: boolean | undefined;
  for (const choice of regionChoices([options.defaultRegion, ...options.inUse])) {
    if (choice.inUse !== section) {
      section = choice.inUse;
      items.push({ kind: vscode.QuickPickItemKind.Separator, label: choice.inUse ? vscode.l10n.t('In use') : vscode.l10n.t('All DTS regions') });
    }
    items.push({
      label: choice.name ?? choice.id,
      description: [choice.name ? choice.id : undefined, choice.id === options.defaultRegion ? vscode.l10n.t('default') : undefined]
        .filter((part) => part !== undefined)
        .join(' · '),
      region: choice.id,
    });
  }
  items.push({ kind: vscode.QuickPickItemKind.Separator, label: '' }, { label: other, alwaysShow: true });
  const picked = await vscode.window.showQuickPick(items, {
    title: options.title,
    placeHolder: options.placeHolder ?? vscode.l10n.t('Region of the job'),
    matchOnDescription: true,
    ignoreFocusOut: true,
  });
  if (!picked || picked.label !== other) {
    return picked?.region;
  }
  const typed = await vscode.window.showInputBox({
    title: options.title,
    prompt: vscode.l10n.t('Region ID'),
    placeHolder: vscode.l10n.t('e.g. {0}', 'cn-hangzhou'),
    ignoreFocusOut: true,
    validateInput: (v) => regionProblem(v.trim()),
  });
  return typed?.trim();
}
