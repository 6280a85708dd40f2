/**
 * Issue 7, end to end: the BUILT CLI (`node dist/cli.js`, from `npm run build`) against a hostile DTS endpoint, one
 * server per run, in every mode, signed V3 and V2, with `--json` and as a table. Credentials are an STS key in the
 * environment; HOME is a fresh temp dir; PATH is the only other variable.
 *
 * Every run, whatever the mode: exit 0, 1 or 2 and never a crash; no secret, token, full AccessKey ID or request
 * signature on stdout or stderr (in any spelling); no control character but \n; `--json` is one JSON document;
 * every job asked for is either answered or named in an error. Then each mode's own promise from the issue.
 *
 * All runs start together in `before` (a few at a time) so the slow modes overlap; each `it` checks one run.
 */
import * as assert from 'node:assert/strict';
import { runToEnd, type RunResult } from '../cli/childProcess';
import { mkdtempSync, rmSync } from 'node:fs';
import { networkInterfaces, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { findControls, findLeaks, jsonStrings, keyMaterial, MASKED_ACCESS_KEY_ID, STS } from './hygiene';
import {
  CODES, FUTURE_CHECKPOINT_AHEAD_S, HEADER_REQUEST_ID, IMPOSSIBLE_CHECKPOINTS, JOBS, MILLIS_CHECKPOINT_AGE_MS, MODE_JOBS,
  HOSTILE_MODES, NEVER_ANSWERS, startDroppingProxy, startHostile, THROTTLE_429_RETRY_AFTER_MS, type HostileMode, type SeenRequest,
} from './server';

const ROOT = resolve(__dirname, '../../..');
const CLI = join(ROOT, 'dist', 'cli.js');

/** Generous "did not hang" bounds: a run against a mode that never answers, with `--deadline 5` (or 3). */
const KILL_AFTER_MS = 30_000;
const DEADLINE_BOUND_MS = 14_000;
const PARALLEL_RUNS = 8;

interface Doc {
  checkedAt: string;
  jobs: {
    jobId: string; region: string; found: boolean; health?: unknown;
    directions: { direction: string; status: string; health?: unknown; checkpoint: string | null; lagSeconds: number | null }[];
  }[];
  errors: { region: string; code: string; message: string; requestId: string | null; jobIds: string[] }[];
}

interface Variant {
  readonly name: string;
  readonly signature: 'v3' | 'v2';
  readonly json: boolean;
  /** Replaces the default timing options. */
  readonly timing?: readonly string[];
}

interface Run {
  readonly label: string;
  readonly mode: HostileMode;
  readonly variant: Variant;
  readonly jobs: readonly string[];
  readonly result: RunResult;
  readonly requests: readonly SeenRequest[];
  readonly decoyRequests: number;
  /** Parsed `--json` stdout, when the variant asked for JSON and it parsed. */
  readonly doc: Doc | undefined;
  readonly docError: string | undefined;
}

const HEALTHS = ['ok', 'pending', 'warning', 'error', 'finished', 'unknown'];

const VARIANTS: readonly Variant[] = [
  { name: 'v3 --json', signature: 'v3', json: true },
  { name: 'v3 table', signature: 'v3', json: false },
  { name: 'v2 --json', signature: 'v2', json: true },
  { name: 'v2 table', signature: 'v2', json: false },
];
const HANG_TIMING = ['--timeout', '2', '--deadline', '5'];
/** One attempt alone would take 30 s: only the overall deadline can end this run in time. */
const DEADLINE_ONLY: Variant = { name: 'v3 --json --timeout 30 --deadline 3', signature: 'v3', json: true, timing: ['--timeout', '30', '--deadline', '3'] };

function variantsOf(mode: HostileMode): readonly Variant[] {
  if (!NEVER_ANSWERS.has(mode)) {
    return VARIANTS;
  }
  return [...VARIANTS.map((v) => ({ ...v, timing: HANG_TIMING })), ...(mode === 'hang' || mode === 'throttle-forever' ? [DEADLINE_ONLY] : [])];
}

function show(run: Run): string {
  const r = run.result;
  return `[${run.label}] exit ${r.code}${r.signal ? ` (killed: ${r.signal})` : ''} after ${Math.round(r.ms)} ms, ${run.requests.length} request(s)\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`;
}

function tableRows(run: Run, jobId: string): string[] {
  return run.result.stdout.split('\n').filter((line) => line.startsWith(`${jobId} `));
}

function docOf(run: Run): Doc {
  assert.ok(run.doc, `[${run.label}] --json stdout did not parse: ${run.docError}\n${show(run)}`);
  return run.doc;
}

function jobOf(run: Run, jobId: string): Doc['jobs'][number] {
  const matches = docOf(run).jobs.filter((j) => j.jobId === jobId);
  assert.equal(matches.length, 1, `[${run.label}] ${jobId} is listed ${matches.length} times in jobs[], expected once\n${show(run)}`);
  return matches[0];
}

function expectExit(run: Run, code: number): void {
  assert.equal(run.result.code, code, `[${run.label}] expected exit ${code}\n${show(run)}`);
}

/** The text a user reads about a failed batch: errors[].message with --json, stderr for the table. */
function errorText(run: Run): string {
  return run.variant.json ? docOf(run).errors.map((e) => `${e.code} ${e.message}`).join('\n') : run.result.stderr;
}

/**
 * With --json: every errors[].code matches. In a table run stderr carries the message, where an API code is quoted
 * but a local one (BadResponse, Timeout) is said in words: `inWords` is what stderr must say then.
 */
function expectErrorCode(run: Run, expected: string | RegExp, inWords?: RegExp): void {
  if (run.variant.json) {
    const codes = docOf(run).errors.map((e) => e.code);
    assert.ok(codes.length > 0, `[${run.label}] no errors[] entry\n${show(run)}`);
    for (const code of codes) {
      if (typeof expected === 'string') {
        assert.equal(code, expected, `[${run.label}] errors[].code is ${JSON.stringify(code)}, expected ${expected}\n${show(run)}`);
      } else {
        assert.match(code, expected, `[${run.label}] errors[].code is ${JSON.stringify(code)}, expected ${expected}\n${show(run)}`);
      }
    }
    return;
  }
  const wanted = inWords ?? expected;
  assert.ok(
    typeof wanted === 'string' ? run.result.stderr.includes(wanted) : wanted.test(run.result.stderr),
    `[${run.label}] stderr does not say ${wanted}\n${show(run)}`,
  );
}

const BAD_RESPONSE_WORDS = /bad response/i;
const TIMEOUT_WORDS = /no answer|timed? ?out|deadline/i;

function expectRequests(run: Run, count: number): void {
  assert.equal(run.requests.length, count, `[${run.label}] the endpoint got ${run.requests.length} request(s), expected ${count}\n${show(run)}`);
}

/** Hang modes: the run ended on its own, well before the kill, exit 2, and the batch reported with its job IDs. */
function expectDeadlineHeld(run: Run, code: RegExp, inWords: RegExp): void {
  assert.equal(run.result.signal, null, `[${run.label}] still running after ${KILL_AFTER_MS} ms: killed\n${show(run)}`);
  assert.ok(run.result.ms < DEADLINE_BOUND_MS, `[${run.label}] took ${Math.round(run.result.ms)} ms: the overall deadline did not hold\n${show(run)}`);
  expectExit(run, 2);
  if (run.variant.json) {
    const errors = docOf(run).errors;
    assert.ok(errors.some((e) => e.jobIds.includes(JOBS.single)), `[${run.label}] no error names ${JOBS.single}\n${show(run)}`);
  } else {
    assert.ok(run.result.stderr.includes(JOBS.single), `[${run.label}] stderr does not name ${JOBS.single}\n${show(run)}`);
  }
  expectErrorCode(run, code, inWords);
}

/** The mode's own promises from issue 7. */
const CHECKS: Readonly<Record<HostileMode, (run: Run) => void>> = {
  'echo-string-to-sign': (run) => {
    expectExit(run, 2);
    expectErrorCode(run, 'SignatureDoesNotMatch');
    expectRequests(run, 1);
  },
  'echo-request': (run) => {
    expectExit(run, 2);
    expectRequests(run, 1);
  },
  'prototype-keys': (run) => {
    expectExit(run, 1);
    const sent: Record<string, [string, string][]> = {
      [JOBS.proto.constructorStatus]: [['Forward', 'constructor']],
      [JOBS.proto.protoStatus]: [['Forward', '__proto__']],
      [JOBS.proto.constructorDirection]: [['constructor', 'toString']],
      [JOBS.proto.protoDirection]: [['__proto__', 'toString']],
      [JOBS.proto.ownPropertyDirection]: [['hasOwnProperty', 'valueOf'], ['toString', '__proto__']],
    };
    for (const [jobId, directions] of Object.entries(sent)) {
      if (run.variant.json) {
        const job = jobOf(run, jobId);
        assert.ok(HEALTHS.includes(job.health as string), `[${run.label}] ${jobId}: job health is ${JSON.stringify(job.health)}\n${show(run)}`);
        assert.equal(job.found, true, `[${run.label}] ${jobId} not found\n${show(run)}`);
        for (const [direction, status] of directions) {
          const d = job.directions.find((x) => x.direction === direction);
          assert.ok(d, `[${run.label}] ${jobId}: direction ${direction} missing\n${show(run)}`);
          assert.equal(d.status, status, `[${run.label}] ${jobId} ${direction}: status not shown as sent\n${show(run)}`);
          assert.equal(d.health, 'unknown', `[${run.label}] ${jobId} ${direction}: status ${status} is not an unknown status (health ${JSON.stringify(d.health)})\n${show(run)}`);
        }
      } else {
        const rows = tableRows(run, jobId);
        assert.equal(rows.length, directions.length, `[${run.label}] ${jobId}: ${rows.length} table rows, expected ${directions.length}\n${show(run)}`);
        for (const [direction, status] of directions) {
          assert.ok(rows.some((row) => row.includes(direction) && row.includes(status)), `[${run.label}] ${jobId}: no row shows ${direction} ${status} as sent\n${show(run)}`);
        }
      }
    }
  },
  'impossible-checkpoints': (run) => {
    expectExit(run, 0);
    assert.doesNotMatch(run.result.stdout + run.result.stderr, /Invalid Date|NaN|Infinity/, `[${run.label}] an impossible value was printed as a time\n${show(run)}`);
    if (!run.variant.json) {
      for (const jobId of MODE_JOBS['impossible-checkpoints']) {
        assert.equal(tableRows(run, jobId).length, 1, `[${run.label}] ${jobId} is not listed once\n${show(run)}`);
      }
      return;
    }
    assert.deepEqual(docOf(run).errors, [], `[${run.label}] one odd checkpoint failed the batch\n${show(run)}`);
    for (const jobId of Object.keys(IMPOSSIBLE_CHECKPOINTS)) {
      const d = jobOf(run, jobId).directions[0];
      assert.ok(d, `[${run.label}] ${jobId}: no direction\n${show(run)}`);
      assert.equal(d.checkpoint, null, `[${run.label}] ${jobId}: checkpoint ${IMPOSSIBLE_CHECKPOINTS[jobId]} became ${d.checkpoint}, expected null\n${show(run)}`);
      assert.equal(d.lagSeconds, null, `[${run.label}] ${jobId}: lag ${d.lagSeconds} from an impossible checkpoint\n${show(run)}`);
    }
    const checkedAt = Date.parse(docOf(run).checkedAt);
    const millis = jobOf(run, JOBS.checkpoint.millis).directions[0];
    if (millis.checkpoint !== null) {
      const age = checkedAt - Date.parse(millis.checkpoint);
      assert.ok(age >= 0 && age < MILLIS_CHECKPOINT_AGE_MS + 60_000, `[${run.label}] the 13-digit ms checkpoint became ${millis.checkpoint}\n${show(run)}`);
    }
    const future = jobOf(run, JOBS.checkpoint.future).directions[0];
    assert.equal(future.lagSeconds, 0, `[${run.label}] a checkpoint ${FUTURE_CHECKPOINT_AHEAD_S} s in the future gave lag ${future.lagSeconds}, expected 0\n${show(run)}`);
    const normal = jobOf(run, JOBS.checkpoint.normal).directions[0];
    assert.ok(normal.checkpoint !== null && normal.lagSeconds !== null && normal.lagSeconds < 120, `[${run.label}] the normal checkpoint was lost\n${show(run)}`);
  },
  'control-chars-answer': (run) => {
    expectExit(run, 1);
    assert.doesNotMatch(run.result.stdout, /^FORGED/m, `[${run.label}] a newline in a status forged a table row\n${show(run)}`);
    if (run.variant.json) {
      const job = jobOf(run, JOBS.control);
      assert.equal(job.directions.length, 1, `[${run.label}] expected one direction\n${show(run)}`);
      assert.ok(job.directions[0].status.includes('Synchronizing'), `[${run.label}] the status lost its text\n${show(run)}`);
    } else {
      const lines = run.result.stdout.split('\n').filter((l) => l.trim() !== '');
      assert.equal(lines.length, 2, `[${run.label}] expected a header and one row, got ${lines.length} lines\n${show(run)}`);
    }
  },
  'control-chars-error': (run) => {
    expectExit(run, 2);
    assert.doesNotMatch(run.result.stderr, /^error: cn-hangzhou \(dtsforged/m, `[${run.label}] a newline in Message forged an error line\n${show(run)}`);
    expectErrorCode(run, /InvalidParameter/);
  },
  'control-chars-html': (run) => {
    expectExit(run, 2);
    expectErrorCode(run, /BadResponse|HttpError|Server|502|BadGateway/i, /bad response|server error|502|bad gateway/i);
  },
  duplicates: (run) => {
    expectExit(run, 1);
    if (run.variant.json) {
      const twice = jobOf(run, JOBS.duplicate.answeredTwice);
      assert.deepEqual(twice.directions.map((d) => d.direction), ['Forward'], `[${run.label}] ${twice.jobId}: one row per direction expected\n${show(run)}`);
      assert.equal(twice.directions[0].status, 'Failed', `[${run.label}] ${twice.jobId}: the worst status (Failed) must win\n${show(run)}`);
      assert.equal(twice.health, 'error', `[${run.label}] ${twice.jobId}: job health ${JSON.stringify(twice.health)}\n${show(run)}`);
      const dir = jobOf(run, JOBS.duplicate.directionTwice);
      assert.deepEqual(dir.directions.map((d) => d.direction).sort(), ['Forward', 'Reverse'], `[${run.label}] ${dir.jobId}: one row per direction expected\n${show(run)}`);
      assert.equal(dir.directions.find((d) => d.direction === 'Forward')?.status, 'Failed', `[${run.label}] ${dir.jobId}: the worst status (Failed) must win\n${show(run)}`);
    } else {
      const twice = tableRows(run, JOBS.duplicate.answeredTwice);
      assert.equal(twice.length, 1, `[${run.label}] ${JOBS.duplicate.answeredTwice}: ${twice.length} rows, expected 1\n${show(run)}`);
      assert.match(twice[0], /Failed/, `[${run.label}] the worst status (Failed) must win\n${show(run)}`);
      const dir = tableRows(run, JOBS.duplicate.directionTwice);
      assert.equal(dir.length, 2, `[${run.label}] ${JOBS.duplicate.directionTwice}: ${dir.length} rows, expected 2 (Forward, Reverse)\n${show(run)}`);
      assert.ok(dir.some((r) => /Forward/.test(r) && /Failed/.test(r)), `[${run.label}] Forward must show Failed\n${show(run)}`);
    }
  },
  'retry-after-signature': (run) => {
    expectExit(run, 2);
    expectRequests(run, 1);
    expectErrorCode(run, 'SignatureDoesNotMatch');
    assert.doesNotMatch(errorText(run), /throttl/i, `[${run.label}] a signature error reported as throttling\n${show(run)}`);
  },
  'throttle-429-text': (run) => {
    expectExit(run, 2);
    expectErrorCode(run, /Throttling/);
    assert.ok(run.requests.length >= 2, `[${run.label}] a 429 was not retried\n${show(run)}`);
    for (let i = 1; i < run.requests.length; i++) {
      const gap = run.requests[i].at - run.requests[i - 1].at;
      assert.ok(gap >= THROTTLE_429_RETRY_AFTER_MS - 50, `[${run.label}] attempt ${i + 1} came ${Math.round(gap)} ms after the previous one; the 429 asked for ${THROTTLE_429_RETRY_AFTER_MS} ms\n${show(run)}`);
    }
  },
  'throttle-dts-code': (run) => {
    expectExit(run, 2);
    expectErrorCode(run, 'Dts.Throttling.Api');
    assert.ok(run.requests.length >= 2, `[${run.label}] Dts.Throttling.Api was not retried as throttling\n${show(run)}`);
    assert.match(errorText(run), /throttl/i, `[${run.label}] not reported as throttling\n${show(run)}`);
  },
  'error-lowercase': (run) => {
    expectExit(run, 2);
    expectErrorCode(run, CODES.lowercase);
  },
  'error-xml': (run) => {
    expectExit(run, 2);
    expectErrorCode(run, CODES.xml);
  },
  'forbidden-detail': (run) => {
    expectExit(run, 2);
    expectRequests(run, 1);
    assert.ok(errorText(run).includes(CODES.denied), `[${run.label}] the message does not name the denied action ${CODES.denied}\n${show(run)}`);
    assert.ok(errorText(run).includes(CODES.deniedType), `[${run.label}] the message does not name ${CODES.deniedType}\n${show(run)}`);
  },
  'gzip-unasked': (run) => {
    expectExit(run, 2);
    assert.match(errorText(run), /gzip/i, `[${run.label}] the message does not say the body was gzip-compressed\n${show(run)}`);
    if (run.variant.json) {
      assert.equal(docOf(run).errors[0]?.requestId, HEADER_REQUEST_ID, `[${run.label}] the request ID did not fall back to x-acs-request-id\n${show(run)}`);
    }
  },
  'success-no-list': (run) => {
    expectExit(run, 2);
    expectErrorCode(run, 'BadResponse', BAD_RESPONSE_WORDS);
    assert.doesNotMatch(run.result.stdout + run.result.stderr, /not found/i, `[${run.label}] a missing list was read as "not found"\n${show(run)}`);
    if (run.variant.json) {
      assert.deepEqual(docOf(run).jobs, [], `[${run.label}] a job was listed from an answer without a list\n${show(run)}`);
    }
  },
  'total-above-answered': (run) => {
    expectExit(run, 0);
    if (run.variant.json) {
      assert.equal(jobOf(run, JOBS.single).found, true, `[${run.label}] the answered job is missing\n${show(run)}`);
    } else {
      assert.equal(tableRows(run, JOBS.single).length, 1, `[${run.label}] the answered job is missing\n${show(run)}`);
    }
  },
  hang: (run) => expectDeadlineHeld(run, /time ?out|deadline/i, TIMEOUT_WORDS),
  trickle: (run) => expectDeadlineHeld(run, /time ?out|deadline/i, TIMEOUT_WORDS),
  'throttle-forever': (run) => expectDeadlineHeld(run, /time ?out|deadline|throttling/i, /no answer|timed? ?out|deadline|throttl/i),
  'big-body': (run) => {
    expectExit(run, 2);
    expectErrorCode(run, 'BadResponse', BAD_RESPONSE_WORDS);
  },
  'redirect-other-host': (run) => {
    expectExit(run, 2);
    assert.equal(run.decoyRequests, 0, `[${run.label}] the redirect was followed to another host\n${show(run)}`);
    assert.ok(run.requests.length >= 1, `[${run.label}] the endpoint got no request\n${show(run)}`);
  },
};

function spawnAndCollect(args: readonly string[], env: Record<string, string>, killAfterMs = KILL_AFTER_MS): Promise<RunResult> {
  return runToEnd(process.execPath, [CLI, ...args], env, killAfterMs);
}

/** Runs `work` over `items` with at most `limit` at once. */
async function pool<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i]);
    }
  }));
  return results;
}

/** Every run, whatever the mode. */
function checkHygiene(run: Run): void {
  const r = run.result;
  assert.equal(r.signal, null, `[${run.label}] the CLI was killed\n${show(run)}`);
  assert.ok(r.code === 0 || r.code === 1 || r.code === 2, `[${run.label}] exit ${r.code} is not 0, 1 or 2\n${show(run)}`);
  const all = `${r.stdout}\n${r.stderr}`;
  assert.doesNotMatch(all, /unexpected error/i, `[${run.label}] "unexpected error": a crash\n${show(run)}`);
  assert.doesNotMatch(all, /^ {4}at /m, `[${run.label}] a stack trace in the output\n${show(run)}`);
  assert.doesNotMatch(all, /TypeError|RangeError|SyntaxError|ReferenceError/, `[${run.label}] a raw JS error in the output\n${show(run)}`);
  const leaks = [...findLeaks(r.stdout, keyMaterial(run.requests)).map((l) => `stdout: ${l}`), ...findLeaks(r.stderr, keyMaterial(run.requests)).map((l) => `stderr: ${l}`)];
  assert.deepEqual(leaks, [], `[${run.label}] key material in the output:\n${leaks.join('\n')}\n${show(run)}`);
  const controls = [...findControls(r.stdout, true).map((c) => `stdout: ${c}`), ...findControls(r.stderr, true).map((c) => `stderr: ${c}`)];
  assert.deepEqual(controls, [], `[${run.label}] control characters in the output:\n${controls.join('\n')}\n${show(run)}`);
  if (run.variant.json) {
    const doc = docOf(run);
    assert.ok(Array.isArray(doc.jobs) && Array.isArray(doc.errors), `[${run.label}] --json document without jobs[] and errors[]\n${show(run)}`);
    const inValues = jsonStrings(doc).flatMap(({ path, text }) => findControls(text, false).map((c) => `${path}: ${c}`));
    assert.deepEqual(inValues, [], `[${run.label}] control characters in --json values (jq -r would print them raw):\n${inValues.join('\n')}`);
    for (const jobId of run.jobs) {
      const answered = doc.jobs.some((j) => j.jobId === jobId);
      const failed = doc.errors.some((e) => e.jobIds.includes(jobId));
      assert.ok(answered || failed, `[${run.label}] ${jobId} was lost: neither in jobs[] nor in errors[].jobIds\n${show(run)}`);
    }
    for (const job of doc.jobs) {
      assert.ok(HEALTHS.includes(job.health as string), `[${run.label}] ${job.jobId}: health ${JSON.stringify(job.health)} missing or not one of ${HEALTHS.join(', ')}\n${show(run)}`);
    }
  } else {
    for (const jobId of run.jobs) {
      assert.ok(all.includes(jobId), `[${run.label}] ${jobId} appears nowhere in the output: lost\n${show(run)}`);
    }
  }
}

const CHILD_ENV_BASE = {
  PATH: process.env['PATH'] ?? '/usr/bin:/bin',
  ALIBABA_CLOUD_ACCESS_KEY_ID: STS.accessKeyId,
  ALIBABA_CLOUD_ACCESS_KEY_SECRET: STS.accessKeySecret,
  ALIBABA_CLOUD_SECURITY_TOKEN: STS.securityToken,
};

describe('hostile endpoint: the built CLI (node dist/cli.js)', function () {
  this.timeout(120_000);
  const tempDirs: string[] = [];
  const runs = new Map<string, Run>();

  function freshHome(): string {
    const dir = mkdtempSync(join(tmpdir(), 'dts-hostile-home-'));
    tempDirs.push(dir);
    return dir;
  }

  async function runMode(mode: HostileMode, variant: Variant): Promise<Run> {
    const label = `${mode} ${variant.name}`;
    const server = await startHostile(mode);
    const jobs = MODE_JOBS[mode];
    const args = [
      '--endpoint', server.url,
      '--signature-version', variant.signature,
      ...(variant.timing ?? ['--timeout', '3']),
      ...(variant.json ? ['--json'] : []),
      ...jobs,
    ];
    let result: RunResult;
    try {
      result = await spawnAndCollect(args, { ...CHILD_ENV_BASE, HOME: freshHome() });
    } finally {
      await server.close();
    }
    let doc: Doc | undefined;
    let docError: string | undefined;
    if (variant.json) {
      try {
        doc = JSON.parse(result.stdout) as Doc;
      } catch (e) {
        docError = String(e);
      }
    }
    return { label, mode, variant, jobs, result, requests: [...server.requests], decoyRequests: server.decoyRequests, doc, docError };
  }

  const plan: { mode: HostileMode; variant: Variant }[] = [];
  for (const mode of HOSTILE_MODES) {
    for (const variant of variantsOf(mode)) {
      plan.push({ mode, variant });
    }
  }

  before(async function () {
    this.timeout(180_000);
    // The slow modes first, so they overlap with the quick ones.
    const ordered = [...plan].sort((a, b) => Number(NEVER_ANSWERS.has(b.mode)) - Number(NEVER_ANSWERS.has(a.mode)));
    await pool(ordered, PARALLEL_RUNS, async ({ mode, variant }) => {
      runs.set(`${mode} ${variant.name}`, await runMode(mode, variant));
    });
  });

  after(() => {
    if (process.env['HOSTILE_TIMINGS']) {
      const lines = [...runs.values()].sort((a, b) => b.result.ms - a.result.ms).map((r) => `${Math.round(r.result.ms)} ms  ${r.label}`);
      console.log(lines.join('\n'));
    }
    for (const dir of tempDirs) {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  for (const { mode, variant } of plan) {
    it(`${mode} [${variant.name}]: no crash, no leak, no control character; ${mode}'s own promise holds`, () => {
      const run = runs.get(`${mode} ${variant.name}`);
      assert.ok(run, `[${mode} ${variant.name}] did not run`);
      checkHygiene(run);
      CHECKS[mode](run);
    });
  }

  it('the masked AccessKey ID is what the CLI shows when it names the key (sanity check of the leak detector)', () => {
    assert.equal(findLeaks(`key ${MASKED_ACCESS_KEY_ID}`, keyMaterial()).length, 0);
    assert.ok(findLeaks(`key ${STS.accessKeyId}`, keyMaterial()).length > 0);
    assert.ok(findLeaks(`SecurityToken%3D${encodeURIComponent(encodeURIComponent(STS.securityToken)).slice(10, 40)}`, keyMaterial()).length > 0);
    assert.ok(findControls('a\x1b]0;t\x07b\u202e', true).length > 0);
    assert.deepEqual(findControls('a\nb', true), []);
    assert.ok(findControls('a\nb', false).length > 0);
  });

  describe('hostile input before any request (cleartext, userinfo, timeouts)', () => {
    async function cli(args: readonly string[]): Promise<RunResult> {
      return spawnAndCollect(args, { ...CHILD_ENV_BASE, HOME: freshHome() }, 15_000);
    }

    function nonLoopbackAddress(): string | undefined {
      return Object.values(networkInterfaces()).flat().find((i) => i && i.family === 'IPv4' && !i.internal)?.address;
    }

    it('plain http:// to a host that is not loopback is refused before sending (exit 2), and sent with --allow-insecure-http', async function () {
      const address = nonLoopbackAddress();
      if (!address) {
        this.skip();
      }
      const server = await startHostile('total-above-answered', { host: address });
      try {
        const refused = await cli(['--endpoint', server.url, '--json', JOBS.single]);
        const label = `cleartext ${server.url}`;
        assert.equal(refused.code, 2, `[${label}] expected exit 2\n${refused.stdout}\n${refused.stderr}`);
        assert.equal(server.requests.length, 0, `[${label}] ${server.requests.length} signed request(s) sent in cleartext to a non-loopback host`);
        assert.match(refused.stderr, /http|insecure|cleartext|https/i, `[${label}] the refusal does not say why:\n${refused.stderr}`);
        assert.deepEqual(findLeaks(refused.stdout + refused.stderr, keyMaterial()), []);
        const allowed = await cli(['--endpoint', server.url, '--allow-insecure-http', '--json', JOBS.single]);
        assert.equal(server.requests.length, 1, `[${label} --allow-insecure-http] the opt-in did not send the request\n${allowed.stdout}\n${allowed.stderr}`);
        assert.equal(allowed.code, 0, `[${label} --allow-insecure-http] expected exit 0\n${allowed.stdout}\n${allowed.stderr}`);
      } finally {
        await server.close();
      }
    });

    it('a proxy that accepts CONNECT and drops the tunnel: the run ends in time, exit 2, reconnects bounded by the retry policy', async () => {
      const proxy = await startDroppingProxy();
      const label = 'dropping proxy (HTTPS_PROXY)';
      try {
        const r = await spawnAndCollect(['--timeout', '2', '--deadline', '5', '--json', JOBS.single], {
          ...CHILD_ENV_BASE, HOME: freshHome(), HTTPS_PROXY: proxy.url,
        });
        const out = `exit ${r.code} after ${Math.round(r.ms)} ms, ${proxy.connections} connection(s), ${proxy.connects} CONNECT(s)\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`;
        assert.equal(r.signal, null, `[${label}] killed: ${out}`);
        assert.ok(r.ms < DEADLINE_BOUND_MS, `[${label}] did not end in time: ${out}`);
        assert.equal(r.code, 2, `[${label}] ${out}`);
        assert.ok(proxy.connects >= 1, `[${label}] the request did not go through the proxy: ${out}`);
        assert.ok(proxy.connections <= 10, `[${label}] ${proxy.connections} connections for one request of 3 attempts at most: ${out}`);
        const doc = JSON.parse(r.stdout) as Doc;
        assert.ok(doc.errors.some((e) => e.jobIds.includes(JOBS.single)), `[${label}] the job is not reported: ${out}`);
        assert.deepEqual(findLeaks(r.stdout + r.stderr, keyMaterial()), [], `[${label}] ${out}`);
        assert.deepEqual(findControls(r.stdout + r.stderr, true), [], `[${label}] ${out}`);
        assert.doesNotMatch(r.stdout + r.stderr, /unexpected error|^ {4}at |TypeError|RangeError/m, `[${label}] ${out}`);
      } finally {
        await proxy.close();
      }
    });

    it('an endpoint with a password holding / # ? is refused without repeating it', async () => {
      const server = await startHostile('total-above-answered');
      try {
        const password = 'Pa/ss#wo?rd9';
        const endpoint = server.url.replace('http://', `http://admin:${password}@`);
        const r = await cli(['--endpoint', endpoint, JOBS.single]);
        assert.equal(r.code, 2, `[userinfo endpoint] expected exit 2\n${r.stdout}\n${r.stderr}`);
        assert.equal(server.requests.length, 0, '[userinfo endpoint] a request was sent');
        for (const piece of ['Pa/ss', 'ss#wo', 'wo?rd9', encodeURIComponent(password)]) {
          assert.ok(!(r.stdout + r.stderr).includes(piece), `[userinfo endpoint] the password piece ${piece} is repeated:\n${r.stderr}`);
        }
        assert.deepEqual(findControls(r.stdout + r.stderr, true), []);
      } finally {
        await server.close();
      }
    });

    for (const timeout of ['3000000', '0', '0.5', '301', '-1', 'Infinity', 'NaN']) {
      it(`--timeout ${timeout} is refused before any request (1–300 s only)`, async () => {
        const server = await startHostile('total-above-answered');
        try {
          const r = await cli(['--endpoint', server.url, '--timeout', timeout, JOBS.single]);
          assert.equal(r.code, 2, `[--timeout ${timeout}] expected exit 2\n${r.stdout}\n${r.stderr}`);
          assert.equal(server.requests.length, 0, `[--timeout ${timeout}] ${server.requests.length} request(s) sent`);
          assert.doesNotMatch(r.stderr, /TimeoutOverflowWarning|unexpected error/, `[--timeout ${timeout}] ${r.stderr}`);
        } finally {
          await server.close();
        }
      });
    }
  });
});
