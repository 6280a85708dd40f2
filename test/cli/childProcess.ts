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
