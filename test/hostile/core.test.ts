/**
 * Issue 7, in process: every hostile mode through the core the extension is built from — `DtsClient` →
 * `queryJobStatuses` → `StatusStore` → the presenters (tree rows, error row, view message, status bar) — signed V3
 * and V2.
 *
 * Nothing throws (a failed batch is a typed `DtsError` in `snapshot.errors`); no label or description holds a
 * control character or key material; tooltips hold no control character but \n and no key material; the snapshot
 * can be persisted and restored. Then each mode's own promise from the issue.
 */
import * as assert from 'node:assert/strict';
import { DtsClient } from '../../src/core/api/client';
import { DtsError } from '../../src/core/api/errors';
import type { JobSpec } from '../../src/core/jobs';
import { queryJobStatuses, type Snapshot } from '../../src/core/query';
import { parsePersisted, toPersisted } from '../../src/core/snapshotFormat';
import { StatusStore, type StoreState, type Transition } from '../../src/core/store';
import { statusBarModel, type StatusBarModel } from '../../src/core/views/statusBar';
import { directionItems, errorItem, jobItem, viewMessage, type ItemModel, type PresentContext } from '../../src/core/views/tree';
import { findControls, findLeaks, keyMaterial, MASKED_ACCESS_KEY_ID, STS, type Material } from './hygiene';
import {
  CODES, HEADER_REQUEST_ID, HOSTILE_MODES, IMPOSSIBLE_CHECKPOINTS, JOBS, MODE_JOBS, startDroppingProxy, startHostile,
  THROTTLE_429_RETRY_AFTER_MS, type HostileMode, type SeenRequest,
} from './server';

const REGION = 'cn-hangzhou';
const HEALTHS = ['ok', 'pending', 'warning', 'error', 'finished', 'unknown'];
const PARALLEL_RUNS = 12;
const CREDENTIALS_SOURCE = `environment variables (${MASKED_ACCESS_KEY_ID})`;

interface Presented {
  readonly state: StoreState;
  readonly transitions: readonly Transition[];
  readonly jobRows: readonly ItemModel[];
  readonly directionRows: readonly ItemModel[];
  readonly errorRow: ItemModel | undefined;
  readonly message: string | undefined;
  readonly statusBar: StatusBarModel;
  readonly persisted: string;
}

interface CoreRun {
  readonly label: string;
  readonly mode: HostileMode;
  readonly jobs: readonly JobSpec[];
  readonly snapshot: Snapshot | undefined;
  /** What queryJobStatuses threw, if it did (it must not: failed batches are reported, not thrown). */
  readonly thrown: unknown;
  readonly presented: Presented | undefined;
  /** What the presenters or the store threw, if they did. */
  readonly presentThrown: unknown;
  readonly requests: readonly SeenRequest[];
  readonly decoyRequests: number;
  /** The waits the client asked for between attempts (its sleep is instant here). */
  readonly waits: readonly number[];
}

function describeThrown(e: unknown): string {
  return e instanceof Error ? `${e.name}: ${e.message}\n${e.stack ?? ''}` : String(e);
}

function show(run: CoreRun): string {
  const s = run.snapshot;
  return [
    `[${run.label}] ${run.requests.length} request(s), waits ${JSON.stringify(run.waits)}`,
    s ? `jobs: ${JSON.stringify(s.jobs)}` : 'no snapshot',
    s ? `errors: ${JSON.stringify(s.errors.map((f) => ({ code: f.error.code, kind: f.error.kind, message: f.error.message, requestId: f.error.requestId, jobIds: f.jobIds })))}` : '',
    s ? `notes: ${JSON.stringify(s.notes)}` : '',
  ].join('\n');
}

function errorsOf(run: CoreRun): readonly DtsError[] {
  assert.ok(run.snapshot, `[${run.label}] no snapshot`);
  return run.snapshot.errors.map((f) => f.error);
}

function expectOneError(run: CoreRun): DtsError {
  const errors = errorsOf(run);
  assert.equal(errors.length, 1, `[${run.label}] expected one failed batch\n${show(run)}`);
  return errors[0];
}

function expectNoErrors(run: CoreRun): void {
  assert.deepEqual(errorsOf(run).map((e) => e.message), [], `[${run.label}] the batch failed\n${show(run)}`);
}

function statusOf(run: CoreRun, jobId: string): NonNullable<Snapshot['jobs'][number]> {
  const matches = run.snapshot?.jobs.filter((j) => j.jobId === jobId) ?? [];
  assert.equal(matches.length, 1, `[${run.label}] ${jobId} is in the snapshot ${matches.length} times\n${show(run)}`);
  return matches[0];
}

function notesText(run: CoreRun): string {
  return (run.snapshot?.notes ?? []).map((n) => n.message).join('\n');
}

function expectCode(run: CoreRun, code: string | RegExp): DtsError {
  const e = expectOneError(run);
  if (typeof code === 'string') {
    assert.equal(e.code, code, `[${run.label}] error code ${JSON.stringify(e.code)}, expected ${code}\n${show(run)}`);
  } else {
    assert.match(e.code, code, `[${run.label}] error code ${JSON.stringify(e.code)}\n${show(run)}`);
  }
  return e;
}

function expectRequests(run: CoreRun, count: number): void {
  assert.equal(run.requests.length, count, `[${run.label}] ${run.requests.length} request(s) sent, expected ${count}\n${show(run)}`);
}

const CHECKS: Readonly<Record<HostileMode, (run: CoreRun) => void>> = {
  'echo-string-to-sign': (run) => {
    const e = expectCode(run, 'SignatureDoesNotMatch');
    assert.equal(e.kind, 'credentials', `[${run.label}] kind ${e.kind}\n${show(run)}`);
    expectRequests(run, 1);
  },
  'echo-request': (run) => {
    expectOneError(run);
    expectRequests(run, 1);
  },
  'prototype-keys': (run) => {
    expectNoErrors(run);
    const sent: Record<string, [string, string][]> = {
      [JOBS.proto.constructorStatus]: [['Forward', 'constructor']],
      [JOBS.proto.protoStatus]: [['Forward', '__proto__']],
      [JOBS.proto.constructorDirection]: [['constructor', 'toString']],
      [JOBS.proto.protoDirection]: [['__proto__', 'toString']],
      [JOBS.proto.ownPropertyDirection]: [['hasOwnProperty', 'valueOf'], ['toString', '__proto__']],
    };
    for (const [jobId, directions] of Object.entries(sent)) {
      const job = statusOf(run, jobId);
      assert.ok(HEALTHS.includes(job.health), `[${run.label}] ${jobId}: health ${JSON.stringify(job.health)}\n${show(run)}`);
      for (const [direction, status] of directions) {
        const d = job.directions.find((x) => x.direction === direction);
        assert.ok(d, `[${run.label}] ${jobId}: direction ${direction} missing\n${show(run)}`);
        assert.equal(d.status, status, `[${run.label}] ${jobId} ${direction}: status not kept as sent\n${show(run)}`);
        assert.equal(d.health, 'unknown', `[${run.label}] ${jobId} ${direction}: ${status} must be an unknown status\n${show(run)}`);
        const row = run.presented?.directionRows.find((r) => r.id.endsWith(`@${REGION}:${direction}`) && r.id.includes(jobId));
        assert.ok(row, `[${run.label}] ${jobId}: no tree row for direction ${direction}`);
        assert.equal(row.label, direction, `[${run.label}] ${jobId}: row label ${JSON.stringify(row.label)}`);
        assert.ok(row.description.includes(status), `[${run.label}] ${jobId} ${direction}: row ${JSON.stringify(row.description)} does not show ${status} as sent`);
      }
    }
  },
  'impossible-checkpoints': (run) => {
    expectNoErrors(run);
    for (const [jobId, raw] of Object.entries(IMPOSSIBLE_CHECKPOINTS)) {
      const d = statusOf(run, jobId).directions[0];
      assert.ok(d, `[${run.label}] ${jobId}: no direction\n${show(run)}`);
      assert.equal(d.checkpoint, null, `[${run.label}] ${jobId}: checkpoint ${raw} became ${String(d.checkpoint)}, expected none\n${show(run)}`);
      assert.equal(d.lagSeconds, null, `[${run.label}] ${jobId}: lag ${d.lagSeconds} from checkpoint ${raw}\n${show(run)}`);
      // "Raw value in the tooltip and the log": a note for the log, or the raw value kept on the direction for it.
      const keptRaw = Object.values(d).some((v) => v === raw);
      assert.ok(notesText(run).includes(raw) || keptRaw, `[${run.label}] the raw checkpoint ${raw} reaches neither the notes nor the direction (nothing to log)\n${show(run)}`);
      const tooltips = [...(run.presented?.jobRows ?? []), ...(run.presented?.directionRows ?? [])].filter((r) => r.id.includes(jobId)).map((r) => r.tooltip.replace(/\\/g, '')).join('\n');
      assert.ok(tooltips.includes(raw), `[${run.label}] ${jobId}: the tooltip does not show the raw checkpoint ${raw}:\n${tooltips}`);
    }
    const future = statusOf(run, JOBS.checkpoint.future).directions[0];
    assert.equal(future.lagSeconds, 0, `[${run.label}] a future checkpoint gave lag ${future.lagSeconds}, expected 0\n${show(run)}`);
    assert.match(notesText(run), /clock|skew|future|ahead/i, `[${run.label}] no clock-skew note for a checkpoint in the future\n${show(run)}`);
    const normal = statusOf(run, JOBS.checkpoint.normal).directions[0];
    assert.ok(normal.checkpoint !== null && normal.lagSeconds !== null && normal.lagSeconds < 120, `[${run.label}] the normal checkpoint was lost\n${show(run)}`);
    assert.ok(run.presented, `[${run.label}] not presented`);
    const parsed = JSON.parse(run.presented.persisted) as { jobs: unknown[] };
    assert.equal(parsed.jobs.length, MODE_JOBS['impossible-checkpoints'].length, `[${run.label}] not every job was persisted`);
  },
  'control-chars-answer': (run) => {
    expectNoErrors(run);
    const job = statusOf(run, JOBS.control);
    assert.equal(job.found, true, `[${run.label}] the job was not found\n${show(run)}`);
    assert.equal(job.directions.length, 1, `[${run.label}] expected one direction\n${show(run)}`);
  },
  'control-chars-error': (run) => {
    expectCode(run, /InvalidParameter/);
  },
  'control-chars-html': (run) => {
    const e = expectOneError(run);
    assert.ok(e.kind === 'bad-response' || e.kind === 'server', `[${run.label}] kind ${e.kind}\n${show(run)}`);
  },
  duplicates: (run) => {
    expectNoErrors(run);
    const twice = statusOf(run, JOBS.duplicate.answeredTwice);
    assert.deepEqual(twice.directions.map((d) => [d.direction, d.status]), [['Forward', 'Failed']], `[${run.label}] ${twice.jobId}: one Failed Forward row expected\n${show(run)}`);
    assert.equal(twice.health, 'error', `[${run.label}] ${twice.jobId}: health ${twice.health}\n${show(run)}`);
    const dir = statusOf(run, JOBS.duplicate.directionTwice);
    assert.deepEqual(dir.directions.map((d) => d.direction).sort(), ['Forward', 'Reverse'], `[${run.label}] ${dir.jobId}: one row per direction expected\n${show(run)}`);
    assert.equal(dir.directions.find((d) => d.direction === 'Forward')?.status, 'Failed', `[${run.label}] ${dir.jobId}: the worst status must win\n${show(run)}`);
    assert.match(notesText(run), /twice|duplicate|more than once|repeated|\d+ times/i, `[${run.label}] the duplicates are not noted for the log\n${show(run)}`);
    assert.equal(run.presented?.transitions.length, 2, `[${run.label}] expected one failure notification per failed (job, direction): ${JSON.stringify(run.presented?.transitions)}`);
  },
  'retry-after-signature': (run) => {
    const e = expectCode(run, 'SignatureDoesNotMatch');
    assert.notEqual(e.kind, 'throttled', `[${run.label}] a signature error classified as throttling\n${show(run)}`);
    assert.equal(e.retryable, false, `[${run.label}] a signature error is retryable\n${show(run)}`);
    expectRequests(run, 1);
  },
  'throttle-429-text': (run) => {
    const e = expectOneError(run);
    assert.equal(e.kind, 'throttled', `[${run.label}] kind ${e.kind}\n${show(run)}`);
    assert.ok(run.requests.length >= 2, `[${run.label}] a 429 was not retried\n${show(run)}`);
    assert.ok(run.waits.length > 0 && run.waits.every((w) => w >= THROTTLE_429_RETRY_AFTER_MS), `[${run.label}] the 429's x-acs-retry-after (${THROTTLE_429_RETRY_AFTER_MS} ms) was not honoured: waits ${JSON.stringify(run.waits)}\n${show(run)}`);
  },
  'throttle-dts-code': (run) => {
    const e = expectCode(run, 'Dts.Throttling.Api');
    assert.equal(e.kind, 'throttled', `[${run.label}] Dts.Throttling.Api classified as ${e.kind}\n${show(run)}`);
    assert.ok(run.requests.length >= 2, `[${run.label}] throttling was not retried\n${show(run)}`);
  },
  'error-lowercase': (run) => {
    expectCode(run, CODES.lowercase);
  },
  'error-xml': (run) => {
    expectCode(run, CODES.xml);
  },
  'forbidden-detail': (run) => {
    const e = expectOneError(run);
    assert.equal(e.kind, 'forbidden', `[${run.label}] kind ${e.kind}\n${show(run)}`);
    assert.ok(e.message.includes(CODES.denied), `[${run.label}] the message does not name ${CODES.denied}\n${show(run)}`);
    assert.ok(e.message.includes(CODES.deniedType), `[${run.label}] the message does not name ${CODES.deniedType}\n${show(run)}`);
    expectRequests(run, 1);
  },
  'gzip-unasked': (run) => {
    const e = expectOneError(run);
    assert.match(e.message, /gzip/i, `[${run.label}] the message does not say gzip\n${show(run)}`);
    assert.equal(e.requestId, HEADER_REQUEST_ID, `[${run.label}] the request ID did not fall back to x-acs-request-id\n${show(run)}`);
  },
  'success-no-list': (run) => {
    expectCode(run, 'BadResponse');
    assert.deepEqual(run.snapshot?.jobs, [], `[${run.label}] a job was reported from an answer without a list\n${show(run)}`);
  },
  'total-above-answered': (run) => {
    expectNoErrors(run);
    assert.equal(statusOf(run, JOBS.single).found, true, `[${run.label}] the job is missing\n${show(run)}`);
    assert.match(notesText(run), /TotalRecordCount|50/, `[${run.label}] TotalRecordCount above the answered jobs is not noted\n${show(run)}`);
  },
  hang: (run) => {
    const e = expectOneError(run);
    assert.equal(e.kind, 'timeout', `[${run.label}] kind ${e.kind}\n${show(run)}`);
    assert.ok(run.requests.length <= 3, `[${run.label}] ${run.requests.length} attempts: retries are not bounded\n${show(run)}`);
  },
  trickle: (run) => {
    const e = expectOneError(run);
    assert.equal(e.kind, 'timeout', `[${run.label}] a body that never ends must time out (kind ${e.kind})\n${show(run)}`);
  },
  'throttle-forever': (run) => {
    const e = expectOneError(run);
    assert.ok(e.kind === 'throttled' || e.kind === 'timeout', `[${run.label}] kind ${e.kind}\n${show(run)}`);
    assert.ok(run.requests.length <= 3, `[${run.label}] ${run.requests.length} attempts: retries are not bounded\n${show(run)}`);
  },
  'big-body': (run) => {
    expectCode(run, 'BadResponse');
  },
  'redirect-other-host': (run) => {
    expectOneError(run);
    assert.equal(run.decoyRequests, 0, `[${run.label}] the redirect was followed to another host`);
  },
};

/** What every surface shows, checked for key material and control characters. */
function checkSurfaces(run: CoreRun): void {
  const material: Material[] = keyMaterial(run.requests);
  const problems: string[] = [];
  const check = (where: string, text: string | undefined, allowNewline: boolean): void => {
    if (text === undefined) {
      return;
    }
    problems.push(...findLeaks(text, material).map((l) => `${where}: ${l}`));
    problems.push(...findControls(text, allowNewline).map((c) => `${where}: control character ${c}`));
  };
  for (const f of run.snapshot?.errors ?? []) {
    check('error.message (log line)', f.error.message, false);
    check('error.code', f.error.code, false);
    check('error.requestId', f.error.requestId, false);
    check('error.apiMessage', f.error.apiMessage, false);
  }
  for (const n of run.snapshot?.notes ?? []) {
    check('note (log line)', n.message, false);
  }
  const p = run.presented;
  if (p) {
    for (const row of [...p.jobRows, ...p.directionRows, ...(p.errorRow ? [p.errorRow] : [])]) {
      check(`row ${row.id} label`, row.label, false);
      check(`row ${row.id} description`, row.description, false);
      check(`row ${row.id} tooltip`, row.tooltip, true);
    }
    check('view message', p.message, false);
    check('status bar text', p.statusBar.text, false);
    check('status bar tooltip', p.statusBar.tooltip, true);
    for (const t of p.transitions) {
      check('failure notification', `${t.job.id} ${t.direction}: ${t.status}`, false);
    }
    const ids = [...p.jobRows, ...p.directionRows].map((r) => r.id);
    const duplicated = ids.filter((id, i) => ids.indexOf(id) !== i);
    assert.deepEqual(duplicated, [], `[${run.label}] tree ids used twice (VS Code refuses the tree): ${duplicated.join(', ')}`);
  }
  assert.deepEqual(problems, [], `[${run.label}] ${problems.length} problem(s) on the surfaces:\n${problems.join('\n')}\n${show(run)}`);
}

function present(jobs: readonly JobSpec[], snapshot: Snapshot): Presented {
  const store = new StatusStore();
  store.setJobs(jobs);
  store.setCredentialsSource(CREDENTIALS_SOURCE);
  store.setRefreshing(true, snapshot.checkedAt);
  const transitions = store.applySnapshot(snapshot);
  store.setRefreshing(false);
  const state = store.state;
  const ctx: PresentContext = { now: new Date(), timeZone: 'UTC' };
  const persisted = JSON.stringify(toPersisted(store.state.jobs));
  // The next session restores what this one saved.
  const restored = new StatusStore();
  restored.setJobs(jobs);
  restored.restore(parsePersisted(JSON.parse(persisted)));
  return {
    state,
    transitions,
    jobRows: state.jobs.map((v) => jobItem(v, ctx, CREDENTIALS_SOURCE)),
    directionRows: state.jobs.flatMap((v) => directionItems(v, ctx)),
    errorRow: errorItem(state),
    message: viewMessage(state),
    statusBar: statusBarModel(state, ctx),
    persisted,
  };
}

async function runCore(mode: HostileMode, signatureVersion: 'v3' | 'v2'): Promise<CoreRun> {
  const label = `core ${mode} ${signatureVersion}`;
  const server = await startHostile(mode);
  const waits: number[] = [];
  const jobs: JobSpec[] = MODE_JOBS[mode].map((id) => ({ id, region: REGION }));
  const client = new DtsClient({
    credentials: STS,
    endpoint: server.url,
    signatureVersion,
    timeoutMs: 1000,
    random: () => 0.5,
    sleep: async (ms: number) => {
      waits.push(ms);
    },
  });
  let snapshot: Snapshot | undefined;
  let thrown: unknown;
  try {
    snapshot = await queryJobStatuses(jobs, client, { lagWarningSeconds: 300 });
  } catch (e) {
    thrown = e;
  } finally {
    await client.close().catch(() => undefined);
    await server.close();
  }
  let presented: Presented | undefined;
  let presentThrown: unknown;
  if (snapshot) {
    try {
      presented = present(jobs, snapshot);
    } catch (e) {
      presentThrown = e;
    }
  }
  return { label, mode, jobs, snapshot, thrown, presented, presentThrown, requests: [...server.requests], decoyRequests: server.decoyRequests, waits };
}

async function pool<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      await work(items[next++]);
    }
  }));
}

describe('hostile endpoint: the core in process (client → query → store → presenters)', function () {
  this.timeout(60_000);
  const runs = new Map<string, CoreRun>();
  const plan = HOSTILE_MODES.flatMap((mode) => (['v3', 'v2'] as const).map((sig) => ({ mode, sig })));

  before(async function () {
    this.timeout(120_000);
    await pool(plan, PARALLEL_RUNS, async ({ mode, sig }) => {
      runs.set(`${mode} ${sig}`, await runCore(mode, sig));
    });
  });

  for (const { mode, sig } of plan) {
    it(`${mode} [${sig}]: no throw, typed errors, clean rows and tooltips; ${mode}'s own promise holds`, () => {
      const run = runs.get(`${mode} ${sig}`);
      assert.ok(run, `[core ${mode} ${sig}] did not run`);
      assert.equal(run.thrown, undefined, `[${run.label}] queryJobStatuses threw instead of reporting the batch: ${describeThrown(run.thrown)}`);
      for (const f of run.snapshot?.errors ?? []) {
        assert.ok(f.error instanceof DtsError, `[${run.label}] an untyped error: ${describeThrown(f.error)}`);
        assert.deepEqual([...f.jobIds].sort(), MODE_JOBS[mode].slice().sort(), `[${run.label}] the failed batch does not name its jobs`);
      }
      assert.equal(run.presentThrown, undefined, `[${run.label}] the store or a presenter threw: ${describeThrown(run.presentThrown)}\n${show(run)}`);
      for (const job of run.snapshot?.jobs ?? []) {
        assert.ok(HEALTHS.includes(job.health), `[${run.label}] ${job.jobId}: health ${JSON.stringify(job.health)}`);
      }
      checkSurfaces(run);
      CHECKS[mode](run);
    });
  }

  it('a proxy that drops CONNECT: the attempt ends within its timeout, a typed error, reconnects bounded', async function () {
    this.timeout(20_000);
    const proxy = await startDroppingProxy();
    const waits: number[] = [];
    // No endpoint: the official https://dts.aliyuncs.com, reached only through the proxy (no DNS lookup here).
    const client = new DtsClient({ credentials: STS, proxy: proxy.url, timeoutMs: 1000, random: () => 0.5, sleep: async (ms: number) => {
      waits.push(ms);
    } });
    const started = performance.now();
    let snapshot: Snapshot | undefined;
    try {
      snapshot = await queryJobStatuses([{ id: JOBS.single, region: REGION }], client, { lagWarningSeconds: 300 });
    } finally {
      await client.close().catch(() => undefined);
      await proxy.close();
    }
    const ms = performance.now() - started;
    const label = `[core dropping proxy] ${Math.round(ms)} ms, ${proxy.connections} connection(s), ${proxy.connects} CONNECT(s)`;
    assert.ok(ms < 10_000, `${label}: the per-attempt timeout did not end the attempts`);
    assert.ok(proxy.connects >= 1, `${label}: the request did not go through the proxy`);
    assert.ok(proxy.connections <= 10, `${label}: reconnects not bounded by the retry policy`);
    assert.equal(snapshot.errors.length, 1, `${label}: expected one failed batch`);
    assert.ok(snapshot.errors[0].error instanceof DtsError, `${label}: untyped error`);
    const problems = [...findLeaks(snapshot.errors[0].error.message, keyMaterial()), ...findControls(snapshot.errors[0].error.message, false)];
    assert.deepEqual(problems, [], `${label}: ${snapshot.errors[0].error.message}`);
  });

  it('the surface check catches what it must (sanity check)', () => {
    assert.ok(findLeaks(`token ${STS.securityToken.slice(20, 40)}`, keyMaterial()).length > 0);
    assert.deepEqual(findLeaks(`key ${MASKED_ACCESS_KEY_ID}`, keyMaterial()), []);
    assert.ok(findControls('Forward\u202e', false).length > 0);
  });
});
