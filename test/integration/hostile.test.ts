/**
 * What a user sees in a real extension host when the endpoint or the settings are hostile: rows as plain text, an
 * error row without the key, and signed requests refused rather than sent in cleartext. Sets up everything it needs.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { TestApi } from '../../src/extension';
import { startEmulator, type Emulator } from '../emulator/server';
import type { Scenario } from '../emulator/scenario';
import { activateExtension, configure, KEY, rows, waitFor, type Row } from './support';

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;
const ESCAPING = 'dtsescape0000001';
const PROTO = 'dtsproto00000001';

const HOSTILE: Scenario = {
  accessKeys: [KEY],
  jobs: [
    { id: ESCAPING, region: 'cn-hangzhou', directions: [{ direction: 'Forward', status: 'Synchronizing\u001b]0;pwned\u0007\r\n[error] forged\u001b[2J', lagSeconds: 3 }] },
    { id: PROTO, region: 'cn-hangzhou', directions: [{ direction: 'Forward', status: 'constructor', lagSeconds: 3 }] },
  ],
  faults: [],
};

function assertPlain(row: Row): void {
  assert.ok(!CONTROL.test(row.label), `label ${JSON.stringify(row.label)}`);
  assert.ok(!CONTROL.test(row.description), `description ${JSON.stringify(row.description)}`);
}

describe('hostile answers and settings in a real extension host', function () {
  this.timeout(60_000);
  let api: TestApi;
  let emulator: Emulator;

  before(async () => {
    emulator = await startEmulator({ scenario: HOSTILE });
    api = await activateExtension();
    await api.secrets.store(KEY);
    await configure({ endpoint: emulator.url, refreshIntervalSeconds: 0, requestTimeoutSeconds: 2, notifyOnFailure: false, jobs: [ESCAPING, PROTO] });
    await waitFor('the hostile jobs to be listed', () => api.store.state.jobs.length === 2 && api.store.state.credentialsSource !== undefined);
  });

  after(async () => {
    await api?.secrets.clear();
    await configure({ endpoint: undefined, refreshIntervalSeconds: undefined, requestTimeoutSeconds: undefined, notifyOnFailure: undefined, jobs: undefined });
    await emulator?.close();
  });

  it('shows escape sequences and newlines in a status as plain text, and "constructor" as an unknown status', async () => {
    emulator.setScenario(HOSTILE);
    await vscode.commands.executeCommand('dtsSync.refresh');
    const [escaping, proto] = rows(api);
    for (const row of rows(api)) {
      assertPlain(row);
    }
    assert.equal(escaping.description, 'Synchronizing ]0;pwned [error] forged [2J · 3 s behind');
    assert.equal(proto.description.split(' · ')[0], 'constructor');
    assert.equal(proto.icon, 'question');
    const first = api.tree.getChildren()[0];
    const tooltip = (api.tree.resolveTreeItem(api.tree.getTreeItem(first), first).tooltip as vscode.MarkdownString).value;
    assert.ok(!/[\u0000-\u0009\u000b-\u001f]/.test(tooltip), tooltip); // eslint-disable-line no-control-regex
  });

  it('shows a DTS error that echoes the AccessKey as an error row with the key masked and the secret nowhere', async () => {
    const echo = `denied for AccessKeyId=${KEY.accessKeyId}&Signature=c2lnbmF0dXJl&secret=${KEY.accessKeySecret}\u001b[2J`;
    emulator.setScenario({ ...HOSTILE, faults: [{ kind: 'dts-error', errCode: 'InvalidParameter', errMessage: echo }] });
    await vscode.commands.executeCommand('dtsSync.refresh');
    const [errorRow] = rows(api);
    assert.equal(errorRow.label, 'Refresh failed');
    assertPlain(errorRow);
    const seen = [errorRow.description, api.treeView.message ?? '', String((api.statusBar.item.tooltip as vscode.MarkdownString).value)];
    for (const text of seen) {
      assert.ok(!text.includes(KEY.accessKeySecret), text);
      assert.ok(!text.includes(KEY.accessKeyId), text);
      assert.ok(!text.includes('c2lnbmF0dXJl'), text);
    }
    assert.match(errorRow.description, /InvalidParameter denied for AccessKeyId=LTAI\*\*\*\*0001&Signature=\[redacted\]/);
    assert.match(api.treeView.message ?? '', /Showing the last known statuses/);
  });

  it('refuses a plain-http endpoint on another machine as an error row, sending nothing', async () => {
    emulator.setScenario(HOSTILE);
    emulator.clearRequests();
    await configure({ endpoint: 'http://192.0.2.10:8765' });
    await waitFor('the endpoint change to apply', () => api.store.state.settingsProblems.some((p) => p.includes('cleartext')));
    await vscode.commands.executeCommand('dtsSync.refresh');
    const [errorRow] = rows(api);
    assert.equal(errorRow.label, 'Refresh failed');
    assert.match(errorRow.description, /uses plain http:\/\/ to a host that is not this machine/);
    assert.equal(emulator.requests.length, 0);
    await configure({ endpoint: emulator.url });
  });
});
