import * as vscode from 'vscode';
import type { JobListing, ListedJob } from '../core/api/jobList';
import { DEFAULT_ACCOUNT, jobKey, jobRefProblem, parseJobRef, type JobSpec } from '../core/jobs';
import { statusLabel } from '../core/model';
import { regionName } from '../core/regions';
import { safeText, truncate } from '../core/safeText';
import type { Settings } from '../core/settings';
import { pickRegion } from './regionPicker';

/** What Add Job needs from the rest of the extension; the listing goes through the account's client. */
export interface AddJobDeps {
  readonly settings: () => Settings;
  /** The accounts to choose from (the default first); one means no question. */
  readonly accounts: () => readonly string[];
  readonly pickAccount: (title: string) => Promise<string | undefined>;
  /** Every page of the region's sync jobs, as far as they could be read. */
  readonly listJobs: (account: string, region: string, signal: AbortSignal) => Promise<JobListing>;
  /** Writes the jobs to `dtsSync.jobs` in one update; returns how many were new. */
  readonly addJobs: (jobs: readonly JobSpec[]) => Promise<number>;
}

type JobItem = vscode.QuickPickItem & { readonly listed?: ListedJob; readonly manual?: true };

function stepTitle(step: number, steps: number): string {
  return vscode.l10n.t('Add Job ({0}/{1})', step, steps);
}

function engines(job: ListedJob): string | undefined {
  const source = job.source?.engineName;
  const destination = job.destination?.engineName;
  return source || destination ? `${source ?? '?'} → ${destination ?? '?'}` : undefined;
}

/** One pick-list row per listed job: name (or ID), ID and status, engines; jobs already watched say so. */
function jobItem(job: ListedJob, watched: boolean): JobItem {
  const label = safeText(job.name ?? job.jobId);
  const description = [job.name ? job.jobId : undefined, job.status ? statusLabel(job.status) : undefined].filter((p) => p).join(' · ');
  const detail = [watched ? `$(eye) ${vscode.l10n.t('already watched')}` : undefined, engines(job)].filter((p) => p).join(' · ');
  return { label: watched ? `$(check) ${label}` : label, description, detail: detail || undefined, listed: job };
}

/**
 * The region's jobs in a multi-select pick list that opens at once with a busy indicator while the pages load; jobs
 * already watched are marked and never added twice; "Enter a job ID…" stays for jobs the list cannot show. Resolves
 * with the jobs picked and whether the ID should be typed, or undefined when cancelled. Cancelling stops the listing.
 */
async function pickListedJobs(
  deps: AddJobDeps,
  account: string,
  region: string,
  title: string,
): Promise<{ jobs: ListedJob[]; manual: boolean } | undefined> {
  const watched = new Set(deps.settings().jobs.map(jobKey));
  const manualItem: JobItem = { label: `$(edit) ${vscode.l10n.t('Enter a job ID…')}`, alwaysShow: true, manual: true };
  const where = regionName(region) ?? region;
  const pick = vscode.window.createQuickPick<JobItem>();
  pick.title = title;
  pick.canSelectMany = true;
  pick.matchOnDescription = true;
  pick.matchOnDetail = true;
  pick.ignoreFocusOut = true;
  pick.busy = true;
  pick.placeholder = vscode.l10n.t('Loading the sync jobs of {0}…', where);
  pick.items = [manualItem];
  const abort = new AbortController();
  const disposables: vscode.Disposable[] = [];
  try {
    const picked = new Promise<{ jobs: ListedJob[]; manual: boolean } | undefined>((resolve) => {
      disposables.push(
        pick.onDidAccept(() => {
          const selected = pick.selectedItems.length > 0 ? pick.selectedItems : pick.activeItems;
          resolve({
            jobs: selected.flatMap((item) => (item.listed && !watched.has(jobKey({ id: item.listed.jobId, region })) ? [item.listed] : [])),
            manual: selected.some((item) => item.manual),
          });
        }),
        pick.onDidHide(() => resolve(undefined)),
      );
    });
    pick.show();
    void deps.listJobs(account, region, abort.signal).then(
      (listing) => {
        const rows = listing.jobs.map((job) => jobItem(job, watched.has(jobKey({ id: job.jobId, region }))));
        const problem = listing.error
          ? [{ label: `$(error) ${vscode.l10n.t('Could not list every job: {0}', truncate(safeText(listing.error.message), 200))}`, alwaysShow: true } satisfies JobItem]
          : [];
        pick.items = [...problem, ...rows, { label: '', kind: vscode.QuickPickItemKind.Separator }, manualItem];
        pick.placeholder =
          rows.length === 0
            ? vscode.l10n.t('No sync jobs found in {0}: enter a job ID', where)
            : vscode.l10n.t('{0} sync jobs in {1}: pick one or more (Space), then Enter', rows.length, where);
        pick.busy = false;
      },
      (caught: unknown) => {
        if (!abort.signal.aborted) {
          pick.items = [
            { label: `$(error) ${vscode.l10n.t('Could not list the jobs: {0}', truncate(safeText(String((caught as Error)?.message ?? caught)), 200))}`, alwaysShow: true },
            manualItem,
          ];
          pick.busy = false;
        }
      },
    );
    return await picked;
  } finally {
    abort.abort();
    disposables.forEach((d) => d.dispose());
    pick.dispose();
  }
}

/** The job ID typed by hand (optionally ID@region, which then wins over the region picked), and a display name. */
async function enterJob(region: string, title: string, watched: ReadonlySet<string>): Promise<JobSpec | 'watched' | undefined> {
  const rawId = await vscode.window.showInputBox({
    title,
    prompt: vscode.l10n.t('DTS synchronization job ID (from the DTS console), optionally ID@region'),
    placeHolder: 'dtsexjk1alb116xxxx',
    ignoreFocusOut: true,
    validateInput: (v) => jobRefProblem(v.trim()),
  });
  if (rawId === undefined) {
    return undefined;
  }
  const ref = parseJobRef(rawId.trim(), region);
  // Said before the name is asked for: nothing more to type for a job already in the list.
  if (watched.has(jobKey(ref))) {
    void vscode.window.showWarningMessage(vscode.l10n.t('DTS job {0} in {1} is already in the list.', ref.id, ref.region));
    return 'watched';
  }
  const name = await vscode.window.showInputBox({
    title,
    prompt: vscode.l10n.t('Display name (optional; press Enter to show the ID)'),
    ignoreFocusOut: true,
  });
  if (name === undefined) {
    return undefined;
  }
  return { id: ref.id, region: ref.region, ...(name.trim() ? { name: name.trim() } : {}) };
}

/**
 * DTS: Add Job…: the account (when there is a choice), the region by name, then the region's jobs from DTS to pick
 * from, or an ID typed by hand. Picked jobs are written without a name, so the tree shows the name DTS has.
 */
export async function addJob(deps: AddJobDeps): Promise<JobSpec[]> {
  const settings = deps.settings();
  const accounts = deps.accounts();
  const steps = accounts.length > 1 ? 3 : 2;
  let step = 1;
  let account = DEFAULT_ACCOUNT;
  if (accounts.length > 1) {
    const picked = await deps.pickAccount(stepTitle(step++, steps));
    if (picked === undefined) {
      return [];
    }
    account = picked;
  }
  const inUse = [...settings.jobs.map((j) => j.region), ...settings.watchRegions.map((w) => w.region)];
  const region = await pickRegion({ title: stepTitle(step++, steps), inUse, defaultRegion: settings.defaultRegion });
  if (region === undefined) {
    return [];
  }
  const choice = await pickListedJobs(deps, account, region, stepTitle(step, steps));
  if (choice === undefined) {
    return [];
  }
  const withAccount = (job: JobSpec): JobSpec => (account === DEFAULT_ACCOUNT ? job : { ...job, account });
  const jobs: JobSpec[] = choice.jobs.map((job) => withAccount({ id: job.jobId, region }));
  const watched = new Set(settings.jobs.map(jobKey));
  if (choice.manual) {
    const typed = await enterJob(region, stepTitle(step, steps), watched);
    if (typed === 'watched' && jobs.length === 0) {
      return [];
    }
    if (typed && typed !== 'watched') {
      jobs.push(withAccount(typed));
    }
  }
  const fresh = jobs.filter((job) => !watched.has(jobKey(job)));
  if (jobs.length > 0 && fresh.length === 0) {
    void vscode.window.showWarningMessage(
      jobs.length === 1
        ? vscode.l10n.t('DTS job {0} in {1} is already in the list.', jobs[0].id, jobs[0].region)
        : vscode.l10n.t('These jobs are already in the list.'),
    );
    return [];
  }
  if (fresh.length > 0) {
    await deps.addJobs(fresh);
  }
  return fresh;
}
