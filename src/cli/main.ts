import * as l10n from '@vscode/l10n';
import { DtsClient } from '../core/api/client';
import { DtsError } from '../core/api/errors';
import { defaultChain, profileChain } from '../core/credentials';
import { InvalidInputError } from '../core/inputError';
import { configureLocale, configureLocaleFromEnv } from '../core/locale';
import { discoverJobs, type DiscoveryOptions } from '../core/discovery';
import { queryJobStatuses } from '../core/query';
import { redactSecrets, safeText, type KnownSecrets } from '../core/safeText';
import { jobsForCredentials, parseCliArgs, regionsForCredentials, usage, type CliOptions } from './args';
import { detailsKey, detailsRecord, fetchDetails, reasonLines, renderShow, wantsDetails, type DirectionDetails } from './details';
import { emptyListLine, listErrorLines, listExitCode, renderListTable, toListDocument } from './list';
import { renderMetrics } from './openmetrics';
import { exitCodeFor, renderErrors, renderTable, toDocument } from './render';
import { version } from '../../package.json';

export interface CliIo {
  readonly argv: readonly string[];
  readonly env: NodeJS.ProcessEnv;
  readonly stdout: { write(text: string): unknown; isTTY?: boolean };
  readonly stderr: { write(text: string): unknown };
  /** The folder of `bundle.l10n.<lang>.json`; without it every word is English whatever the locale says. */
  readonly l10nDir?: string;
}

/** The whole command; returns the exit status instead of exiting so tests can run it in-process. */
export async function runCli(io: CliIo): Promise<number> {
  let client: DtsClient | undefined;
  // The last step before the terminal: whatever got this far, the key in use never reaches it.
  let known: KnownSecrets = {};
  const out = (text: string): unknown => io.stdout.write(redactSecrets(text, known));
  const err = (line: string): unknown => io.stderr.write(`${safeText(line, known)}\n`);
  if (io.l10nDir === undefined) {
    configureLocale('en');
  } else {
    configureLocaleFromEnv(io.env, io.l10nDir);
  }
  try {
    const options = parseCliArgs(io.argv, io.env);
    if (options.format !== 'table') {
      // --json and the metrics are machine interfaces: their messages stay English like their field names, whatever the locale.
      configureLocale('en');
    }
    if (options.command === 'help') {
      out(`${usage()}\n`);
      return 0;
    }
    if (options.command === 'version') {
      out(`${version}\n`);
      return 0;
    }
    // Credential requests (STS, URI, ECS) take the proxy from HTTPS_PROXY / HTTP_PROXY of io.env, as the DTS requests do.
    const chainOptions = { env: io.env, requestTimeoutMs: options.timeoutSeconds * 1000 };
    // An explicit --profile is a choice the user made here: it replaces the default chain.
    const chain = options.profile ? profileChain(options.profile, chainOptions) : defaultChain(chainOptions);
    const resolved = await chain.resolve();
    const { credentials } = resolved;
    known = credentials;
    for (const warning of resolved.warnings ?? []) {
      err(l10n.t('warning: {0}', warning));
    }
    client = new DtsClient({
      credentials,
      endpoint: options.endpoint,
      allowInsecureHttp: options.allowInsecureHttp,
      signatureVersion: options.signatureVersion,
      timeoutMs: options.timeoutSeconds * 1000,
      userAgent: `dts-sync-status/${version}`,
    });
    const started = performance.now();
    const totalMs = options.deadlineSeconds * 1000;
    if (options.command === 'list') {
      const regions = regionsForCredentials(options, resolved.region, resolved.source);
      return await runList(client, regions, options, { known: credentials, deadline: { totalMs, remainingMs: () => totalMs - (performance.now() - started) } }, io, out, err);
    }
    const jobs = jobsForCredentials(options, resolved.region, resolved.source);
    const snapshot = await queryJobStatuses(jobs, client, {
      lagWarningSeconds: options.lagWarningSeconds,
      deadlineMs: totalMs,
    });
    // Details share the run's deadline: what is left of it after the status query.
    const deadline = { totalMs, remainingMs: () => totalMs - (performance.now() - started) };
    const details: ReadonlyMap<string, DirectionDetails> = options.details
      ? await fetchDetails(snapshot, client, options.command === 'show' ? () => true : wantsDetails, deadline)
      : new Map();
    if (options.format === 'openmetrics' || options.format === 'prometheus') {
      out(renderMetrics(snapshot, options.format));
    } else if (options.json) {
      const document = toDocument(snapshot);
      const withDetails = options.details
        ? {
            ...document,
            jobs: document.jobs.map((job, j) => ({
              ...job,
              directions: job.directions.map((d, i) => {
                const status = snapshot.jobs[j].directions[i];
                const wanted = options.command === 'show' || wantsDetails(status);
                return wanted ? { ...d, ...detailsRecord(details.get(detailsKey(job.jobId, status.direction))) } : d;
              }),
            })),
          }
        : document;
      out(`${JSON.stringify(withDetails, null, 2)}\n`);
    } else if (options.command === 'show') {
      out(`${snapshot.jobs.map((job) => renderShow(job, details, snapshot.checkedAt)).join('\n\n')}\n`);
    } else {
      const colour = wantsColour(io);
      const table = renderTable(snapshot, colour, (job, d) => reasonLines(details.get(detailsKey(job.jobId, d.direction)), snapshot.checkedAt));
      if (table) {
        out(`${table}\n`);
      }
    }
    for (const line of renderErrors(snapshot)) {
      err(line);
    }
    return exitCodeFor(snapshot);
  } catch (e) {
    const expected = e instanceof DtsError || e instanceof InvalidInputError;
    const message = expected ? e.message : l10n.t('unexpected error: {0}', e instanceof Error ? e.message : String(e));
    err(`dts-sync-status: ${message}`);
    return 2;
  } finally {
    await client?.close();
  }
}

function wantsColour(io: CliIo): boolean {
  return Boolean(io.stdout.isTTY) && !io.env['NO_COLOR'];
}

/** `list`: every job of the regions, as a table or one JSON document; errors and notes on stderr. */
async function runList(
  client: DtsClient,
  regions: readonly string[],
  options: CliOptions,
  discovery: Pick<DiscoveryOptions, 'known' | 'deadline'>,
  io: CliIo,
  out: (text: string) => unknown,
  err: (line: string) => unknown,
): Promise<number> {
  const found = await discoverJobs(client, regions, { ...discovery, name: options.name });
  if (options.json) {
    out(`${JSON.stringify(toListDocument(found, options.lagWarningSeconds), null, 2)}\n`);
  } else {
    const text = renderListTable(found, wantsColour(io), options.lagWarningSeconds) || (found.errors.length === 0 ? emptyListLine(regions, options.name) : '');
    if (text) {
      out(`${text}\n`);
    }
  }
  for (const line of listErrorLines(found)) {
    err(line);
  }
  return listExitCode(found);
}
