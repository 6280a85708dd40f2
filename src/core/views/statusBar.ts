import * as l10n from '@vscode/l10n';
import { isFailed, needsAttention } from '../attention';
import type { JobView, StoreState } from '../store';
import { formatAge } from './time';
import { escapeMarkdown, jobDescription, jobLabel, type PresentContext } from './tree';

export interface StatusBarModel {
  readonly visible: boolean;
  readonly text: string;
  /** Markdown. */
  readonly tooltip: string;
  readonly background: 'error' | 'warning' | undefined;
}

export function statusBarModel(state: StoreState, ctx: PresentContext): StatusBarModel {
  if (state.jobs.length === 0) {
    return { visible: false, text: '', tooltip: '', background: undefined };
  }
  const total = state.jobs.length;
  const failed = state.jobs.filter(isFailed);
  const attention = state.jobs.filter(needsAttention);
  const lines = (views: JobView[]): string[] =>
    views.map((v) => `- ${l10n.t('{0}: {1}', `**${escapeMarkdown(jobLabel(v))}**`, escapeMarkdown(jobDescription(v, ctx)))}`);
  let icon: string;
  let text: string;
  let background: StatusBarModel['background'];
  const tooltip: string[] = [];
  if (!state.credentialsSource) {
    icon = '$(key)';
    text = l10n.t('DTS: no AccessKey');
    background = 'warning';
    tooltip.push(l10n.t('**No AccessKey.** Run "DTS: Set AccessKey…" or set ALIBABA_CLOUD_ACCESS_KEY_ID / _SECRET.'));
  } else if (failed.length > 0) {
    icon = '$(error)';
    text = l10n.t('DTS: {0} failed', failed.length);
    background = 'error';
    tooltip.push(l10n.t('**{0} failed**', failed.length), ...lines(failed));
  } else if (attention.length > 0) {
    icon = '$(warning)';
    text = attention.length === 1 ? l10n.t('DTS: 1 needs attention') : l10n.t('DTS: {0} need attention', attention.length);
    background = 'warning';
  } else if (state.jobs.some((j) => !j.status)) {
    const waiting = state.jobs.filter((j) => !j.status).length;
    icon = '$(clock)';
    text = l10n.t('DTS: {0}', total);
    background = undefined;
    tooltip.push(
      waiting === 1
        ? l10n.t('Waiting for the first status of 1 DTS sync job')
        : l10n.t('Waiting for the first status of {0} DTS sync jobs', waiting),
    );
  } else {
    icon = '$(check)';
    text = l10n.t('DTS: {0} OK', total);
    background = undefined;
    tooltip.push(total === 1 ? l10n.t('The DTS sync job is healthy') : l10n.t('All {0} DTS sync jobs healthy', total));
  }
  if (attention.length > 0 && state.credentialsSource) {
    const heading = attention.length === 1 ? l10n.t('**1 needs attention**') : l10n.t('**{0} need attention**', attention.length);
    tooltip.push('', heading, ...lines(attention));
  }
  if (state.refreshing) {
    icon = '$(sync~spin)';
    tooltip.unshift(l10n.t('Refreshing…'), '');
  } else if (state.lastAttemptAt) {
    tooltip.push('', l10n.t('Last refresh {0}', formatAge(state.lastAttemptAt, ctx.now)));
  }
  tooltip.push('', l10n.t('Click to show the DTS Sync view'));
  return { visible: true, text: `${icon} ${text}`, tooltip: tooltip.join('\n').trim(), background };
}
