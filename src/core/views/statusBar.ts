import type { JobView, StoreState } from '../store';
import { jobDescription, jobHealth, escapeMarkdown, type PresentContext } from './tree';
import { formatAge } from './time';
import { stripControl } from '../safeText';

export interface StatusBarModel {
  readonly visible: boolean;
  readonly text: string;
  /** Markdown. */
  readonly tooltip: string;
  readonly background: 'error' | 'warning' | undefined;
}

/** A job the status bar counts as failed: a found job whose worst direction is `error`. */
export function isFailed(view: JobView): boolean {
  return view.status?.found === true && view.status.health === 'error';
}

/** Paused, lagging, not found, unknown, stale or never fetched after an error. */
export function needsAttention(view: JobView): boolean {
  if (isFailed(view)) {
    return false;
  }
  const health = jobHealth(view);
  return health === 'warning' || health === 'unknown' || view.stale;
}

function label(view: JobView): string {
  return stripControl(view.spec.name ?? view.spec.id);
}

export function statusBarModel(state: StoreState, ctx: PresentContext): StatusBarModel {
  if (state.jobs.length === 0) {
    return { visible: false, text: '', tooltip: '', background: undefined };
  }
  const failed = state.jobs.filter(isFailed);
  const attention = state.jobs.filter(needsAttention);
  const lines = (views: JobView[]): string[] => views.map((v) => `- **${escapeMarkdown(label(v))}**: ${escapeMarkdown(jobDescription(v, ctx))}`);
  let icon: string;
  let text: string;
  let background: StatusBarModel['background'];
  const tooltip: string[] = [];
  if (!state.credentialsSource) {
    icon = '$(key)';
    text = 'DTS: no AccessKey';
    background = 'warning';
    tooltip.push('**No AccessKey.** Run "DTS: Set AccessKey…" or set ALIBABA_CLOUD_ACCESS_KEY_ID / _SECRET.');
  } else if (failed.length > 0) {
    icon = '$(error)';
    text = `DTS: ${failed.length} failed`;
    background = 'error';
    tooltip.push(`**${failed.length} failed**`, ...lines(failed));
  } else if (attention.length > 0) {
    icon = '$(warning)';
    text = `DTS: ${attention.length} need${attention.length === 1 ? 's' : ''} attention`;
    background = 'warning';
  } else if (state.jobs.some((j) => !j.status)) {
    const waiting = state.jobs.filter((j) => !j.status).length;
    icon = '$(clock)';
    text = `DTS: ${state.jobs.length}`;
    background = undefined;
    tooltip.push(`Waiting for the first status of ${waiting} DTS sync job${waiting === 1 ? '' : 's'}`);
  } else {
    icon = '$(check)';
    text = `DTS: ${state.jobs.length} OK`;
    background = undefined;
    tooltip.push(`All ${state.jobs.length} DTS sync job${state.jobs.length === 1 ? '' : 's'} healthy`);
  }
  if (attention.length > 0 && state.credentialsSource) {
    tooltip.push('', `**${attention.length} need${attention.length === 1 ? 's' : ''} attention**`, ...lines(attention));
  }
  if (state.refreshing) {
    icon = '$(sync~spin)';
    tooltip.unshift('Refreshing…', '');
  } else if (state.lastAttemptAt) {
    tooltip.push('', `Last refresh ${formatAge(state.lastAttemptAt, ctx.now)}`);
  }
  tooltip.push('', 'Click to show the DTS Sync view');
  return { visible: true, text: `${icon} ${text}`, tooltip: tooltip.join('\n').trim(), background };
}
