import * as assert from 'node:assert/strict';
import type { JobDetails } from '../../src/core/api/jobDetails';
import type { JobSpec } from '../../src/core/jobs';
import { LagHistory } from '../../src/core/lagHistory';
import { buildJobStatus, type RawDirection } from '../../src/core/model';
import { expiryState } from '../../src/core/expiry';
import type { JobView } from '../../src/core/store';
import { presentDetails, renderDetailsSections, type DetailsContext } from '../../src/core/views/details';
import { assertWellFormed } from './svg.fixture';

const NOW = new Date('2024-05-01T14:03:00Z');
const CTX: DetailsContext = { now: NOW, lagWarningSeconds: 300, timeZone: 'UTC' };
const ago = (seconds: number): Date => new Date(NOW.getTime() - seconds * 1000);
const JOB: JobSpec = { id: 'dtsf8r2t6y1u5i9o3p', region: 'cn-hangzhou', name: 'users-to-search' };

const REASON =
  'DTS-070211: Connect Source DB failed. cause by [com.mysql.cj.jdbc.exceptions.CommunicationsException: Communications link failure]';

const FAILED_DETAILS: JobDetails = {
  checkpoint: null,
  name: 'users-to-search',
  payType: 'PrePaid',
  expireTime: new Date(NOW.getTime() + 2 * 86_400_000 + 3_600_000),
  errorMessage: REASON,
  precheck: {
    status: 'Failed',
    items: [
      { itemName: 'CHECK_SRC_VERSION', checkStatus: 'Success' },
      { itemName: 'CHECK_CONN_SRC', checkStatus: 'Failed', errorMessage: 'Cannot connect to the source', repairMethod: 'Add the DTS IP ranges to the whitelist' },
    ],
  },
  dataInitialization: { status: 'Migrating', percent: 42, progress: 1234 },
  performance: { rps: 850, flowMBps: 1.8 },
  source: { engineName: 'MySQL', instanceType: 'RDS', instanceId: 'rm-bp13e5r7t9y1u3i5o', ip: '10.0.0.5', port: 3306 },
  destination: { engineName: 'Elasticsearch', instanceId: 'es-cn-2r42x1b3c0005k8m9' },
};

function view(spec: JobSpec, directions: RawDirection[], extra: Partial<JobView> = {}): JobView {
  return { spec, status: buildJobStatus(spec.id, spec.region, directions, NOW, 300), fetchedAt: ago(30), error: undefined, stale: false, ...extra };
}

function failedView(extra: Partial<JobView> = {}): JobView {
  const d = FAILED_DETAILS;
  return view(JOB, [{ direction: 'Forward', status: 'Failed', checkpoint: ago(7200) }], {
    details: new Map([['Forward', d]]),
    facts: { name: d.name, payType: d.payType, expireTime: d.expireTime, source: d.source, destination: d.destination },
    expiry: expiryState(d.payType, d.expireTime, NOW, 7),
    ...extra,
  });
}

function html(v: JobView, lag?: LagHistory): string {
  return renderDetailsSections(presentDetails(v, lag, CTX))
    .map((s) => s.html)
    .join('');
}

describe('views/details', () => {
  it('shows name, ID, region, account and when the job was last checked', () => {
    const model = presentDetails(failedView(), undefined, CTX);
    assert.equal(model.title, 'users-to-search');
    assert.equal(model.healthWords, 'Failed');
    const facts = new Map(model.facts.map((f) => [f.label, f.value]));
    assert.equal(facts.get('ID'), 'dtsf8r2t6y1u5i9o3p');
    assert.equal(facts.get('Region'), 'cn-hangzhou');
    assert.equal(facts.get('Account'), 'default');
    assert.equal(facts.get('Last checked'), '2024-05-01 14:02:30 UTC (30 s ago)');
  });

  it('gives each direction its status, health, lag, full-load progress and performance', () => {
    const [forward] = presentDetails(failedView(), undefined, CTX).directions;
    assert.equal(forward.label, 'Forward');
    assert.equal(forward.status, 'Failed');
    assert.equal(forward.healthWords, 'Failed');
    assert.equal(forward.lag, '2 h');
    assert.equal(forward.data, 'Full data: Migrating · 42 % · 1,234 records');
    assert.equal(forward.performance, '850 RPS · 1.8 MB/s');
  });

  it('carries the whole error message and lists failed precheck items first with their repair method', () => {
    const [forward] = presentDetails(failedView(), undefined, CTX).directions;
    assert.equal(forward.error, REASON);
    assert.deepEqual(
      forward.precheck.map((p) => [p.name, p.failed, p.repair]),
      [
        ['CHECK_CONN_SRC', true, 'Add the DTS IP ranges to the whitelist'],
        ['CHECK_SRC_VERSION', false, undefined],
      ],
    );
    const page = html(failedView());
    assert.match(page, /<pre class="message" tabindex="0" aria-labelledby="error-0">DTS-070211: Connect Source DB failed\. cause by/);
    assert.match(page, /<button type="button" class="copy" data-copy="0"[^>]*>Copy<\/button>/);
    assert.ok(page.indexOf('CHECK_CONN_SRC') < page.indexOf('CHECK_SRC_VERSION'));
    assert.match(page, /Repair: Add the DTS IP ranges to the whitelist/);
  });

  it('shows source → destination with engine, instance type, instance ID and address', () => {
    const model = presentDetails(failedView(), undefined, CTX);
    assert.deepEqual(model.source, { engine: 'MySQL', instanceType: 'RDS', instanceId: 'rm-bp13e5r7t9y1u3i5o', address: '10.0.0.5:3306' });
    assert.equal(model.destination?.engine, 'Elasticsearch');
    assert.match(html(failedView()), /<h2>Source → destination<\/h2>.*rm-bp13e5r7t9y1u3i5o.*10\.0\.0\.5:3306.*es-cn-2r42x1b3c0005k8m9/);
  });

  it('shows the subscription, its expire time and how long is left, as a warning inside the warning window', () => {
    const model = presentDetails(failedView(), undefined, CTX);
    assert.deepEqual(model.expiry?.fields.map((f) => f.value), ['Subscription', '2024-05-03 15:03:00 UTC', 'expires in 2 days']);
    assert.equal(model.expiry?.health, 'warning');
    const later = presentDetails(failedView({ expiry: undefined }), undefined, CTX);
    assert.equal(later.expiry?.health, undefined, 'outside the window: the words, but no warning');
    const postPaid = presentDetails(failedView({ facts: { payType: 'PostPaid' }, expiry: undefined }), undefined, CTX);
    assert.deepEqual(postPaid.expiry?.fields.map((f) => f.value), ['Pay-as-you-go']);
  });

  it('says "details unavailable: …" when the details call failed, keeping the status', () => {
    const v = view(JOB, [{ direction: 'Forward', status: 'Failed', checkpoint: ago(60) }], { detailsErrors: new Map([['Forward', 'timed out after 10 s']]) });
    const [forward] = presentDetails(v, undefined, CTX).directions;
    assert.equal(forward.unavailable, 'details unavailable: timed out after 10 s');
    assert.equal(forward.status, 'Failed');
    assert.match(html(v), /<p class="unavailable">details unavailable: timed out after 10 s<\/p>/);
  });

  it('summarizes each direction’s lag history in words and a table, with the warning line', () => {
    const history = new LagHistory();
    for (let i = 0; i < 10; i++) {
      history.record(JOB, 'Forward', new Date(NOW.getTime() - (9 - i) * 60_000), i === 3 ? 900 : 20 + i);
    }
    const v = view(JOB, [
      { direction: 'Forward', status: 'Synchronizing', checkpoint: ago(29) },
      { direction: 'Reverse', status: 'Synchronizing', checkpoint: ago(5) },
    ]);
    const { chart } = presentDetails(v, history, CTX);
    assert.deepEqual(chart.rows[0], { direction: 'Forward', latest: '29 s', highest: '15 min at 13:57:00', samples: '10', since: '13:54:00' });
    assert.deepEqual(chart.rows[1], { direction: 'Reverse', latest: '–', highest: '–', samples: '0', since: '–' });
    assert.equal(
      chart.summary,
      'Forward: latest 29 s, highest 15 min at 13:57:00, 10 samples since 13:54:00; Reverse: no samples yet; Warning line: 5 min (dtsSync.lagWarningSeconds)',
    );
    const page = html(v, history);
    assert.match(page, /<svg [^>]*role="img" aria-labelledby="lag-title lag-desc">/);
    assert.match(page, /<desc id="lag-desc">Forward: latest 29 s/);
    assert.match(page, /<table class="lag-table">/);
    assert.match(page, /<li><span class="swatch series-1"><\/span>Reverse<\/li>/);
  });

  it('escapes hostile names, messages and precheck items everywhere in the page', () => {
    const hostile = '<script>alert(1)</script>';
    const spec: JobSpec = { id: 'dtsjob0001', region: 'cn-hangzhou', name: hostile };
    const details: JobDetails = {
      checkpoint: null,
      errorMessage: `"><img src=x onerror=alert(1)> ${hostile}`,
      precheck: { items: [{ itemName: hostile, checkStatus: 'Failed', repairMethod: '<a href="javascript:alert(1)">fix</a>' }] },
      source: { engineName: hostile, ip: '<b>', port: 1 },
    };
    const v = view(spec, [{ direction: hostile, status: `Failed${'\u202e'}<i>`, checkpoint: null }], {
      details: new Map([[hostile, details]]),
      facts: { name: '<svg onload=alert(1)>', source: details.source },
      error: { kind: 'server', code: 'X', message: '<iframe src=//evil>' },
    });
    const sections = renderDetailsSections(presentDetails(v, undefined, CTX));
    for (const s of sections) {
      assertWellFormed(`<section>${s.html}</section>`);
    }
    const page = sections.map((s) => s.html).join('');
    assert.doesNotMatch(page, /<script|<img|<a |<iframe|<b>|<i>|<svg onload|\u202e/);
    assert.match(page, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
    assert.match(page, /&quot;&gt;&lt;img src=x onerror=alert\(1\)&gt;/);
  });

  it('works before the first refresh: no status, no details, no samples', () => {
    const v: JobView = { spec: { id: 'dtsnew0001', region: 'cn-beijing' }, status: undefined, fetchedAt: undefined, error: undefined, stale: false };
    const model = presentDetails(v, undefined, CTX);
    assert.equal(model.title, 'dtsnew0001');
    assert.deepEqual(model.directions, []);
    assert.equal(model.facts.find((f) => f.label === 'Last checked')?.value, 'not yet');
    const page = html(v);
    assert.match(page, /No directions reported yet\./);
    assert.match(page, /No lag samples yet/);
  });
});
