/**
 * The bundled CLI (`dist/cli.js`) in Simplified Chinese: `LANG=zh_CN.UTF-8` (or LC_ALL / LC_MESSAGES) gives Chinese
 * headers, status words, errors and help, aligned by display width; `--json` stays exactly what the English run
 * prints. Against the in-process emulator with a fixed clock, so two runs can be compared.
 */
import * as assert from 'node:assert/strict';
import { runToEnd, type RunResult } from './childProcess';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { displayWidth } from '../../src/cli/render';
import type { Scenario } from '../emulator/scenario';
import { startEmulator, type Emulator } from '../emulator/server';

const ROOT = resolve(__dirname, '../../..');
const CLI = join(ROOT, 'dist', 'cli.js');
const HZ = 'cn-hangzhou';
const KEY = { accessKeyId: 'LTAI5tZhCnTestKey001', accessKeySecret: 'zh-Secret-Rt5y7u9i1o3p0001' };
/** The emulator's clock, fixed for the whole file (near the real time, or it would refuse the signatures as expired). */
const NOW = new Date(Math.floor(Date.now() / 1000) * 1000);
const JOB = {
  twoWay: 'dtsb5w3e7r1t9y2u6i',
  failed: 'dtsf8r2t6y1u5i9o3p',
  paused: 'dtsp4d7f1g9j3k6m2n',
  odd: 'dtsu7n8k9n0w1n2s3t',
  missing: 'dtsn0tth3r3x0000001',
};
const ALL = [JOB.twoWay, JOB.failed, JOB.paused, JOB.odd, JOB.missing];

const SCENARIO: Scenario = {
  accessKeys: [KEY],
  jobs: [
    {
      id: JOB.twoWay, region: HZ,
      directions: [
        { direction: 'Forward', status: 'Synchronizing', lagSeconds: 8 },
        { direction: 'Reverse', status: 'Synchronizing', lagSeconds: 250 },
      ],
    },
    { id: JOB.failed, region: HZ, directions: [{ direction: 'Forward', status: 'Failed', lagSeconds: 7260 }] },
    { id: JOB.paused, region: HZ, directions: [{ direction: 'Forward', status: 'Suspending', lagSeconds: 10 }] },
    { id: JOB.odd, region: HZ, directions: [{ direction: 'Forward', status: 'Frobnicating', lagSeconds: 1 }] },
  ],
  faults: [],
};

const HAN = /\p{Script=Han}/u;

describe('CLI in Simplified Chinese (LANG=zh_CN.UTF-8 node dist/cli.js)', function () {
  this.timeout(15_000);
  let emu: Emulator;
  let home: string;

  before(async () => {
    home = mkdtempSync(join(tmpdir(), 'dts-cli-zh-'));
    emu = await startEmulator({ scenario: SCENARIO, clock: () => NOW });
  });

  after(async () => {
    await emu?.close();
    rmSync(home, { recursive: true, force: true });
  });

  async function cli(args: readonly string[], locale: Record<string, string>, credentials = true): Promise<RunResult> {
    const env: Record<string, string> = {
      PATH: process.env['PATH'] ?? '/usr/bin:/bin',
      HOME: home,
      ...(credentials ? { ALIBABA_CLOUD_ACCESS_KEY_ID: KEY.accessKeyId, ALIBABA_CLOUD_ACCESS_KEY_SECRET: KEY.accessKeySecret } : {}),
      ...locale,
    };
    const r = await runToEnd(process.execPath, [CLI, '--endpoint', emu.url, ...args], env, 12_000);
    assert.equal(r.signal, null, `the CLI was killed; stderr:\n${r.stderr}`);
    assert.ok(!(r.stdout + r.stderr).includes(KEY.accessKeySecret), 'the secret reached the output');
    return r;
  }

  const ZH = { LANG: 'zh_CN.UTF-8' };

  /** Splits a table line at the columns the header starts, counted in terminal columns (a Han character is two). */
  function cellsAt(line: string, starts: readonly number[]): string[] {
    const cells: string[] = [];
    let column = 0;
    let cell = '';
    let index = 0;
    for (const ch of line) {
      if (index + 1 < starts.length && column === starts[index + 1]) {
        cells.push(cell.trim());
        cell = '';
        index++;
      }
      cell += ch;
      column += displayWidth(ch);
    }
    cells.push(cell.trim());
    return cells;
  }

  /** The header's column starts in terminal columns, and each row's cells; every row must start its cells there. */
  function table(stdout: string): { header: string[]; rows: string[][] } {
    const [headerLine, ...lines] = stdout.replace(/\n$/, '').split('\n');
    const starts: number[] = [];
    let column = 0;
    let previous = ' ';
    for (const ch of headerLine) {
      if (previous === ' ' && ch !== ' ') {
        starts.push(column);
      }
      column += displayWidth(ch);
      previous = ch;
    }
    const rows = lines.map((line) => {
      const cells = cellsAt(line, starts);
      assert.equal(cells.length, starts.length, `row not aligned with the header:\n${headerLine}\n${line}`);
      return cells;
    });
    return { header: cellsAt(headerLine, starts), rows };
  }

  it('prints Chinese headers, status words, direction names and lags, aligned in terminal columns', async () => {
    const r = await cli(ALL, ZH);
    assert.equal(r.code, 1, r.stderr);
    const { header, rows } = table(r.stdout);
    assert.deepEqual(header, ['任务', '地域', '方向', '状态', '延迟', '同步位点']);
    assert.deepEqual(rows.map((c) => c.slice(0, 5)), [
      [JOB.twoWay, HZ, '正向', '同步中', '8 秒'],
      [JOB.twoWay, HZ, '反向', '同步中', '4 分 10 秒'],
      [JOB.failed, HZ, '正向', '同步失败', '2 小时 1 分'],
      [JOB.paused, HZ, '正向', '已暂停', '10 秒'],
      [JOB.odd, HZ, '正向', 'Frobnicating', '1 秒'],
      [JOB.missing, HZ, '-', `在地域 ${HZ} 中未找到`, '-'],
    ]);
    assert.equal(rows[0][5], `${new Date(NOW.getTime() - 8000).toISOString().slice(0, 19).replace('T', ' ')} UTC`);
  });

  it('takes the language from LC_ALL first, then LC_MESSAGES, then LANG', async () => {
    const header = async (locale: Record<string, string>): Promise<string> => (await cli([JOB.twoWay], locale)).stdout.split('\n')[0];
    assert.match(await header({ LC_ALL: 'zh_CN.UTF-8', LANG: 'en_US.UTF-8' }), /^任务/);
    assert.match(await header({ LC_MESSAGES: 'zh_CN.UTF-8', LANG: 'C' }), /^任务/);
    assert.match(await header({ LC_ALL: 'C', LANG: 'zh_CN.UTF-8' }), /^JOB/);
    assert.match(await header({ LC_ALL: '', LANG: 'zh_CN.UTF-8' }), /^任务/, 'an empty LC_ALL does not count');
    assert.match(await header({ LANG: 'de_DE.UTF-8' }), /^JOB/, 'a language without a translation stays English');
  });

  it('prints the same --json document as the English run (but checkedAt): API words, field names, English messages', async () => {
    const en = await cli(['--json', ...ALL], { LANG: 'C' });
    const zh = await cli(['--json', ...ALL], ZH);
    assert.equal(zh.code, en.code);
    const withoutTime = (stdout: string): unknown => ({ ...(JSON.parse(stdout) as Record<string, unknown>), checkedAt: undefined });
    assert.deepEqual(withoutTime(zh.stdout), withoutTime(en.stdout));
    assert.doesNotMatch(zh.stdout, HAN);
    assert.match(zh.stdout, /"direction": "Reverse"/);
    assert.match(zh.stdout, /"status": "Suspending"/);
  });

  it('says what is wrong with the input in Chinese, before any request', async () => {
    emu.clearRequests();
    const r = await cli(['--timeout', '0', JOB.twoWay], ZH);
    assert.equal(r.code, 2);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr, 'dts-sync-status: --timeout 必须是 1 到 300 之间的秒数，实际为 "0"\n');
    assert.deepEqual(emu.requests, []);
  });

  it('explains missing credentials in Chinese', async () => {
    const r = await cli([JOB.twoWay], ZH, false);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^dts-sync-status: 未找到阿里云凭证。已查找：环境变量 ALIBABA_CLOUD_ACCESS_KEY_ID 和 ALIBABA_CLOUD_ACCESS_KEY_SECRET；OIDC 变量 .+；aliyun CLI 配置文件 .+；凭证文件 .+；ALIBABA_CLOUD_CREDENTIALS_URI 中的凭证 URI；ECS 实例 RAM 角色（100\.100\.100\.200）。\n$/);
  });

  it('shows a rejected AccessKey as a Chinese error line, the API code and RequestId as sent', async () => {
    const r = await cli([JOB.twoWay], { ...ZH, ALIBABA_CLOUD_ACCESS_KEY_ID: 'LTAI5tZhCnUnknown009' });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^错误：cn-hangzhou（dtsb5w3e7r1t9y2u6i）：AccessKey 被拒绝：InvalidAccessKeyId\.NotFound .+（RequestId [^）]+）\n$/);
    const json = await cli(['--json', JOB.twoWay], { ...ZH, ALIBABA_CLOUD_ACCESS_KEY_ID: 'LTAI5tZhCnUnknown009' });
    const doc = JSON.parse(json.stdout) as { errors: { code: string; message: string }[] };
    assert.equal(doc.errors[0].code, 'InvalidAccessKeyId.NotFound');
    assert.match(doc.errors[0].message, /^The AccessKey was rejected: InvalidAccessKeyId\.NotFound /, 'a --json message is English in any locale');
  });

  it('prints the help in Chinese, option names as typed', async () => {
    const r = await cli(['--help'], ZH, false);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /^用法：dts-sync-status \[选项\] JOB_ID\[@REGION\]\.\.\./);
    for (const option of ['--region R', '--timeout SECONDS', '--json', '退出状态']) {
      assert.ok(r.stdout.includes(option), `help lacks ${option}`);
    }
  });
});
