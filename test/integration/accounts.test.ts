/**
 * Accounts side by side in a real extension host: jobs that name an account are queried with that account's key, a
 * rejected key stales only its own jobs (the error row names the account), and an account can be a profile of the
 * aliyun CLI with no SecretStorage entry. Each test sets up its keys, settings and emulator scenario.
 */
import * as assert from 'node:assert/strict';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { TestApi } from '../../src/extension';
import { startEmulator, type Emulator } from '../emulator/server';
import type { Scenario } from '../emulator/scenario';
import { activateExtension, configure, KEY, rows, SCENARIO, waitFor } from './support';

const PROD = { accessKeyId: 'LTAI5tIntegrationProd2', accessKeySecret: 'integration-prod-secret-2288' };
const STAGING = { accessKeyId: 'LTAI5tIntegrationStg03', accessKeySecret: 'integration-staging-secret-3399' };
const WORLD: Scenario = { ...SCENARIO, accessKeys: [KEY, PROD, STAGING] };

describe('Accounts side by side in a real extension host', function () {
  this.timeout(60_000);
  let api: TestApi;
  let emulator: Emulator;
  const home = process.env['HOME'] ?? '';
  const aliyunDir = join(home, '.aliyun');

  async function clearKeys(): Promise<void> {
    for (const name of await api.secrets.accounts()) {
      await api.secrets.clear(name);
    }
  }

  /** Jobs set, each with a fresh status from a manual refresh. */
  async function watch(jobs: unknown[]): Promise<void> {
    await configure({ endpoint: emulator.url, refreshIntervalSeconds: 0, requestTimeoutSeconds: 1, notifyOnFailure: false, jobs });
    await waitFor('the settings to apply', () => api.store.state.jobs.length === jobs.length);
    await vscode.commands.executeCommand('dtsSync.refresh');
    await waitFor('every job to have a fresh status', () => api.store.state.jobs.every((j) => j.status !== undefined && !j.stale));
  }

  before(async () => {
    assert.ok(home.includes('dts-it-home-'), `the runner gives the extension host a private HOME, not ${home}`);
    emulator = await startEmulator({ scenario: WORLD });
    api = await activateExtension();
  });

  beforeEach(async () => {
    emulator.setScenario(WORLD);
    await clearKeys();
    await rm(aliyunDir, { recursive: true, force: true });
    emulator.clearRequests();
  });

  after(async () => {
    await clearKeys();
    await rm(aliyunDir, { recursive: true, force: true });
    await configure({ endpoint: undefined, refreshIntervalSeconds: undefined, requestTimeoutSeconds: undefined, notifyOnFailure: undefined, jobs: undefined });
    await emulator?.close();
  });

  it('groups jobs by account, queries each with its own key, and a rejected key stales only its own jobs', async () => {
    await api.secrets.store(KEY);
    await api.secrets.store(PROD, 'prod');
    await watch([
      { id: 'dtsok0000000001', name: 'orders' },
      { id: 'dtstwoway000001', account: 'prod' },
      { id: 'dtslag000000001', account: 'prod', name: 'billing' },
    ]);
    assert.deepEqual(
      rows(api).map((r) => [r.label, r.description, r.contextValue]),
      [
        ['default', '1 job · Healthy', 'account.stored'],
        ['prod', '2 jobs · Needs attention', 'account.stored'],
      ],
    );
    const signedWith = (id: string): (string | undefined)[] => [...new Set(emulator.requests.filter((q) => q.jobIds?.includes(id)).map((q) => q.accessKeyId))];
    assert.deepEqual(signedWith('dtsok0000000001'), [KEY.accessKeyId]);
    assert.deepEqual(signedWith('dtstwoway000001'), [PROD.accessKeyId]);

    // prod's key is deleted in the console: DTS answers InvalidAccessKeyId.NotFound for it, and only for it.
    emulator.setScenario({ ...WORLD, accessKeys: [KEY, STAGING] });
    await vscode.commands.executeCommand('dtsSync.refresh');
    const [errorRow, defaultRow, prodRow] = rows(api);
    assert.equal(errorRow.label, 'Refresh failed');
    assert.match(errorRow.description, /^Account prod: The AccessKey was rejected/);
    assert.deepEqual([defaultRow.label, defaultRow.description, defaultRow.icon], ['default', '1 job · Healthy', 'pass']);
    assert.deepEqual([prodRow.label, prodRow.description, prodRow.icon], ['prod', '2 jobs · AccessKey rejected', 'error']);
    const [defaultNode, prodNode] = api.tree.getChildren().filter((n) => n.kind === 'account');
    const [orders] = rows(api, defaultNode);
    assert.match(orders.description, /^Synchronizing · \d+ s behind$/, 'the other account’s job is fresh');
    for (const job of rows(api, prodNode)) {
      assert.match(job.description, / · stale, /, `${job.label} keeps its last status, marked stale`);
    }
    assert.match(api.treeView.message ?? '', /^Refresh failed: Account prod: The AccessKey was rejected/);
    assert.equal(api.statusBar.item.text, '$(warning) DTS: 2 need attention', 'the status bar counts every account’s jobs');
    const prodJob = api.tree.getChildren(prodNode)[0];
    const tooltip = api.tree.resolveTreeItem(api.tree.getTreeItem(prodJob), prodJob).tooltip as vscode.MarkdownString;
    assert.match(tooltip.value, /Account: prod/);
    assert.match(tooltip.value, /Credentials: VS Code SecretStorage \\\(account prod\\\)/);
  });

  it('reads an account from an aliyun CLI profile, with no SecretStorage entry, next to the stored default key', async () => {
    await mkdir(aliyunDir, { recursive: true });
    await writeFile(
      join(aliyunDir, 'config.json'),
      JSON.stringify({
        current: 'default',
        profiles: [{ name: 'staging', mode: 'AK', access_key_id: STAGING.accessKeyId, access_key_secret: STAGING.accessKeySecret, region_id: 'cn-hangzhou' }],
      }),
      { mode: 0o600 },
    );
    await api.secrets.store(KEY);
    await watch(['dtsok0000000001', { id: 'dtsfail00000001', account: 'staging' }]);
    assert.deepEqual(await api.secrets.accounts(), ['default'], 'the profile account stored nothing');
    const [, stagingRow] = rows(api);
    assert.deepEqual([stagingRow.label, stagingRow.description, stagingRow.contextValue], ['staging', '1 job · Failed', 'account']);
    assert.deepEqual(
      [...new Set(emulator.requests.filter((q) => q.jobIds?.includes('dtsfail00000001')).map((q) => q.accessKeyId))],
      [STAGING.accessKeyId],
    );
    const staging = api.controller.accounts.find((a) => a.name === 'staging');
    assert.equal(staging?.state.kind, 'found');
    assert.match(staging?.state.kind === 'found' ? staging.state.resolved.source : '', /staging/);
  });

  it('renews an expired role session while it runs: the next refresh assumes the role again and the jobs stay fresh', async () => {
    const role = 'acs:ram::1234567890123456:role/dts-reader';
    // Keys that really live 2 s: the second refresh can only succeed with a renewed session.
    emulator.setScenario({ ...WORLD, roles: [{ arn: role, sourceAccessKeyIds: [STAGING.accessKeyId], lifetimeSeconds: 2 }] });
    await mkdir(aliyunDir, { recursive: true });
    await writeFile(
      join(aliyunDir, 'config.json'),
      JSON.stringify({
        current: 'default',
        profiles: [
          { name: 'reader', mode: 'RamRoleArn', access_key_id: STAGING.accessKeyId, access_key_secret: STAGING.accessKeySecret, ram_role_arn: role, sts_endpoint: emulator.url, region_id: 'cn-hangzhou' },
        ],
      }),
      { mode: 0o600 },
    );
    await watch([{ id: 'dtsok0000000001', account: 'reader' }]);
    await new Promise((resolve) => setTimeout(resolve, 2500));
    await vscode.commands.executeCommand('dtsSync.refresh');
    const [row] = rows(api);
    assert.match(row.description, /^Synchronizing · \d+ s behind$/, 'fresh after the first session expired');
    const dts = emulator.requests.filter((q) => q.endpoint === 'dts');
    const signers = [...new Set(dts.map((q) => q.accessKeyId))];
    assert.ok(dts.every((q) => q.outcome === 'ok'), dts.map((q) => q.outcome).join(', '));
    assert.equal(signers.length, 2, `two STS sessions signed the requests: ${signers.join(', ')}`);
    assert.ok(signers.every((id) => id?.startsWith('STS.')));
    assert.equal(emulator.requests.filter((q) => q.endpoint === 'sts' && q.outcome === 'ok').length, 2);
  });

  it('shows the "Set AccessKey…" welcome only while no account in use has credentials', async () => {
    await configure({ endpoint: emulator.url, refreshIntervalSeconds: 0, jobs: [{ id: 'dtsok0000000001', account: 'nobody' }] });
    await waitFor('no account with credentials', () => api.store.state.jobs.length === 1 && api.store.state.accounts.every((a) => a.source === undefined) && api.store.state.accounts.some((a) => a.name === 'nobody'));
    assert.deepEqual(api.tree.getChildren(), []);
    await api.secrets.store(PROD, 'nobody');
    await waitFor('the stored key to be in use', () => api.store.state.credentialsSource !== undefined);
    await vscode.commands.executeCommand('dtsSync.refresh');
    await waitFor('the job to be answered', () => api.store.state.jobs[0]?.status !== undefined);
    assert.deepEqual(rows(api).map((r) => r.label), ['dtsok0000000001'], 'one account in use: the tree is flat');
  });
});
