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

/** At most this many jobs are listed under each heading of the tooltip; a last line counts the rest. */
export const MAX_TOOLTIP_JOBS = 10;

/** What the jobs' statuses make of the item, before the refresh's progress is added (see withProgress). */
export interface StatusSummary extends StatusBarModel {
  /** `$(error)`: replaced by a spinner while a refresh runs. */
  readonly icon: string;
  /** `DTS: 2 failed`. */
  readonly words: string;
}

export function statusBarModel(state: StoreState, ctx: PresentContext): StatusBarModel {
  return withProgress(statusSummary(state, ctx), state, ctx);
}

/** The item from the statuses alone: computed once per store change, however often a refresh starts and ends. */
export function statusSummary(state: StoreState, ctx: PresentContext): StatusSummary {
  if (state.jobs.length === 0) {
    return { visible: false, text: '', tooltip: '', background: undefined, icon: '', words: '' };
  }
  const total = state.jobs.length;
  const failed = state.jobs.filter(isFailed);
  const attention = state.jobs.filter(needsAttention);
  const lines = (views: JobView[]): string[] => {
    const listed = views
      .slice(0, MAX_TOOLTIP_JOBS)
      .map((v) => `- ${l10n.t('{0}: {1}', `**${escapeMarkdown(jobLabel(v))}**`, escapeMarkdown(jobDescription(v, ctx)))}`);
    const more = views.length - listed.length;
    return more > 0 ? [...listed, `- ${more === 1 ? l10n.t('… and 1 more') : l10n.t('… and {0} more', more)}`] : listed;
  };
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
  return { visible: true, text: `${icon} ${text}`, tooltip: tooltip.join('\n').trim(), background, icon, words: text };
}

/** The summary with the refresh's progress: a spinner and "Refreshing…" while one runs, else when the last one was. */
export function withProgress(summary: StatusSummary, state: Pick<StoreState, 'refreshing' | 'lastAttemptAt'>, ctx: PresentContext): StatusBarModel {
  const { visible, text, background } = summary;
  if (!visible) {
    return { visible, text, tooltip: summary.tooltip, background };
  }
  const parts = [summary.tooltip];
  let shown = text;
  if (state.refreshing) {
    shown = `$(sync~spin) ${summary.words}`;
    parts.unshift(l10n.t('Refreshing…'));
  } else if (state.lastAttemptAt) {
    parts.push(l10n.t('Last refresh {0}', formatAge(state.lastAttemptAt, ctx.now)));
  }
  parts.push(l10n.t('Click to show the DTS Sync view'));
  return { visible, text: shown, tooltip: parts.filter((p) => p !== '').join('\n\n'), background };
}
