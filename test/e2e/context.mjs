// Shared between run.mjs (which starts everything) and the suite (which drives the page). One module instance
// per process, so the suite sees what the runner set.
export const e2e = {
  /** @type {import('playwright-core').Page | undefined} */
  page: undefined,
  /** The in-process emulator: { url, requests, setScenario, close }. */
  emulator: undefined,
  /** { url, stop(), logFile } from startCodeServer. */
  server: undefined,
  /** The workbench URL to open. */
  workbenchUrl: undefined,
  /** Where NN-step.png screenshots go. */
  resultsDir: undefined,
  /** When set, the README screenshot is written here. */
  readmeScreenshot: undefined,
  /** Filled by the suite: page load seconds and the like. */
  timings: {},
  /** The zh-cn run: { page, emulator, server, workbenchUrl, userDataDir, scenario } (the demo scenario it plays). */
  zhCn: undefined,
  /** Things the suite noticed that are worth a look but do not fail it. */
  notes: [],
};
