import * as l10n from '@vscode/l10n';
import { isFailed, jobHealth, needsAttention } from '../attention';
import { HEALTH_SEVERITY, worstHealth, type Health } from '../model';
import { regionName } from '../regions';
import { stripControl } from '../safeText';
import type { GroupBy } from '../settings';
import type { JobView, StoreState } from '../store';
import { healthIcon, healthWords } from './health';
import { escapeMarkdown, type ItemModel } from './tree';

/** The jobs of one group row (`dtsSync.groupBy`): a region's, or a health's. */
export interface JobGroup {
  /** Stable across refreshes and languages (`region:cn-hangzhou`, `health:error`), so VS Code keeps it expanded. */
  readonly key: string;
  readonly by: Exclude<GroupBy, 'none'>;
  /** The region ID or the health. */
  readonly value: string;
  readonly jobs: readonly JobView[];
}

/** The tree id of a group row. */
export function groupItemId(key: string): string {
  return `group:${key}`;
}

/**
 * What a job counts as in a group: its health, except that a status kept from before a failed refresh needs attention
 * (as the status bar and the view's title count it), however healthy it was.
 */
function groupHealth(view: JobView): Health {
  const health = jobHealth(view);
  return view.stale && (health === 'ok' || health === 'pending' || health === 'finished') ? 'warning' : health;
}

/**
 * The jobs by region (regions in ID order) or by health (worst first, in the one severity order the whole extension
 * uses), empty groups left out; undefined for `none`.
 */
export function jobGroups(jobs: readonly JobView[], by: GroupBy): JobGroup[] | undefined {
  if (by === 'none') {
    return undefined;
  }
  const members = new Map<string, JobView[]>();
  for (const view of jobs) {
    const value = by === 'region' ? view.spec.region : groupHealth(view);
    const list = members.get(value);
    if (list) {
      list.push(view);
    } else {
      members.set(value, [view]);
    }
  }
  const order = by === 'region' ? [...members.keys()].sort() : HEALTH_SEVERITY.filter((h) => members.has(h));
  return order.map((value) => ({ key: `${by}:${value}`, by, value, jobs: members.get(value) ?? [] }));
}

/** `1 job`, `45 jobs`. */
export function jobCount(n: number): string {
  return n === 1 ? l10n.t('1 job') : l10n.t('{0} jobs', n);
}

/** `3 failed · 5 need attention · 45 jobs`: the counts that matter, failures first; just `45 jobs` when all is well. */
export function jobCounts(jobs: readonly JobView[]): string {
  let failed = 0;
  let attention = 0;
  for (const job of jobs) {
    if (isFailed(job)) {
      failed++;
    } else if (needsAttention(job)) {
      attention++;
    }
  }
  const parts: string[] = [];
  if (failed > 0) {
    parts.push(l10n.t('{0} failed', failed));
  }
  if (attention > 0) {
    parts.push(attention === 1 ? l10n.t('1 needs attention') : l10n.t('{0} need attention', attention));
  }
  parts.push(jobCount(jobs.length));
  return parts.join(' · ');
}

/**
 * A group row: `China (Hangzhou)` · `cn-hangzhou · 2 failed · 45 jobs` with its worst job's icon, or `Failed` ·
 * `3 jobs` with the health's icon.
 */
export function groupItem(group: JobGroup): ItemModel {
  const health: Health = group.by === 'health' ? (group.value as Health) : (worstHealth(group.jobs.map(groupHealth)) ?? 'pending');
  const region = stripControl(group.value);
  const label = group.by === 'health' ? healthWords(health) : (regionName(group.value) ?? region);
  const counts = group.by === 'health' ? jobCount(group.jobs.length) : jobCounts(group.jobs);
  const description = group.by === 'region' && label !== region ? `${region} · ${counts}` : counts;
  const title = group.by === 'region' && label !== region ? `**${escapeMarkdown(label)}** (\`${region}\`)` : `**${escapeMarkdown(label)}**`;
  return {
    id: groupItemId(group.key),
    label,
    description,
    tooltip: [title, '', escapeMarkdown(counts)].join('\n'),
    icon: healthIcon(health),
    contextValue: group.by === 'region' ? 'group.region' : 'group.health',
    collapsible: true,
  };
}

/** The view's title: `3 failed · 45 jobs` (the badge counts failures only, on the activity bar); none without jobs. */
export function viewDescription(state: Pick<StoreState, 'jobs' | 'credentialsSource'>): string | undefined {
  return state.jobs.length === 0 || !state.credentialsSource ? undefined : jobCounts(state.jobs);
}
