/**
 * `--details` and `show` of the bundled CLI (`dist/cli.js`) against the emulator running the demo scenario: the reason
 * under an unhealthy direction, the added JSON fields, everything `show` prints, a failing details call (reported,
 * exit status unchanged) and `show` in Simplified Chinese. Every run is checked for leaked secrets and stack traces.
 */
import * as assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadScenario, type Fault, type Scenario } from '../emulator/scenario';
import { startEmulator, type Emulator } from '../emulator/server';
import { expectExit, runCliWithKey, type RunResult } from './childProcess';

const ROOT = resolve(__dirname, '../../..');
const CLI = join(ROOT, 'dist', 'cli.js');
const DETAILS_ACTION = 'DescribeSynchronizationJobStatus';

const KEY = { accessKeyId: 'LTAI5tCliDetailsKey01', accessKeySecret: 'details-Secret-Vb7n2m4k6j0001' };

/** The demo scenario's jobs (test/emulator/demo.json). */
const JOB = {
  healthy: 'dtsh3k9m2p7q4r8s1t',
  expiring: 'dtsl6n2b8v4c1x9z5w',
  failed: 'dtsf8r2t6y1u5i9o3p',
  twoWay: 'dtsb5w3e7r1t9y2u6i',
  initializing: 'dtsi2o6p4a8s1d5f9g',
  precheckFailed: 'dtsq1w9e3r5t7y2u4i',
};

const DIRECTION_KEYS = ['checkpoint', 'direction', 'health', 'lagSeconds', 'status'];

interface Direction {
  direction: string;
  status: string;
  health: string;
  checkpoint: string | null;
  lagSeconds: number | null;
  errorMessage?: string | null;
  details?: Record<string, unknown> | null;
  detailsError?: { code: string; message: string };
}
interface Doc {
  checkedAt: string;
  jobs: { jobId: string; region: string; found: boolean; health: string; directions: Direction[] }[];
  errors: unknown[];
}

function demoScenario(faults: Fault[] = []): Scenario {
  const demo = loadScenario(resolve(ROOT, 'test/emulator/demo.json'));
  return { ...demo, accessKeys: [KEY], faults };
}

describe('CLI --details and show (node dist/cli.js against the demo scenario)', function () {
  this.timeout(20_000);
  let emu: Emulator;
  let home: string;

  before(async () => {
    assert.ok(existsSync(CLI), `${CLI} is missing: run npm run build first`);
    home = mkdtempSync(join(tmpdir(), 'dts-cli-details-'));
    emu = await startEmulator({ scenario: demoScenario() });
  });

  beforeEach(() => {
    emu.setScenario(demoScenario());
    emu.clearRequests();
  });

  after(async () => {
    await emu?.close();
    rmSync(home, { recursive: true, force: true });
  });

  function cli(args: readonly string[], extraEnv: Record<string, string> = {}): Promise<RunResult> {
    return runCliWithKey({ cli: CLI, endpoint: emu.url, home, key: KEY, killAfterMs: 15_000 }, args, extraEnv);
  }

  /** How many DescribeSynchronizationJobStatus requests reached the emulator (its log names no job for them). */
  function detailsCalls(): number {
    return emu.requests.filter((e) => e.action === DETAILS_ACTION).length;
  }

  /** The line right after the table row of `jobId`. */
  function lineAfter(stdout: string, jobId: string): string | undefined {
    const lines = stdout.split('\n');
    return lines[lines.findIndex((l) => l.startsWith(jobId)) + 1];
  }

  function parseDoc(r: RunResult): Doc {
    let doc: Doc | undefined;
    assert.doesNotThrow(() => (doc = JSON.parse(r.stdout) as Doc), `stdout is not one JSON document:\n${r.stdout}`);
    return doc as Doc;
  }

  function direction(doc: Doc, jobId: string, name = 'Forward'): Direction {
    const d = doc.jobs.find((j) => j.jobId === jobId)?.directions.find((x) => x.direction === name);
    assert.ok(d, `${jobId} ${name} is not in the document`);
    return d;
  }

  const ALL = [JOB.healthy, JOB.twoWay, JOB.failed, JOB.initializing, JOB.precheckFailed];

  it('--details prints the reason under each unhealthy direction, code first, and asks only for those', async () => {
    const r = await cli(['--details', ...ALL]);
    expectExit(r, 1);
    assert.equal(r.stderr, '');
    assert.equal(lineAfter(r.stdout, JOB.failed), '    DTS-070211: Connect Source DB failed.');
    assert.equal(lineAfter(r.stdout, JOB.initializing), '    Full data initialization 42 %');
    assert.match(lineAfter(r.stdout, JOB.precheckFailed) ?? '', /^ {4}Original error: Access denied for user /);
    // Healthy rows are followed directly by the next row: nothing printed under them.
    assert.ok(lineAfter(r.stdout, JOB.healthy)?.startsWith(JOB.twoWay));
    assert.doesNotMatch(r.stdout, /cause by|CommunicationsException/, 'the table shows the first line only');
    assert.equal(detailsCalls(), 3, 'one call per unhealthy direction, none for the three healthy ones');
  });

  it('without --details nothing is fetched and nothing printed under a row', async () => {
    const r = await cli(ALL);
    expectExit(r, 1);
    assert.equal(detailsCalls(), 0);
    assert.ok(r.stdout.split('\n').every((l) => !l.startsWith(' ')));
  });

  it('--details prints a subscription expiring soon under its direction', async () => {
    const r = await cli(['--details', JOB.expiring]);
    expectExit(r, 1);
    assert.match(lineAfter(r.stdout, JOB.expiring) ?? '', /^ {4}expires in (1 day|2 days)$/);
  });

  it('--json --details adds errorMessage and details to unhealthy directions only', async () => {
    const plain = parseDoc(await cli(['--json', ...ALL]));
    const r = await cli(['--json', '--details', ...ALL]);
    expectExit(r, 1);
    const doc = parseDoc(r);
    assert.deepEqual(Object.keys(doc).sort(), ['checkedAt', 'errors', 'jobs']);
    assert.deepEqual(doc.errors, []);
    for (const [jobId, name] of [[JOB.healthy, 'Forward'], [JOB.twoWay, 'Forward'], [JOB.twoWay, 'Reverse']] as const) {
      const d = direction(doc, jobId, name);
      assert.deepEqual(Object.keys(d).sort(), DIRECTION_KEYS, `${jobId} ${name} changed`);
      const before = direction(plain, jobId, name);
      assert.deepEqual({ ...d, checkpoint: null, lagSeconds: null }, { ...before, checkpoint: null, lagSeconds: null });
    }
    const failed = direction(doc, JOB.failed);
    assert.deepEqual(Object.keys(failed).sort(), [...DIRECTION_KEYS, 'details', 'errorMessage'].sort());
    assert.match(failed.errorMessage ?? '', /^DTS-070211: Connect Source DB failed\. cause by \[/);
    assert.equal(failed.details?.['name'], 'users-to-search');
    assert.equal(failed.details?.['jobId'], JOB.failed);
    assert.equal((failed.details?.['source'] as Record<string, unknown>)['engineName'], 'MySQL');

    const initializing = direction(doc, JOB.initializing);
    assert.equal(initializing.errorMessage, null);
    assert.deepEqual((initializing.details?.['dataInitialization'] as Record<string, unknown>)['percent'], 42);

    const precheck = direction(doc, JOB.precheckFailed);
    const items = (precheck.details?.['precheck'] as { items: { itemName: string; checkStatus: string; repairMethod?: string }[] }).items;
    assert.ok(items.some((i) => i.itemName === 'CHECK_AUTH_SRC' && i.checkStatus === 'Failed' && /password/.test(i.repairMethod ?? '')));
    assert.match(precheck.errorMessage ?? '', /Access denied/);
    // The user name DTS sends for an endpoint is never kept.
    assert.doesNotMatch(r.stdout, /"user(Name)?"/i);
  });

  it('show prints the precheck failed items first with repair methods, endpoints and pay type', async () => {
    const r = await cli(['show', JOB.precheckFailed]);
    expectExit(r, 1);
    assert.equal(r.stderr, '');
    const lines = r.stdout.trimEnd().split('\n');
    assert.equal(lines[0], `${JOB.precheckFailed} (crm-to-warehouse) · cn-hangzhou`);
    assert.equal(lines[1], 'Forward: Precheck failed');
    assert.ok(lines.includes('  Precheck: Failed'));
    const items = lines.filter((l) => /^ {4}[✗✓] /.test(l));
    assert.deepEqual(items.map((l) => l.slice(4, 5)), ['✗', '✗', '✓', '✓'], 'failed items first');
    assert.match(items[0], /CHECK_AUTH_SRC: Failed · Original error: Access denied/);
    const auth = lines.indexOf(items[0]);
    assert.match(lines[auth + 1], /^ {6}Repair method: Check the password of the source database account/);
    assert.ok(lines.includes('  Source → destination: MySQL rm-bp18k2m4n6b8v0c2x (RDS) → MySQL rm-bp19z1x3c5v7b9n1m (RDS)'), r.stdout);
    assert.ok(lines.includes('  Pay type: PostPaid'));
    assert.equal(detailsCalls(), 1);
  });

  it('show prints the full load at 42 % and the whole error of a failed job', async () => {
    const init = await cli(['show', JOB.initializing]);
    expectExit(init, 0);
    assert.match(init.stdout, /^ {2}Schema initialization: Finished 100 % \(38\)$/m);
    assert.match(init.stdout, /^ {2}Full data initialization: Migrating 42 % \(18734112\)$/m);
    assert.match(init.stdout, /^ {2}Performance: 5200 RPS, 12\.4 MB\/s$/m);
    const failed = await cli(['show', JOB.failed]);
    expectExit(failed, 1);
    assert.match(failed.stdout, /^ {2}Error: DTS-070211: Connect Source DB failed\. cause by \[com\.mysql.+Connection timed out\)\]$/m);
  });

  it('show asks for every direction, even healthy ones, and prints the expiry', async () => {
    const two = await cli(['show', JOB.twoWay]);
    expectExit(two, 0);
    assert.match(two.stdout, /^Forward: Synchronizing · lag \d s · checkpoint /m);
    assert.match(two.stdout, /^Reverse: Synchronizing · lag \d s · checkpoint /m);
    assert.equal(detailsCalls(), 2);
    const expiring = await cli(['show', JOB.expiring]);
    expectExit(expiring, 1);
    assert.match(expiring.stdout, /^ {2}Pay type: PrePaid · Expires: \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC \(expires in (1 day|2 days)\)$/m);
  });

  it('show --json prints the one job with details on every direction', async () => {
    const r = await cli(['show', `${JOB.precheckFailed}@cn-hangzhou`, '--json']);
    expectExit(r, 1);
    const doc = parseDoc(r);
    assert.equal(doc.jobs.length, 1);
    const d = direction(doc, JOB.precheckFailed);
    assert.equal(d.details?.['name'], 'crm-to-warehouse');
    assert.equal(d.details?.['payType'], 'PostPaid');
    assert.equal((d.details?.['destination'] as Record<string, unknown>)['instanceId'], 'rm-bp19z1x3c5v7b9n1m');

    const healthy = parseDoc(await cli(['show', JOB.healthy, '--json']));
    const h = direction(healthy, JOB.healthy);
    assert.equal(h.errorMessage, null);
    assert.equal(h.details?.['name'], 'orders-to-analytics');
  });

  it('show takes exactly one job ID', async () => {
    const r = await cli(['show', JOB.failed, JOB.healthy]);
    expectExit(r, 2);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /show takes exactly one job ID/);
    assert.deepEqual(emu.requests, []);
  });

  describe('when DescribeSynchronizationJobStatus fails', () => {
    const FAULT: Fault = { kind: 'dts-error', action: DETAILS_ACTION, errCode: 'Forbidden.RAM', errMessage: 'User not authorized to operate on the specified resource.' };

    beforeEach(() => emu.setScenario(demoScenario([FAULT])));

    it('the table says "details unavailable" and the exit status stays 1', async () => {
      const r = await cli(['--details', JOB.healthy, JOB.failed]);
      expectExit(r, 1);
      assert.match(lineAfter(r.stdout, JOB.failed) ?? '', /^ {4}details unavailable: .*not authorized/);
      assert.equal(r.stderr, '');
    });

    it('a run that would exit 0 still exits 0', async () => {
      const r = await cli(['--details', JOB.healthy, JOB.initializing]);
      expectExit(r, 0);
      assert.match(lineAfter(r.stdout, JOB.initializing) ?? '', /^ {4}details unavailable: /);
    });

    it('--json: details null, errorMessage null, detailsError with the code', async () => {
      const r = await cli(['--json', '--details', JOB.failed]);
      expectExit(r, 1);
      const d = direction(parseDoc(r), JOB.failed);
      assert.equal(d.details, null);
      assert.equal(d.errorMessage, null);
      assert.equal(d.detailsError?.code, 'Forbidden.RAM');
      assert.match(d.detailsError?.message ?? '', /not authorized/);
    });

    it('show still prints the status, then why there are no details', async () => {
      const r = await cli(['show', JOB.failed]);
      expectExit(r, 1);
      assert.match(r.stdout, /^Forward: Failed · lag 2 h/m);
      assert.match(r.stdout, /^ {2}details unavailable: /m);
    });
  });

  describe('LANG=zh_CN.UTF-8', () => {
    const ZH = { LANG: 'zh_CN.UTF-8' };

    it('show is in Simplified Chinese; API words stay as sent', async () => {
      const r = await cli(['show', JOB.precheckFailed], ZH);
      expectExit(r, 1);
      assert.match(r.stdout, /^正向: 预检查失败$/m);
      assert.match(r.stdout, /^ {2}预检查：Failed$/m);
      assert.match(r.stdout, /^ {6}修复方法：Check the password/m);
      assert.match(r.stdout, /^ {2}结构初始化：Finished 100 %/m);
      assert.match(r.stdout, /^ {2}全量数据初始化：Finished 100 %/m);
      assert.match(r.stdout, /^ {2}增量同步：NotStarted/m);
      assert.match(r.stdout, /^ {2}性能：0 RPS，0 MB\/s$/m);
      assert.match(r.stdout, /^ {2}源 → 目标：MySQL rm-bp18k2m4n6b8v0c2x/m);
      assert.doesNotMatch(r.stdout, /Precheck:|Repair method|Source → destination|initialization/);
      const expiring = await cli(['show', JOB.expiring], ZH);
      assert.match(expiring.stdout, /到期时间：\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC \((1|2) 天后到期\)/);
    });

    it('a failed details call reads 详情不可用; --json stays English', async () => {
      emu.setScenario(demoScenario([{ kind: 'dts-error', action: DETAILS_ACTION, errCode: 'Forbidden.RAM', errMessage: 'denied' }]));
      const r = await cli(['--details', JOB.failed], ZH);
      expectExit(r, 1);
      assert.match(lineAfter(r.stdout, JOB.failed) ?? '', /^ {4}详情不可用：/);
      const json = await cli(['show', JOB.failed, '--json'], ZH);
      assert.equal(direction(parseDoc(json), JOB.failed).detailsError?.code, 'Forbidden.RAM');
    });
  });
});
