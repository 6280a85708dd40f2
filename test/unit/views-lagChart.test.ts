import * as assert from 'node:assert/strict';
import * as fc from 'fast-check';
import type { LagSample } from '../../src/core/lagHistory';
import { CHART_WIDTH, renderLagChart, type LagChartOptions, type LagSeries } from '../../src/core/views/lagChart';
import { assertWellFormed, pathPoints } from './svg.fixture';

const NOW = new Date('2024-05-01T14:03:00Z');
const MINUTE = 60_000;
const OPTIONS: LagChartOptions = { now: NOW, warningSeconds: 300, timeZone: 'UTC', title: 'Lag over time', description: 'summary' };

/** One sample a minute for `minutes`, ending at NOW, with the lag `lag(i)`. */
function samples(minutes: number, lag: (i: number) => number | null): LagSample[] {
  return Array.from({ length: minutes }, (_, i) => ({ at: NOW.getTime() - (minutes - 1 - i) * MINUTE, lagSeconds: lag(i) }));
}

function paths(svg: string): string[] {
  return [...svg.matchAll(/<path class="lag-line [^"]*" d="([^"]*)"\/>/g)].map((m) => m[1]);
}

function warningY(svg: string): number {
  const m = /<line class="warn-line" x1="[\d.]+" y1="([\d.]+)" x2="[\d.]+" y2="([\d.]+)"\/>/.exec(svg);
  assert.ok(m, 'a warning line is drawn');
  assert.equal(m[1], m[2], 'the warning line is horizontal');
  return Number(m[1]);
}

describe('views/lagChart', () => {
  it('escapes every text it is given: a hostile title or description stays text', () => {
    const svg = renderLagChart([{ label: '<script>alert(1)</script>', samples: samples(3, () => 5) }], {
      ...OPTIONS,
      title: '<script>alert(1)</script>',
      description: '"><img src=x onerror=alert(1)> & \u202e',
      idPrefix: '"><x',
    });
    assertWellFormed(svg);
    assert.doesNotMatch(svg, /<script|<img|<x/);
    assert.match(svg, /<title id="x-title">&lt;script&gt;alert\(1\)&lt;\/script&gt;<\/title>/);
    assert.match(svg, /<desc id="x-desc">&quot;&gt;&lt;img src=x onerror=alert\(1\)&gt; &amp;<\/desc>/);
  });

  it('draws axes, the warning line and a "no samples yet" note for an empty history', () => {
    const svg = renderLagChart([{ label: 'Forward', samples: [] }], OPTIONS);
    assertWellFormed(svg);
    assert.deepEqual(paths(svg), []);
    assert.match(svg, /No lag samples yet/);
    assert.match(svg, /class="axis"/);
    assert.match(svg, /warning: 5 min/);
    assert.ok(warningY(svg) > 0);
  });

  it('says the lag was unknown when every sample has an unknown lag, and draws no line', () => {
    const svg = renderLagChart([{ label: 'Forward', samples: samples(30, () => null) }], OPTIONS);
    assertWellFormed(svg);
    assert.deepEqual(paths(svg), []);
    assert.doesNotMatch(svg, /<circle/);
    assert.match(svg, /Lag unknown for every sample/);
  });

  it('draws the warning line at the height of a lag equal to dtsSync.lagWarningSeconds', () => {
    const flat = renderLagChart([{ label: 'Forward', samples: samples(60, (i) => (i < 30 ? 300 : 600)) }], OPTIONS);
    const points = pathPoints(paths(flat)[0]);
    const atWarning = points.filter((_, i) => i < 10).map(([, y]) => y);
    const y = warningY(flat);
    assert.ok(atWarning.every((py) => Math.abs(py - y) < 0.2), `lag 300 drawn at ${atWarning[0]}, line at ${y}`);
    const above = points[points.length - 1][1];
    assert.ok(above < y - 20, 'a lag of 600 s is drawn well above the 300 s line');
  });

  it('keeps the warning line on the chart when every lag is far below it', () => {
    const svg = renderLagChart([{ label: 'Forward', samples: samples(10, () => 2) }], { ...OPTIONS, warningSeconds: 7200 });
    const y = warningY(svg);
    const data = pathPoints(paths(svg)[0])[0][1];
    assert.ok(y >= 12 && y < data - 100, `the 2 h line (y=${y}) is inside the plot, far above the 2 s lag (y=${data})`);
    assert.match(svg, /warning: 2 h/);
  });

  it('leaves a gap where the lag was unknown', () => {
    const svg = renderLagChart([{ label: 'Forward', samples: samples(9, (i) => (i === 4 ? null : 10)) }], OPTIONS);
    assert.equal(paths(svg).length, 2);
  });

  it('draws a lone sample as a dot', () => {
    const svg = renderLagChart([{ label: 'Forward', samples: samples(1, () => 10) }], OPTIONS);
    assert.equal((svg.match(/<circle class="lag-dot series-0"/g) ?? []).length, 1);
  });

  it('labels the time axis in the given zone at whole steps', () => {
    const svg = renderLagChart([{ label: 'Forward', samples: samples(61, () => 5) }], OPTIONS);
    const labels = [...svg.matchAll(/<text class="tick-label" x="[\d.]+" y="[\d.]+" text-anchor="middle">([^<]*)<\/text>/g)].map((m) => m[1]);
    assert.deepEqual(labels, ['13:10', '13:20', '13:30', '13:40', '13:50', '14:00']);
  });

  it('gives each direction its own series class', () => {
    const series: LagSeries[] = [
      { label: 'Forward', samples: samples(5, () => 5) },
      { label: 'Reverse', samples: samples(5, () => 50) },
    ];
    const svg = renderLagChart(series, OPTIONS);
    assert.match(svg, /class="lag-line series-0"/);
    assert.match(svg, /class="lag-line series-1"/);
    assert.doesNotMatch(svg, /style=|fill="#|stroke="#/, 'colours come from the stylesheet');
  });

  it('bounds the drawing for 2 × 2,000 samples and still shows a one-sample spike', () => {
    const many = (seed: number): LagSample[] =>
      Array.from({ length: 2000 }, (_, i) => ({ at: NOW.getTime() - (2000 - i) * 40_000, lagSeconds: i === 1234 ? 10_000 : ((i * seed) % 97) + 10 }));
    const svg = renderLagChart(
      [
        { label: 'Forward', samples: many(7) },
        { label: 'Reverse', samples: many(13) },
      ],
      OPTIONS,
    );
    assertWellFormed(svg);
    const drawn = paths(svg).map(pathPoints);
    const points = drawn.reduce((n, p) => n + p.length, 0);
    assert.ok(points <= 2 * 2 * CHART_WIDTH, `${points} points drawn for 4,000 samples`);
    assert.ok(svg.length < 40_000, `${svg.length} characters of SVG`);
    const top = Math.min(...drawn[0].map(([, y]) => y));
    const warning = warningY(svg);
    assert.ok(top < warning - 100, 'the 10,000 s spike is drawn far above the warning line');
  });

  it('writes well-formed SVG with finite numbers for any samples, warning and clock (property)', () => {
    const sample = fc.record({
      at: fc.oneof(
        fc.integer({ min: NOW.getTime() - 3 * 86_400_000, max: NOW.getTime() + 3_600_000 }),
        fc.double(),
        fc.constantFrom(Number.NaN, Infinity, -Infinity, 0, 8.64e15 + 1),
      ),
      lagSeconds: fc.oneof(fc.constant(null), fc.nat({ max: 200_000 }), fc.double(), fc.constantFrom(Number.NaN, Infinity, -1, 1e308)),
    });
    fc.assert(
      fc.property(
        fc.array(fc.array(sample, { maxLength: 60 }), { maxLength: 5 }),
        fc.oneof(fc.nat({ max: 604_800 }), fc.double(), fc.constantFrom(Number.NaN, -5)),
        fc.oneof(fc.constant(NOW), fc.date({ noInvalidDate: false })),
        (series, warningSeconds, now) => {
          const svg = renderLagChart(
            series.map((s, i) => ({ label: `d${i}`, samples: s })),
            { ...OPTIONS, now, warningSeconds },
          );
          assertWellFormed(svg);
          assert.doesNotMatch(svg, /NaN|Infinity|undefined|e[+-]\d/);
        },
      ),
      { numRuns: 300 },
    );
  });
});
