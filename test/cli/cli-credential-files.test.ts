/**
 * The bundled CLI (`dist/cli.js`, built by `npm run build`) against hostile `~/.aliyun/config.json` files: each run
 * gets a fresh HOME, no ALIBABA_CLOUD_* variables and only PATH, and must exit 2 with one clear message instead of
 * hanging or reading what it should not.
 */
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { runToEnd, type RunResult } from './childProcess';
import { closeSync, constants, existsSync, mkdirSync, mkdtempSync, openSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '../../..');
const CLI = join(ROOT, 'dist', 'cli.js');
const JOB = 'dtsa1b2c3d4e5f6g7h';
const SECRET = 'file-Secret-Qa9z8Xs7Wd0005';
/** Long enough for a hang to show, short enough that a regression fails the test instead of the suite. */
const KILL_AFTER_MS = 8000;
/** C0 and C1 control characters, but the newline that ends the message. */
// eslint-disable-next-line no-control-regex
const CONTROL_BUT_NEWLINE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;

function run(home: string): Promise<RunResult> {
  // An unreachable loopback endpoint: should a file ever be accepted, no request leaves the machine.
  return runToEnd(process.execPath, [CLI, '--endpoint', 'http://127.0.0.1:9', JOB], { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: home }, KILL_AFTER_MS);
}

/** Exit 2 within a few seconds, nothing on stdout, exactly this one line on stderr, no secret, no control character. */
function expectRefused(r: RunResult, message: string): void {
  assert.equal(r.signal, null, `the CLI hung and was killed after ${KILL_AFTER_MS} ms; stderr:\n${r.stderr}`);
  assert.equal(r.code, 2, `exit ${r.code}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`);
  assert.equal(r.stdout, '');
  assert.equal(r.stderr, `dts-sync-status: ${message}\n`);
  assert.ok(!r.stderr.includes(SECRET), 'the file was quoted');
  assert.doesNotMatch(r.stderr, CONTROL_BUT_NEWLINE);
  assert.ok(r.ms < 5000, `took ${Math.round(r.ms)} ms`);
}

describe('CLI with a hostile ~/.aliyun/config.json (node dist/cli.js)', function () {
  this.timeout(KILL_AFTER_MS + 5000);

  let home: string;
  let path: string;
  const fifos: string[] = [];

  beforeEach(() => {
    home = mkdtempSync(join(tmpdir(), 'dts-cli-cred-'));
    mkdirSync(join(home, '.aliyun'), { mode: 0o700 });
    path = join(home, '.aliyun', 'config.json');
  });

  afterEach(() => {
    for (const fifo of fifos.splice(0)) {
      try {
        // Ends any read still stuck on the FIFO, should a regression have left one.
        closeSync(openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK));
      } catch {
        // ENXIO: nobody is reading it.
      }
    }
    rmSync(home, { recursive: true, force: true });
  });

  function mkfifo(at: string): void {
    execFileSync('mkfifo', [at]);
    fifos.push(at);
  }

  it('exits 2 at once with a clear message when config.json is a FIFO, instead of hanging', async function () {
    if (process.platform === 'win32') {
      this.skip();
    }
    mkfifo(path);
    expectRefused(await run(home), `${path} is not a regular file but a named pipe (FIFO); it was not read`);
  });

  it('strips control characters from a HOME path it names', async function () {
    if (process.platform === 'win32') {
      this.skip();
    }
    const hostileHome = join(home, 'x\u001b[2J\u0007\ny');
    mkdirSync(join(hostileHome, '.aliyun'), { recursive: true });
    mkfifo(join(hostileHome, '.aliyun', 'config.json'));
    expectRefused(await run(hostileHome), `${join(home, 'x [2J y', '.aliyun', 'config.json')} is not a regular file but a named pipe (FIFO); it was not read`);
  });

  it('exits 2 when config.json is a symlink to /dev/zero, without reading it', async function () {
    if (!existsSync('/dev/zero')) {
      this.skip();
    }
    symlinkSync('/dev/zero', path);
    expectRefused(await run(home), `${path} is not a regular file but a character device; it was not read`);
  });

  it('exits 2 when config.json is over 1 MiB, even with a valid profile in it', async () => {
    const profile = { name: 'default', mode: 'AK', access_key_id: 'LTAI5tCliFileKey0005', access_key_secret: SECRET };
    writeFileSync(path, JSON.stringify({ current: 'default', profiles: [profile], padding: 'x'.repeat(2 * 1024 * 1024) }), { mode: 0o600 });
    expectRefused(await run(home), `${path} is larger than 1 MiB (2.0 MiB); it was not read`);
  });
});
