/**
 * The bundled CLI (`node dist/cli.js`) with aliyun CLI profiles in the modes that fetch temporary keys, against the
 * emulator's STS, credentials-URI and ECS metadata endpoints: the issued key signs the DTS request, a profile's
 * region_id places bare job IDs, and a failure is one line naming the profile and the mode, exit 2.
 */
import * as assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Scenario } from '../emulator/scenario';
import { startEmulator, type Emulator } from '../emulator/server';
import { runToEnd, type RunResult } from './childProcess';

const CLI = join(resolve(__dirname, '../../..'), 'dist', 'cli.js');
const SOURCE = { accessKeyId: 'LTAI5tModeSource0001', accessKeySecret: 'mode-Source-Secret-Kq8w0001' };
const ROLE = 'acs:ram::1234567890123456:role/dts-reader';
const JOB_SH = 'dtss7h3j9k1l5z2x8c';
const JOB_HZ = 'dtsa1b2c3d4e5f6g7h';
const KILL_AFTER_MS = 12_000;

function scenario(extra: Partial<Scenario> = {}): Scenario {
  return {
    accessKeys: [SOURCE],
    roles: [{ arn: ROLE }],
    credentialsUris: [{ path: '/credentials/dts-reader', role: ROLE }],
    ecsMetadata: { role: ROLE, requireToken: true },
    jobs: [
      { id: JOB_SH, region: 'cn-shanghai', directions: [{ direction: 'Forward', status: 'Synchronizing', lagSeconds: 1 }] },
      { id: JOB_HZ, region: 'cn-hangzhou', directions: [{ direction: 'Forward', status: 'Synchronizing', lagSeconds: 1 }] },
    ],
    faults: [],
    ...extra,
  };
}

describe('CLI with aliyun CLI profiles that fetch temporary keys (node dist/cli.js against the emulator)', function () {
  this.timeout(KILL_AFTER_MS + 5000);
  let emu: Emulator;
  let home: string;

  beforeEach(async () => {
    emu = await startEmulator({ scenario: scenario() });
    home = mkdtempSync(join(tmpdir(), 'dts-cli-modes-'));
    mkdirSync(join(home, '.aliyun'));
  });

  afterEach(async () => {
    await emu.close();
    rmSync(home, { recursive: true, force: true });
  });

  function profiles(list: Record<string, unknown>[]): void {
    writeFileSync(join(home, '.aliyun', 'config.json'), JSON.stringify({ current: list[0]['name'], profiles: list }), { mode: 0o600 });
  }

  async function cli(args: readonly string[], env: Record<string, string> = {}): Promise<RunResult> {
    const r = await runToEnd(process.execPath, [CLI, '--endpoint', emu.url, '--json', ...args], { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: home, ALIBABA_CLOUD_ECS_METADATA_DISABLED: 'true', ...env }, KILL_AFTER_MS);
    assert.equal(r.signal, null, `the CLI hung; stderr:\n${r.stderr}`);
    assert.ok(!(r.stdout + r.stderr).includes(SOURCE.accessKeySecret), 'the source secret leaked');
    return r;
  }

  function dtsCallers(): string[] {
    return emu.requests.filter((q) => q.endpoint === 'dts').map((q) => q.accessKeyId ?? '');
  }

  function jobsOf(r: RunResult): { jobId: string; region: string; health: string }[] {
    assert.equal(r.code, 0, `exit ${r.code}\n${r.stderr}`);
    return (JSON.parse(r.stdout) as { jobs: { jobId: string; region: string; health: string }[] }).jobs;
  }

  it('RamRoleArn: assumes the role at the emulator STS, signs with the issued key, and queries the profile\'s region_id', async () => {
    profiles([{ name: 'prod', mode: 'RamRoleArn', ...keys(), ram_role_arn: ROLE, sts_endpoint: emu.url, region_id: 'cn-shanghai' }]);
    const jobs = jobsOf(await cli([JOB_SH, `${JOB_HZ}@cn-hangzhou`]));
    assert.deepEqual(jobs.map((j) => [j.jobId, j.region, j.health]), [[JOB_SH, 'cn-shanghai', 'ok'], [JOB_HZ, 'cn-hangzhou', 'ok']]);
    const sts = emu.requests.filter((q) => q.endpoint === 'sts');
    assert.deepEqual(sts.map((q) => [q.action, q.accessKeyId, q.outcome]), [['AssumeRole', SOURCE.accessKeyId, 'ok']]);
    assert.ok(dtsCallers().every((id) => id === sts[0].issuedAccessKeyId), 'the issued key signs every DTS request');
  });

  it('--region wins over the profile\'s region_id', async () => {
    profiles([{ name: 'prod', mode: 'AK', ...keys(), region_id: 'cn-shanghai' }]);
    assert.deepEqual(jobsOf(await cli(['--region', 'cn-hangzhou', JOB_HZ])).map((j) => j.region), ['cn-hangzhou']);
  });

  it('ChainableRamRoleArn via --profile: the source profile\'s role key assumes the target role', async () => {
    await emu.setScenario(scenario({ roles: [{ arn: ROLE }, { arn: 'acs:ram::1234567890123456:role/base' }] }));
    profiles([
      { name: 'base', mode: 'RamRoleArn', ...keys(), ram_role_arn: 'acs:ram::1234567890123456:role/base', sts_endpoint: emu.url },
      { name: 'chain', mode: 'ChainableRamRoleArn', source_profile: 'base', ram_role_arn: ROLE, sts_endpoint: emu.url, region_id: 'cn-shanghai' },
    ]);
    jobsOf(await cli(['--profile', 'chain', JOB_SH]));
    const sts = emu.requests.filter((q) => q.endpoint === 'sts');
    assert.deepEqual(sts.map((q) => q.roleArn), ['acs:ram::1234567890123456:role/base', ROLE]);
    assert.equal(sts[1].accessKeyId, sts[0].issuedAccessKeyId);
  });

  it('CredentialsURI profile and ALIBABA_CLOUD_CREDENTIALS_URI', async () => {
    profiles([{ name: 'uri', mode: 'CredentialsURI', credentials_uri: `${emu.url}/credentials/dts-reader`, region_id: 'cn-shanghai' }]);
    jobsOf(await cli([JOB_SH]));
    rmSync(join(home, '.aliyun', 'config.json'));
    jobsOf(await cli([`${JOB_SH}@cn-shanghai`], { ALIBABA_CLOUD_CREDENTIALS_URI: `${emu.url}/credentials/dts-reader` }));
    assert.equal(emu.requests.filter((q) => q.endpoint === 'credentials-uri').length, 2);
  });

  it('EcsRamRole profile, with the metadata service played by the emulator (IMDSv2 token required)', async () => {
    profiles([{ name: 'ecs', mode: 'EcsRamRole', ram_role_name: 'dts-reader', region_id: 'cn-shanghai' }]);
    jobsOf(await cli([JOB_SH], { DTS_SYNC_ECS_METADATA_ENDPOINT: emu.url }));
    assert.deepEqual(emu.requests.filter((q) => q.endpoint === 'ecs-metadata').map((q) => q.action), ['EcsMetadataToken', 'EcsRoleCredentials']);
  });

  it('a role STS refuses: exit 2, one line naming the profile and the mode, no DTS request', async () => {
    profiles([{ name: 'prod', mode: 'RamRoleArn', ...keys(), ram_role_arn: 'acs:ram::1234567890123456:role/nope', sts_endpoint: emu.url }]);
    const r = await cli([JOB_SH]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^dts-sync-status: aliyun CLI profile "prod" \(RamRoleArn\): the STS endpoint \(127\.0\.0\.1:\d+\) refused: HTTP 404, Code EntityNotExist\.Role, RequestId [^\n]+\n$/);
    assert.deepEqual(dtsCallers(), []);
  });

  it('an STS that hangs: exit 2 within the --timeout, naming the profile and the mode', async () => {
    await emu.setScenario(scenario({ faults: [{ kind: 'hang', endpoint: 'sts' }] as Scenario['faults'] }));
    profiles([{ name: 'prod', mode: 'RamRoleArn', ...keys(), ram_role_arn: ROLE, sts_endpoint: emu.url }]);
    const r = await cli(['--timeout', '1', JOB_SH]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^dts-sync-status: aliyun CLI profile "prod" \(RamRoleArn\): the STS endpoint \(127\.0\.0\.1:\d+\) did not answer within 1 s\n$/);
  });
});

function keys(): Record<string, string> {
  return { access_key_id: SOURCE.accessKeyId, access_key_secret: SOURCE.accessKeySecret };
}
