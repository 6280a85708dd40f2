/**
 * End-to-end tests of the bundled CLI (`dist/cli.js`, built by `npm run build`): each test spawns it as a child
 * process against an in-process DTS emulator and checks the exit status, stdout/stderr and what reached the emulator.
 *
 * The child's environment holds only PATH, HOME (a fresh temp dir, so no real ~/.aliyun/config.json is read) and the
 * ALIBABA_CLOUD_* variables a test chooses. Every run is also checked for leaked secrets and stack traces.
 */
import * as assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Fault, Scenario } from '../emulator/scenario';
import { startEmulator, type Emulator, type RequestLogEntry } from '../emulator/server';
import { assertCleanOutput, expectExit, runToEnd, type RunResult } from './childProcess';

const ROOT = resolve(__dirname, '../../..');
const CLI = join(ROOT, 'dist', 'cli.js');
const PACKAGE_VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

const HZ = 'cn-hangzhou';
/** The escape that starts an ANSI colour code. */
const ESC = String.fromCharCode(27);
const SH = 'cn-shanghai';

/** The default key: every run gets it through the environment unless a test says otherwise. */
const KEY = { accessKeyId: 'LTAI5tCliTestKey0001', accessKeySecret: 'cli-Secret-Zq8w3xK7pV0001' };
const STS_KEY = { accessKeyId: 'STS.NCliTestKey0002', accessKeySecret: 'sts-Secret-Hm4r9tB2nC0002', securityToken: 'CAIS+cliToken/Xy7Qw==0002' };
const PROFILE_KEY = { accessKeyId: 'LTAI5tCliProfile0003', accessKeySecret: 'profile-Secret-Jd6s1fG8hL0003' };
const PROFILE_KEY_2 = { accessKeyId: 'LTAI5tCliProfile0004', accessKeySecret: 'profile-Secret-Wq2e5rT7yU0004' };
const WRONG_SECRET = 'wrong-Secret-Nb3v8cX1zA9999';
const UNKNOWN_KEY = { accessKeyId: 'LTAI5tCliUnknown0009', accessKeySecret: 'unknown-Secret-Pl0o9iK8uJ0009' };

/** None of these may ever appear on stdout or stderr. */
const SECRETS = [
  KEY.accessKeySecret, STS_KEY.accessKeySecret, STS_KEY.securityToken, PROFILE_KEY.accessKeySecret, PROFILE_KEY_2.accessKeySecret,
  WRONG_SECRET, UNKNOWN_KEY.accessKeySecret, 'bad Secret with spaces',
];

const JOB = {
  healthy: 'dtsa1b2c3d4e5f6g7h',
  twoWay: 'dtsb5w3e7r1t9y2u6i',
  initializing: 'dtsi2o6p4a8s1d5f9g',
  finished: 'dtsd0n3f1n1sh3d001',
  lagging: 'dtsl6n2b8v4c1x9z5w',
  failed: 'dtsf8r2t6y1u5i9o3p',
  paused: 'dtsp4d7f1g9j3k6m2n',
  odd: 'dtsu7n8k9n0w1n2s3t',
  shanghai: 'dtss7h3j9k1l5z2x8c',
  missing: 'dtsn0tth3r3x0000001',
};
const HEALTHY_SET = [JOB.healthy, JOB.twoWay, JOB.initializing, JOB.finished];

function scenario(faults: Fault[] = [], extra: Partial<Scenario> = {}): Scenario {
  return {
    accessKeys: [KEY, STS_KEY, PROFILE_KEY, PROFILE_KEY_2],
    jobs: [
      { id: JOB.healthy, region: HZ, directions: [{ direction: 'Forward', status: 'Synchronizing', lagSeconds: 3 }] },
      {
        id: JOB.twoWay, region: HZ,
        directions: [
          { direction: 'Forward', status: 'Synchronizing', lagSeconds: 2 },
          { direction: 'Reverse', status: 'Synchronizing', lagSeconds: 5 },
        ],
      },
      { id: JOB.initializing, region: HZ, directions: [{ direction: 'Forward', status: 'Initializing', checkpoint: null }] },
      { id: JOB.finished, region: HZ, directions: [{ direction: 'Forward', status: 'Finished', lagSeconds: 86_400 }] },
      { id: JOB.lagging, region: HZ, directions: [{ direction: 'Forward', status: 'Synchronizing', lagSeconds: 900 }] },
      { id: JOB.failed, region: HZ, directions: [{ direction: 'Forward', status: 'Failed', lagSeconds: 7200 }] },
      { id: JOB.paused, region: HZ, directions: [{ direction: 'Forward', status: 'Suspending', lagSeconds: 10 }] },
      { id: JOB.odd, region: HZ, directions: [{ direction: 'Forward', status: 'Frobnicating', lagSeconds: 1 }] },
      { id: JOB.shanghai, region: SH, directions: [{ direction: 'Forward', status: 'Synchronizing', lagSeconds: 1 }] },
    ],
    faults,
    ...extra,
  };
}

interface RunOptions {
  /** Replaces the default ALIBABA_CLOUD_* variables (the default key); undefined values are left out. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Keeps the default key and adds/overrides these variables. */
  readonly extraEnv?: Readonly<Record<string, string | undefined>>;
  readonly home?: string;
  /** Leave out `--endpoint <emulator>` (it is added by default so a stray request lands where we can see it). */
  readonly noEndpoint?: boolean;
  readonly killAfterMs?: number;
}

const DEFAULT_CREDENTIALS = { ALIBABA_CLOUD_ACCESS_KEY_ID: KEY.accessKeyId, ALIBABA_CLOUD_ACCESS_KEY_SECRET: KEY.accessKeySecret };

describe('CLI end to end (node dist/cli.js against the emulator)', function () {
  this.timeout(15_000);

  let emu: Emulator;
  let home: string;
  const tempDirs: string[] = [];

  function tempDir(prefix: string): string {
    const dir = mkdtempSync(join(tmpdir(), prefix));
    tempDirs.push(dir);
    return dir;
  }

  function childEnv(options: RunOptions): Record<string, string> {
    const merged: Record<string, string | undefined> = {
      PATH: process.env['PATH'] ?? '/usr/bin:/bin',
      HOME: options.home ?? home,
      ...(options.env ?? DEFAULT_CREDENTIALS),
      ...options.extraEnv,
    };
    const env: Record<string, string> = {};
    for (const [name, value] of Object.entries(merged)) {
      if (value !== undefined) {
        env[name] = value;
      }
    }
    return env;
  }

  /** Every run, whatever the test: no secret on either stream, no stack trace, no raw JS error. */
  function checkHygiene(r: RunResult): void {
    assertCleanOutput(r, SECRETS);
  }

  async function cli(args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
    const full = options.noEndpoint ? [...args] : ['--endpoint', emu.url, ...args];
    const r = await runToEnd(process.execPath, [CLI, ...full], childEnv(options), options.killAfterMs ?? 12_000);
    assert.equal(r.signal, null, `the CLI was killed (${r.signal}); stderr:\n${r.stderr}`);
    checkHygiene(r);
    return r;
  }

  /** Exit 2, nothing on stdout, one clear `dts-sync-status: ...` message, and not a single request sent. */
  function expectRefused(r: RunResult, message: RegExp): void {
    expectExit(r, 2);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /^dts-sync-status: /);
    assert.match(r.stderr, message);
    assert.deepEqual(emu.requests, [], 'a request reached the emulator');
  }

  function apiRequests(): readonly RequestLogEntry[] {
    return emu.requests;
  }

  interface Doc {
    checkedAt: string;
    jobs: {
      jobId: string; region: string; found: boolean; health: string;
      directions: { direction: string; status: string; health: string; checkpoint: string | null; lagSeconds: number | null }[];
    }[];
    errors: { region: string; code: string; message: string; requestId: string | null; jobIds: string[] }[];
  }

  /** Parses stdout as exactly one JSON document and checks its shape: keys and types, nothing more, nothing less. */
  function parseDoc(r: RunResult): Doc {
    let doc: unknown;
    assert.doesNotThrow(() => (doc = JSON.parse(r.stdout)), `stdout is not one JSON document:\n${r.stdout}`);
    const d = doc as Doc;
    assert.deepEqual(Object.keys(d).sort(), ['checkedAt', 'errors', 'jobs']);
    assert.equal(typeof d.checkedAt, 'string');
    assert.equal(new Date(d.checkedAt).toISOString(), d.checkedAt, 'checkedAt is not an ISO 8601 UTC timestamp');
    assert.ok(Array.isArray(d.jobs) && Array.isArray(d.errors));
    for (const job of d.jobs) {
      assert.deepEqual(Object.keys(job).sort(), ['directions', 'found', 'health', 'jobId', 'region']);
      assert.equal(typeof job.jobId, 'string');
      assert.equal(typeof job.region, 'string');
      assert.equal(typeof job.found, 'boolean');
      assert.match(job.health, /^(ok|pending|warning|error|finished|unknown)$/);
      assert.ok(Array.isArray(job.directions));
      for (const dir of job.directions) {
        assert.deepEqual(Object.keys(dir).sort(), ['checkpoint', 'direction', 'health', 'lagSeconds', 'status']);
        assert.equal(typeof dir.direction, 'string');
        assert.equal(typeof dir.status, 'string');
        assert.match(dir.health, /^(ok|pending|warning|error|finished|unknown)$/);
        assert.ok(dir.checkpoint === null || new Date(dir.checkpoint).toISOString() === dir.checkpoint, `checkpoint ${dir.checkpoint}`);
        assert.ok(dir.lagSeconds === null || (Number.isInteger(dir.lagSeconds) && dir.lagSeconds >= 0), `lagSeconds ${dir.lagSeconds}`);
        assert.equal(dir.checkpoint === null, dir.lagSeconds === null);
      }
    }
    for (const e of d.errors) {
      assert.deepEqual(Object.keys(e).sort(), ['code', 'jobIds', 'message', 'region', 'requestId']);
      assert.equal(typeof e.region, 'string');
      assert.equal(typeof e.code, 'string');
      assert.equal(typeof e.message, 'string');
      assert.ok(e.requestId === null || typeof e.requestId === 'string');
      assert.ok(Array.isArray(e.jobIds) && e.jobIds.every((id) => typeof id === 'string'));
    }
    return d;
  }

  const HEADER = ['JOB', 'REGION', 'DIRECTION', 'STATUS', 'LAG', 'CHECKPOINT'];

  /** Checks that every line's columns start where the header's do (two spaces before each); returns the cells. */
  function alignedRows(stdout: string): string[][] {
    const lines = stdout.replace(/\n$/, '').split('\n');
    const header = lines[0];
    const starts = HEADER.map((name) => header.indexOf(name));
    assert.equal(starts[0], 0, `header: ${header}`);
    for (let i = 1; i < starts.length; i++) {
      assert.ok(starts[i] > starts[i - 1], `header columns out of order: ${header}`);
    }
    return lines.slice(1).map((line) => {
      for (const start of starts.slice(1)) {
        assert.equal(line.slice(start - 2, start), '  ', `not two spaces before column ${start}:\n${header}\n${line}`);
        assert.notEqual(line[start], ' ', `column ${start} does not start at the header's position:\n${header}\n${line}`);
      }
      assert.equal(line, line.trimEnd(), 'trailing spaces');
      return starts.map((start, i) => line.slice(start, starts[i + 1]).trim());
    });
  }

  const CHECKPOINT_CELL = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC$/;
  /** The emulator's checkpoint and its Date header may straddle a second boundary. */
  const lagCell = (seconds: number): RegExp => new RegExp(`^(${seconds}|${seconds + 1}) s$`);

  function writeAliyunConfig(dir: string, config: unknown): string {
    mkdirSync(join(dir, '.aliyun'), { recursive: true, mode: 0o700 });
    const path = join(dir, '.aliyun', 'config.json');
    writeFileSync(path, JSON.stringify(config, null, 2), { mode: 0o600 });
    return path;
  }

  before(async function () {
    assert.ok(existsSync(CLI), `${CLI} is missing: run npm run build first`);
    home = tempDir('dts-cli-home-');
    emu = await startEmulator({ scenario: scenario() });
  });

  beforeEach(() => {
    emu.setScenario(scenario());
    emu.clearRequests();
  });

  after(async () => {
    await emu?.close();
    for (const dir of tempDirs) {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  describe('healthy jobs', () => {
    it('exits 0 with one aligned line per direction, status, lag and checkpoint', async () => {
      const r = await cli(HEALTHY_SET);
      expectExit(r, 0);
      assert.equal(r.stderr, '');
      const rows = alignedRows(r.stdout);
      assert.deepEqual(rows.map((c) => [c[0], c[1], c[2], c[3]]), [
        [JOB.healthy, HZ, 'Forward', 'Synchronizing'],
        [JOB.twoWay, HZ, 'Forward', 'Synchronizing'],
        [JOB.twoWay, HZ, 'Reverse', 'Synchronizing'],
        [JOB.initializing, HZ, 'Forward', 'Initializing'],
        [JOB.finished, HZ, 'Forward', 'Finished'],
      ]);
      assert.match(rows[0][4], lagCell(3));
      assert.match(rows[1][4], lagCell(2));
      assert.match(rows[2][4], lagCell(5));
      assert.deepEqual([rows[3][4], rows[3][5]], ['-', '-'], 'a direction without checkpoint shows - for lag and checkpoint');
      for (const row of [rows[0], rows[1], rows[2], rows[4]]) {
        assert.match(row[5], CHECKPOINT_CELL);
      }
      const reqs = apiRequests();
      assert.equal(reqs.length, 1, 'one batch for one region');
      assert.equal(reqs[0].action, 'DescribeSynchronizationJobStatusList');
      assert.equal(reqs[0].method, 'POST');
      assert.equal(reqs[0].signatureVersion, 'v3');
      assert.equal(reqs[0].regionId, HZ);
      assert.equal(reqs[0].accessKeyId, KEY.accessKeyId);
      assert.deepEqual(reqs[0].jobIds, HEALTHY_SET);
      assert.equal(reqs[0].outcome, 'ok');
    });

    it('--json prints exactly one document with the documented keys and types', async () => {
      const before = Date.now();
      const r = await cli(['--json', ...HEALTHY_SET]);
      expectExit(r, 0);
      assert.equal(r.stderr, '');
      const doc = parseDoc(r);
      assert.ok(Math.abs(Date.parse(doc.checkedAt) - before) < 10_000, 'checkedAt is about now');
      assert.deepEqual(doc.errors, []);
      assert.deepEqual(doc.jobs.map((j) => [j.jobId, j.region, j.found, j.health]), [
        [JOB.healthy, HZ, true, 'ok'],
        [JOB.twoWay, HZ, true, 'ok'],
        [JOB.initializing, HZ, true, 'pending'],
        [JOB.finished, HZ, true, 'finished'],
      ]);
      const [healthy, twoWay, initializing] = doc.jobs;
      assert.deepEqual(healthy.directions.map((d) => [d.direction, d.status, d.health]), [['Forward', 'Synchronizing', 'ok']]);
      assert.ok(healthy.directions[0].lagSeconds === 3 || healthy.directions[0].lagSeconds === 4);
      assert.equal(typeof healthy.directions[0].checkpoint, 'string');
      assert.deepEqual(twoWay.directions.map((d) => d.direction), ['Forward', 'Reverse']);
      assert.deepEqual(initializing.directions, [{ direction: 'Forward', status: 'Initializing', health: 'pending', checkpoint: null, lagSeconds: null }]);
    });

    it('accepts Success sent as the string "true" (its documented type)', async () => {
      emu.setScenario(scenario([], { successAsString: true }));
      const r = await cli([JOB.healthy]);
      expectExit(r, 0);
    });

    it('asks for a job listed twice only once', async () => {
      const r = await cli([JOB.healthy, JOB.healthy, `${JOB.healthy}@${HZ}`]);
      expectExit(r, 0);
      assert.equal(alignedRows(r.stdout).length, 1);
      assert.deepEqual(apiRequests().map((q) => q.jobIds), [[JOB.healthy]]);
    });
  });

  describe('jobs that need attention (exit 1)', () => {
    it('a lagging synchronizing job is a warning', async () => {
      const r = await cli(['--json', JOB.healthy, JOB.lagging]);
      expectExit(r, 1);
      const doc = parseDoc(r);
      const lagging = doc.jobs.find((j) => j.jobId === JOB.lagging);
      assert.equal(lagging?.health, 'warning');
      assert.equal(lagging?.directions[0].health, 'warning');
      assert.ok((lagging?.directions[0].lagSeconds ?? 0) >= 900);
      assert.equal(doc.jobs.find((j) => j.jobId === JOB.healthy)?.health, 'ok');
      assert.deepEqual(doc.errors, []);
    });

    it('the lagging job shows its lag in the table, and --lag-warning moves the threshold', async () => {
      const table = await cli([JOB.lagging]);
      expectExit(table, 1);
      const [row] = alignedRows(table.stdout);
      assert.equal(row[3], 'Synchronizing');
      assert.match(row[4], /^15 min( 1 s)?$/);
      const relaxed = await cli(['--lag-warning', '1000', JOB.lagging]);
      expectExit(relaxed, 0);
      const strict = await cli(['--lag-warning', '1', '--json', JOB.healthy]);
      expectExit(strict, 1);
      assert.equal(parseDoc(strict).jobs[0].health, 'warning');
    });

    it('a failed job is an error', async () => {
      const r = await cli(['--json', JOB.healthy, JOB.failed]);
      expectExit(r, 1);
      const doc = parseDoc(r);
      const failed = doc.jobs.find((j) => j.jobId === JOB.failed);
      assert.equal(failed?.health, 'error');
      assert.equal(failed?.directions[0].status, 'Failed');
      const table = await cli([JOB.failed]);
      expectExit(table, 1);
      assert.equal(alignedRows(table.stdout)[0][3], 'Failed');
    });

    it('a paused job is a warning; an unknown status is shown as sent and is unknown', async () => {
      const r = await cli(['--json', JOB.paused, JOB.odd]);
      expectExit(r, 1);
      const doc = parseDoc(r);
      assert.deepEqual(doc.jobs.map((j) => [j.jobId, j.health, j.directions[0].status]), [
        [JOB.paused, 'warning', 'Suspending'],
        [JOB.odd, 'unknown', 'Frobnicating'],
      ]);
      const table = await cli([JOB.paused, JOB.odd]);
      expectExit(table, 1);
      assert.deepEqual(alignedRows(table.stdout).map((c) => c[3]), ['Paused', 'Frobnicating']);
    });

    it('an ID that is asked for and not returned is "not found", never dropped', async () => {
      const json = await cli(['--json', JOB.healthy, JOB.missing]);
      expectExit(json, 1);
      const doc = parseDoc(json);
      assert.deepEqual(doc.jobs.map((j) => j.jobId), [JOB.healthy, JOB.missing]);
      assert.deepEqual(doc.jobs[1], { jobId: JOB.missing, region: HZ, found: false, health: 'unknown', directions: [] });
      assert.deepEqual(doc.errors, []);

      const table = await cli([JOB.healthy, JOB.missing]);
      expectExit(table, 1);
      const rows = alignedRows(table.stdout);
      assert.deepEqual(rows[1], [JOB.missing, HZ, '-', 'Not found in cn-hangzhou', '-', '-']);
    });

    it('a job asked for in the wrong region is not found there', async () => {
      const r = await cli([JOB.shanghai]);
      expectExit(r, 1);
      assert.deepEqual(alignedRows(r.stdout)[0].slice(0, 4), [JOB.shanghai, HZ, '-', 'Not found in cn-hangzhou']);
    });
  });

  describe('regions and batching', () => {
    it('JOB@cn-shanghai next to Hangzhou jobs: one request per region, each with its own IDs', async () => {
      const r = await cli(['--json', JOB.healthy, `${JOB.shanghai}@${SH}`, JOB.twoWay]);
      expectExit(r, 0);
      const doc = parseDoc(r);
      assert.deepEqual(doc.jobs.map((j) => [j.jobId, j.region, j.found]), [
        [JOB.healthy, HZ, true],
        [JOB.shanghai, SH, true],
        [JOB.twoWay, HZ, true],
      ]);
      const byRegion = new Map(apiRequests().map((q) => [q.regionId, q.jobIds]));
      assert.equal(apiRequests().length, 2);
      assert.deepEqual(byRegion.get(HZ), [JOB.healthy, JOB.twoWay]);
      assert.deepEqual(byRegion.get(SH), [JOB.shanghai]);
    });

    it('--region and ALIBABA_CLOUD_REGION_ID set the region of jobs given without one', async () => {
      const viaFlag = await cli(['--region', SH, JOB.shanghai]);
      expectExit(viaFlag, 0);
      const viaEnv = await cli([JOB.shanghai], { extraEnv: { ALIBABA_CLOUD_REGION_ID: SH } });
      expectExit(viaEnv, 0);
      assert.deepEqual(apiRequests().map((q) => q.regionId), [SH, SH]);
      const flagWins = await cli(['--region', HZ, JOB.healthy], { extraEnv: { ALIBABA_CLOUD_REGION_ID: SH } });
      expectExit(flagWins, 0);
      assert.equal(apiRequests()[2].regionId, HZ);
    });

    it('more than 10 IDs in one region are split into batches of 10', async () => {
      const extra = Array.from({ length: 10 }, (_, i) => `dtsz${String(i).padStart(2, '0')}nothere0000`);
      const ids = [JOB.healthy, ...extra, JOB.twoWay];
      const r = await cli(['--json', ...ids]);
      expectExit(r, 1);
      const doc = parseDoc(r);
      assert.deepEqual(doc.jobs.map((j) => j.jobId), ids, 'the order asked is kept');
      assert.deepEqual(doc.jobs.map((j) => j.found), ids.map((id) => id === JOB.healthy || id === JOB.twoWay));
      const batches = apiRequests().map((q) => q.jobIds ?? []);
      assert.deepEqual(batches.map((b) => b.length).sort(), [10, 2].sort());
      assert.deepEqual(batches.flat().sort(), [...ids].sort());
    });

    it('a failing region does not hide the other: jobs of the answered region are listed, exit 2', async () => {
      emu.setScenario(scenario([{ kind: 'dts-error', region: SH, errCode: 'InvalidParameter.JobId', errMessage: 'No such job here' }]));
      const r = await cli([JOB.healthy, `${JOB.shanghai}@${SH}`]);
      expectExit(r, 2);
      const rows = alignedRows(r.stdout);
      assert.deepEqual(rows.map((c) => c[0]), [JOB.healthy]);
      assert.match(r.stderr, new RegExp(`^error: cn-shanghai \\(${JOB.shanghai}\\): .*InvalidParameter\\.JobId No such job here`, 'm'));
    });
  });

  describe('signing and credentials', () => {
    it('--signature-version v2 signs with HMAC-SHA1 and is accepted', async () => {
      const r = await cli(['--signature-version', 'v2', JOB.healthy, `${JOB.shanghai}@${SH}`]);
      expectExit(r, 0);
      assert.deepEqual(apiRequests().map((q) => [q.signatureVersion, q.outcome]), [['v2', 'ok'], ['v2', 'ok']]);
    });

    it('an STS token from ALIBABA_CLOUD_SECURITY_TOKEN is sent (V3 and V2)', async () => {
      const env = {
        ALIBABA_CLOUD_ACCESS_KEY_ID: STS_KEY.accessKeyId,
        ALIBABA_CLOUD_ACCESS_KEY_SECRET: STS_KEY.accessKeySecret,
        ALIBABA_CLOUD_SECURITY_TOKEN: STS_KEY.securityToken,
      };
      expectExit(await cli([JOB.healthy], { env }), 0);
      expectExit(await cli(['--signature-version', 'v2', JOB.healthy], { env }), 0);
      assert.deepEqual(apiRequests().map((q) => [q.accessKeyId, q.signatureVersion, q.outcome]), [
        [STS_KEY.accessKeyId, 'v3', 'ok'],
        [STS_KEY.accessKeyId, 'v2', 'ok'],
      ]);
    });

    it('an STS key with a wrong token or none is refused (exit 2), the token never shown', async () => {
      const wrong = await cli(['--json', JOB.healthy], {
        env: {
          ALIBABA_CLOUD_ACCESS_KEY_ID: STS_KEY.accessKeyId,
          ALIBABA_CLOUD_ACCESS_KEY_SECRET: STS_KEY.accessKeySecret,
          ALIBABA_CLOUD_SECURITY_TOKEN: 'CAIS-not-the-token',
        },
      });
      expectExit(wrong, 2);
      assert.equal(parseDoc(wrong).errors[0].code, 'InvalidSecurityToken.MismatchWithAccessKey');
      const none = await cli([JOB.healthy], {
        env: { ALIBABA_CLOUD_ACCESS_KEY_ID: STS_KEY.accessKeyId, ALIBABA_CLOUD_ACCESS_KEY_SECRET: STS_KEY.accessKeySecret },
      });
      expectExit(none, 2);
      assert.match(none.stderr, /InvalidSecurityToken\.MismatchWithAccessKey/);
      assert.equal(apiRequests().length, 2, 'a refused key is not retried');
    });

    it('reads the older ALICLOUD_ACCESS_KEY_ID / ALICLOUD_ACCESS_KEY_SECRET too', async () => {
      const r = await cli([JOB.healthy], { env: { ALICLOUD_ACCESS_KEY_ID: KEY.accessKeyId, ALICLOUD_ACCESS_KEY_SECRET: KEY.accessKeySecret } });
      expectExit(r, 0);
    });

    it('a wrong secret: exit 2, SignatureDoesNotMatch, the secret is on neither stream', async () => {
      const r = await cli(['--json', JOB.healthy], {
        env: { ALIBABA_CLOUD_ACCESS_KEY_ID: KEY.accessKeyId, ALIBABA_CLOUD_ACCESS_KEY_SECRET: WRONG_SECRET },
      });
      expectExit(r, 2);
      const doc = parseDoc(r);
      assert.equal(doc.errors.length, 1);
      assert.equal(doc.errors[0].code, 'SignatureDoesNotMatch');
      assert.deepEqual(doc.errors[0].jobIds, [JOB.healthy]);
      assert.equal(doc.errors[0].requestId, apiRequests()[0].requestId);
      assert.match(r.stderr, /SignatureDoesNotMatch/);
      assert.ok(!(r.stdout + r.stderr).includes(WRONG_SECRET));
      assert.equal(apiRequests().length, 1, 'a rejected signature is not retried');
    });

    it('an unknown AccessKey ID: exit 2, InvalidAccessKeyId.NotFound', async () => {
      const r = await cli(['--json', JOB.healthy], {
        env: { ALIBABA_CLOUD_ACCESS_KEY_ID: UNKNOWN_KEY.accessKeyId, ALIBABA_CLOUD_ACCESS_KEY_SECRET: UNKNOWN_KEY.accessKeySecret },
      });
      expectExit(r, 2);
      const doc = parseDoc(r);
      assert.equal(doc.errors[0].code, 'InvalidAccessKeyId.NotFound');
      assert.match(doc.errors[0].message, /InvalidAccessKeyId\.NotFound/);
      assert.match(r.stderr, /InvalidAccessKeyId\.NotFound/);
      assert.equal(apiRequests().length, 1);
    });

    describe('aliyun CLI profile file', () => {
      const config = {
        current: 'dev',
        profiles: [
          { name: 'dev', mode: 'AK', access_key_id: PROFILE_KEY.accessKeyId, access_key_secret: PROFILE_KEY.accessKeySecret, region_id: HZ },
          { name: 'Prod', mode: 'AK', access_key_id: PROFILE_KEY_2.accessKeyId, access_key_secret: PROFILE_KEY_2.accessKeySecret, region_id: HZ },
          {
            name: 'sts', mode: 'StsToken', access_key_id: STS_KEY.accessKeyId, access_key_secret: STS_KEY.accessKeySecret,
            sts_token: STS_KEY.securityToken, region_id: HZ,
          },
          { name: 'role', mode: 'RamRoleArn', access_key_id: 'LTAI5tRoleKey0000', access_key_secret: 'x', ram_role_arn: 'acs:ram::1:role/r', sts_endpoint: 'http://127.0.0.1:9' },
        ],
      };
      let profileHome: string;
      before(() => {
        profileHome = tempDir('dts-cli-profile-');
        writeAliyunConfig(profileHome, config);
      });

      it('uses the current AK profile of ~/.aliyun/config.json when no variable is set', async () => {
        const r = await cli([JOB.healthy], { env: {}, home: profileHome });
        expectExit(r, 0);
        assert.equal(apiRequests()[0].accessKeyId, PROFILE_KEY.accessKeyId);
      });

      it('--profile NAME (case-insensitive) and ALIBABA_CLOUD_PROFILE pick another profile', async () => {
        expectExit(await cli(['--profile', 'prod', JOB.healthy], { env: {}, home: profileHome }), 0);
        expectExit(await cli([JOB.healthy], { env: { ALIBABA_CLOUD_PROFILE: 'Prod' }, home: profileHome }), 0);
        expectExit(await cli(['--profile', 'sts', '--signature-version', 'v2', JOB.healthy], { env: {}, home: profileHome }), 0);
        assert.deepEqual(apiRequests().map((q) => [q.accessKeyId, q.outcome]), [
          [PROFILE_KEY_2.accessKeyId, 'ok'],
          [PROFILE_KEY_2.accessKeyId, 'ok'],
          [STS_KEY.accessKeyId, 'ok'],
        ]);
      });

      it('a profile file that other users can write still works, with a warning on stderr like ssh gives', async () => {
        const loose = tempDir('dts-cli-loose-');
        writeAliyunConfig(loose, config);
        chmodSync(join(loose, '.aliyun', 'config.json'), 0o666);
        const r = await cli(['--json', JOB.healthy], { env: {}, home: loose });
        expectExit(r, 0);
        assert.match(r.stderr, /^warning: .*config\.json is writable by other users \(mode 0666\); run chmod 600 /m);
        assert.equal(parseDoc(r).jobs[0].health, 'ok');
      });

      it('an unknown profile, an unreachable STS or an unreadable file: exit 2, no request', async () => {
        expectRefused(await cli(['--profile', 'nope', JOB.healthy], { env: {}, home: profileHome }), /Profile "nope" is in neither .*config\.json \(profiles: dev, Prod, sts, role\) nor .*credentials \(does not exist\)/);
        expectRefused(await cli(['--profile', 'role', JOB.healthy], { env: {}, home: profileHome }), /^dts-sync-status: aliyun CLI profile "role" \(RamRoleArn\): the STS endpoint \(127\.0\.0\.1:9\) could not be reached \(ECONNREFUSED\)\n$/);
        const broken = tempDir('dts-cli-broken-');
        mkdirSync(join(broken, '.aliyun'));
        writeFileSync(join(broken, '.aliyun', 'config.json'), '{"current": "dev", "profiles": [', { mode: 0o600 });
        expectRefused(await cli([JOB.healthy], { env: {}, home: broken }), /config\.json is not valid JSON/);
        expectRefused(await cli(['--profile', 'dev', JOB.healthy], { env: {} }), /Profile "dev" is in neither .*config\.json \(does not exist\) nor .*credentials \(does not exist\)/);
      });

      // BUG (src/cli/main.ts): the environment provider always comes first, so an explicit --profile is silently
      // ignored whenever ALIBABA_CLOUD_ACCESS_KEY_* are set. Expected: the profile the user named on the command line.
      it('an explicit --profile wins over ALIBABA_CLOUD_ACCESS_KEY_* in the environment', async () => {
        const r = await cli(['--profile', 'Prod', JOB.healthy], {
          env: { ALIBABA_CLOUD_ACCESS_KEY_ID: UNKNOWN_KEY.accessKeyId, ALIBABA_CLOUD_ACCESS_KEY_SECRET: UNKNOWN_KEY.accessKeySecret },
          home: profileHome,
        });
        assert.deepEqual(apiRequests().map((q) => q.accessKeyId), [PROFILE_KEY_2.accessKeyId], '--profile Prod was not used');
        expectExit(r, 0);
      });
    });
  });

  describe('faults (exit 2, the errors[] entry names the code, RequestId and jobs)', () => {
    const ids = [JOB.healthy, JOB.twoWay];

    it('throttling on every attempt exhausts the retries: Throttling.User', async () => {
      emu.setScenario(scenario([{ kind: 'throttle' }]));
      const r = await cli(['--json', ...ids]);
      expectExit(r, 2);
      const doc = parseDoc(r);
      const reqs = apiRequests();
      assert.equal(reqs.length, 3, 'three attempts');
      assert.ok(reqs.every((q) => q.outcome === 'Throttling.User'));
      assert.equal(new Set(reqs.map((q) => q.nonce)).size, 3, 'each retry is freshly signed');
      assert.deepEqual(doc.jobs, []);
      assert.equal(doc.errors.length, 1);
      const [e] = doc.errors;
      assert.equal(e.region, HZ);
      assert.equal(e.code, 'Throttling.User');
      assert.equal(e.requestId, reqs[2].requestId);
      assert.deepEqual(e.jobIds, ids);
      assert.match(e.message, /Throttl/);
      assert.match(r.stderr, /^error: cn-hangzhou \(dtsa1b2c3d4e5f6g7h, dtsb5w3e7r1t9y2u6i\): .*Throttling\.User/m);
    });

    it('one throttle (times: 1) is retried and recovers: exit 0 after 2 requests', async () => {
      emu.setScenario(scenario([{ kind: 'throttle', times: 1 }]));
      const r = await cli(ids);
      expectExit(r, 0);
      assert.deepEqual(apiRequests().map((q) => q.outcome), ['Throttling.User', 'ok']);
      assert.equal(alignedRows(r.stdout).length, 3);
    });

    it('a throttle asking to wait longer than the client waits is reported at once', async () => {
      emu.setScenario(scenario([{ kind: 'throttle', retryAfterMs: 120_000 }]));
      const r = await cli(['--json', JOB.healthy]);
      expectExit(r, 2);
      assert.equal(parseDoc(r).errors[0].code, 'Throttling.User');
      assert.equal(apiRequests().length, 1);
      assert.ok(r.ms < 5000, `took ${r.ms} ms`);
    });

    it('HTTP 503 on every attempt: ServiceUnavailable with the RequestId in the message', async () => {
      emu.setScenario(scenario([{ kind: 'server-error', status: 503 }]));
      const r = await cli(['--json', ...ids]);
      expectExit(r, 2);
      const [e] = parseDoc(r).errors;
      const reqs = apiRequests();
      assert.equal(reqs.length, 3);
      assert.equal(e.code, 'ServiceUnavailable');
      assert.equal(e.requestId, reqs[2].requestId);
      assert.match(e.message, /server error \(HTTP 503\): ServiceUnavailable/);
      assert.ok(e.message.includes(`RequestId ${reqs[2].requestId}`), e.message);
      assert.ok(r.stderr.includes(`RequestId ${reqs[2].requestId}`), r.stderr);
    });

    it('a passing 503/500 is retried and recovers', async () => {
      emu.setScenario(scenario([{ kind: 'server-error', status: 503, times: 1 }]));
      expectExit(await cli(ids), 0);
      assert.deepEqual(apiRequests().map((q) => q.outcome), ['ServiceUnavailable', 'ok']);
      emu.setScenario(scenario([{ kind: 'server-error', status: 500, times: 1 }]));
      emu.clearRequests();
      expectExit(await cli(ids), 0);
      assert.deepEqual(apiRequests().map((q) => q.outcome), ['InternalError', 'ok']);
    });

    it('no answer (hang) with --timeout 1: "No answer within 1 s"', async () => {
      emu.setScenario(scenario([{ kind: 'hang' }]));
      const r = await cli(['--json', '--timeout', '1', ...ids]);
      expectExit(r, 2);
      const [e] = parseDoc(r).errors;
      assert.equal(e.code, 'Timeout');
      assert.equal(e.requestId, null);
      assert.deepEqual(e.jobIds, ids);
      assert.match(e.message, /No answer within 1 s/);
      assert.match(r.stderr, /No answer within 1 s/);
      assert.deepEqual(apiRequests().map((q) => q.outcome), ['hang', 'hang', 'hang']);
      assert.ok(r.ms < 15000, `took ${r.ms} ms`);
    });

    it('one hang, then an answer: recovers within the per-attempt timeout', async () => {
      emu.setScenario(scenario([{ kind: 'hang', times: 1 }]));
      const r = await cli(['--timeout', '1', ...ids]);
      expectExit(r, 0);
      assert.deepEqual(apiRequests().map((q) => q.outcome), ['hang', 'ok']);
    });

    it('the timeout message quotes the timeout that was given (--timeout 1.25)', async () => {
      emu.setScenario(scenario([{ kind: 'hang' }]));
      const r = await cli(['--timeout', '1.25', JOB.healthy]);
      expectExit(r, 2);
      assert.match(r.stderr, /No answer within 1\.25 s/);
    });

    it('a connection reset: a network error message', async () => {
      emu.setScenario(scenario([{ kind: 'reset' }]));
      const r = await cli(['--json', ...ids]);
      expectExit(r, 2);
      const [e] = parseDoc(r).errors;
      assert.equal(e.code, 'NetworkError');
      assert.equal(e.requestId, null);
      assert.match(e.message, /Connection (reset|closed)/);
      assert.match(r.stderr, /^error: cn-hangzhou .*Connection (reset|closed)/m);
      assert.deepEqual(apiRequests().map((q) => q.outcome), ['reset', 'reset', 'reset']);
    });

    it('a proxy\'s HTML page: "HTTP 502" and "HTML", no SyntaxError, no stack trace', async () => {
      emu.setScenario(scenario([{ kind: 'html' }]));
      const r = await cli(['--json', ...ids]);
      expectExit(r, 2);
      const [e] = parseDoc(r).errors;
      assert.equal(e.code, 'BadResponse');
      assert.match(e.message, /HTTP 502/);
      assert.match(e.message, /HTML/);
      assert.match(r.stderr, /HTTP 502.*HTML/);
      assert.doesNotMatch(r.stderr, /SyntaxError|Unexpected token|\n\s+at /);
      assert.equal(apiRequests().length, 3, 'a 5xx page is retried');
    });

    it('a truncated JSON body: a truncated/malformed message', async () => {
      emu.setScenario(scenario([{ kind: 'truncated' }]));
      const r = await cli(['--json', ...ids]);
      expectExit(r, 2);
      const [e] = parseDoc(r).errors;
      assert.equal(e.code, 'BadResponse');
      assert.match(e.message, /truncated or malformed/);
      assert.match(r.stderr, /truncated or malformed/);
      assert.doesNotMatch(r.stderr, /SyntaxError|Unexpected end/);
      assert.equal(apiRequests().length, 1);
    });

    it('Success false: ErrCode and ErrMessage in the message, RequestId in errors[]', async () => {
      emu.setScenario(scenario([{ kind: 'dts-error', errCode: 'InvalidParameter.JobIdList', errMessage: 'The job list is not valid.' }]));
      const r = await cli(['--json', ...ids]);
      expectExit(r, 2);
      const [e] = parseDoc(r).errors;
      const reqs = apiRequests();
      assert.equal(e.code, 'InvalidParameter.JobIdList');
      assert.match(e.message, /InvalidParameter\.JobIdList The job list is not valid\./);
      assert.equal(e.requestId, reqs[0].requestId);
      assert.deepEqual(e.jobIds, ids);
      assert.match(r.stderr, /InvalidParameter\.JobIdList The job list is not valid\./);
      assert.equal(reqs.length, 1, 'a business error is not retried');
    });

    it('Success "false" (a string, its documented type) is a failure too', async () => {
      emu.setScenario(scenario([{ kind: 'dts-error', errCode: 'OperationDenied.JobStatus', errMessage: 'Not now.' }], { successAsString: true }));
      const r = await cli(['--json', JOB.healthy]);
      expectExit(r, 2);
      const [e] = parseDoc(r).errors;
      assert.equal(e.code, 'OperationDenied.JobStatus');
      assert.match(e.message, /OperationDenied\.JobStatus Not now\./);
      assert.equal(apiRequests().length, 1);
    });

    it('a slow answer within the timeout is fine', async () => {
      emu.setScenario(scenario([{ kind: 'slow', delayMs: 400 }]));
      const r = await cli(['--timeout', '3', ...ids]);
      expectExit(r, 0);
      assert.equal(apiRequests().length, 1);
      assert.ok(r.ms >= 400);
    });
  });

  describe('bad input: exit 2, a clear message, and no request at all', () => {
    /**
     * The cases run concurrently (in `before`) to keep the file fast; each gets its own AccessKey ID, so a request
     * that slipped out is pinned to the case that sent it.
     */
    interface BadInputCase {
      readonly title: string;
      readonly args: readonly string[];
      readonly message: RegExp;
      readonly options?: RunOptions;
      readonly check?: (r: RunResult) => void;
    }
    const keyOf = (i: number): string => `LTAI5tBadInputCase${String(i).padStart(3, '0')}`;
    const cases: BadInputCase[] = [
      {
        title: 'no credentials anywhere: names the variables and the profile file',
        args: [JOB.healthy],
        message: /No Alibaba Cloud credentials found.*ALIBABA_CLOUD_ACCESS_KEY_ID/,
        options: { env: {} },
        check: (r) => {
          assert.match(r.stderr, /ALIBABA_CLOUD_ACCESS_KEY_SECRET/);
          assert.ok(r.stderr.includes(join(home, '.aliyun', 'config.json')), r.stderr);
        },
      },
      {
        title: 'only half a key pair: says which variable is missing',
        args: [JOB.healthy],
        message: /ALIBABA_CLOUD_ACCESS_KEY_SECRET is not set, but ALIBABA_CLOUD_ACCESS_KEY_ID is/,
        options: { env: { ALIBABA_CLOUD_ACCESS_KEY_ID: KEY.accessKeyId } },
      },
      {
        title: 'a malformed secret is refused without quoting it',
        args: [JOB.healthy],
        message: /secret must be printable ASCII without spaces/,
        options: { env: { ALIBABA_CLOUD_ACCESS_KEY_ID: 'LTAI5tBadInputSecret', ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'bad Secret with spaces' } },
      },
      ...([
        ['dtsa1b2c3 d4e5f6g7h', /contains whitespace/],
        ['dtsa1b2c3d4e5f6g7h\t', /contains whitespace/],
        ['"dtsa1b2c3d4e5f6g7h"', /contains quotes or brackets/],
        ["'dtsa1b2c3d4e5f6g7h'", /contains quotes or brackets/],
        ['[dtsa1b2c3d4e5f6g7h]', /contains quotes or brackets/],
        ['{dtsa1b2c3d4e5f6g7h}', /contains quotes or brackets/],
        ['dtsa1b2c3d4e5f6****', /masked/],
        [`${JOB.healthy}@CN_HZ`, /not a region ID/],
      ] as const).map(([id, message]): BadInputCase => ({
        title: `job ID ${JSON.stringify(id)}`,
        args: [JOB.healthy, id],
        message,
        check: (r) => assert.ok(r.stderr.includes(JSON.stringify(id)), `the message does not quote the ID: ${r.stderr}`),
      })),
      ...([
        [['--bogus', JOB.healthy], /Unknown option '--bogus'/],
        [['--timeout', 'abc', JOB.healthy], /--timeout must be a number of seconds from 1 to 300, got "abc"/],
        [['--timeout', '0', JOB.healthy], /--timeout must be a number of seconds from 1 to 300, got "0"/],
        [['--timeout=-1', JOB.healthy], /--timeout must be a number of seconds from 1 to 300, got "-1"/],
        [['--timeout', '3000000', JOB.healthy], /--timeout must be a number of seconds from 1 to 300, got "3000000"/],
        [['--deadline', '0', JOB.healthy], /--deadline must be a number of seconds from 1 to 3600, got "0"/],
        [['--lag-warning', 'soon', JOB.healthy], /--lag-warning must be a number of seconds from 0 to 604800, got "soon"/],
        [['--endpoint', 'http://dts.example.com', JOB.healthy], /uses plain http:\/\/ .*--allow-insecure-http/],
        [['--signature-version', 'v4', JOB.healthy], /--signature-version must be v3 or v2, got "v4"/],
        [['--region', 'Hangzhou', JOB.healthy], /Invalid region: "Hangzhou" is not a region ID/],
        [['--json'], /Give at least one job ID/],
      ] as const).map(([args, message]): BadInputCase => ({ title: `options ${args.join(' ')}`, args, message })),
      {
        title: 'an endpoint that is not http(s)',
        args: ['--endpoint', 'ftp://127.0.0.1:1', JOB.healthy],
        message: /must use https:\/\//,
        options: { noEndpoint: true },
      },
    ];
    const results = new Map<string, Promise<RunResult>>();
    let sent: readonly RequestLogEntry[] = [];

    before(async () => {
      emu.clearRequests();
      cases.forEach((c, i) => {
        const env = c.options?.env ?? { ALIBABA_CLOUD_ACCESS_KEY_ID: keyOf(i), ALIBABA_CLOUD_ACCESS_KEY_SECRET: KEY.accessKeySecret };
        results.set(c.title, cli(c.args, { ...c.options, env }));
      });
      await Promise.allSettled(results.values());
      sent = emu.requests;
    });

    cases.forEach((c, i) => {
      it(c.title, async () => {
        const r = await (results.get(c.title) as Promise<RunResult>);
        const own = sent.filter((q) => q.accessKeyId === (c.options?.env?.['ALIBABA_CLOUD_ACCESS_KEY_ID'] ?? keyOf(i)));
        assert.deepEqual(own, [], 'this case sent a request');
        expectRefused(r, c.message);
        c.check?.(r);
      });
    });

    it('none of the cases above sent anything', () => {
      assert.deepEqual(sent, []);
    });
  });

  describe('help, version, colour', () => {
    it('--help: usage on stdout, exit 0, no credentials needed, no request', async () => {
      for (const flag of ['--help', '-h']) {
        const r = await cli([flag], { env: {} });
        expectExit(r, 0);
        assert.match(r.stdout, /^Usage: dts-sync-status \[options\] JOB_ID\[@REGION\]\.\.\./);
        for (const option of ['--region', '--endpoint', '--signature-version', '--timeout', '--lag-warning', '--profile', '--json']) {
          assert.ok(r.stdout.includes(option), `usage lacks ${option}`);
        }
        assert.equal(r.stderr, '');
      }
      assert.deepEqual(emu.requests, []);
    });

    it('--version prints the package version', async () => {
      const r = await cli(['--version'], { env: {} });
      expectExit(r, 0);
      assert.equal(r.stdout, `${PACKAGE_VERSION}\n`);
    });

    it('no colour codes when stdout is not a TTY', async () => {
      const r = await cli([JOB.healthy, JOB.lagging, JOB.failed, JOB.initializing, JOB.missing]);
      expectExit(r, 1);
      assert.ok(!r.stdout.includes(ESC) && !r.stderr.includes(ESC), JSON.stringify(r.stdout));
      assert.equal(alignedRows(r.stdout).length, 5);
    });

    it('colours the status on a TTY (via script(1)), and NO_COLOR turns it off', async function () {
      const script = ['/usr/bin/script', '/bin/script'].find((p) => existsSync(p));
      if (!script) {
        this.skip();
      }
      const quote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;
      const command = [process.execPath, CLI, '--endpoint', emu.url, JOB.healthy, JOB.lagging, JOB.failed].map(quote).join(' ');
      const tty = await runToEnd(script as string, ['-q', '-e', '-c', command, '/dev/null'], childEnv({}), 12_000);
      checkHygiene(tty);
      expectExit(tty, 1);
      // The status cell (padded to its column) is what is coloured: green ok, yellow warning, red error.
      const sgr = (code: number, text: string): RegExp => new RegExp(`${ESC}\\[${code}m${text} *${ESC}\\[0m`);
      assert.match(tty.stdout, sgr(32, 'Synchronizing'), JSON.stringify(tty.stdout));
      assert.match(tty.stdout, sgr(33, 'Synchronizing'), 'the lagging row is yellow');
      assert.match(tty.stdout, sgr(31, 'Failed'));
      // The columns still line up once the colour codes are taken out.
      alignedRows(tty.stdout.replace(/\r\n/g, '\n').replace(new RegExp(`${ESC}\\[\\d+m`, 'g'), ''));
      const plain = await runToEnd(script as string, ['-q', '-e', '-c', command, '/dev/null'], childEnv({ extraEnv: { NO_COLOR: '1' } }), 12_000);
      expectExit(plain, 1);
      assert.ok(!plain.stdout.includes(ESC), JSON.stringify(plain.stdout));
    });
  });
});
