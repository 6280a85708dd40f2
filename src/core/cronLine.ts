import * as l10n from '@vscode/l10n';
import { jobsByAccount } from './accounts';
import { DEFAULT_ACCOUNT, type JobSpec } from './jobs';

/**
 * The crontab lines that check the watched jobs with the command-line companion every five minutes and leave metrics
 * for node_exporter's textfile collector (`--format prometheus`: the text format it reads, which has no state sets): one line per account (a named account is the aliyun profile of that name,
 * as the CLI's --profile reads it; the default account is the CLI's own credential chain). The file is written to a
 * temporary name and moved, so a scraper never reads half a file; `;` rather than `&&`, because the CLI exits 1 when
 * a job needs attention and 2 when a query failed, and the metrics say so.
 */
export interface CronLineOptions {
  /** How cron starts the command line (default `dts-sync-status`, as `npm install -g` puts it on the PATH). */
  readonly command?: string;
  readonly jobs: readonly JobSpec[];
  /** node_exporter's --collector.textfile.directory. */
  readonly textfileDirectory?: string;
}

export const DEFAULT_TEXTFILE_DIRECTORY = '/var/lib/node_exporter/textfile_collector';

/** Quotes a word for a POSIX shell: only when needed, with single quotes. */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

export function cronLines({ command = 'dts-sync-status', jobs, textfileDirectory = DEFAULT_TEXTFILE_DIRECTORY }: CronLineOptions): string {
  const dir = shellQuote(textfileDirectory);
  const lines = [
    `# ${l10n.t('DTS Sync Status: check the jobs every 5 minutes and write metrics for node_exporter.')}`,
    `# ${l10n.t('Credentials come from the environment or the aliyun CLI profile, not from VS Code.')}`,
    `# ${l10n.t('Needs the dts-sync-status command line (see the README) and Node.js 20 or later on the PATH cron uses.')}`,
  ];
  if (jobs.length === 0) {
    lines.push(`# ${l10n.t('No jobs are watched yet: add jobs, then copy the lines again.')}`);
  }
  for (const [account, accountJobs] of jobsByAccount(jobs)) {
    const file = account === DEFAULT_ACCOUNT ? 'dts-sync.prom' : `dts-sync-${account.replace(/[^A-Za-z0-9_-]/g, '_')}.prom`;
    const words = [
      shellQuote(command),
      '--format',
      'prometheus',
      ...(account === DEFAULT_ACCOUNT ? [] : ['--profile', shellQuote(account)]),
      ...accountJobs.map((job) => shellQuote(`${job.id}@${job.region}`)),
    ];
    lines.push(`*/5 * * * * cd ${dir} && ${words.join(' ')} > ${file}.tmp; mv ${file}.tmp ${file}`);
  }
  return `${lines.join('\n')}\n`;
}
