import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';

/** How a child process ended, and what it wrote. */
export interface RunResult {
  readonly code: number | null;
  /** Set when the process was killed (by the guard below: it hung). */
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
}

/** Runs a command to its end, or kills it after `killAfterMs`, so a hang fails the test instead of the suite. */
export function runToEnd(command: string, args: readonly string[], env: Record<string, string>, killAfterMs: number): Promise<RunResult> {
  return new Promise((resolvePromise, reject) => {
    const started = performance.now();
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const killer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
    child.on('error', (e) => {
      clearTimeout(killer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(killer);
      resolvePromise({ code, signal, stdout, stderr, ms: performance.now() - started });
    });
  });
}

/** Every CLI run, whatever the test: no secret on either stream, no stack trace, no raw JS error. */
export function assertCleanOutput(r: RunResult, secrets: readonly string[]): void {
  const all = r.stdout + r.stderr;
  for (const secret of secrets) {
    assert.ok(!all.includes(secret), `a secret leaked into the output:\n${all}`);
  }
  assert.doesNotMatch(all, /^\s+at .+:\d+:\d+\)?$/m, 'stack trace in the output');
  assert.doesNotMatch(all, /SyntaxError|TypeError|ReferenceError|unexpected error/, 'raw JS error in the output');
}

export function expectExit(r: RunResult, code: number): void {
  assert.equal(r.code, code, `exit ${r.code}, expected ${code}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`);
}

export interface CliWithKey {
  readonly cli: string;
  readonly endpoint: string;
  /** An empty HOME, so no profile of the machine's user is read. */
  readonly home: string;
  readonly key: { readonly accessKeyId: string; readonly accessKeySecret: string };
  readonly killAfterMs: number;
}

/** The built CLI against `endpoint`, the key in ALIBABA_CLOUD_ACCESS_KEY_*; fails the test if it hung or its output is not clean. */
export async function runCliWithKey(o: CliWithKey, args: readonly string[], extraEnv: Record<string, string> = {}): Promise<RunResult> {
  const env = {
    PATH: process.env['PATH'] ?? '/usr/bin:/bin',
    HOME: o.home,
    ALIBABA_CLOUD_ACCESS_KEY_ID: o.key.accessKeyId,
    ALIBABA_CLOUD_ACCESS_KEY_SECRET: o.key.accessKeySecret,
    ...extraEnv,
  };
  const r = await runToEnd(process.execPath, [o.cli, '--endpoint', o.endpoint, ...args], env, o.killAfterMs);
  assert.equal(r.signal, null, `the CLI was killed; stderr:\n${r.stderr}`);
  assertCleanOutput(r, [o.key.accessKeySecret]);
  return r;
}
