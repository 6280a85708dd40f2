import * as l10n from '@vscode/l10n';
import { accountMessage, accountOf } from '../accounts';
import type { ErrorKind } from '../api/errors';
import { failureReason, isFailedCheck, reasonLine, type JobDetails, type JobEndpoint, type PrecheckItem } from '../api/jobDetails';
import { formatNumber } from '../locale';
import { isFailed, jobHealth } from '../attention';
import { DEFAULT_ACCOUNT, displayName, jobKey, type JobSpec } from '../jobs';
import { aheadNote, directionLabel, formatLag, HEALTH_SEVERITY, healthRank, statusLabel, type DirectionStatus } from '../model';
import { safeText, stripControl } from '../safeText';
import type { JobView, StoreState } from '../store';
import { healthIcon, healthWords, NOT_FOUND_ICON, type IconSpec } from './health';
import { formatAge, formatClock, formatStale, formatUtc } from './time';

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
  /**
   * Words already written with this context (same clock, same language), by kind and by what they depend on: the rows
   * of one refresh repeat a few statuses, lags and fetch times hundreds of times. A new context starts empty.
   */
  readonly memo?: Map<string, Map<string | number, string>>;
}

/** `make(key)`'s words for (`kind`, `key`), written once per context that carries a memo. */
function once<K extends string | number>(ctx: PresentContext, kind: string, key: K, make: (key: K) => string): string {
  if (!ctx.memo) {
    return make(key);
  }
  let words = ctx.memo.get(kind);
  if (!words) {
    words = new Map();
    ctx.memo.set(kind, words);
  }
  let made = words.get(key);
  if (made === undefined) {
    made = make(key);
    words.set(key, made);
  }
  return made;
}

/** A failed refresh in a few words for a row; the tooltip and the log carry the full message. */
const ERROR_WORDS: Readonly<Record<ErrorKind, () => string>> = {
  credentials: () => l10n.t('AccessKey rejected'),
  forbidden: () => l10n.t('access denied'),
  throttled: () => l10n.t('throttled'),
  network: () => l10n.t('network error'),
  timeout: () => l10n.t('timed out'),
  server: () => l10n.t('server error'),
  'bad-response': () => l10n.t('bad response'),
  rejected: () => l10n.t('request rejected'),
  'bad-input': () => l10n.t('no usable AccessKey or settings'),
};

/** A failed refresh's few words for a row (`AccessKey rejected`). */
export function errorWords(kind: ErrorKind): string {
  return ERROR_WORDS[kind]();
}

/** Row ids by spec object: specs are immutable and outlive many refreshes, so their rows' ids are written once. */
const jobIds = new WeakMap<Pick<JobSpec, 'id' | 'region'>, string>();
const directionIds = new WeakMap<Pick<JobSpec, 'id' | 'region'>, Map<string, string>>();

/** The tree id of a job row; the direction rows hang below it. */
export function jobItemId(spec: Pick<JobSpec, 'id' | 'region'>): string {
  let id = jobIds.get(spec);
  if (id === undefined) {
    id = `job:${jobKey(spec)}`;
    jobIds.set(spec, id);
  }
  return id;
}

/** The tree id of a direction row: by the API's direction name, whatever language the label is in. */
export function directionItemId(spec: Pick<JobSpec, 'id' | 'region'>, direction: string): string {
  let ids = directionIds.get(spec);
  if (!ids) {
    ids = new Map();
    directionIds.set(spec, ids);
  }
  let id = ids.get(direction);
  if (id === undefined) {
    id = `dir:${jobKey(spec)}:${direction}`;
    ids.set(direction, id);
  }
  return id;
}

/** The direction `view` reports under that name (the first, should the API list it twice). */
export function directionNamed(view: JobView, direction: string): DirectionStatus | undefined {
  for (const d of view.status?.directions ?? []) {
    if (d.direction === direction) {
      return d;
    }
  }
  return undefined;
}

/** The tree id of a failed direction's reason row. */
export function reasonItemId(spec: Pick<JobSpec, 'id' | 'region'>, direction: string): string {
  return `reason:${jobKey(spec)}:${direction}`;
}

/** The tree id of a failed precheck item's row (by its place among the failed items), or of the "… N more" row. */
export function precheckItemId(spec: Pick<JobSpec, 'id' | 'region'>, direction: string, index: number): string {
  return `precheck:${jobKey(spec)}:${direction}:${index}`;
}

/** At most this many failed precheck items get a row under their direction; a last row counts the rest. */
export const MAX_PRECHECK_ROWS = 20;

/** A row's label: the configured name, else the name DTS reported, else the ID. */
export function jobLabel(view: Pick<JobView, 'spec' | 'facts'>): string {
  return view.spec.name !== undefined ? displayName(view.spec) : stripControl(view.facts?.name ?? view.spec.id);
}

/** The failure reason of a direction whose health is `error`, from its latest details; undefined when none is known. */
export function directionReason(view: JobView, direction: string): string | undefined {
  const d = directionNamed(view, direction);
  const details = view.details?.get(direction);
  return d?.health === 'error' && details ? failureReason(details) : undefined;
}

/** Whether an initialization step with this status still runs. */
function running(status: string | undefined): boolean {
  return !/^(finished|notstarted|failed|)$/i.test((status ?? '').trim());
}

/** `Full data 42 %` (or `Schema 10 %`) while the initial load runs. */
function progressWords(details: JobDetails | undefined): string | undefined {
  if (!details) {
    return undefined;
  }
  const data = details.dataInitialization;
  if (data?.percent !== undefined && running(data.status) && data.percent < 100) {
    return l10n.t('Full data {0} %', formatNumber(data.percent));
  }
  const schema = details.structureInitialization;
  if (schema?.percent !== undefined && running(schema.status) && schema.percent < 100) {
    return l10n.t('Schema {0} %', formatNumber(schema.percent));
  }
  return undefined;
}

/** Escapes Markdown so a status or message from the API shows as it came, on one line, without control characters. */
export function escapeMarkdown(text: string): string {
  return stripControl(text).replace(/[\\`*_{}[\]()#+\-.!|<>~]/g, '\\$&');
}

function behindWords(lag: number): string {
  return l10n.t('{0} behind', formatLag(lag));
}

function lagWords(lag: number | null, ctx: PresentContext): string | undefined {
  return lag === null ? undefined : once(ctx, 'behind', lag, behindWords);
}

/** Parts of a row's description, each a whole phrase, separated by a middle dot in every language. */
function joinParts(parts: readonly (string | undefined)[]): string {
  return stripControl(joinKept(parts));
}

/** joinParts without the final clean-up, for a part of a description that joinParts then takes whole. */
function joinKept(parts: readonly (string | undefined)[]): string {
  let joined = '';
  for (const part of parts) {
    if (part !== undefined && part !== '') {
      joined = joined === '' ? part : `${joined} · ${part}`;
    }
  }
  return joined;
}

/** `Synchronizing · 8 s behind · 14:03:05`. */
export function directionDescription(d: DirectionStatus, ctx: PresentContext, details?: JobDetails): string {
  return joinParts([
    once(ctx, 'statusLabel', d.status, statusLabel),
    progressWords(details),
    lagWords(d.lagSeconds, ctx),
    d.checkpoint ? formatClock(d.checkpoint, ctx.now, ctx.timeZone) : undefined,
  ]);
}

/** The first direction of the worst health (HEALTH_SEVERITY), as `worstHealth` ranks them. */
function worstDirection(directions: readonly DirectionStatus[]): DirectionStatus | undefined {
  let worst: DirectionStatus | undefined;
  let worstRank = HEALTH_SEVERITY.length;
  for (const d of directions) {
    const rank = healthRank(d.health);
    if (rank !== undefined && rank < worstRank) {
      worst = d;
      worstRank = rank;
    }
  }
  return worst;
}

function notFoundIn(region: string): string {
  return l10n.t('Not found in {0}', region);
}

export function jobDescription(view: JobView, ctx: PresentContext): string {
  return describeJob(view, ctx, view.status ? worstDirection(view.status.directions) : undefined);
}

/** jobDescription with the job's worst direction already found. */
function describeJob(view: JobView, ctx: PresentContext, worst: DirectionStatus | undefined): string {
  const status = view.status;
  let main: string;
  if (!status) {
    main = view.error ? l10n.t('No status: {0}', ERROR_WORDS[view.error.kind]()) : l10n.t('Waiting for the first refresh');
  } else if (!status.found) {
    main = notFoundIn(status.region);
  } else {
    main = worst
      ? joinKept([once(ctx, 'statusLabel', worst.status, statusLabel), progressWords(view.details?.get(worst.direction)), lagWords(worst.lagSeconds, ctx)])
      : l10n.t('No directions reported');
  }
  return joinParts([main, view.expiry?.words, view.stale && view.fetchedAt ? formatStale(view.fetchedAt, ctx.now) : undefined]);
}

/** `MySQL (rm-bp1…)`: an endpoint's engine and instance. */
function endpointWords(e: JobEndpoint | undefined): string {
  if (!e) {
    return '?';
  }
  const engine = escapeMarkdown(e.engineName ?? e.instanceType ?? '?');
  const where = e.instanceId ?? (e.ip !== undefined ? `${e.ip}${e.port !== undefined ? `:${e.port}` : ''}` : undefined);
  return where === undefined ? engine : `${engine} (\`${where.replace(/`/g, "'")}\`)`;
}

/** What a tooltip says when there is no usable checkpoint: none yet, or the impossible value DTS sent. */
function noCheckpoint(d: DirectionStatus): string {
  return d.checkpointRaw === undefined
    ? l10n.t('none yet')
    : l10n.t('none (DTS sent {0}, not a plausible time)', `\`${d.checkpointRaw.replace(/`/g, "'")}\``);
}

function localClock(d: Date, ctx: PresentContext): string {
  return l10n.t('{0} local', formatClock(d, ctx.now, ctx.timeZone));
}

function lagCell(d: DirectionStatus, ctx: PresentContext): string {
  const lag = d.lagSeconds;
  return lag === null ? '–' : once(ctx, 'lag', lag, () => formatLag(lag));
}

/** The raw status as DTS sent it (the tooltip is where the exact word can be looked up). */
function rawStatus(d: DirectionStatus): string {
  return escapeMarkdown(d.status || l10n.t('(empty)'));
}

/** The status in the user's words, with the API's own word beside it when they differ (`Paused (Suspending)`). */
function statusCell(d: DirectionStatus): string {
  const label = statusLabel(d.status);
  const raw = stripControl(d.status);
  return !raw || label === raw ? rawStatus(d) : `${escapeMarkdown(label)} (\`${raw.replace(/`/g, "'")}\`)`;
}

function directionTableRow(d: DirectionStatus, ctx: PresentContext): string {
  // Hovers drop HTML such as <br>: the two times share the cell on one line.
  const checkpoint = d.checkpoint ? `${formatUtc(d.checkpoint)} · ${localClock(d.checkpoint, ctx)}` : noCheckpoint(d);
  const direction = once(ctx, 'direction', d.direction, () => escapeMarkdown(directionLabel(d.direction)));
  const status = once(ctx, 'status', d.status, () => statusCell(d));
  return `| ${direction} | ${status} | ${healthWords(d.health)} | ${checkpoint} | ${lagCell(d, ctx)} |`;
}

/**
 * Markdown with everything: ID, region, each direction's raw status, checkpoint in UTC and local time, lag, age, and
 * the account and credential source that query it.
 */
export function jobTooltip(view: JobView, ctx: PresentContext, credentialsSource?: string, account?: string, watched = false): string {
  const { spec, status } = view;
  const lines = [`**${escapeMarkdown(jobLabel(view))}**`, '', l10n.t('ID: {0} · Region: {1}', `\`${spec.id}\``, `\`${spec.region}\``), ''];
  if (status && !status.found) {
    lines.push(l10n.t('**Not found in {0}.** Check the job ID and its region.', spec.region), '');
  } else if (status && status.directions.length > 0) {
    lines.push(healthWords(status.health), '');
    const header = once(ctx, 'header', '', () => `| ${[l10n.t('Direction'), l10n.t('Status'), l10n.t('Health'), l10n.t('Checkpoint'), l10n.t('Lag')].join(' | ')} |`);
    lines.push(header, '|---|---|---|---|---|');
    lines.push(...status.directions.map((d) => directionTableRow(d, ctx)), '');
  }
  const facts = view.facts;
  if (facts?.source || facts?.destination) {
    lines.push(l10n.t('{0} → {1}', endpointWords(facts.source), endpointWords(facts.destination)), '');
  }
  const performance = [...(view.details?.values() ?? [])].find((d) => d.performance)?.performance;
  if (performance) {
    const rps = performance.rps === undefined ? '–' : formatNumber(performance.rps);
    const flow = performance.flowMBps === undefined ? '–' : formatNumber(performance.flowMBps);
    lines.push(l10n.t('Performance: {0} RPS · {1} MB/s', rps, flow), '');
  }
  if (view.expiry) {
    lines.push(`${view.expiry.health === 'error' ? '$(error)' : '$(warning)'} ${l10n.t('Subscription {0}', escapeMarkdown(view.expiry.words))}`, '');
  } else if (facts?.expireTime && facts.payType?.toLowerCase() === 'prepaid') {
    lines.push(l10n.t('Subscription expires {0}', formatUtc(facts.expireTime)), '');
  }
  const fetchedAt = view.fetchedAt;
  if (fetchedAt) {
    const fetched = once(ctx, view.stale ? 'fetched-stale' : 'fetched', fetchedAt.getTime(), () => {
      const utc = formatUtc(fetchedAt);
      const age = formatAge(fetchedAt, ctx.now);
      return view.stale ? l10n.t('Fetched {0} ({1}) — **stale**', utc, age) : l10n.t('Fetched {0} ({1})', utc, age);
    });
    lines.push(fetched, '');
  }
  if (view.error) {
    lines.push(`$(error) ${escapeMarkdown(view.error.message)}`, '');
  }
  if (watched) {
    lines.push(l10n.t('Watched through dtsSync.watchRegions ({0})', `\`${spec.region}\``), '');
  }
  // Most jobs share an account and a credential source: the two lines are written once per context.
  lines.push(
    once(ctx, `account:${credentialsSource ?? ''}`, account ?? '', () => {
      const tail: string[] = [];
      if (account !== undefined) {
        tail.push(l10n.t('Account: {0}', escapeMarkdown(account)), '');
      }
      if (credentialsSource) {
        tail.push(l10n.t('Credentials: {0}', escapeMarkdown(credentialsSource)));
      }
      return tail.join('\n');
    }),
  );
  return lines.join('\n').trim();
}

/** How a job row is placed: listed by a watched region rather than `dtsSync.jobs`; its account named in the row. */
export interface JobRowOptions {
  readonly watched?: boolean;
  /** Grouped by region or health with several accounts, the row says whose job it is. */
  readonly accountInDescription?: boolean;
}

export function jobItem(view: JobView, ctx: PresentContext, credentialsSource?: string, account?: string, row: JobRowOptions = {}): ItemModel {
  return { ...jobRow(view, ctx, account, row), tooltip: jobTooltip(view, ctx, credentialsSource, account, row.watched) };
}

/** A job's row without its tooltip: the tree asks for that (jobTooltip) only when it is hovered. */
export function jobRow(view: JobView, ctx: PresentContext, account?: string, row: JobRowOptions = {}): Omit<ItemModel, 'tooltip'> {
  const health = jobHealth(view);
  const worst = view.status ? worstDirection(view.status.directions) : undefined;
  const icon = view.status && !view.status.found ? NOT_FOUND_ICON : healthIcon(health, worst?.status);
  const description = describeJob(view, ctx, worst);
  return {
    id: jobItemId(view.spec),
    label: jobLabel(view),
    description: row.accountInDescription && account !== undefined ? joinParts([account, description]) : description,
    icon,
    contextValue: 'job',
    // Expandable before the first status too: VS Code keeps a row that was drawn as a leaf collapsed once it gains children.
    collapsible: !view.status || view.status.directions.length > 0,
  };
}

export function directionTooltip(view: JobView, d: DirectionStatus, ctx: PresentContext): string {
  const checkpoint = d.checkpoint ? `${formatUtc(d.checkpoint)} · ${localClock(d.checkpoint, ctx)}` : noCheckpoint(d);
  let fetched = '';
  if (view.fetchedAt) {
    const age = formatAge(view.fetchedAt, ctx.now);
    fetched = view.stale ? l10n.t('Fetched {0} (stale)', age) : l10n.t('Fetched {0}', age);
  }
  const reason = directionReason(view, d.direction);
  const unavailable = view.detailsErrors?.get(d.direction);
  return [
    `**${escapeMarkdown(jobLabel(view))}** · ${escapeMarkdown(directionLabel(d.direction))}`,
    '',
    l10n.t('Status: {0} ({1})', rawStatus(d), healthWords(d.health)),
    l10n.t('Checkpoint: {0}', checkpoint),
    d.aheadSeconds !== undefined ? l10n.t('Note: {0}', aheadNote(d.aheadSeconds)) : '',
    l10n.t('Lag: {0}', lagCell(d, ctx)),
    reason !== undefined ? `$(error) ${escapeMarkdown(reason)}` : '',
    unavailable !== undefined ? l10n.t('details unavailable: {0}', escapeMarkdown(unavailable)) : '',
    fetched,
  ].filter(Boolean).join('\n\n');
}

/** One direction's row without its tooltip: the tree asks for that (directionTooltip) only when it is hovered. */
export function directionRow(view: JobView, d: DirectionStatus, ctx: PresentContext): Omit<ItemModel, 'tooltip'> {
  return {
    id: directionItemId(view.spec, d.direction),
    label: once(ctx, 'directionLabel', d.direction, directionLabel),
    description: directionDescription(d, ctx, view.details?.get(d.direction)),
    icon: healthIcon(d.health, d.status),
    contextValue: 'direction',
    // Only a failed direction has rows below it (its reason, its failed checks).
    collapsible: d.health === 'error' && (directionReason(view, d.direction) !== undefined || failedPrecheckItems(view, d.direction).length > 0),
  };
}

/** One direction's row. */
export function directionItem(view: JobView, d: DirectionStatus, ctx: PresentContext): ItemModel {
  return { ...directionRow(view, d, ctx), tooltip: directionTooltip(view, d, ctx) };
}

export function directionItems(view: JobView, ctx: PresentContext): ItemModel[] {
  return (view.status?.directions ?? []).map((d) => directionItem(view, d, ctx));
}

/**
 * The failed items of a direction's latest precheck, in the order DTS sent them; empty when none failed, and once the
 * direction is no longer failing (its details are from when it was: a repaired job shows no old failures).
 */
export function failedPrecheckItems(view: JobView, direction: string): readonly PrecheckItem[] {
  const d = directionNamed(view, direction);
  return d?.health === 'error' ? (view.details?.get(direction)?.precheck?.items.filter(isFailedCheck) ?? []) : [];
}

/** How many rows precheckItems makes for a direction, without writing them. */
export function precheckRowCount(view: JobView, direction: string): number {
  const failed = failedPrecheckItems(view, direction).length;
  return failed > MAX_PRECHECK_ROWS ? MAX_PRECHECK_ROWS + 1 : failed;
}

/**
 * A direction's failed precheck items as rows below its reason: the item's name, its error's first line, and the
 * whole error with the repair method in the tooltip; past MAX_PRECHECK_ROWS one row counts the rest.
 */
export function precheckItems(view: JobView, direction: string): ItemModel[] {
  const failed = failedPrecheckItems(view, direction);
  const rows = failed.slice(0, MAX_PRECHECK_ROWS).map((item, index): ItemModel => {
    const name = stripControl(item.itemName) || l10n.t('(unnamed check)');
    const tooltip = [`**${escapeMarkdown(l10n.t('Precheck failed: {0}', name))}**`];
    if (item.errorMessage !== undefined) {
      const lines = item.errorMessage.split(/\r\n|[\r\n]/).map((line) => stripControl(line).replace(/```/g, "'''"));
      tooltip.push('', '```', ...lines, '```');
    }
    if (item.repairMethod !== undefined) {
      tooltip.push('', l10n.t('Repair: {0}', escapeMarkdown(item.repairMethod)));
    }
    return {
      id: precheckItemId(view.spec, direction, index),
      label: name,
      description: item.errorMessage !== undefined ? reasonLine(item.errorMessage) : '',
      tooltip: tooltip.join('\n'),
      icon: { id: 'error', color: 'testing.iconFailed' },
      contextValue: 'precheckItem',
      collapsible: false,
    };
  });
  const more = failed.length - rows.length;
  if (more > 0) {
    const words = more === 1 ? l10n.t('… 1 more failed check') : l10n.t('… {0} more failed checks', more);
    rows.push({
      id: precheckItemId(view.spec, direction, MAX_PRECHECK_ROWS),
      label: words,
      description: '',
      tooltip: escapeMarkdown(words),
      icon: { id: 'ellipsis' },
      contextValue: 'precheckMore',
      collapsible: false,
    });
  }
  return rows;
}

/** A failed direction's reason row: the message's first line (code first), the whole message in its tooltip. */
export function reasonItem(view: JobView, direction: string): ItemModel | undefined {
  const reason = directionReason(view, direction);
  if (reason === undefined) {
    return undefined;
  }
  return {
    id: reasonItemId(view.spec, direction),
    label: reasonLine(reason),
    description: '',
    tooltip: ['**' + escapeMarkdown(l10n.t('Why it failed')) + '**', '', '```', reason.replace(/```/g, "'''"), '```'].join('\n'),
    icon: { id: 'error', color: 'testing.iconFailed' },
    contextValue: 'directionError',
    collapsible: false,
  };
}

/** Whether rows and errors name their account: several accounts in use, or one that is not the default. */
export function namesAccounts(state: Pick<StoreState, 'accounts'>): boolean {
  return state.accounts.length > 1 || state.accounts.some((a) => a.name !== DEFAULT_ACCOUNT);
}

/** Distinct errors of the latest refresh, the global one first; each names its account when there are several. */
export function currentErrors(state: StoreState): string[] {
  const messages = new Set<string>();
  if (state.failure) {
    messages.add(state.failure.message);
  }
  const named = namesAccounts(state);
  for (const job of state.jobs) {
    if (job.error) {
      messages.add(named ? accountMessage(accountOf(job.spec), job.error.message) : job.error.message);
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
  const total = state.jobs.length;
  return {
    id: 'refreshError',
    label: l10n.t('Refresh failed'),
    description: safeText(errors[0]),
    tooltip: [
      total === 1
        ? l10n.t('**Refresh failed** for {0} of 1 job; its last known status is kept and marked stale.', affected)
        : l10n.t('**Refresh failed** for {0} of {1} jobs; their last known statuses are kept and marked stale.', affected, total),
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
    const first = safeText(errors[0]);
    const failed = errors.length > 1 ? l10n.t('Refresh failed: {0} (and {1} more).', first, errors.length - 1) : l10n.t('Refresh failed: {0}.', first);
    parts.push(state.jobs.some((j) => j.status) ? l10n.t('{0} Showing the last known statuses.', failed) : failed);
  }
  if (state.settingsProblems.length > 0) {
    parts.push(l10n.t('Ignored settings: {0}', state.settingsProblems.map((p) => safeText(p)).join('; ')));
  }
  return parts.length > 0 ? parts.join('\n') : undefined;
}

/** The activity-bar badge: the number of failed jobs. */
export function errorBadge(state: StoreState): { value: number; tooltip: string } | undefined {
  const failed = state.jobs.filter(isFailed).length;
  if (failed === 0) {
    return undefined;
  }
  return { value: failed, tooltip: failed === 1 ? l10n.t('1 DTS job failed') : l10n.t('{0} DTS jobs failed', failed) };
}
