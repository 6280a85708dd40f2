/**
 * `list` and `--format openmetrics|prometheus` of the bundled CLI (`dist/cli.js`) against the emulator playing the
 * demo scenario (cn-shanghai: 45 jobs, one configured and a fleet of 44). Every run is checked for leaked secrets.
 */
import * as assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { allJobs, loadScenario, type Fault, type Scenario } from '../emulator/scenario';
import { startEmulator, type Emulator } from '../emulator/server';
import { parseOne } from '../unit/metricsParser.fixture';
import { expectExit, runCliWithKey, type RunResult } from './childProcess';

const ROOT = resolve(__dirname, '../../..');
const CLI = join(ROOT, 'dist', 'cli.js');
const KEY = { accessKeyId: 'LTAI5tCliListKey0001', accessKeySecret: 'list-Secret-Qw8e7r6t5y0001' };
const SH = 'cn-shanghai';
const LIST = 'DescribeSynchronizationJobs';

function demoScenario(faults: Fault[] = []): Scenario {
  return { ...loadScenario(resolve(ROOT, 'test/emulator/demo.json')), accessKeys: [KEY], faults };
}

interface ListDoc {
  checkedAt: string;
  jobs: Record<string, unknown>[];
  errors: Record<string, unknown>[];
}

describe('CLI list and --format openmetrics (node dist/cli.js against the demo scenario)', function () {
  this.timeout(30_000);
  let emu: Emulator;
  let home: string;
  const demo = demoScenario();
  const shanghai = allJobs(demo).filter((j) => j.region === SH);

  before(async () => {
    assert.ok(existsSync(CLI), `${CLI} is missing: run npm run build first`);
    home = mkdtempSync(join(tmpdir(), 'dts-cli-list-'));
    emu = await startEmulator({ scenario: demo });
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
    return runCliWithKey({ cli: CLI, endpoint: emu.url, home, key: KEY, killAfterMs: 25_000 }, args, extraEnv);
  }

  function listRequests(): number {
    return emu.requests.filter((e) => e.action === LIST).length;
  }

  describe('list', () => {
    it('lists all 45 jobs of a region over two pages, one row each under a header', async () => {
      const r = await cli(['list', '--region', SH]);
      expectExit(r, 0);
      const lines = r.stdout.trimEnd().split('\n');
      assert.match(lines[0], /^JOB\s+REGION\s+NAME\s+STATUS\s+LAG\s+SOURCE → DESTINATION$/);
      assert.equal(lines.length, 46);
      assert.deepEqual(lines.slice(1).map((l) => l.split(/\s+/)[0]).sort(), shanghai.map((j) => j.id).sort());
      assert.match(r.stdout, /\bshop-sync-42\s+Synchronizing\s+\d+ s\s+MySQL → AnalyticDB MySQL 3\.0$/m);
      assert.match(r.stdout, /\bshop-sync-40\s+Paused\s/);
      assert.equal(listRequests(), 2);
      assert.equal(r.stderr, '');
    });

    it('keeps the jobs whose name contains --name, asking DTS to filter', async () => {
      const r = await cli(['list', '--region', SH, '--name', 'sync-4']);
      expectExit(r, 0);
      const names = r.stdout.trimEnd().split('\n').slice(1).map((l) => l.split(/\s+/)[2]);
      assert.deepEqual(names, ['shop-sync-40', 'shop-sync-41', 'shop-sync-42', 'shop-sync-43', 'shop-sync-44']);
      assert.equal(listRequests(), 1);
    });

    it('says so when no job matches', async () => {
      const r = await cli(['list', '--region', SH, '--name', 'nothing-like-this']);
      expectExit(r, 0);
      assert.equal(r.stdout, `No synchronization jobs named like "nothing-like-this" in ${SH}\n`);
    });

    it('--json prints one document: checkedAt, every job with its fields, no errors', async () => {
      const r = await cli(['list', '--region', SH, '--region', 'cn-hangzhou', '--json']);
      expectExit(r, 0);
      const doc = JSON.parse(r.stdout) as ListDoc;
      assert.deepEqual(Object.keys(doc), ['checkedAt', 'jobs', 'errors']);
      assert.ok(!Number.isNaN(Date.parse(doc.checkedAt)));
      assert.equal(doc.jobs.length, 45 + demo.jobs.filter((j) => j.region === 'cn-hangzhou').length);
      assert.deepEqual(doc.errors, []);
      const billing = doc.jobs.find((j) => j['name'] === 'billing-replica');
      assert.ok(billing);
      assert.deepEqual(Object.keys(billing), [
        'jobId', 'region', 'name', 'status', 'health', 'directions', 'delaySeconds', 'errorMessage', 'source', 'destination', 'payType', 'expireTime',
      ]);
      assert.equal(billing['jobId'], 'dtsl6n2b8v4c1x9z5w');
      assert.equal(billing['region'], 'cn-hangzhou');
      assert.equal(billing['status'], 'Synchronizing');
      assert.equal(billing['health'], 'warning');
      assert.equal(billing['delaySeconds'], 900);
      assert.equal(billing['payType'], 'PrePaid');
      assert.match(String(billing['expireTime']), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z$/);
      assert.deepEqual(billing['source'], { engineName: 'MySQL', instanceType: 'RDS', instanceId: 'rm-bp17h4j6k8l2z5x3c', ip: null, port: 3306 });
      const failed = doc.jobs.find((j) => j['jobId'] === 'dtsf8r2t6y1u5i9o3p');
      assert.deepEqual([failed?.['health'], typeof failed?.['errorMessage']], ['error', 'string']);
    });

    it('lists the default region when no --region is given (ALIBABA_CLOUD_REGION_ID)', async () => {
      const r = await cli(['list', '--json'], { ALIBABA_CLOUD_REGION_ID: SH });
      expectExit(r, 0);
      assert.equal((JSON.parse(r.stdout) as ListDoc).jobs.length, 45);
    });

    it('exits 2 when a region fails, with its error as the status command shapes it, the other region listed', async () => {
      emu.setScenario(demoScenario([{ kind: 'dts-error', action: LIST, region: 'cn-beijing', errCode: 'Forbidden.RAM', errMessage: 'not allowed' }]));
      const r = await cli(['list', '--region', SH, '--region', 'cn-beijing', '--json']);
      expectExit(r, 2);
      const doc = JSON.parse(r.stdout) as ListDoc;
      assert.equal(doc.jobs.length, 45);
      assert.equal(doc.errors.length, 1);
      assert.deepEqual(Object.keys(doc.errors[0]), ['region', 'code', 'message', 'requestId', 'jobIds']);
      assert.deepEqual([doc.errors[0]['region'], doc.errors[0]['code'], doc.errors[0]['jobIds']], ['cn-beijing', 'Forbidden.RAM', []]);
      assert.match(String(doc.errors[0]['requestId']), /^[0-9A-F-]{36}$/);
      const table = await cli(['list', '--region', 'cn-beijing']);
      expectExit(table, 2);
      assert.equal(table.stdout, '');
      assert.match(table.stderr, /^error: cn-beijing: .*not allowed/m);
    });

    it('prints the table in Simplified Chinese under LANG=zh_CN.UTF-8', async () => {
      const r = await cli(['list', '--region', SH, '--name', 'shop-sync-0'], { LANG: 'zh_CN.UTF-8' });
      expectExit(r, 0);
      const [header, first] = r.stdout.split('\n');
      assert.match(header, /名称/);
      assert.match(header, /源 → 目标/);
      assert.match(first, /shop-sync-01\s+同步中/);
    });

    it('documents list and --format in --help, and refuses job IDs or --format openmetrics with list', async () => {
      const help = await cli(['--help']);
      expectExit(help, 0);
      assert.match(help.stdout, /dts-sync-status list \[--region R\]\.\.\. \[--name TEXT\] \[--json\]/);
      assert.match(help.stdout, /--format FORMAT/);
      expectExit(await cli(['list', 'dtsh3k9m2p7q4r8s1t']), 2);
      const metrics = await cli(['list', '--format', 'openmetrics']);
      expectExit(metrics, 2);
      assert.match(metrics.stderr, /list prints a table or --json, not --format openmetrics/);
      assert.equal(listRequests(), 0);
    });
  });

  describe('--format openmetrics and prometheus', () => {
    const HEALTHY = 'dtsh3k9m2p7q4r8s1t';
    const FAILED = 'dtsf8r2t6y1u5i9o3p';
    const TWO_WAY = 'dtsb5w3e7r1t9y2u6i';

    it('prints OpenMetrics the official parser reads, exit 1 for the failed job', async () => {
      const r = await cli(['--format', 'openmetrics', HEALTHY, FAILED, TWO_WAY, 'dtsnosuchjob00001', `${shanghai[1].id}@${SH}`]);
      expectExit(r, 1);
      assert.ok(r.stdout.endsWith('# EOF\n'));
      const families = parseOne(r.stdout, 'openmetrics');
      const health = families.find((f) => f.name === 'dts_sync_direction_health');
      assert.equal(health?.type, 'stateset');
      const current = (id: string, direction = 'Forward'): string | undefined =>
        health?.samples.find((s) => s.labels['job_id'] === id && s.labels['direction'] === direction && s.value === 1)?.labels['dts_sync_direction_health'];
      assert.deepEqual([current(HEALTHY), current(FAILED), current(TWO_WAY, 'Reverse')], ['ok', 'error', 'ok']);
      const found = families.find((f) => f.name === 'dts_sync_job_found');
      assert.deepEqual(found?.samples.filter((s) => s.value === 0).map((s) => s.labels['job_id']), ['dtsnosuchjob00001']);
      const success = families.find((f) => f.name === 'dts_sync_query_success');
      assert.deepEqual(success?.samples.map((s) => [s.labels['region'], s.value]), [['cn-hangzhou', 1], [SH, 1]]);
      const lag = families.find((f) => f.name === 'dts_sync_direction_lag_seconds');
      assert.equal(lag?.unit, 'seconds');
      assert.ok(lag?.samples.some((s) => s.labels['job_id'] === HEALTHY && s.value >= 3 && s.value < 60));
    });

    it('reports a failed region as dts_sync_query_success 0 and exits 2', async () => {
      emu.setScenario(demoScenario([{ kind: 'dts-error', region: SH, errCode: 'Forbidden.RAM' }]));
      const r = await cli(['--format', 'openmetrics', HEALTHY, `${shanghai[1].id}@${SH}`]);
      expectExit(r, 2);
      const success = parseOne(r.stdout, 'openmetrics').find((f) => f.name === 'dts_sync_query_success');
      assert.deepEqual(success?.samples.map((s) => [s.labels['region'], s.value]), [['cn-hangzhou', 1], [SH, 0]]);
      assert.match(r.stderr, /^error: cn-shanghai/m);
    });

    it('prints the Prometheus text format node_exporter reads with --format prometheus', async () => {
      const r = await cli(['--format', 'prometheus', HEALTHY]);
      expectExit(r, 0);
      assert.doesNotMatch(r.stdout, /stateset|# EOF/);
      const families = parseOne(r.stdout, 'prometheus');
      assert.equal(families.find((f) => f.name === 'dts_sync_direction_health')?.type, 'gauge');
    });

    it('refuses --json with --format openmetrics, and --details with it', async () => {
      const both = await cli(['--json', '--format', 'openmetrics', HEALTHY]);
      expectExit(both, 2);
      assert.match(both.stderr, /--json and --format openmetrics contradict each other/);
      expectExit(await cli(['--details', '--format', 'openmetrics', HEALTHY]), 2);
      expectExit(await cli(['--format', 'xml', HEALTHY]), 2);
    });
  });
});
