// What a person does in the VS Code web workbench (code-server), as Playwright steps, and what they see, as text.
// Selectors: see /work/shared/reference/code-server.md ("Selectors that held").
/* global document */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export const CONTAINER_TITLE = 'DTS Sync';
export const STATUS_ITEM_ID = 'dts-tools.dts-sync-status.dtsSync.status';

/** The activity-bar entry of the view container titled `title` (its aria-label starts with the title). */
export const activityEntry = (title = CONTAINER_TITLE) => `.activitybar .action-item a[aria-label^="${title}"]`;

export const SEL = {
  workbench: '.monaco-workbench',
  activityEntry: activityEntry(),
  explorerEntry: '.activitybar .action-item a[aria-label^="Explorer"]',
  sidebar: '[id="workbench.parts.sidebar"]',
  editorPart: '[id="workbench.parts.editor"]',
  sidebarTitle: '[id="workbench.parts.sidebar"] .composite.title',
  rows: '[id="workbench.parts.sidebar"] .pane-body .monaco-list-row',
  welcome: '[id="workbench.parts.sidebar"] .welcome-view-content',
  statusItem: `[id="${STATUS_ITEM_ID}"]`,
  quickInput: '.quick-input-widget',
  quickInputBox: '.quick-input-widget .quick-input-box input',
  quickInputTitle: '.quick-input-widget .quick-input-title',
  quickInputRows: '.quick-input-widget .quick-input-list .monaco-list-row',
  notifications: '.notifications-toasts .notification-toast',
};

/** Polls `read` until `accept(value)` holds; the timeout error shows the last value seen. */
export async function waitUntil(what, read, accept, { timeoutMs = 20_000, intervalMs = 150 } = {}) {
  const deadline = Date.now() + timeoutMs;
  let last;
  let lastError;
  for (;;) {
    try {
      last = await read();
      lastError = undefined;
      if (accept(last)) return last;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      const seen = lastError ? `error: ${lastError.message}` : JSON.stringify(last, null, 2);
      throw new Error(`Timed out after ${timeoutMs / 1000}s waiting for ${what}; last seen: ${seen}`);
    }
    await sleep(intervalMs);
  }
}

/** Numbered screenshots NN-name.png, one per step, in `dir`. */
export function screenshotter(page, dir) {
  let n = 0;
  const taken = [];
  const shot = async (name) => {
    await mkdir(dir, { recursive: true });
    n += 1;
    const path = join(dir, `${String(n).padStart(2, '0')}-${name}.png`);
    await page.screenshot({ path });
    taken.push(path);
    return path;
  };
  shot.taken = taken;
  return shot;
}

/**
 * Loads the workbench and resolves once the activity bar shows the DTS Sync entry (titled `containerTitle`, which
 * differs in another display language); returns the seconds it took.
 */
export async function openWorkbench(page, url, { timeoutMs = 90_000, containerTitle = CONTAINER_TITLE } = {}) {
  const started = performance.now();
  await page.goto(url, { waitUntil: 'domcontentloaded', timeout: timeoutMs });
  await page.locator(SEL.workbench).waitFor({ state: 'visible', timeout: timeoutMs });
  await page.locator(activityEntry(containerTitle)).waitFor({ state: 'visible', timeout: timeoutMs });
  return (performance.now() - started) / 1000;
}

async function isActive(page, entrySelector) {
  const checked = await page
    .locator(entrySelector)
    .evaluate((a) => a.closest('.action-item')?.classList.contains('checked') ?? false);
  return checked && (await page.locator(SEL.sidebar).isVisible());
}

/** The sidebar's title names the container (the workbench shows it in capitals). */
const namesContainer = (text, title) => text.toUpperCase().includes(title.toUpperCase());

/** Shows the DTS Sync view container; clicking its entry when it is already active would close it, so look first. */
export async function openDtsView(page, { containerTitle = CONTAINER_TITLE } = {}) {
  const entry = activityEntry(containerTitle);
  if (!(await isActive(page, entry))) {
    await page.locator(entry).click();
  }
  await waitUntil(`the ${containerTitle} view to be shown`, () => isActive(page, entry), Boolean);
  await waitUntil(`the sidebar title to name ${containerTitle}`, () => page.locator(SEL.sidebarTitle).innerText(), (t) =>
    namesContainer(t, containerTitle),
  );
}

export async function dtsViewVisible(page, { containerTitle = CONTAINER_TITLE } = {}) {
  return (await isActive(page, activityEntry(containerTitle))) &&
    namesContainer(await page.locator(SEL.sidebarTitle).innerText(), containerTitle);
}

/** Shows the Explorer instead (to leave the DTS view). */
export async function openExplorer(page) {
  if (!(await isActive(page, SEL.explorerEntry))) {
    await page.locator(SEL.explorerEntry).click();
  }
  await waitUntil('the Explorer to be shown', () => isActive(page, SEL.explorerEntry), Boolean);
}

/** The tree rows of the sidebar as the user reads them. */
export async function readRows(page) {
  return page.locator(SEL.rows).evaluateAll((rows) =>
    rows.map((row) => ({
      label: row.querySelector('.label-name')?.textContent?.trim() ?? '',
      description: row.querySelector('.label-description')?.textContent?.trim() ?? '',
      level: Number(row.getAttribute('aria-level') ?? 0),
      expanded: row.getAttribute('aria-expanded'),
      icon: [...(row.querySelector('.custom-view-tree-node-item-icon, .codicon')?.classList ?? [])]
        .filter((c) => c.startsWith('codicon-'))
        .join(' '),
    })),
  );
}

/** The job rows (level 1) with their direction rows (level 2) under them. */
export function jobsFromRows(rows) {
  const jobs = [];
  for (const row of rows) {
    if (row.level <= 1) jobs.push({ ...row, directions: [] });
    else jobs.at(-1)?.directions.push(row);
  }
  return jobs;
}

/** Waits until the tree holds a job row `label` whose description matches `description`; returns that job. */
export async function waitForJob(page, label, description, options) {
  const jobs = await waitUntil(
    `job row "${label}" with description ${description}`,
    async () => jobsFromRows(await readRows(page)),
    (list) => list.some((j) => j.label === label && description.test(j.description)),
    options,
  );
  return jobs.find((j) => j.label === label);
}

/** The tree row whose label is exactly `label`. */
export function rowByLabel(page, label) {
  return page
    .locator(SEL.rows)
    .filter({ has: page.locator('.label-name', { hasText: new RegExp(`^\\s*${label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*$`) }) })
    .first();
}

/** Drags the sash between the sidebar and the editor so the sidebar is `width` pixels wide. */
export async function setSidebarWidth(page, width) {
  const box = await page.locator(SEL.sidebar).boundingBox();
  if (!box) return;
  const y = box.y + box.height / 2;
  const edge = box.x + box.width;
  await page.mouse.move(edge - 1, y);
  await page.mouse.down();
  await page.mouse.move(edge + (width - box.width) / 2, y, { steps: 4 });
  await page.mouse.move(box.x + width, y, { steps: 4 });
  await page.mouse.up();
  await waitUntil(`the sidebar to be ${width}px wide`, async () => (await page.locator(SEL.sidebar).boundingBox())?.width ?? 0,
    (w) => Math.abs(w - width) < 30, { timeoutMs: 3_000 }).catch(() => {});
}

export async function welcomeText(page) {
  const welcome = page.locator(SEL.welcome);
  return (await welcome.count()) > 0 && (await welcome.first().isVisible()) ? welcome.first().innerText() : '';
}

/** Clicks a button of the view's welcome content, e.g. "Set AccessKey…". */
export async function clickWelcomeButton(page, name) {
  const button = page.locator(SEL.welcome).getByRole('button', { name });
  await button.waitFor({ state: 'visible', timeout: 30_000 });
  await button.click();
}

/** Clicks an action of the view's title bar by its tooltip, e.g. "Add Job…" (the "+"). */
export async function clickViewTitleAction(page, label) {
  const action = page.locator(`${SEL.sidebar} .title-actions a.action-label[aria-label^="${label}"]`).first();
  await action.waitFor({ state: 'visible', timeout: 10_000 });
  await action.click();
}

/** Waits for the quick input whose title is `title` (e.g. "Set AccessKey (1/3)"). */
export async function waitForQuickInput(page, title) {
  await waitUntil(
    `the quick input "${title}"`,
    async () => ((await page.locator(SEL.quickInput).isVisible()) ? page.locator(SEL.quickInputTitle).innerText() : ''),
    (t) => t.includes(title),
  );
}

/** Types into the open input box and presses Enter. */
export async function answerInput(page, title, text) {
  await waitForQuickInput(page, title);
  const input = page.locator(SEL.quickInputBox);
  await input.fill(text);
  await input.press('Enter');
}

/** Filters the open quick pick by `text` and picks the row labelled exactly `label`. */
export async function pick(page, title, text, label) {
  await waitForQuickInput(page, title);
  await page.locator(SEL.quickInputBox).fill(text);
  const row = page.locator(SEL.quickInputRows).filter({ has: page.locator('.label-name', { hasText: label }) }).first();
  await row.waitFor({ state: 'visible', timeout: 10_000 });
  await row.click();
}

/** Runs a command from the palette as a person does: F1, type its title, wait until it is the first match, Enter. */
export async function runCommand(page, title) {
  await page.keyboard.press('F1');
  const input = page.locator(SEL.quickInputBox);
  await input.waitFor({ state: 'visible', timeout: 10_000 });
  await page.keyboard.type(title);
  await waitUntil(
    `"${title}" as the first command in the palette`,
    () => page.locator(`${SEL.quickInputRows} .label-name`).first().innerText(),
    (t) => t.replace(/\s+/g, ' ').trim() === title,
    { timeoutMs: 10_000 },
  );
  await page.keyboard.press('Enter');
  // The palette closes, or turns into the command's own input box (Add Job…): either way it stops being the palette.
  await waitUntil(
    'the command palette to close',
    async () => ((await page.locator(SEL.quickInput).isVisible()) ? input.inputValue() : ''),
    (value) => !value.startsWith('>'),
    { timeoutMs: 10_000 },
  );
}

/** The status-bar item's text without its icon, or '' while it is hidden. */
export async function statusText(page) {
  const item = page.locator(SEL.statusItem);
  if ((await item.count()) === 0 || !(await item.isVisible())) return '';
  return (await item.innerText()).replace(/\s+/g, ' ').trim();
}

export async function waitForStatus(page, pattern, options) {
  return waitUntil(`the status bar item to read ${pattern}`, () => statusText(page), (t) => pattern.test(t), options);
}

/** Texts of the notification toasts on screen. */
export async function toastTexts(page) {
  return page.locator(`${SEL.notifications} .notification-list-item-message`).allInnerTexts();
}

/** Closes every notification toast with its own X (shown while the pointer is over the toast). */
export async function clearToasts(page) {
  const toasts = page.locator(SEL.notifications);
  for (let i = 0; i < 10 && (await toasts.count()) > 0; i++) {
    const toast = toasts.first();
    await toast.hover().catch(() => {});
    await toast.locator('.codicon-notifications-clear').first().click({ timeout: 2_000 }).catch(() => {});
    await sleep(250);
  }
  await page.mouse.move(0, 0);
  return toasts.count();
}

/** For failure reports: what the page shows right now, as text. */
export async function describeScreen(page) {
  return page
    .evaluate(() => {
      const text = (sel) => [...document.querySelectorAll(sel)].map((e) => e.textContent?.trim()).filter(Boolean);
      return {
        sidebarTitle: text('[id="workbench.parts.sidebar"] .composite.title'),
        rows: text('[id="workbench.parts.sidebar"] .pane-body .monaco-list-row'),
        welcome: text('[id="workbench.parts.sidebar"] .welcome-view-content'),
        statusBar: text('[id="workbench.parts.statusbar"] .statusbar-item'),
        notifications: text('.notifications-toasts .notification-list-item-message'),
        quickInput: text('.quick-input-widget .quick-input-title'),
      };
    })
    .catch((error) => ({ error: error.message }));
}
