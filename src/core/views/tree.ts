import type { ErrorKind } from '../api/errors';
import { formatLag, statusLabel, worstHealth, type DirectionStatus, type Health } from '../model';
import { safeText, stripControl } from '../safeText';
import type { JobView, StoreState } from '../store';
import { healthIcon, healthWords, type IconSpec } from './health';
import { formatAge, formatClock, formatUtc } from './time';

/** Everything a tree row shows, without VS Code types. */
export interface ItemModel {
  readonly id: string;
  readonly label: string;
  readonly description: string;
  /** Markdown. */
  readonly tooltip: string;
  readonly icon: IconSpec;
  /** `job`, `direction` or `refreshError`: the `viewItem` menus key on it. */
  readonly contextValue: string;
  readonly collapsible: boolean;
}

export interface PresentContext {
  readonly now: Date;
  /** IANA zone for local times; the machine's when undefined. */
  readonly timeZone?: string;
}

/** A failed refresh in a few words for a row; the tooltip and the log carry the full message. */
const ERROR_WORDS: Readonly<Record<ErrorKind, string>> = {
  credentials: 'AccessKey rejected',
  forbidden: 'access denied',
  throttled: 'throttled',
  network: 'network error',
  timeout: 'timed out',
  server: 'server error',
  'bad-response': 'bad response',
  rejected: 'request rejected',
  'bad-input': 'no usable AccessKey or settings',
};

/** Escapes Markdown so a status or message from the API shows as it came, on one line, without control characters. */
export function escapeMarkdown(text: string): string {
  return stripControl(text).replace(/[\\`*_{}[\]()#+\-.!|<>~]/g, '\\$&');
}

/** What the user should look at first: the job's health, or why it has none. */
export function jobHealth(view: JobView): Health {
  if (!view.status) {
    return view.error ? 'warning' : 'pending';
  }
  return view.status.health;
}

function lagWords(lag: number | null): string | undefined {
  return lag === null ? undefined : `${formatLag(lag)} behind`;
}

/** `Synchronizing · 8 s behind · 14:03:05`. */
export function directionDescription(d: DirectionStatus, ctx: PresentContext): string {
  return stripControl(
    [statusLabel(d.status), lagWords(d.lagSeconds), d.checkpoint ? formatClock(d.checkpoint, ctx.now, ctx.timeZone) : undefined]
      .filter((p): p is string => p !== undefined)
      .join(' · '),
  );
}

function worstDirection(directions: readonly DirectionStatus[]): DirectionStatus | undefined {
  const worst = worstHealth(directions.map((d) => d.health));
  return directions.find((d) => d.health === worst);
}

function staleSuffix(view: JobView, ctx: PresentContext): string | undefined {
  return view.stale && view.fetchedAt ? `stale, ${formatAge(view.fetchedAt, ctx.now).replace(/ ago$/, ' old')}` : undefined;
}

export function jobDescription(view: JobView, ctx: PresentContext): string {
  const status = view.status;
  let main: string;
  if (!status) {
    main = view.error ? `No status: ${ERROR_WORDS[view.error.kind]}` : 'Waiting for the first refresh';
  } else if (!status.found) {
    main = `Not found in ${status.region}`;
  } else {
    const worst = worstDirection(status.directions);
    main = worst ? [statusLabel(worst.status), lagWords(worst.lagSeconds)].filter(Boolean).join(' · ') : 'No directions reported';
  }
  return stripControl([main, staleSuffix(view, ctx)].filter(Boolean).join(' · '));
}

/** What a tooltip says when there is no usable checkpoint: none yet, or the impossible value DTS sent. */
function noCheckpoint(d: DirectionStatus): string {
  return d.checkpointRaw === undefined ? 'none yet' : `none (DTS sent \`${d.checkpointRaw.replace(/`/g, "'")}\`, not a plausible time)`;
}

function directionRow(d: DirectionStatus, ctx: PresentContext): string {
  const checkpoint = d.checkpoint ? `${formatUtc(d.checkpoint)}<br>${formatClock(d.checkpoint, ctx.now, ctx.timeZone)} local` : noCheckpoint(d);
  const lag = d.lagSeconds === null ? '–' : formatLag(d.lagSeconds);
  return `| ${escapeMarkdown(d.direction)} | ${escapeMarkdown(d.status || '(empty)')} | ${healthWords(d.health)} | ${checkpoint} | ${lag} |`;
}

/** Markdown with everything: ID, region, each direction's raw status, checkpoint in UTC and local time, lag, age. */
export function jobTooltip(view: JobView, ctx: PresentContext, credentialsSource?: string): string {
  const { spec, status } = view;
  const lines = [`**${escapeMarkdown(spec.name ?? spec.id)}**`, '', `ID: \`${spec.id}\` · Region: \`${spec.region}\``, ''];
  if (status && !status.found) {
    lines.push(`**Not found in ${spec.region}.** Check the job ID and its region.`, '');
  } else if (status && status.directions.length > 0) {
    lines.push(`${healthWords(status.health)}`, '');
    lines.push('| Direction | Status | Health | Checkpoint | Lag |', '|---|---|---|---|---|');
    lines.push(...status.directions.map((d) => directionRow(d, ctx)), '');
  }
  if (view.fetchedAt) {
    lines.push(`Fetched ${formatUtc(view.fetchedAt)} (${formatAge(view.fetchedAt, ctx.now)})${view.stale ? ' — **stale**' : ''}`, '');
  }
  if (view.error) {
    lines.push(`$(error) ${escapeMarkdown(view.error.message)}`, '');
  }
  if (credentialsSource) {
    lines.push(`Credentials: ${escapeMarkdown(credentialsSource)}`);
  }
  return lines.join('\n').trim();
}

export function jobItem(view: JobView, ctx: PresentContext, credentialsSource?: string): ItemModel {
  const health = jobHealth(view);
  const icon =
    view.status && !view.status.found
      ? { id: 'circle-slash', color: 'charts.yellow' }
      : healthIcon(health, view.status ? worstDirection(view.status.directions)?.status : undefined);
  return {
    id: `job:${view.spec.id}@${view.spec.region}`,
    label: stripControl(view.spec.name ?? view.spec.id),
    description: jobDescription(view, ctx),
    tooltip: jobTooltip(view, ctx, credentialsSource),
    icon,
    contextValue: 'job',
    // Expandable before the first status too: VS Code keeps a row that was drawn as a leaf collapsed once it gains children.
    collapsible: !view.status || view.status.directions.length > 0,
  };
}

export function directionItems(view: JobView, ctx: PresentContext): ItemModel[] {
  return (view.status?.directions ?? []).map((d) => ({
    id: `dir:${view.spec.id}@${view.spec.region}:${d.direction}`,
    label: stripControl(d.direction),
    description: directionDescription(d, ctx),
    tooltip: [
      `**${escapeMarkdown(view.spec.name ?? view.spec.id)}** · ${escapeMarkdown(d.direction)}`,
      '',
      `Status: ${escapeMarkdown(d.status || '(empty)')} (${healthWords(d.health)})`,
      `Checkpoint: ${d.checkpoint ? `${formatUtc(d.checkpoint)} · ${formatClock(d.checkpoint, ctx.now, ctx.timeZone)} local` : noCheckpoint(d)}`,
      d.aheadSeconds !== undefined ? `The checkpoint is ${formatLag(d.aheadSeconds)} ahead of the server clock (clock skew?); lag shown as 0` : '',
      `Lag: ${d.lagSeconds === null ? '–' : formatLag(d.lagSeconds)}`,
      view.fetchedAt ? `Fetched ${formatAge(view.fetchedAt, ctx.now)}${view.stale ? ' (stale)' : ''}` : '',
    ].filter(Boolean).join('\n\n'),
    icon: healthIcon(d.health, d.status),
    contextValue: 'direction',
    collapsible: false,
  }));
}

/** Distinct errors of the latest refresh, the global one first. */
export function currentErrors(state: StoreState): string[] {
  const messages = new Set<string>();
  if (state.failure) {
    messages.add(state.failure.message);
  }
  for (const job of state.jobs) {
    if (job.error) {
      messages.add(job.error.message);
    }
  }
  return [...messages];
}

/** The row above the jobs that says the latest refresh failed, with Retry and Show Log on it. */
export function errorItem(state: StoreState): ItemModel | undefined {
  const errors = currentErrors(state);
  if (errors.length === 0) {
    return undefined;
  }
  const affected = state.jobs.filter((j) => j.error).length;
  return {
    id: 'refreshError',
    label: 'Refresh failed',
    description: safeText(errors[0]),
    tooltip: [
      `**Refresh failed** for ${affected} of ${state.jobs.length} job${state.jobs.length === 1 ? '' : 's'}; their last known statuses are kept and marked stale.`,
      '',
      ...errors.map((e) => `- ${escapeMarkdown(e)}`),
    ].join('\n'),
    icon: { id: 'error', color: 'testing.iconFailed' },
    contextValue: 'refreshError',
    collapsible: false,
  };
}

/** The view's message: the latest refresh's failure and any ignored settings. */
export function viewMessage(state: StoreState): string | undefined {
  const parts: string[] = [];
  const errors = currentErrors(state);
  if (errors.length > 0) {
    const kept = state.jobs.some((j) => j.status) ? ' Showing the last known statuses.' : '';
    parts.push(`Refresh failed: ${safeText(errors[0])}${errors.length > 1 ? ` (and ${errors.length - 1} more)` : ''}.${kept}`);
  }
  if (state.settingsProblems.length > 0) {
    parts.push(`Ignored settings: ${state.settingsProblems.map((p) => safeText(p)).join('; ')}`);
  }
  return parts.length > 0 ? parts.join('\n') : undefined;
}

/** The activity-bar badge: the number of jobs in `error`. */
export function errorBadge(state: StoreState): { value: number; tooltip: string } | undefined {
  const failed = state.jobs.filter((j) => j.status?.found && j.status.health === 'error').length;
  return failed > 0 ? { value: failed, tooltip: `${failed} DTS job${failed === 1 ? '' : 's'} failed` } : undefined;
}
