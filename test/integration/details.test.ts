/**
 * The details panel in a real extension host, against the demo scenario: Show Job Details opens one webview per job
 * with the error, the precheck items and the lag chart, reveals the open one instead of opening a second, follows
 * refreshes, and goes away when the job is removed.
 */
import * as assert from 'node:assert/strict';
import { resolve } from 'node:path';
import * as vscode from 'vscode';
import type { TestApi } from '../../src/extension';
import type { DetailsPanel } from '../../src/vscode/detailsPanel';
import { loadScenario } from '../emulator/scenario';
import { startEmulator, type Emulator } from '../emulator/server';
import { activateExtension, configure, jobNode, waitFor } from './support';

const DEMO = loadScenario(resolve(__dirname, '../../../test/emulator/demo.json'));
const DEMO_KEY = DEMO.accessKeys[0];
/** users-to-search: failed with DTS-070211; crm-to-warehouse: failed its precheck. */
const FAILED = 'dtsf8r2t6y1u5i9o3p';
const PRECHECK = 'dtsq1w9e3r5t7y2u4i';

describe('Details panel in a real extension host', function () {
  this.timeout(60_000);
  let api: TestApi;
  let emulator: Emulator;

  async function showDetails(arg: unknown): Promise<DetailsPanel> {
    const panel = await vscode.commands.executeCommand<DetailsPanel | undefined>('dtsSync.showDetails', arg);
    assert.ok(panel, 'Show Job Details returns its panel');
    return panel;
  }

  before(async () => {
    emulator = await startEmulator({ scenario: DEMO });
    api = await activateExtension();
    await api.secrets.store(DEMO_KEY);
    await configure({ endpoint: emulator.url, refreshIntervalSeconds: 0, requestTimeoutSeconds: 2, notifyOnFailure: false, jobs: [FAILED, PRECHECK] });
    await waitFor('the settings to apply', () => api.store.state.jobs.length === 2);
    await vscode.commands.executeCommand('dtsSync.refresh');
    await waitFor('both jobs’ details', () => api.store.state.jobs.every((j) => j.details?.has('Forward')), 20_000);
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await api?.secrets.clear();
    await configure({ endpoint: undefined, refreshIntervalSeconds: undefined, requestTimeoutSeconds: undefined, notifyOnFailure: undefined, jobs: undefined });
    await emulator?.close();
  });

  it('shows the failed job’s error code, its whole message with Copy, and a lag chart', async () => {
    const panel = await showDetails(jobNode(api, FAILED));
    const html = panel.html;
    assert.equal(panel.panel.title, 'DTS: users-to-search');
    assert.match(html, /<pre class="message"[^>]*>DTS-070211: Connect Source DB failed\. cause by \[com\.mysql/);
    assert.match(html, /<button type="button" class="copy" data-copy="0"/);
    assert.match(html, /<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" class="lag-chart"[^>]*role="img"/);
    assert.match(html, /<line class="warn-line"/);
    assert.match(html, /class="lag-(dot|line) series-0"/, 'the refresh’s lag sample is drawn');
    assert.match(html, /MySQL.*rm-bp13e5r7t9y1u3i5o.*Elasticsearch/s);
    assert.equal(panel.model?.directions[0].error?.startsWith('DTS-070211'), true);
  });

  it('writes a strict Content-Security-Policy with a nonce and loads only its own script and stylesheet', async () => {
    const panel = await showDetails(`${FAILED}@cn-hangzhou`);
    const html = panel.html;
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]*)">/.exec(html)?.[1] ?? '';
    const source = panel.panel.webview.cspSource;
    const nonceSource = /script-src ('nonce-[A-Za-z0-9+/=]{16,}');/.exec(csp)?.[1];
    assert.equal(csp, `default-src 'none'; style-src ${source}; script-src ${nonceSource}; img-src ${source} data:`);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
    const nonce = /'nonce-([^']+)'/.exec(csp)?.[1];
    assert.equal(/'nonce-([^']+)'/.exec(panel.html)?.[1], nonce, 'one nonce for the page it was given');
    const scripts = [...html.matchAll(/<script([^>]*)>/g)].map((m) => m[1]);
    assert.deepEqual(scripts.length, 1);
    assert.ok(scripts[0].includes(`nonce="${nonce}"`) && /src="[^"]*dist\/webview\/details\.js"/.test(scripts[0]));
    assert.doesNotMatch(html, /<style|style="/, 'no inline styles');
    const loaded = [...html.matchAll(/\b(?:src|href)="([^"]*)"/g)].map((m) => m[1]);
    assert.equal(loaded.length, 2);
    assert.ok(loaded.every((url) => /\/dist\/webview\/details\.(css|js)$/.test(url)), `only the panel's own assets: ${loaded.join(', ')}`);
  });

  it('lists the precheck items, failed ones first, with their repair method', async () => {
    const panel = await showDetails(jobNode(api, PRECHECK));
    const html = panel.html;
    const auth = html.indexOf('CHECK_AUTH_SRC');
    const binlog = html.indexOf('CHECK_BINLOG_FORMAT');
    const conn = html.indexOf('CHECK_CONN_SRC');
    assert.ok(auth > 0 && binlog > auth && conn > binlog, 'failed items before passed ones');
    assert.match(html, /Repair: Set binlog_format=ROW on the source database/);
    assert.match(html, /Access denied for user &#39;dts_sync&#39;/);
  });

  it('reveals the open panel instead of opening a second one, and follows refreshes', async () => {
    const first = await showDetails(jobNode(api, FAILED));
    const again = await showDetails(FAILED);
    assert.equal(again, first, 'one panel per job');
    const labels = (): string[] => vscode.window.tabGroups.all.flatMap((g) => g.tabs.map((t) => t.label)).filter((l) => l.includes('users-to-search'));
    await waitFor('the panel’s tab', () => labels().length > 0);
    assert.deepEqual(labels(), ['DTS: users-to-search'], 'one tab for the job');
    const updates = first.updates;
    const before = api.store.state.jobs.find((j) => j.spec.id === FAILED)?.fetchedAt?.getTime();
    await new Promise((r) => setTimeout(r, 1100));
    await vscode.commands.executeCommand('dtsSync.refresh');
    await waitFor('a newer status', () => (api.store.state.jobs.find((j) => j.spec.id === FAILED)?.fetchedAt?.getTime() ?? 0) > (before ?? 0));
    await waitFor('the panel to be updated', () => first.updates > updates);
  });

  it('Copy puts the whole error message on the clipboard (the extension’s text, not the page’s)', async () => {
    const panel = await showDetails(jobNode(api, FAILED));
    await vscode.env.clipboard.writeText('');
    // What the page's Copy button posts; a forged index is ignored.
    await panel.receive({ type: 'copy', index: 7 });
    assert.equal(await vscode.env.clipboard.readText(), '');
    await panel.receive({ type: 'copy', index: 0 });
    assert.match(await vscode.env.clipboard.readText(), /^DTS-070211: Connect Source DB failed\. cause by/);
  });

  it('closes the panel when its job is removed from dtsSync.jobs', async () => {
    const panel = await showDetails(jobNode(api, PRECHECK));
    let closed = false;
    panel.panel.onDidDispose(() => (closed = true));
    await configure({ jobs: [FAILED] });
    await waitFor('the panel to close', () => closed);
    await configure({ jobs: [FAILED, PRECHECK] });
  });

  it('comes back after a window reload showing its job (the state the page saved); a panel whose job is gone closes', async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    const spec = api.store.state.jobs.find((j) => j.spec.id === FAILED)?.spec;
    assert.ok(spec);
    await waitFor('no panel open for the job', () => api.details.get(spec) === undefined);
    const key = `${spec.id}@${spec.region}`;
    const create = (): vscode.WebviewPanel => vscode.window.createWebviewPanel('dtsSync.details', 'restored', vscode.ViewColumn.Active, {});
    const restored = api.details.restore(create(), { job: key, sections: {}, scrollY: 0 });
    assert.ok(restored, 'the panel shows its job again');
    assert.equal(api.details.get(spec), restored);
    assert.match(restored.html, /DTS-070211/);
    assert.equal(restored.panel.webview.options.enableScripts, true);
    for (const state of [{ job: 'dtsnotwatched0001@cn-hangzhou' }, { job: { toString: () => key } }, { __proto__: { job: key } }, undefined, 'x']) {
      const panel = create();
      let closed = false;
      panel.onDidDispose(() => (closed = true));
      assert.equal(api.details.restore(panel, state), undefined, JSON.stringify(state));
      assert.ok(closed, 'a panel with nothing to show is closed');
    }
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });
});
