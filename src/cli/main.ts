import { DtsClient } from '../core/api/client';
import { DtsError } from '../core/api/errors';
import { aliyunProfileProvider, environmentProvider, resolveCredentials } from '../core/credentials';
import { queryJobStatuses } from '../core/query';
import { parseCliArgs, USAGE } from './args';
import { exitCodeFor, renderErrors, renderTable, toDocument } from './render';
import { version } from '../../package.json';

export interface CliIo {
  readonly argv: readonly string[];
  readonly env: NodeJS.ProcessEnv;
  readonly stdout: { write(text: string): unknown; isTTY?: boolean };
  readonly stderr: { write(text: string): unknown };
}

/** The whole command; returns the exit status instead of exiting so tests can run it in-process. */
export async function runCli(io: CliIo): Promise<number> {
  let client: DtsClient | undefined;
  try {
    const options = parseCliArgs(io.argv, io.env);
    if (options.command === 'help') {
      io.stdout.write(`${USAGE}\n`);
      return 0;
    }
    if (options.command === 'version') {
      io.stdout.write(`${version}\n`);
      return 0;
    }
    const profile = aliyunProfileProvider({ profile: options.profile, env: io.env });
    // An explicit --profile is a choice the user made here: it goes before the environment.
    const { credentials } = await resolveCredentials(options.profile ? [profile] : [environmentProvider(io.env), profile]);
    client = new DtsClient({
      credentials,
      endpoint: options.endpoint,
      signatureVersion: options.signatureVersion,
      timeoutMs: options.timeoutSeconds * 1000,
      userAgent: `dts-sync-status/${version}`,
    });
    const snapshot = await queryJobStatuses(options.jobs, client, { lagWarningSeconds: options.lagWarningSeconds });
    if (options.json) {
      io.stdout.write(`${JSON.stringify(toDocument(snapshot), null, 2)}\n`);
    } else {
      const colour = Boolean(io.stdout.isTTY) && !io.env['NO_COLOR'];
      const table = renderTable(snapshot, colour);
      if (table) {
        io.stdout.write(`${table}\n`);
      }
    }
    for (const line of renderErrors(snapshot)) {
      io.stderr.write(`${line}\n`);
    }
    return exitCodeFor(snapshot);
  } catch (e) {
    io.stderr.write(`dts-sync-status: ${e instanceof DtsError ? e.message : `unexpected error: ${String(e)}`}\n`);
    return 2;
  } finally {
    await client?.close();
  }
}
