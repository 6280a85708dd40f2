import * as assert from 'node:assert/strict';
import { STATUS_LIST_ACTION, type ClientOptions } from '../../src/core/api/client';
import { ServerError } from '../../src/core/api/errors';
import type { JobDetails } from '../../src/core/api/jobDetails';
import type { StatusListResult } from '../../src/core/api/response';
import { isFailed, jobHealth, needsAttention } from '../../src/core/attention';
import type { JobSpec } from '../../src/core/jobs';
import type { Log } from '../../src/core/log';
import type { RawDirection } from '../../src/core/model';
import { Refresher, type ClosableSource } from '../../src/core/refresher';
import { parseSettings } from '../../src/core/settings';
import { StatusStore } from '../../src/core/store';
import { statusBarModel } from '../../src/core/views/statusBar';
import { directionItems, jobItem, reasonItem } from '../../src/core/views/tree';

const NOW = new Date('2024-05-01T12:00:00Z');
const CTX = { now: NOW, timeZone: 'UTC' };
const MESSAGE = 'Connect Source DB failed. cause by [java.sql.SQLException: Access denied for user dts] DTS-070211';
const quietLog: Log = { info: () => undefined, warn: () => undefined, error: () => undefined };

const ANSWERS: Record<string, RawDirection[]> = {
  dtsok0001: [{ direction: 'Forward', status: 'Synchronizing', checkpoint: new Date(NOW.getTime() - 2_000) }],
  dtsfail001: [
    { direction: 'Forward', status: 'Failed', checkpoint: new Date(NOW.getTime() - 7_200_000) },
    { direction: 'Reverse', status: 'Synchronizing', checkpoint: new Date(NOW.getTime() - 1_000) },
  ],
  dtsinit001: [{ direction: 'Forward', status: 'Initializing', checkpoint: null }],
};

const DETAILS: Record<string, JobDetails> = {
  dtsfail001: {
    jobId: 'dtsfail001',
    status: 'Failed',
    name: 'users-to-search',
    payType: 'PostPaid',
    errorMessage: MESSAGE,
    checkpoint: null,
    performance: { rps: 120, flowMBps: 1.5 },
    source: { engineName: 'MySQL', instanceId: 'rm-src01' },
    destination: { engineName: 'Elasticsearch', instanceId: 'es-dst01' },
  },
  dtsinit001: {
    jobId: 'dtsinit001',
    status: 'Initializing',
    name: 'new-reporting-feed',
    payType: 'PrePaid',
    expireTime: new Date(NOW.getTime() + 26 * 3_600_000),
    checkpoint: null,
    dataInitialization: { status: 'Migrating', percent: 42 },
  },
};

class DetailsClient implements ClosableSource {
  readonly detailCalls: string[] = [];
  failDetails = false;
  constructor(readonly options: ClientOptions) {}
  batchKey(region: string): string {
    return region;
  }
  async describeSynchronizationJobStatusList(ids: readonly string[], region: string): Promise<StatusListResult> {
    const jobs = new Map(ids.flatMap((id) => (ANSWERS[id] ? [[id, ANSWERS[id]] as const] : [])));
    void STATUS_LIST_ACTION;
    return { requestId: `REQ-${region}`, serverDate: NOW, jobs, notes: [] };
  }
  async describeSynchronizationJobStatus(jobId: string, direction: string): Promise<JobDetails> {
    this.detailCalls.push(`${jobId}/${direction}`);
    if (this.failDetails) {
      throw new ServerError({ code: 'ServiceUnavailable', httpStatus: 503, requestId: 'REQ-X' } as never);
    }
    return DETAILS[jobId];
  }
  async close(): Promise<void> {}
}

function setup(jobs: readonly (string | { id: string; name: string })[] = ['dtsok0001', 'dtsfail001', 'dtsinit001']) {
  const store = new StatusStore(() => NOW);
  const clients: DetailsClient[] = [];
  const settings = parseSettings((key) => ({ jobs, expiryWarningDays: 7 })[key as 'jobs']);
  store.setJobs(settings.jobs);
  store.setExpiryWarningDays(settings.expiryWarningDays);
  store.setCredentialsSource('SecretStorage');
  const refresher = new Refresher({
    store,
    log: quietLog,
    now: () => NOW,
    createClient: (o) => {
      const c = new DetailsClient(o);
      clients.push(c);
      return c;
    },
  });
  const resolved = { source: 'SecretStorage', credentials: { accessKeyId: 'LTAI5tDETAILS0001', accessKeySecret: 'secret-details-1' } };
  return {
    store,
    clients,
    refresh: () => refresher.refresh('manual', settings, [{ account: 'default', jobs: settings.jobs, resolved }]),
    view: (id: string) => store.state.jobs.find((j) => j.spec.id === id)!,
  };
}

describe('job details in the store and the views', () => {
  it('fetches details only for the directions that are not healthy, after the status batch', async () => {
    const t = setup();
    const events: string[] = [];
    t.store.onDidChange(() => events.push(t.store.state.jobs.some((j) => j.details) ? 'details' : 'status'));
    assert.equal((await t.refresh()).outcome, 'ok');
    // The failing and the initializing directions; the healthy job once, for its hourly facts; never the healthy Reverse.
    assert.deepEqual(t.clients[0].detailCalls.sort(), ['dtsfail001/Forward', 'dtsinit001/Forward', 'dtsok0001/Forward']);
    assert.deepEqual(events, ['status', 'details']);
    assert.equal(t.view('dtsfail001').details?.get('Forward')?.errorMessage, MESSAGE);
    assert.equal(t.view('dtsfail001').facts?.name, 'users-to-search');
  });

  it('a failed details call says "details unavailable" and never marks the status stale', async () => {
    const t = setup();
    await t.refresh();
    t.clients[0].failDetails = true;
    const result = await t.refresh();
    assert.equal(result.outcome, 'ok');
    const v = t.view('dtsfail001');
    assert.equal(v.stale, false);
    assert.equal(v.error, undefined);
    assert.match(v.detailsErrors?.get('Forward') ?? '', /503/);
    const tooltip = directionItems(v, CTX)[0].tooltip;
    assert.match(tooltip, /details unavailable: DTS server error \\\(HTTP 503\\\)/);
  });

  it('a failed direction gets a reason row, code first, the whole message in its tooltip', async () => {
    const t = setup();
    await t.refresh();
    const v = t.view('dtsfail001');
    const [forward, reverse] = directionItems(v, CTX);
    assert.equal(forward.collapsible, true);
    assert.equal(reverse.collapsible, false);
    const reason = reasonItem(v, 'Forward');
    assert.equal(reason?.label, 'DTS-070211: Connect Source DB failed.');
    assert.equal(reason?.contextValue, 'directionError');
    assert.ok(reason?.tooltip.includes(MESSAGE));
    assert.equal(reasonItem(v, 'Reverse'), undefined);
  });

  it('shows the DTS name, initial load progress, endpoints, performance and the expiry', async () => {
    const t = setup(['dtsok0001', 'dtsfail001', { id: 'dtsinit001', name: 'configured' }]);
    await t.refresh();
    const fail = jobItem(t.view('dtsfail001'), CTX);
    assert.equal(fail.label, 'users-to-search');
    assert.match(fail.tooltip, /MySQL \(`rm-src01`\) → Elasticsearch \(`es-dst01`\)/);
    assert.match(fail.tooltip, /120 RPS · 1\.5 MB\/s/);
    const init = t.view('dtsinit001');
    assert.equal(jobItem(init, CTX).label, 'configured');
    assert.match(directionItems(init, CTX)[0].description, /Full data 42 %/);
    assert.match(jobItem(init, CTX).description, /expires in 26 h/);
    assert.match(jobItem(init, CTX).tooltip, /expires in 26 h/);
  });

  it('an expiring subscription is a warning counted by the status bar; an expired one is an error', () => {
    const store = new StatusStore(() => NOW);
    const spec: JobSpec = { id: 'dtsok0001', region: 'cn-hangzhou' };
    store.setJobs([spec]);
    store.setCredentialsSource('SecretStorage');
    store.applySnapshot({ jobs: [], errors: [], notes: [], checkedAt: NOW } as never);
    const ok = { found: true, jobId: spec.id, region: spec.region, health: 'ok', directions: [] } as never;
    const expiring = { ...store.state.jobs[0], status: ok, expiry: { health: 'warning', words: 'expires in 2 days' } } as const;
    assert.equal(jobHealth(expiring), 'warning');
    assert.equal(needsAttention(expiring), true);
    const bar = statusBarModel({ ...store.state, jobs: [expiring] }, CTX);
    assert.equal(bar.text, '$(warning) DTS: 1 needs attention');
    assert.match(bar.tooltip, /expires in 2 days/);
    const expired = { ...expiring, expiry: { health: 'error', words: 'expired 1 day ago' } } as const;
    assert.equal(isFailed(expired), true);
    assert.equal(statusBarModel({ ...store.state, jobs: [expired] }, CTX).text, '$(error) DTS: 1 failed');
  });

  it('the store computes the expiry from the facts and dtsSync.expiryWarningDays', () => {
    const store = new StatusStore(() => NOW);
    const spec: JobSpec = { id: 'dtsbill001', region: 'cn-hangzhou' };
    store.setJobs([spec]);
    const expireTime = new Date(NOW.getTime() + 2 * 86_400_000 + 60_000);
    store.applyDetails([{ job: spec, direction: 'Forward', details: { checkpoint: null, payType: 'PrePaid', expireTime } }]);
    assert.equal(store.state.jobs[0].expiry?.words, 'expires in 2 days');
    store.setExpiryWarningDays(1);
    assert.equal(store.state.jobs[0].expiry, undefined);
    assert.deepEqual(parseSettings((k) => (k === 'expiryWarningDays' ? 999 : undefined)).expiryWarningDays, 7);
  });
});
