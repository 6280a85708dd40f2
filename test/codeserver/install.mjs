// Installs code-server (the real VS Code server + web workbench) into a cache outside the repo.
// See /work/shared/reference/code-server.md for why the npm post-install is done by hand.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, realpathSync } from 'node:fs';
import { appendFile, chmod, copyFile, mkdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const CODE_SERVER_VERSION = '4.100.3';

export const DEBIAN_PACKAGES = [
  'libkrb5-dev', 'libx11-dev', 'libxkbfile-dev', 'libsecret-1-dev', 'pkg-config', 'ripgrep', 'chromium',
  // The independent OpenMetrics / Prometheus text parser the metrics tests check --format openmetrics with.
  'python3-prometheus-client',
  'fonts-wqy-microhei', // Chinese glyphs for the zh-cn browser test's screenshots (Debian's Chromium ships none)
  'advancecomp', // advzip: `npm run package` recompresses the .vsix with it (zopfli), about 4 % smaller
];

const MARKER = '.install-complete';

export function cacheRoot() {
  if (process.env.DTS_TEST_CACHE) return process.env.DTS_TEST_CACHE;
  return join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'dts-sync-status');
}

export function codeServerDir(version = CODE_SERVER_VERSION) {
  return join(cacheRoot(), `code-server-${version}`);
}

function seconds(since) {
  return `${((performance.now() - since) / 1000).toFixed(1)}s`;
}

function missingDebianPackages() {
  const query = spawnSync('dpkg-query', ['-W', '-f=${db:Status-Abbrev} ${Package}\n', ...DEBIAN_PACKAGES], {
    encoding: 'utf8',
  });
  if (query.error) return []; // not a Debian system: nothing we can do, later steps report what is missing
  const installed = new Set(
    query.stdout.split('\n').filter((line) => line.startsWith('ii ')).map((line) => line.split(' ').pop().split(':')[0]),
  );
  return DEBIAN_PACKAGES.filter((name) => !installed.has(name));
}

/** Runs a command, logging its output to logFile; on failure the error carries the log's last lines. */
function run(command, args, { cwd, env, logFile }) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks = [];
    const onData = (data) => chunks.push(data);
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', reject);
    child.on('close', async (code, signal) => {
      const output = Buffer.concat(chunks).toString();
      await appendFile(logFile, `\n$ ${command} ${args.join(' ')}   (in ${cwd})\n${output}`);
      if (code === 0) return resolve(output);
      const tail = output.trimEnd().split('\n').slice(-30).join('\n');
      reject(new Error(`${command} ${args.join(' ')} failed (${signal ?? `exit ${code}`}) in ${cwd}\n${tail}\nFull log: ${logFile}`));
    });
  });
}

async function ensureDebianPackages(logFile) {
  const missing = missingDebianPackages();
  if (missing.length === 0) return;
  if (process.getuid?.() !== 0) {
    console.warn(
      `[code-server] Missing Debian packages: ${missing.join(' ')}.\n` +
        `[code-server] Not root, so not installing them. Run: sudo apt-get update && sudo apt-get install -y ${missing.join(' ')}`,
    );
    return;
  }
  const started = performance.now();
  console.log(`[code-server] apt-get install ${missing.join(' ')} ...`);
  const env = { DEBIAN_FRONTEND: 'noninteractive' };
  await run('apt-get', ['update'], { cwd: '/', env, logFile });
  await run('apt-get', ['install', '-y', ...missing], { cwd: '/', env, logFile });
  console.log(`[code-server] apt packages installed in ${seconds(started)}`);
}

async function installCodeServer(dir, version, logFile) {
  const npm = (cwd, args, env = {}) => run('npm', [...args, '--no-audit', '--no-fund'], { cwd, env, logFile });
  const codeServer = join(dir, 'node_modules', 'code-server');
  const vscode = join(codeServer, 'lib', 'vscode');

  const steps = [
    // code-server's own postinstall refuses to run as root under npm 11 and would download rg from GitHub.
    ['npm install code-server', () => npm(dir, ['install', '--ignore-scripts', `code-server@${version}`])],
    ['npm install lib/vscode', () => npm(vscode, ['install', '--omit=dev', '--ignore-scripts'])],
    ['ripgrep from Debian', async () => {
      if (!existsSync('/usr/bin/rg')) throw new Error('/usr/bin/rg not found: apt-get install ripgrep');
      const binDir = join(vscode, 'node_modules', '@vscode', 'ripgrep', 'bin');
      await mkdir(binDir, { recursive: true });
      await copyFile('/usr/bin/rg', join(binDir, 'rg'));
      await chmod(join(binDir, 'rg'), 0o755);
    }],
    // npm config here has yes=false; node-pty's install script runs `npx node-gyp` and would stall on the prompt.
    ['npm rebuild lib/vscode (native modules)', () => npm(vscode, ['rebuild', '--omit=dev'], { npm_config_yes: 'true' })],
    ['links made by postinstall.sh', async () => {
      await replaceSymlink('node_modules', join(vscode, 'node_modules.asar'));
      await replaceSymlink('code-linux.sh', join(vscode, 'bin', 'remote-cli', 'code-server'));
      await replaceSymlink('browser-linux.sh', join(vscode, 'bin', 'helpers', 'browser.sh'));
    }],
    ['npm install lib/vscode/extensions', () => npm(join(vscode, 'extensions'), ['install', '--omit=dev'])],
    // Building from source avoids node-pre-gyp's attempt to download a prebuilt binary from GitHub.
    ['npm rebuild argon2', () =>
      npm(dir, ['rebuild', 'argon2'], { npm_config_yes: 'true', npm_config_build_from_source: 'true' })],
  ];
  for (const [name, step] of steps) {
    const started = performance.now();
    await step();
    console.log(`[code-server]   ${name}: ${seconds(started)}`);
  }
}

async function replaceSymlink(target, path) {
  await rm(path, { recursive: true, force: true });
  await symlink(target, path);
}

const ensured = new Map();

/**
 * Makes sure code-server `version` is installed in the cache and resolves to { entry, version }, entry being the
 * path of its out/node/entry.js. Checked once per process. A marker written last makes an interrupted install
 * start over instead of being trusted.
 */
export function ensureCodeServer({ version = CODE_SERVER_VERSION } = {}) {
  if (!ensured.has(version)) {
    const attempt = install(version);
    ensured.set(version, attempt);
    attempt.catch(() => ensured.delete(version)); // a failed attempt may be retried
  }
  return ensured.get(version);
}

async function install(version) {
  const started = performance.now();
  const dir = codeServerDir(version);
  const marker = join(dir, MARKER);
  const entry = join(dir, 'node_modules', 'code-server', 'out', 'node', 'entry.js');
  const logFile = join(cacheRoot(), `install-${version}.log`);
  await mkdir(cacheRoot(), { recursive: true });

  await ensureDebianPackages(logFile);

  if (existsSync(marker) && existsSync(entry) && (await readFile(marker, 'utf8')).startsWith(version)) {
    console.log(`[code-server] ${version} cached at ${dir} (${seconds(started)})`);
    return { entry, version };
  }

  console.log(`[code-server] installing ${version} into ${dir} (log: ${logFile})`);
  await appendFile(logFile, `\ninstall of code-server ${version} started ${new Date().toISOString()}\n`);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  // Its own package.json keeps npm from walking up to an unrelated project.
  await writeFile(join(dir, 'package.json'), JSON.stringify({ name: 'dts-code-server-cache', private: true }, null, 2));
  await installCodeServer(dir, version, logFile);
  await writeFile(marker, `${version} ${new Date().toISOString()}\n`);
  console.log(`[code-server] ${version} installed in ${seconds(started)}`);
  return { entry, version };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === realpathSync(process.argv[1])) {
  try {
    const { entry } = await ensureCodeServer();
    console.log(entry);
  } catch (error) {
    console.error(`[code-server] install failed: ${error.message}`);
    process.exitCode = 1;
  }
}
