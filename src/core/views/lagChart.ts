import * as l10n from '@vscode/l10n';
import type { LagSample } from '../lagHistory';
import { currentLanguage, SOURCE_LANGUAGE } from '../locale';
import { formatLag } from '../model';
import { escapeHtml } from './html';

/**
 * Each direction's lag over time as an SVG string, for the details panel: time axis with ticks, lag axis, the
 * `dtsSync.lagWarningSeconds` line, one path per direction with gaps where the lag was unknown. Pure; colours come
 * from CSS classes (the webview maps them to `--vscode-*` variables), every text is escaped, every number finite.
 */

export interface LagSeries {
  /** The legend's words for the direction (already localized). */
  readonly label: string;
  readonly samples: readonly LagSample[];
}

export interface LagChartOptions {
  readonly now: Date;
  readonly warningSeconds: number;
  /** IANA zone for the time ticks; the machine's when undefined. */
  readonly timeZone?: string;
  /** Prefix of the ids `<title>` and `<desc>` get, unique within the page. */
  readonly idPrefix?: string;
  /** The accessible name (`<title>`). */
  readonly title: string;
  /** The accessible description (`<desc>`): the text summary of what the chart shows. */
  readonly description: string;
}

export const CHART_WIDTH = 640;
export const CHART_HEIGHT = 220;
const MARGIN = { top: 12, right: 16, bottom: 26, left: 64 };
const PLOT_WIDTH = CHART_WIDTH - MARGIN.left - MARGIN.right;
const PLOT_HEIGHT = CHART_HEIGHT - MARGIN.top - MARGIN.bottom;
/** Series classes the stylesheet colours; more directions than this reuse them. */
export const SERIES_CLASSES = 4;

/** The history keeps 24 hours; a wider span (a hostile or clock-jumped sample) is cut to it. */
const MAX_SPAN_MS = 24 * 3_600_000;
/** A chart of one sample still spans a few minutes, so the point sits at the right edge of a readable axis. */
const MIN_SPAN_MS = 5 * 60_000;
/** Lag beyond about 30 years is not a lag; capping it keeps the scale finite. */
const MAX_LAG_SECONDS = 1e9;
/** Times a Date can hold, less a day so the axis before them can too; a sample outside is dropped, not let throw. */
const MAX_TIME_MS = 8.64e15 - MAX_SPAN_MS;

const TIME_STEPS_MS = [1, 2, 5, 10, 15, 30, 60, 120, 180, 360, 720].map((m) => m * 60_000);
const LAG_STEPS_S = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400];

/** A point already mapped to the plot. */
interface Point {
  readonly x: number;
  readonly y: number;
}

/** Samples a chart can use: finite times within a Date's range, lag finite and non-negative (else unknown), in time order. */
export function usableSamples(samples: readonly LagSample[]): LagSample[] {
  const usable: LagSample[] = [];
  for (const s of samples) {
    if (typeof s.at !== 'number' || !Number.isFinite(s.at) || Math.abs(s.at) > MAX_TIME_MS) {
      continue;
    }
    const lag = typeof s.lagSeconds === 'number' && Number.isFinite(s.lagSeconds) && s.lagSeconds >= 0 ? Math.min(s.lagSeconds, MAX_LAG_SECONDS) : null;
    usable.push({ at: s.at, lagSeconds: lag });
  }
  // Stable: samples at the same time keep their order.
  return usable.sort((a, b) => a.at - b.at);
}

/** The time span shown: ending at now (or the newest sample when it is later), at most 24 h, at least 5 min. */
function timeDomain(series: readonly (readonly LagSample[])[], now: Date): { start: number; end: number } {
  const times = series.flatMap((s) => (s.length > 0 ? [s[0].at, s[s.length - 1].at] : []));
  const nowMs = Math.abs(now.getTime()) <= MAX_TIME_MS ? now.getTime() : undefined;
  const end = Math.max(nowMs ?? -Infinity, ...times);
  if (!Number.isFinite(end)) {
    return { start: 0, end: MIN_SPAN_MS };
  }
  const first = Math.min(...times, end);
  const start = Math.max(end - MAX_SPAN_MS, Math.min(first, end - MIN_SPAN_MS));
  return { start, end };
}

function niceLagStep(top: number): number {
  const target = top / 4;
  const listed = LAG_STEPS_S.find((s) => s >= target);
  if (listed !== undefined) {
    return listed;
  }
  // Whole days in 1-2-5 steps past a day.
  const days = target / 86400;
  const magnitude = 10 ** Math.floor(Math.log10(days));
  const nice = [1, 2, 5, 10].map((m) => m * magnitude).find((m) => m >= days) ?? 10 * magnitude;
  return nice * 86400;
}

function format(n: number): string {
  // One decimal is sub-pixel at this size; the coordinates stay short.
  return (Math.round(n * 10) / 10).toString();
}

/** `HH:mm` in the UI language and the given zone. */
function tickFormatter(timeZone: string | undefined): Intl.DateTimeFormat {
  const lang = currentLanguage();
  return new Intl.DateTimeFormat(lang.startsWith(SOURCE_LANGUAGE) ? 'en-GB' : lang, { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
}

/**
 * A direction's line as drawable runs, at most two points per pixel column per run (the column's lowest and highest
 * lag, in time order), so 2,000 samples draw as a few hundred points and a one-sample spike still shows. An unknown
 * lag ends a run: the gap is what the user sees.
 */
export function plotRuns(samples: readonly LagSample[], xOf: (at: number) => number, yOf: (lag: number) => number, start: number): Point[][] {
  const runs: Point[][] = [];
  let run: Point[] = [];
  let column: { index: number; points: { at: number; lag: number }[] } | undefined;
  const flushColumn = (): void => {
    if (!column) {
      return;
    }
    const pts = column.points;
    let low = pts[0];
    let high = pts[0];
    for (const p of pts) {
      if (p.lag < low.lag) {
        low = p;
      }
      if (p.lag > high.lag) {
        high = p;
      }
    }
    const kept = low === high ? [low] : low.at <= high.at ? [low, high] : [high, low];
    run.push(...kept.map((p) => ({ x: xOf(p.at), y: yOf(p.lag) })));
    column = undefined;
  };
  const endRun = (): void => {
    flushColumn();
    if (run.length > 0) {
      runs.push(run);
      run = [];
    }
  };
  for (const s of samples) {
    if (s.at < start) {
      continue;
    }
    if (s.lagSeconds === null) {
      endRun();
      continue;
    }
    const index = Math.floor(xOf(s.at));
    if (column && column.index !== index) {
      flushColumn();
    }
    column ??= { index, points: [] };
    column.points.push({ at: s.at, lag: s.lagSeconds });
  }
  endRun();
  return runs;
}

function pathData(run: readonly Point[]): string {
  return run.map((p, i) => `${i === 0 ? 'M' : 'L'}${format(p.x)} ${format(p.y)}`).join('');
}

export function renderLagChart(series: readonly LagSeries[], options: LagChartOptions): string {
  const id = (options.idPrefix ?? 'lag').replace(/[^A-Za-z0-9_-]/g, '') || 'lag';
  const cleaned = series.map((s) => usableSamples(s.samples));
  const { start, end } = timeDomain(cleaned, options.now);
  const span = end - start;
  const warning = Number.isFinite(options.warningSeconds) && options.warningSeconds >= 0 ? Math.min(options.warningSeconds, MAX_LAG_SECONDS) : undefined;
  let highest = 0;
  for (const samples of cleaned) {
    for (const s of samples) {
      if (s.at >= start && s.lagSeconds !== null && s.lagSeconds > highest) {
        highest = s.lagSeconds;
      }
    }
  }
  // The warning line always fits; a flat zero lag still gets a minute of axis.
  const lagStep = niceLagStep(Math.max(highest, warning ?? 0, 60) * 1.05);
  const yMax = Math.ceil((Math.max(highest, warning ?? 0, 60) * 1.05) / lagStep) * lagStep;
  const xOf = (at: number): number => MARGIN.left + ((at - start) / span) * PLOT_WIDTH;
  const yOf = (lag: number): number => MARGIN.top + PLOT_HEIGHT * (1 - lag / yMax);
  const bottom = MARGIN.top + PLOT_HEIGHT;
  const right = MARGIN.left + PLOT_WIDTH;

  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" class="lag-chart" viewBox="0 0 ${CHART_WIDTH} ${CHART_HEIGHT}" role="img" aria-labelledby="${id}-title ${id}-desc">`,
    `<title id="${id}-title">${escapeHtml(options.title)}</title>`,
    `<desc id="${id}-desc">${escapeHtml(options.description)}</desc>`,
  ];

  // Lag axis: grid lines and labels.
  const grid: string[] = [];
  for (let lag = 0; lag <= yMax + lagStep / 2; lag += lagStep) {
    const y = format(yOf(lag));
    grid.push(`<line class="grid" x1="${MARGIN.left}" y1="${y}" x2="${right}" y2="${y}"/>`);
    grid.push(`<text class="tick-label" x="${MARGIN.left - 6}" y="${y}" text-anchor="end" dominant-baseline="middle">${escapeHtml(formatLag(lag))}</text>`);
  }
  // Time axis: the first step that gives at most 6 ticks, aligned to whole steps.
  const timeStep = TIME_STEPS_MS.find((s) => span / s <= 6) ?? TIME_STEPS_MS[TIME_STEPS_MS.length - 1];
  const ticks = tickFormatter(options.timeZone);
  for (let at = Math.ceil(start / timeStep) * timeStep; at <= end; at += timeStep) {
    const x = format(xOf(at));
    grid.push(`<line class="tick" x1="${x}" y1="${bottom}" x2="${x}" y2="${bottom + 4}"/>`);
    grid.push(`<text class="tick-label" x="${x}" y="${bottom + 16}" text-anchor="middle">${escapeHtml(ticks.format(new Date(at)))}</text>`);
  }
  parts.push(`<g class="axes">`, ...grid, `<line class="axis" x1="${MARGIN.left}" y1="${bottom}" x2="${right}" y2="${bottom}"/>`);
  parts.push(`<line class="axis" x1="${MARGIN.left}" y1="${MARGIN.top}" x2="${MARGIN.left}" y2="${bottom}"/>`, `</g>`);

  if (warning !== undefined) {
    const y = format(yOf(warning));
    parts.push(`<line class="warn-line" x1="${MARGIN.left}" y1="${y}" x2="${right}" y2="${y}"/>`);
    parts.push(`<text class="warn-label" x="${right - 4}" y="${format(yOf(warning) - 4)}" text-anchor="end">${escapeHtml(l10n.t('warning: {0}', formatLag(warning)))}</text>`);
  }

  let drawn = 0;
  cleaned.forEach((samples, i) => {
    const css = `series-${i % SERIES_CLASSES}`;
    for (const run of plotRuns(samples, xOf, yOf, start)) {
      drawn++;
      parts.push(
        run.length === 1
          ? `<circle class="lag-dot ${css}" cx="${format(run[0].x)}" cy="${format(run[0].y)}" r="2.5"/>`
          : `<path class="lag-line ${css}" d="${pathData(run)}"/>`,
      );
    }
  });
  if (drawn === 0) {
    const empty = cleaned.some((s) => s.length > 0) ? l10n.t('Lag unknown for every sample') : l10n.t('No lag samples yet');
    parts.push(`<text class="no-data" x="${MARGIN.left + PLOT_WIDTH / 2}" y="${MARGIN.top + PLOT_HEIGHT / 2}" text-anchor="middle">${escapeHtml(empty)}</text>`);
  }
  parts.push('</svg>');
  return parts.join('');
}
