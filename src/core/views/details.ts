import * as l10n from '@vscode/l10n';
import { accountOf } from '../accounts';
import { failureReason, isFailedCheck, precheckItemsFailedFirst, type InitializationStatus, type JobDetails, type JobEndpoint } from '../api/jobDetails';
import { jobHealth } from '../attention';
import { expiryState, isSubscription } from '../expiry';
import { jobKey, type JobSpec } from '../jobs';
import type { LagSample } from '../lagHistory';
import { formatNumber } from '../locale';
import { directionLabel, formatLag, statusLabel, type Health } from '../model';
import { stripControl } from '../safeText';
import type { JobView } from '../store';
import { healthWords } from './health';
import { escapeHtml, escapeHtmlKeepLines } from './html';
import { renderLagChart, usableSamples } from './lagChart';
import { jobLabel } from './tree';
import { formatAge, formatClock, formatStale, formatUtc } from './time';

/**
 * The details panel of one job as data: every text localized and control-free, ready for the webview. Then the same
 * model as HTML sections, every text escaped, so the panel can replace only the sections that changed (a selection
 * in the error message survives a refresh that did not change it). Pure: time and the lag samples come in.
 */

/** What the panel reads lag samples from: the controller's LagHistory, or a fake. */
export interface LagSamples {
  directions(job: Pick<JobSpec, 'id' | 'region'>): readonly string[];
  samples(job: Pick<JobSpec, 'id' | 'region'>, direction: string): readonly LagSample[];
}

export interface DetailsContext {
  readonly now: Date;
  readonly lagWarningSeconds: number;
  /** IANA zone for local times; the machine's when undefined. */
  readonly timeZone?: string;
}

export interface Field {
  readonly label: string;
  readonly value: string;
}

export interface PrecheckRow {
  readonly name: string;
  readonly status: string;
  readonly failed: boolean;
  readonly error?: string;
  readonly repair?: string;
}

export interface DirectionDetails {
  /** The API's name (`Forward`), for keys; `label` is what the user reads. */
  readonly direction: string;
  readonly label: string;
  readonly status: string;
  readonly health: Health;
  readonly healthWords: string;
  readonly lag: string;
  readonly checkpoint: string;
  /** `Schema: Finished · 100 %` and `Full data: Migrating · 42 % · 1,234 records`, when reported. */
  readonly structure?: string;
  readonly data?: string;
  /** `850 RPS · 1.8 MB/s`. */
  readonly performance?: string;
  /** The whole failure message (code and cause chain), for the `<pre>` and Copy. */
  readonly error?: string;
  /** Why the latest details call failed ("details unavailable: …"). */
  readonly unavailable?: string;
  readonly precheck: readonly PrecheckRow[];
}

export interface EndpointDetails {
  readonly engine: string;
  readonly instanceType?: string;
  readonly instanceId?: string;
  /** `10.0.0.5:3306`. */
  readonly address?: string;
}

export interface LagRow {
  readonly direction: string;
  readonly latest: string;
  readonly highest: string;
  readonly samples: string;
  readonly since: string;
}

export interface DetailsModel {
  readonly key: string;
  readonly title: string;
  readonly health: Health;
  readonly healthWords: string;
  /** ID, region, account, DTS name, last checked. */
  readonly facts: readonly Field[];
  /** Stale status, the refresh's error. */
  readonly notices: readonly string[];
  readonly directions: readonly DirectionDetails[];
  readonly source?: EndpointDetails;
  readonly destination?: EndpointDetails;
  readonly expiry?: { readonly fields: readonly Field[]; readonly health?: 'warning' | 'error' };
  readonly chart: { readonly svg: string; readonly summary: string; readonly rows: readonly LagRow[]; readonly warning: string };
}

function clean(text: string | undefined): string | undefined {
  const t = text === undefined ? undefined : stripControl(text);
  return t === '' ? undefined : t;
}

function stage(name: string, s: InitializationStatus | undefined, unit: (n: number) => string): string | undefined {
  if (!s || (s.status === undefined && s.percent === undefined && s.progress === undefined)) {
    return undefined;
  }
  const parts = [
    s.status !== undefined ? statusLabel(s.status) : undefined,
    s.percent !== undefined ? l10n.t('{0} %', formatNumber(s.percent)) : undefined,
    s.progress !== undefined ? unit(s.progress) : undefined,
  ].filter((p): p is string => p !== undefined);
  return l10n.t('{0}: {1}', name, parts.join(' · '));
}

function performanceWords(d: JobDetails | undefined): string | undefined {
  const p = d?.performance;
  if (!p) {
    return undefined;
  }
  const rps = p.rps === undefined ? '–' : formatNumber(p.rps);
  const flow = p.flowMBps === undefined ? '–' : formatNumber(p.flowMBps);
  return l10n.t('{0} RPS · {1} MB/s', rps, flow);
}

function endpoint(e: JobEndpoint | undefined): EndpointDetails | undefined {
  if (!e) {
    return undefined;
  }
  const ip = clean(e.ip);
  return {
    engine: clean(e.engineName) ?? clean(e.instanceType) ?? '?',
    instanceType: clean(e.instanceType),
    instanceId: clean(e.instanceId),
    address: ip === undefined ? undefined : e.port !== undefined ? `${ip}:${e.port}` : ip,
  };
}

function payTypeWords(payType: string): string {
  const key = payType.trim().toLowerCase();
  return key === 'prepaid' ? l10n.t('Subscription') : key === 'postpaid' ? l10n.t('Pay-as-you-go') : stripControl(payType);
}

function expiryDetails(view: JobView, now: Date): DetailsModel['expiry'] {
  const facts = view.facts;
  if (!facts?.payType && !facts?.expireTime) {
    return undefined;
  }
  const fields: Field[] = [];
  if (facts.payType) {
    fields.push({ label: l10n.t('Billing'), value: payTypeWords(facts.payType) });
  }
  if (facts.expireTime && isSubscription(facts.payType)) {
    fields.push({ label: l10n.t('Expires'), value: formatUtc(facts.expireTime) });
    // Words at any distance here, not only inside the warning window the tree uses.
    const words = expiryState(facts.payType, facts.expireTime, now, Number.POSITIVE_INFINITY)?.words;
    if (words !== undefined) {
      fields.push({ label: l10n.t('Remaining'), value: words });
    }
  }
  return { fields, health: view.expiry?.health };
}

function lagRow(label: string, samples: readonly LagSample[], ctx: DetailsContext): LagRow {
  const known = samples.filter((s): s is { at: number; lagSeconds: number } => s.lagSeconds !== null);
  const latest = samples[samples.length - 1];
  const highest = known.reduce<(typeof known)[number] | undefined>((max, s) => (max === undefined || s.lagSeconds > max.lagSeconds ? s : max), undefined);
  const when = (at: number): string => formatClock(new Date(at), ctx.now, ctx.timeZone);
  return {
    direction: label,
    latest: latest === undefined ? '–' : latest.lagSeconds === null ? l10n.t('unknown') : formatLag(latest.lagSeconds),
    highest: highest === undefined ? '–' : l10n.t('{0} at {1}', formatLag(highest.lagSeconds), when(highest.at)),
    samples: formatNumber(samples.length),
    since: samples.length === 0 ? '–' : when(samples[0].at),
  };
}

function rowSentence(row: LagRow, count: number): string {
  return count === 0
    ? l10n.t('{0}: no samples yet', row.direction)
    : l10n.t('{0}: latest {1}, highest {2}, {3} samples since {4}', row.direction, row.latest, row.highest, row.samples, row.since);
}

function chart(view: JobView, lag: LagSamples | undefined, ctx: DetailsContext): DetailsModel['chart'] {
  const statusDirections = view.status?.directions.map((d) => d.direction) ?? [];
  const directions = [...new Set([...statusDirections, ...(lag?.directions(view.spec) ?? [])])];
  const series = directions.map((direction) => ({
    label: directionLabel(direction),
    samples: usableSamples(lag?.samples(view.spec, direction) ?? []),
  }));
  const rows = series.map((s) => lagRow(s.label, s.samples, ctx));
  const warning = l10n.t('Warning line: {0} (dtsSync.lagWarningSeconds)', formatLag(ctx.lagWarningSeconds));
  const summary = [...series.map((s, i) => rowSentence(rows[i], s.samples.length)), warning].join('; ');
  const svg = renderLagChart(series, {
    now: ctx.now,
    warningSeconds: ctx.lagWarningSeconds,
    timeZone: ctx.timeZone,
    idPrefix: 'lag',
    title: l10n.t('Lag over time'),
    description: summary,
  });
  return { svg, summary, rows, warning };
}

function direction(view: JobView, d: NonNullable<JobView['status']>['directions'][number], ctx: DetailsContext): DirectionDetails {
  const details = view.details?.get(d.direction);
  const error = details ? failureReason(details) : undefined;
  const unavailable = view.detailsErrors?.get(d.direction);
  return {
    direction: stripControl(d.direction),
    label: directionLabel(d.direction),
    status: statusLabel(d.status),
    health: d.health,
    healthWords: healthWords(d.health),
    lag: d.lagSeconds === null ? '–' : formatLag(d.lagSeconds),
    checkpoint: d.checkpoint ? `${formatUtc(d.checkpoint)} · ${formatClock(d.checkpoint, ctx.now, ctx.timeZone)}` : '–',
    structure: stage(l10n.t('Schema'), details?.structureInitialization, (n) => l10n.t('{0} tables', formatNumber(n))),
    data: stage(l10n.t('Full data'), details?.dataInitialization, (n) => l10n.t('{0} records', formatNumber(n))),
    performance: performanceWords(details),
    error: error === undefined ? undefined : stripControl(error),
    unavailable: unavailable === undefined ? undefined : l10n.t('details unavailable: {0}', stripControl(unavailable)),
    precheck: precheckItemsFailedFirst(details?.precheck?.items ?? []).map((item) => ({
      name: stripControl(item.itemName) || '?',
      status: statusLabel(item.checkStatus ?? ''),
      failed: isFailedCheck(item),
      error: clean(item.errorMessage),
      repair: clean(item.repairMethod),
    })),
  };
}

export function presentDetails(view: JobView, lag: LagSamples | undefined, ctx: DetailsContext): DetailsModel {
  const { spec } = view;
  const health = view.status && !view.status.found ? 'error' : jobHealth(view);
  const facts: Field[] = [
    { label: l10n.t('ID'), value: stripControl(spec.id) },
    { label: l10n.t('Region'), value: stripControl(spec.region) },
    { label: l10n.t('Account'), value: stripControl(accountOf(spec)) },
  ];
  const dtsName = clean(view.facts?.name);
  if (dtsName !== undefined && dtsName !== jobLabel(view)) {
    facts.push({ label: l10n.t('DTS name'), value: dtsName });
  }
  facts.push({
    label: l10n.t('Last checked'),
    value: view.fetchedAt ? `${formatUtc(view.fetchedAt)} (${formatAge(view.fetchedAt, ctx.now)})` : l10n.t('not yet'),
  });
  const notices: string[] = [];
  if (view.status && !view.status.found) {
    notices.push(l10n.t('Not found in {0}. Check the job ID and its region.', stripControl(spec.region)));
  }
  if (view.stale && view.fetchedAt) {
    notices.push(formatStale(view.fetchedAt, ctx.now));
  }
  if (view.error) {
    notices.push(stripControl(view.error.message));
  }
  return {
    key: jobKey(spec),
    title: jobLabel(view),
    health,
    healthWords: healthWords(health),
    facts,
    notices,
    directions: (view.status?.directions ?? []).map((d) => direction(view, d, ctx)),
    source: endpoint(view.facts?.source),
    destination: endpoint(view.facts?.destination),
    expiry: expiryDetails(view, ctx.now),
    chart: chart(view, lag, ctx),
  };
}

/** One part of the page the webview replaces as a whole when its HTML changes. */
export interface DetailsSection {
  readonly id: string;
  readonly html: string;
}

const e = escapeHtml;

function fieldList(fields: readonly Field[]): string {
  return `<dl class="fields">${fields.map((f) => `<dt>${e(f.label)}</dt><dd>${e(f.value)}</dd>`).join('')}</dl>`;
}

function endpointHtml(heading: string, ep: EndpointDetails | undefined): string {
  if (!ep) {
    return `<div class="endpoint"><h3>${e(heading)}</h3><p>–</p></div>`;
  }
  const fields: Field[] = [
    { label: l10n.t('Engine'), value: ep.engine },
    ...(ep.instanceType !== undefined ? [{ label: l10n.t('Instance type'), value: ep.instanceType }] : []),
    ...(ep.instanceId !== undefined ? [{ label: l10n.t('Instance ID'), value: ep.instanceId }] : []),
    ...(ep.address !== undefined ? [{ label: l10n.t('Address'), value: ep.address }] : []),
  ];
  return `<div class="endpoint"><h3>${e(heading)}</h3>${fieldList(fields)}</div>`;
}

function directionsTable(m: DetailsModel): string {
  if (m.directions.length === 0) {
    return `<p>${e(l10n.t('No directions reported yet.'))}</p>`;
  }
  const head = [l10n.t('Direction'), l10n.t('Status'), l10n.t('Health'), l10n.t('Lag'), l10n.t('Checkpoint'), l10n.t('Initialization'), l10n.t('Performance')];
  const rows = m.directions.map((d) => {
    const init = [d.structure, d.data].filter((s): s is string => s !== undefined).map(e).join('<br>') || '–';
    return (
      `<tr><th scope="row">${e(d.label)}</th><td>${e(d.status)}</td>` +
      `<td><span class="health health-${d.health}">${e(d.healthWords)}</span></td><td>${e(d.lag)}</td>` +
      `<td>${e(d.checkpoint)}</td><td>${init}</td><td>${e(d.performance ?? '–')}</td></tr>`
    );
  });
  return `<table class="directions"><thead><tr>${head.map((h) => `<th scope="col">${e(h)}</th>`).join('')}</tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function problemsHtml(m: DetailsModel): string {
  const blocks = m.directions.map((d, i) => {
    const parts: string[] = [];
    if (d.unavailable !== undefined) {
      parts.push(`<p class="unavailable">${e(d.unavailable)}</p>`);
    }
    if (d.error !== undefined) {
      parts.push(
        `<div class="error"><div class="error-head"><h3 id="error-${i}">${e(l10n.t('{0}: error message', d.label))}</h3>` +
          `<button type="button" class="copy" data-copy="${i}" aria-describedby="error-${i}">${e(l10n.t('Copy'))}</button></div>` +
          `<pre class="message" tabindex="0" aria-labelledby="error-${i}">${escapeHtmlKeepLines(d.error)}</pre></div>`,
      );
    }
    if (d.precheck.length > 0) {
      const items = d.precheck.map(
        (p) =>
          `<li class="${p.failed ? 'check failed' : 'check'}"><span class="check-name">${e(p.name)}</span> <span class="check-status">${e(p.status)}</span>` +
          (p.error !== undefined ? `<div class="check-error">${e(p.error)}</div>` : '') +
          (p.repair !== undefined ? `<div class="check-repair">${e(l10n.t('Repair: {0}', p.repair))}</div>` : '') +
          '</li>',
      );
      parts.push(`<h3>${e(l10n.t('{0}: precheck', d.label))}</h3><ul class="precheck">${items.join('')}</ul>`);
    }
    return parts.join('');
  });
  const body = blocks.join('');
  return body === '' ? '' : `<h2>${e(l10n.t('Problems'))}</h2>${body}`;
}

function chartHtml(m: DetailsModel): string {
  const head = [l10n.t('Direction'), l10n.t('Latest'), l10n.t('Highest'), l10n.t('Samples'), l10n.t('Since')];
  const rows = m.chart.rows.map((r) => `<tr><th scope="row">${e(r.direction)}</th><td>${e(r.latest)}</td><td>${e(r.highest)}</td><td>${e(r.samples)}</td><td>${e(r.since)}</td></tr>`);
  const legend = [
    ...m.chart.rows.map((r, i) => `<li><span class="swatch series-${i % 4}"></span>${e(r.direction)}</li>`),
    `<li><span class="swatch warn"></span>${e(m.chart.warning)}</li>`,
  ];
  return (
    `<h2>${e(l10n.t('Lag over time'))}</h2><figure class="chart">${m.chart.svg}` +
    `<figcaption><ul class="legend">${legend.join('')}</ul></figcaption></figure>` +
    `<table class="lag-table"><caption>${e(l10n.t('Lag summary'))}</caption><thead><tr>${head.map((h) => `<th scope="col">${e(h)}</th>`).join('')}</tr></thead><tbody>${rows.join('')}</tbody></table>`
  );
}

/** The page's sections in order (what went wrong and the lag first); ids are fixed, so the webview can tell which changed. */
export function renderDetailsSections(m: DetailsModel): DetailsSection[] {
  const notices = m.notices.map((n) => `<p class="notice">${e(n)}</p>`).join('');
  const expiry = m.expiry
    ? `<h2 class="${m.expiry.health ? `expiry-${m.expiry.health}` : ''}">${e(l10n.t('Billing and expiry'))}</h2>${fieldList(m.expiry.fields)}`
    : '';
  return [
    { id: 'header', html: `<h1>${e(m.title)} <span class="health health-${m.health}">${e(m.healthWords)}</span></h1>${fieldList(m.facts)}${notices}` },
    { id: 'status', html: `<h2>${e(l10n.t('Directions'))}</h2>${directionsTable(m)}` },
    { id: 'problems', html: problemsHtml(m) },
    { id: 'chart', html: chartHtml(m) },
    {
      id: 'endpoints',
      html: m.source || m.destination
        ? `<h2>${e(l10n.t('Source → destination'))}</h2><div class="endpoints">${endpointHtml(l10n.t('Source'), m.source)}<span class="arrow" aria-hidden="true">→</span>${endpointHtml(l10n.t('Destination'), m.destination)}</div>`
        : '',
    },
    { id: 'expiry', html: expiry },
  ];
}
