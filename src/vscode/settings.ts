import * as vscode from 'vscode';
import { jobKey, parseJobList, type JobSpec } from '../core/jobs';
import { parseSettings, type Settings } from '../core/settings';

export const SECTION = 'dtsSync';

/** Whether the user (or the workspace) set `dtsSync.defaultRegion`; the manifest's default does not count. */
function defaultRegionIsSet(config: vscode.WorkspaceConfiguration): boolean {
  const inspected = config.inspect('defaultRegion');
  return [inspected?.globalValue, inspected?.workspaceValue, inspected?.workspaceFolderValue].some((v) => v !== undefined);
}

/** The settings; each account's profile region (by account name) applies while `dtsSync.defaultRegion` is unset. */
export function readSettings(profileRegions?: ReadonlyMap<string, string>): Settings {
  const config = vscode.workspace.getConfiguration(SECTION);
  const http = vscode.workspace.getConfiguration('http');
  // VS Code's proxy support patches Node's http module, which undici does not use: pass the proxy on explicitly.
  const proxy = http.get<string>('proxySupport') === 'off' ? undefined : http.get<unknown>('proxy');
  const regionSet = defaultRegionIsSet(config);
  return parseSettings((key) => (key === 'defaultRegion' && !regionSet ? undefined : config.get(key)), proxy, profileRegions);
}

/** Where `dtsSync.jobs` is defined (most specific first), so edits land where the user keeps the list. */
function jobsTarget(): { target: vscode.ConfigurationTarget; value: unknown[] } {
  const inspected = vscode.workspace.getConfiguration(SECTION).inspect<unknown[]>('jobs');
  if (inspected?.workspaceValue !== undefined) {
    return { target: vscode.ConfigurationTarget.Workspace, value: [...inspected.workspaceValue] };
  }
  return { target: vscode.ConfigurationTarget.Global, value: [...(inspected?.globalValue ?? [])] };
}

function entryFor(job: JobSpec, settings: Settings): unknown {
  if (job.name || job.account) {
    return { id: job.id, region: job.region, ...(job.name ? { name: job.name } : {}), ...(job.account ? { account: job.account } : {}) };
  }
  // A region taken from a profile is written out: the entry must not move when the profile changes.
  return job.region === settings.defaultRegion && settings.defaultRegionFrom !== 'profile' ? job.id : `${job.id}@${job.region}`;
}

/**
 * Adds jobs where `dtsSync.jobs` is already defined (workspace or user), user settings otherwise, in one update; jobs
 * already listed are skipped. Returns how many were added.
 */
export async function addJobsToSettings(jobs: readonly JobSpec[], settings: Settings): Promise<number> {
  const { target, value } = jobsTarget();
  const listed = new Set(settings.jobs.map(jobKey));
  let added = 0;
  for (const job of jobs) {
    if (!listed.has(jobKey(job))) {
      listed.add(jobKey(job));
      value.push(entryFor(job, settings));
      added++;
    }
  }
  if (added > 0) {
    await vscode.workspace.getConfiguration(SECTION).update('jobs', value, target);
  }
  return added;
}

/** Removes every entry for the job from the same place `addJobsToSettings` writes to. */
export async function removeJobFromSettings(job: JobSpec, defaultRegion: string): Promise<boolean> {
  const { target, value } = jobsTarget();
  const kept = value.filter((entry) => {
    const parsed = parseJobList([entry], defaultRegion).jobs[0];
    return !parsed || jobKey(parsed) !== jobKey(job);
  });
  if (kept.length === value.length) {
    return false;
  }
  await vscode.workspace.getConfiguration(SECTION).update('jobs', kept, target);
  return true;
}
