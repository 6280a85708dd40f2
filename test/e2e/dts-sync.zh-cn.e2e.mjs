// The packaged extension in code-server whose display language is Simplified Chinese (zh-cn): what a person who
// works in Chinese sees in the tree, the status bar and the tooltips. Run through test/e2e/run.mjs, which starts
// code-server with --locale zh-cn and the demo's jobs and key (the world of `npm start`) and fills `e2e.zhCn`.
// Screenshots: test-results/e2e/zh-cn-*.png.
import assert from 'node:assert/strict';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { e2e } from './context.mjs';
import { demoFailedJobCount, ROOT } from './environment.mjs';
import {
  clearToasts, describeScreen, jobsFromRows, openDtsView, openWorkbench, readRows, rowByLabel, runCommand, SEL, setSidebarWidth, statusText,
  waitForQuickInput, waitUntil,
} from './workbench.mjs';

const HAN = /\p{Script=Han}/u;

/** A row's description starts with its status in the DTS console's words, then the lag ("延迟 15 分钟"). */
const SAYS = {
  synchronizing: /^同步中 · 延迟 /,
  paused: /^已暂停 · 延迟 /,
  failed: /^同步失败 · 延迟 /,
};
/** The status bar with the demo's failed jobs, as a person reads it. */
const FAILED = demoFailedJobCount();
const STATUS_BAR_FAILED = `DTS：${FAILED} 个失败`;

/** A manifest string as VS Code shows it in zh-cn: its %key% looked up in package.nls.zh-cn.json. */
function inChinese(value, nls, what) {
  const key = /^%(.+)%$/.exec(value)?.[1];
  assert.ok(key, `${what} is "${value}", not a %key% of package.nls.json`);
  assert.ok(typeof nls[key] === 'string', `package.nls.zh-cn.json has no "${key}" (${what})`);
  assert.match(nls[key], HAN, `package.nls.zh-cn.json "${key}" is not Chinese: ${nls[key]}`);
  return nls[key];
}

/** The text of the hover (tooltip) on screen, or '' when none is shown. */
async function hoverText(page) {
  const hover = page.locator('.workbench-hover, .monaco-hover').filter({ hasText: /\S/ });
  return (await hover.count()) > 0 && (await hover.first().isVisible()) ? (await hover.first().innerText()).trim() : '';
}

/** Moves the pointer onto `locator` and waits for its tooltip to show text that passes `accept`. */
async function hover(page, locator, what, accept) {
  await page.mouse.move(0, 0); // off anything, so the hover below is a fresh one
  await waitUntil('no tooltip on screen', () => hoverText(page), (t) => t === '', { timeoutMs: 5_000 });
  await locator.hover();
  return waitUntil(`the tooltip of ${what}`, () => hoverText(page), (t) => t !== '' && accept(t), { timeoutMs: 15_000 });
}

describe('DTS Sync Status in Simplified Chinese (code-server --locale zh-cn, packaged .vsix)', function () {
  /** @type {import('playwright-core').Page} */
  let page;
  let jobs;
  let titles;
  const byStatus = (status) => jobs.find((j) => j.directions.some((d) => d.status === status));
  const shot = async (name) => {
    await mkdir(e2e.resultsDir, { recursive: true });
    const path = join(e2e.resultsDir, `zh-cn-${name}.png`);
    await page.screenshot({ path });
    return path;
  };

  before(async function () {
    assert.ok(e2e.zhCn?.page, 'run through test/e2e/run.mjs');
    ({ page } = e2e.zhCn);
    jobs = e2e.zhCn.scenario.jobs;
    const manifest = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8'));
    const nls = JSON.parse(await readFile(join(ROOT, 'package.nls.zh-cn.json'), 'utf8'));
    titles = {
      container: inChinese(manifest.contributes.viewsContainers.activitybar[0].title, nls, 'the view container title'),
      view: inChinese(manifest.contributes.views.dtsSync[0].name, nls, 'the view name'),
    };
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed') {
      const path = await shot('failed').catch(() => '(no screenshot)');
      console.error(`    screenshot of the failure: ${path}`);
      console.error(`    on screen: ${JSON.stringify(await describeScreen(page), null, 2).replace(/\n/g, '\n    ')}`);
    }
  });

  it('loads the workbench; the activity bar names the DTS Sync container in Chinese', async function () {
    this.timeout(120_000);
    e2e.timings.zhCnPageLoadSeconds = await openWorkbench(page, e2e.zhCn.workbenchUrl, { containerTitle: titles.container });
  });

  it('opens the view: its title, the jobs\' statuses and the directions are in Chinese', async function () {
    await openDtsView(page, { containerTitle: titles.container });
    const title = await page.locator(SEL.sidebarTitle).innerText();
    assert.ok(title.toUpperCase().includes(titles.view.toUpperCase()), `the sidebar title "${title}" names the view "${titles.view}"`);
    // Wide enough to read the descriptions in full.
    await setSidebarWidth(page, 560);
    // Every demo job in Chinese, and these three with the words of their statuses (not a "waiting" placeholder).
    const expected = new Map(jobs.map((j) => [j.name, HAN]));
    expected.set(byStatus('Synchronizing').name, SAYS.synchronizing);
    expected.set(byStatus('Suspending').name, SAYS.paused);
    expected.set(byStatus('Failed').name, SAYS.failed);
    const rows = await waitUntil(
      `the ${expected.size} demo jobs, ${[...expected].map(([name, words]) => `${name} ${words}`).join(', ')}`,
      async () => jobsFromRows(await readRows(page)),
      (list) => [...expected].every(([name, words]) => list.some((j) => j.label === name && words.test(j.description))),
      { timeoutMs: 30_000 },
    );
    const twoWay = rows.find((r) => r.label === jobs.find((j) => j.directions.length === 2).name);
    assert.deepEqual(twoWay.directions.map((d) => d.label), ['正向', '反向'], 'Forward and Reverse');
    for (const direction of twoWay.directions) assert.match(direction.description, SAYS.synchronizing);
  });

  it('the status bar warns about the failed job in Chinese', async function () {
    await waitUntil(`the status bar item to read ${STATUS_BAR_FAILED}`, () => statusText(page), (t) => t === STATUS_BAR_FAILED);
  });

  it('a job\'s tooltip is in Chinese (screenshot of the tree, the status bar and the tooltip)', async function () {
    const failed = byStatus('Failed');
    // The failure notification hides itself after a while: closed first, so every screenshot shows the same.
    await clearToasts(page);
    const text = await hover(page, rowByLabel(page, failed.name), failed.name, (t) => t.includes(failed.id));
    assert.ok(text.includes(`ID：${failed.id} · 地域：${failed.region}`), `tooltip names the job and its region: ${text}`);
    assert.match(text, /^正向\s.*\s失败\s/m, `tooltip's table: the Forward direction, health failed: ${text}`);
    assert.match(text, /凭证：/, `tooltip says where the AccessKey came from: ${text}`);
    await shot('tree');
  });

  it('the status bar\'s tooltip is in Chinese', async function () {
    const failed = byStatus('Failed');
    const text = await hover(page, page.locator(SEL.statusItem), 'the status bar item', (t) => t.includes(failed.name));
    assert.match(text, new RegExp(`${FAILED} 个失败`), `tooltip counts the failed jobs: ${text}`);
    assert.match(text, new RegExp(`${failed.name}\\s*[:：]\\s*同步失败`), `tooltip names the failed job: ${text}`);
    await shot('status-bar');
  });

  it('a click on the failed job opens its details panel in Chinese, with the error and the lag chart', async function () {
    this.timeout(60_000);
    const failed = byStatus('Failed');
    await clearToasts(page);
    await rowByLabel(page, failed.name).click();
    const frame = page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
    await waitUntil('the details panel', () => frame.locator('h1').innerText({ timeout: 2_000 }), (t) => t.includes(failed.name), { timeoutMs: 30_000 });
    const headings = await frame.locator('h2').allInnerTexts();
    assert.ok(headings.includes('方向') && headings.includes('问题') && headings.includes('延迟变化'), `the panel's headings are Chinese: ${headings.join(' | ')}`);
    assert.match(await frame.locator('pre.message').first().innerText(), /^DTS-\d+/, 'the error message as DTS sent it');
    assert.equal(await frame.locator('svg.lag-chart').count(), 1);
    assert.match(await frame.locator('button.copy').first().innerText(), HAN, 'Copy is in Chinese');
    await shot('details');
    await runCommand(page, 'View: Close All Editors');
  });

  it('Add Job names the regions in Chinese, the regions in use first', async function () {
    const nls = JSON.parse(await readFile(join(ROOT, 'package.nls.zh-cn.json'), 'utf8'));
    await runCommand(page, `${nls['command.category']}: ${nls['command.addJob.title']}`);
    await waitForQuickInput(page, '添加');
    const labels = await waitUntil(
      'the region list',
      () => page.locator(`${SEL.quickInputRows} .label-name`).allInnerTexts(),
      (l) => l.some((t) => t.includes('华东1（杭州）')),
    );
    assert.ok(labels.some((t) => t.includes('华东2（上海）')), labels.join(' | '));
    assert.ok(labels.some((t) => t.includes('新加坡')), labels.join(' | '));
    await shot('add-job-region');
    await page.keyboard.press('Escape');
  });
});
