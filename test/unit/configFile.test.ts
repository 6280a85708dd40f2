import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, closeSync, constants, existsSync, mkdirSync, mkdtempSync, openSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigFileError, MAX_CONFIG_FILE_BYTES, openFlags, readConfigFile, type ConfigFileProblem } from '../../src/core/configFile';


/** C0 and C1 control characters: none may reach a message. */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
/** Distinctive enough that finding it in a message can only mean the file was quoted. */
const SECRET = 'Zq7SECRETinTheFile9xKw2Lp0';
const posixOnly = process.platform === 'win32' ? it.skip : it;

/** Settles like `promise`, or fails the test once `ms` have passed (so a regression fails instead of hanging). */
async function within<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const guard = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new assert.AssertionError({ message: `did not settle within ${ms} ms` })), ms);
  });
  try {
    return await Promise.race([promise, guard]);
  } finally {
    clearTimeout(timer);
  }
}

async function refusal(promise: Promise<unknown>, problem: ConfigFileProblem): Promise<ConfigFileError> {
  try {
    await within(promise, 2000);
  } catch (e) {
    assert.ok(e instanceof ConfigFileError, `expected a ConfigFileError, got ${String(e)}`);
    assert.equal(e.problem, problem, e.message);
    assert.ok(!e.message.includes(SECRET), `the file's content leaked into: ${e.message}`);
    return e;
  }
  assert.fail('expected the file to be refused');
}

describe('readConfigFile', () => {
  let dir: string;
  let path: string;
  const fifos: string[] = [];

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'dts-configfile-'));
    path = join(dir, 'config.json');
  });

  afterEach(() => {
    // A regression that started reading a FIFO would keep mocha alive forever: a writer that closes ends that read.
    for (const fifo of fifos.splice(0)) {
      try {
        closeSync(openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK));
      } catch {
        // ENXIO: nobody is reading it.
      }
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads a regular file as UTF-8, without a leading byte-order mark', async () => {
    writeFileSync(path, `\ufeff{"secret":"${SECRET}","name":"é"}`, { mode: 0o600 });
    const file = await readConfigFile(path);
    assert.deepEqual(file, { text: `{"secret":"${SECRET}","name":"é"}`, warnings: [] });
  });

  it('has nothing for a missing file or a missing directory', async () => {
    assert.equal(await readConfigFile(path), undefined);
    assert.equal(await readConfigFile(join(dir, 'no-such-dir', 'config.json')), undefined);
  });

  posixOnly('refuses a FIFO at once, without waiting for a writer', async () => {
    execFileSync('mkfifo', [path]);
    fifos.push(path);
    const started = Date.now();
    const error = await refusal(readConfigFile(path), 'not-regular');
    assert.equal(error.message, `${path} is not a regular file but a named pipe (FIFO); it was not read`);
    assert.ok(Date.now() - started < 1000, `took ${Date.now() - started} ms`);
  });

  posixOnly('refuses a symlink to a FIFO', async () => {
    const fifo = join(dir, 'pipe');
    execFileSync('mkfifo', [fifo]);
    fifos.push(fifo);
    symlinkSync(fifo, path);
    const error = await refusal(readConfigFile(path), 'not-regular');
    assert.match(error.message, /is not a regular file but a named pipe \(FIFO\)/);
  });

  it('refuses a symlink to /dev/zero without reading it', async function () {
    if (!existsSync('/dev/zero')) {
      this.skip();
    }
    symlinkSync('/dev/zero', path);
    const error = await refusal(readConfigFile(path), 'not-regular');
    assert.equal(error.message, `${path} is not a regular file but a character device; it was not read`);
  });

  it('refuses a directory', async () => {
    mkdirSync(path);
    const error = await refusal(readConfigFile(path), 'not-regular');
    assert.equal(error.message, `${path} is not a regular file but a directory; it was not read`);
  });

  it('refuses a 2 MiB file without quoting it', async () => {
    writeFileSync(path, `{"secret":"${SECRET}","pad":"${'x'.repeat(2 * 1024 * 1024 - 40)}"}`, { mode: 0o600 });
    const error = await refusal(readConfigFile(path), 'too-large');
    assert.equal(error.message, `${path} is larger than 1 MiB (2.0 MiB); it was not read`);
  });

  it('reads a file of exactly the limit and refuses one byte more', async () => {
    writeFileSync(path, 'x'.repeat(MAX_CONFIG_FILE_BYTES));
    assert.equal((await readConfigFile(path))?.text.length, MAX_CONFIG_FILE_BYTES);
    writeFileSync(path, 'x'.repeat(MAX_CONFIG_FILE_BYTES + 1));
    await refusal(readConfigFile(path), 'too-large');
  });

  it('takes a smaller limit', async () => {
    writeFileSync(path, `${SECRET}!`);
    const error = await refusal(readConfigFile(path, { maxBytes: 16 }), 'too-large');
    assert.equal(error.message, `${path} is larger than 16 bytes (27 bytes); it was not read`);
  });

  it('stops reading at the limit a file whose size is not what stat says (procfs)', async function () {
    if (!existsSync('/proc/self/cmdline')) {
      this.skip();
    }
    // procfs reports size 0 for a file with content: only the bounded read catches it.
    symlinkSync('/proc/self/cmdline', path);
    const error = await refusal(readConfigFile(path, { maxBytes: 4 }), 'too-large');
    assert.equal(error.message, `${path} is larger than 4 bytes; it was not read`);
  });

  it('follows a symlink to a regular file', async () => {
    const real = join(dir, 'real.json');
    writeFileSync(real, '{}', { mode: 0o600 });
    symlinkSync(real, path);
    assert.equal((await readConfigFile(path))?.text, '{}');
  });

  posixOnly('reports a symlink loop by its reason, not as a missing file', async () => {
    symlinkSync(path, path);
    const error = await refusal(readConfigFile(path), 'unreadable');
    assert.equal(error.message, `Cannot read ${path}: too many levels of symbolic links (ELOOP)`);
    assert.equal(error.code, 'ELOOP');
  });

  posixOnly('warns about a file others can write, and still reads it', async () => {
    writeFileSync(path, `{"secret":"${SECRET}"}`);
    chmodSync(path, 0o666);
    const file = await readConfigFile(path);
    assert.equal(file?.text, `{"secret":"${SECRET}"}`);
    assert.deepEqual(file?.warnings, [`${path} is writable by other users (mode 0666); run chmod 600 ${path}`]);
  });

  posixOnly('warns about a file its group can write', async () => {
    writeFileSync(path, '{}');
    chmodSync(path, 0o620);
    assert.deepEqual((await readConfigFile(path))?.warnings, [`${path} is writable by other users (mode 0620); run chmod 600 ${path}`]);
  });

  posixOnly('does not warn about a file only its owner can write', async () => {
    writeFileSync(path, '{}');
    for (const mode of [0o600, 0o644, 0o400]) {
      chmodSync(path, mode);
      assert.deepEqual((await readConfigFile(path))?.warnings, [], `mode ${mode.toString(8)}`);
    }
  });

  posixOnly('strips control characters from the path it names', async () => {
    const hostileDir = join(dir, 'a\u001b]0;pwned\u0007\nb');
    mkdirSync(hostileDir);
    const hostile = join(hostileDir, 'config.json');
    execFileSync('mkfifo', [hostile]);
    fifos.push(hostile);
    const error = await refusal(readConfigFile(hostile), 'not-regular');
    assert.doesNotMatch(error.message, CONTROL, 'a raw control character in the message');
    assert.ok(error.message.includes(']0;pwned b/config.json is not a regular file'), error.message);
    assert.equal(error.path, hostile, 'the error keeps the real path for the program');
  });

  describe('openFlags', () => {
    it('opens read-only, non-blocking and without taking a controlling terminal where those exist', () => {
      assert.equal(openFlags({ O_RDONLY: 0, O_NONBLOCK: 0o4000, O_NOCTTY: 0o400 }), 0o4400);
    });

    it('falls back to plain read-only where O_NONBLOCK and O_NOCTTY do not exist (Windows)', () => {
      assert.equal(openFlags({ O_RDONLY: 0 }), 0);
      assert.equal(openFlags({}), 0);
    });

    posixOnly('includes O_NONBLOCK on this platform', () => {
      assert.equal(openFlags() & constants.O_NONBLOCK, constants.O_NONBLOCK);
    });
  });
});
