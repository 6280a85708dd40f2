// Runs an extension's mocha suite inside code-server's real extension host, like @vscode/test-electron's runTests.
// CLI: node test/codeserver/run-extension-tests.mjs --extension <dir> --tests <abs path to compiled index.js>
//        [--workspace <dir>] [--timeout <seconds>] [--verbose]
import { realpathSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { format, parseArgs } from 'node:util';
import { closePage, launchBrowser, startCodeServer } from './server.mjs';

const PREFIX = '[run-extension-tests]';

// The workbench forwards the extension host's console through its log service, which prints as
// console.log('%c INFO', 'color: #33f', ...args) exactly like the workbench's own log lines.
const LOG_LEVEL_PREFIX = /^%c\s*(TRACE|DEBUG|INFO|WARN|ERR)$/;

// Workbench chatter that shares that format; hidden unless verbose.
const WORKBENCH_NOISE = [
  /^Resolv(ing|ed) connection token/,
  /^Creating a socket \(/,
  /^\[Service Worker\]/,
  /^Updating additional builtin extensions cache/,
  /^ChatSessionStore:/,
  /^\[lifecycle\]/,
  /ENOTFOUND open-vsx\.org/,
];

// Console messages still in flight when codeAutomationExit arrives (mocha's last lines) get this long to land.
const CONSOLE_QUIET_MS = 750;
const CONSOLE_DRAIN_MAX_MS = 5_000;

export class ExtensionTestTimeoutError extends Error {
  constructor(timeoutMs) {
    super(`Extension tests did not finish within ${timeoutMs / 1000}s (no codeAutomationExit from the workbench)`);
    this.name = 'ExtensionTestTimeoutError';
    this.code = 'EXTENSION_TESTS_TIMEOUT';
  }
}

function seconds(since) {
  return `${((performance.now() - since) / 1000).toFixed(1)}s`;
}

/** vscode-remote URI of an absolute server-side path, with the authority the page was loaded from. */
function remoteUri(authority, path) {
  return `vscode-remote://${authority}${resolve(path).split('/').map(encodeURIComponent).join('/')}`;
}

export function workbenchUrl(serverUrl, { extensionDevelopmentPath, extensionTestsPath, workspaceFolder }) {
  const { host } = new URL(serverUrl);
  const payload = [
    ['extensionDevelopmentPath', remoteUri(host, extensionDevelopmentPath)],
    ['extensionTestsPath', remoteUri(host, extensionTestsPath)],
    ['skipWelcome', 'true'],
  ];
  const query = new URLSearchParams();
  if (workspaceFolder) query.set('folder', resolve(workspaceFolder));
  query.set('payload', JSON.stringify(payload));
  return `${serverUrl}/?${query}`;
}

/** Turns a console message into a line for the terminal, or null when it is workbench noise. */
async function consoleLine(message, verbose) {
  let args;
  try {
    args = await Promise.all(message.args().map((arg) => arg.jsonValue()));
  } catch {
    args = [message.text()]; // the page navigated away before the values could be read
  }
  const level = typeof args[0] === 'string' ? LOG_LEVEL_PREFIX.exec(args[0]) : null;
  if (!level) return verbose ? format(...args) : null; // the browser's own messages: failed loads, iframe warnings
  // args[2] is the extension host's own format string (mocha's '%s'), so format from there.
  const text = format(...args.slice(2));
  if (verbose) return `${level[1]}: ${text}`;
  if (WORKBENCH_NOISE.some((pattern) => pattern.test(text))) return null;
  return level[1] === 'INFO' ? text : `${level[1]}: ${text}`;
}

/**
 * Starts a fresh code-server and browser, runs the suite at extensionTestsPath (a module exporting run(), as for
 * test-electron) with the extension at extensionDevelopmentPath, and resolves to the exit code: 0 pass, 1 fail.
 * `env` reaches the extension host as process.env; `settings` go to the user settings.json.
 */
export async function runExtensionTests({
  extensionDevelopmentPath,
  extensionTestsPath,
  workspaceFolder,
  env = {},
  settings = {},
  timeoutMs = 180_000,
  verbose = Boolean(process.env.DTS_TEST_VERBOSE),
  output = process.stdout,
}) {
  const started = performance.now();
  const tempDir = await mkdtemp(join(tmpdir(), 'dts-codeserver-'));
  let server;
  let browser;
  let page;
  let printing = Promise.resolve();
  let interrupted;
  const onSignal = (signal) => {
    interrupted = signal;
    cleanup().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  };
  let cleaning;
  const cleanup = () => {
    cleaning ??= (async () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      await closePage(page);
      await browser?.close().catch(() => {});
      await server?.stop();
      await rm(tempDir, { recursive: true, force: true }).catch(() => {});
    })();
    return cleaning;
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  try {
    server = await startCodeServer({
      userDataDir: join(tempDir, 'user-data'),
      extensionsDir: join(tempDir, 'extensions'),
      env,
      settings,
    });
    console.log(`${PREFIX} code-server ready at ${server.url} in ${seconds(started)}`);

    browser = await launchBrowser({ handleSignals: false }); // cleanup() below handles Ctrl-C
    page = await browser.context.newPage();

    let lastConsoleAt = performance.now();
    let streaming = true;
    page.on('console', (message) => {
      if (!streaming) return; // the workbench's shutdown chatter during cleanup
      lastConsoleAt = performance.now();
      const line = consoleLine(message, verbose);
      // Chained so that lines keep their order although reading their values is asynchronous.
      printing = printing.then(async () => {
        const text = await line;
        if (text !== null) output.write(`${text}\n`);
      });
    });

    let reportExit;
    const exited = new Promise((resolveExit) => (reportExit = resolveExit));
    await page.exposeFunction('codeAutomationExit', (code) => reportExit(Number(code)));

    let timer;
    const failures = [
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new ExtensionTestTimeoutError(timeoutMs)), timeoutMs);
      }),
      server.exited.then(({ code, signal }) => {
        throw new Error(`code-server exited during the tests (${signal ?? `exit code ${code}`})\n${server.logTail()}`);
      }),
      new Promise((_, reject) => page.on('crash', () => reject(new Error('The workbench page crashed')))),
    ];
    failures.forEach((failure) => failure.catch(() => {})); // some settle only during cleanup
    const url = workbenchUrl(server.url, { extensionDevelopmentPath, extensionTestsPath, workspaceFolder });
    try {
      const code = await Promise.race([
        page.goto(url, { waitUntil: 'domcontentloaded', timeout: 0 }).then(() => exited),
        ...failures,
      ]);
      const drainStarted = performance.now();
      while (
        performance.now() - lastConsoleAt < CONSOLE_QUIET_MS &&
        performance.now() - drainStarted < CONSOLE_DRAIN_MAX_MS
      ) {
        await sleep(100);
      }
      streaming = false;
      await printing;
      console.log(`${PREFIX} extension tests exited with code ${code} after ${seconds(started)}`);
      return code;
    } finally {
      clearTimeout(timer);
    }
  } catch (error) {
    await printing;
    if (!interrupted) console.error(`${PREFIX} ${error.message}`);
    return 1;
  } finally {
    await cleanup();
  }
}

async function main() {
  const { values } = parseArgs({
    options: {
      extension: { type: 'string' },
      tests: { type: 'string' },
      workspace: { type: 'string' },
      timeout: { type: 'string' },
      verbose: { type: 'boolean', default: false },
    },
  });
  if (!values.extension || !values.tests) {
    console.error(
      'Usage: node test/codeserver/run-extension-tests.mjs --extension <dir> --tests <abs path to compiled index.js>\n' +
        '         [--workspace <dir>] [--timeout <seconds>] [--verbose]',
    );
    return 2;
  }
  return runExtensionTests({
    extensionDevelopmentPath: resolve(values.extension),
    extensionTestsPath: resolve(values.tests),
    workspaceFolder: values.workspace && resolve(values.workspace),
    timeoutMs: values.timeout ? Number(values.timeout) * 1000 : undefined,
    verbose: values.verbose || undefined,
  });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === realpathSync(process.argv[1])) {
  process.exitCode = await main();
}
