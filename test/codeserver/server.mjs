// Starts code-server for tests, installs .vsix files into it and launches the Chromium that shows its workbench.
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { chromium } from 'playwright-core';
import { ensureCodeServer } from './install.mjs';

export const DEFAULT_SETTINGS = {
  'workbench.startupEditor': 'none', // the Welcome walkthrough otherwise steals focus
  'telemetry.telemetryLevel': 'off',
  'security.workspace.trust.enabled': false,
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
};

export const CHROMIUM_PATH = '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync',
];

const LOG_TAIL_LINES = 40;

export class CodeServerStartError extends Error {
  constructor(message, logTail) {
    super(`${message}\n--- last code-server log lines ---\n${logTail || '(no output)'}`);
    this.name = 'CodeServerStartError';
    this.code = 'CODE_SERVER_START';
  }
}

export function freePort() {
  return new Promise((resolvePort, reject) => {
    const probe = createServer();
    probe.unref();
    probe.on('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolvePort(port));
    });
  });
}

/** An empty --config file keeps code-server from reading or creating ~/.config/code-server/config.yaml. */
async function emptyConfigFile(userDataDir) {
  const path = join(userDataDir, 'code-server-config.yaml');
  await writeFile(path, '');
  return path;
}

async function writeUserSettings(userDataDir, settings) {
  const userDir = join(userDataDir, 'User');
  await mkdir(userDir, { recursive: true });
  await writeFile(join(userDir, 'settings.json'), JSON.stringify({ ...DEFAULT_SETTINGS, ...settings }, null, 2));
}

function isGroupAlive(pid) {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

function killGroup(pid, signal) {
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

/**
 * Makes `locale` (e.g. 'zh-cn') a display language this user-data dir can use, as an installed language pack would.
 * `--locale` alone is not enough: code-server resolves the locale against <user-data-dir>/languagepacks.json and
 * falls back to English (vscode.env.language 'en', no extension bundles) when it is not listed there. That file is
 * what VS Code writes when a language pack extension is installed; the Microsoft packs are not on npm, so it names a
 * workbench translation of our own with no entries: the workbench stays English, extensions get `locale`.
 */
export async function addDisplayLanguage(userDataDir, locale) {
  const translations = join(userDataDir, 'display-language', `${locale}.json`);
  await mkdir(join(userDataDir, 'display-language'), { recursive: true });
  await writeFile(translations, JSON.stringify({ version: '1.0.0', contents: {} }));
  const packs = {
    [locale]: {
      hash: `dts-tests-${locale}-1`, // code-server caches the generated messages under clp/<hash>.<locale>
      extensions: [{ extensionIdentifier: { id: `dts-tests.language-pack-${locale}` }, version: '0.0.1' }],
      translations: { vscode: translations },
      label: locale,
    },
  };
  await writeFile(join(userDataDir, 'languagepacks.json'), JSON.stringify(packs, null, 2));
}

/**
 * Starts code-server in its own process group and resolves once /healthz answers.
 * `env` is added to this process's environment; it reaches the extension host as process.env.
 * `locale` (e.g. 'zh-cn') is the display language: the extension sees it as vscode.env.language.
 * Returns { url, port, pid, logFile, logTail(), exited, stop() }; stop() ends the whole group, extension hosts included.
 */
export async function startCodeServer({
  userDataDir, extensionsDir, folder, env = {}, settings = {}, port, locale, startTimeoutMs = 60_000,
}) {
  const { entry } = await ensureCodeServer();
  userDataDir = resolve(userDataDir);
  extensionsDir = resolve(extensionsDir);
  await mkdir(extensionsDir, { recursive: true });
  await writeUserSettings(userDataDir, settings);
  const config = await emptyConfigFile(userDataDir);
  port ??= await freePort();

  const args = [
    entry, '--auth', 'none', '--bind-addr', `127.0.0.1:${port}`,
    '--user-data-dir', userDataDir, '--extensions-dir', extensionsDir, '--config', config,
    '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust', '--ignore-last-opened',
  ];
  if (locale && locale !== 'en') {
    await addDisplayLanguage(userDataDir, locale);
    args.push('--locale', locale);
  } else {
    // A kept user-data dir (the demo's) may list one from an earlier run, which a browser's Accept-Language could pick.
    await rm(join(userDataDir, 'languagepacks.json'), { force: true });
  }
  if (folder) args.push(resolve(folder));

  const logFile = join(userDataDir, 'code-server.log');
  const log = createWriteStream(logFile);
  const tail = [];
  const child = spawn(process.execPath, args, {
    detached: true, // own process group, so stop() can end the extension hosts it forks
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const onOutput = (data) => {
    log.write(data);
    tail.push(...data.toString().split('\n').filter(Boolean));
    tail.splice(0, Math.max(0, tail.length - LOG_TAIL_LINES));
  };
  child.stdout.on('data', onOutput);
  child.stderr.on('data', onOutput);
  const exited = new Promise((resolveExit) => {
    child.on('error', (error) => {
      tail.push(String(error));
      resolveExit({ code: null, signal: null, error });
    });
    child.on('exit', (code, signal) => resolveExit({ code, signal }));
  });

  const killOnExit = () => killGroup(child.pid, 'SIGKILL');
  process.on('exit', killOnExit);

  let stopped;
  const stop = () => {
    stopped ??= (async () => {
      process.off('exit', killOnExit);
      if (child.pid) {
        killGroup(child.pid, 'SIGTERM');
        for (let i = 0; i < 50 && isGroupAlive(child.pid); i++) await sleep(100);
        killGroup(child.pid, 'SIGKILL');
      }
      await new Promise((resolveEnd) => log.end(resolveEnd));
    })();
    return stopped;
  };

  const url = `http://127.0.0.1:${port}`;
  try {
    await waitForHealthz(url, exited, startTimeoutMs, () => tail.join('\n'));
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, port, pid: child.pid, logFile, logTail: () => tail.join('\n'), exited, stop };
}

async function waitForHealthz(url, exited, timeoutMs, logTail) {
  let exit;
  exited.then((result) => (exit = result));
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (exit) {
      const how = exit.error ? exit.error.message : exit.signal ?? `exit code ${exit.code}`;
      throw new CodeServerStartError(`code-server stopped before it was ready (${how})`, logTail());
    }
    try {
      const response = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2_000) });
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await sleep(200);
  }
  throw new CodeServerStartError(`code-server did not answer ${url}/healthz within ${timeoutMs / 1000}s`, logTail());
}

/** Installs a packaged extension into extensionsDir with code-server's own CLI; resolves to its output. */
export async function installVsix(vsixPath, extensionsDir) {
  const { entry } = await ensureCodeServer();
  const userDataDir = await mkdtemp(join(tmpdir(), 'dts-vsix-install-'));
  try {
    const args = [
      entry, '--config', await emptyConfigFile(userDataDir), '--user-data-dir', userDataDir,
      '--extensions-dir', resolve(extensionsDir), '--install-extension', resolve(vsixPath), '--force',
    ];
    const { code, output } = await new Promise((resolveRun, reject) => {
      const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
      let text = '';
      child.stdout.on('data', (data) => (text += data));
      child.stderr.on('data', (data) => (text += data));
      child.on('error', reject);
      child.on('close', (exitCode) => resolveRun({ code: exitCode, output: text.trim() }));
    });
    if (code !== 0) throw new Error(`Installing ${vsixPath} failed (exit ${code}):\n${output}`);
    return output;
  } finally {
    await rm(userDataDir, { recursive: true, force: true });
  }
}

/**
 * Launches Debian's Chromium (never a Playwright browser download).
 * With profileDir the profile persists, which keeps the workbench cache and secrets across runs.
 * handleSignals: false stops Playwright from exiting the process on Ctrl-C before the caller has cleaned up.
 * Returns { context, close() }.
 */
export async function launchBrowser({
  profileDir, headless = true, viewport = { width: 1400, height: 900 }, handleSignals = true,
} = {}) {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`${CHROMIUM_PATH} not found: apt-get install chromium (test/codeserver/install.mjs does it as root)`);
  }
  const options = {
    executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless,
    handleSIGINT: handleSignals, handleSIGTERM: handleSignals, handleSIGHUP: handleSignals,
  };
  if (profileDir) {
    const context = await chromium.launchPersistentContext(resolve(profileDir), { ...options, viewport });
    return { context, close: () => context.close() };
  }
  const browser = await chromium.launch(options);
  const context = await browser.newContext({ viewport });
  return { context, close: () => browser.close() };
}

/** Leaving the workbench first lets the server end that window's extension host instead of keeping it for hours. */
export async function closePage(page) {
  if (!page || page.isClosed()) return;
  try {
    await page.goto('about:blank', { timeout: 10_000 });
  } catch {
    // the page may already be gone with its browser
  }
  await page.close().catch(() => {});
}
