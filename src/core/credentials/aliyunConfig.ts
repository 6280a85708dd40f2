import * as l10n from '@vscode/l10n';
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { CredentialsNotFoundError } from '../api/errors';
import { ConfigFileError, readConfigFile, type ConfigFileContents } from '../configFile';
import { quoteUntrusted, safeText } from '../safeText';

/** One profile of `~/.aliyun/config.json`, as the aliyun CLI writes it; every field is checked before use. */
export type AliyunProfile = Readonly<Record<string, unknown>> & { readonly name?: unknown; readonly mode?: unknown };

export interface AliyunConfig {
  readonly current?: string;
  readonly profiles: readonly AliyunProfile[];
  readonly warnings: readonly string[];
}

export type ReadFile = (path: string) => Promise<ConfigFileContents | undefined>;

export function aliyunConfigPath(home: string = homedir()): string {
  return join(home, '.aliyun', 'config.json');
}

/** A name from the file, the environment or the command line, shown quoted with its control characters escaped. */
export function shownName(name: string): string {
  return quoteUntrusted(name, 64);
}

/** In a list of names a plain one stays bare (`dev, Prod`); anything else is quoted and escaped. */
export function listedName(name: string): string {
  return /^[\w.@-]{1,64}$/.test(name) ? name : shownName(name);
}

/** How many profile names an error lists before "and N more": a hostile file could hold thousands. */
const MAX_LISTED_PROFILES = 20;

export function listNames(names: readonly string[]): string {
  const listed = names.slice(0, MAX_LISTED_PROFILES).map(listedName).join(', ');
  return names.length > MAX_LISTED_PROFILES ? l10n.t('{0} and {1} more', listed, names.length - MAX_LISTED_PROFILES) : listed || l10n.t('none');
}

/** A config file read with our own reader (no FIFOs, bounded size); its errors never quote the content. */
export async function readSafely(path: string, read: ReadFile = (p) => readConfigFile(p)): Promise<ConfigFileContents | undefined> {
  try {
    return await read(path);
  } catch (e) {
    if (e instanceof ConfigFileError) {
      throw new CredentialsNotFoundError(e.message);
    }
    const shown = safeText(path);
    const code = (e as NodeJS.ErrnoException | undefined)?.code;
    throw new CredentialsNotFoundError(typeof code === 'string' ? l10n.t('Cannot read {0}: {1}', shown, code) : l10n.t('Cannot read {0}', shown));
  }
}

/** The aliyun CLI's config file, or undefined when there is none. */
export async function readAliyunConfig(path: string, read?: ReadFile): Promise<AliyunConfig | undefined> {
  const file = await readSafely(path, read);
  if (file === undefined) {
    return undefined;
  }
  const shownPath = safeText(path);
  let parsed: unknown;
  try {
    parsed = JSON.parse(file.text);
  } catch {
    // JSON.parse's message quotes the text around the error, which holds secrets.
    throw new CredentialsNotFoundError(l10n.t('{0} is not valid JSON', shownPath));
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new CredentialsNotFoundError(l10n.t('{0} is not a JSON object', shownPath));
  }
  const config = parsed as { current?: unknown; profiles?: unknown };
  const profiles = (Array.isArray(config.profiles) ? (config.profiles as unknown[]) : []).filter(
    (p): p is AliyunProfile => typeof p === 'object' && p !== null && !Array.isArray(p),
  );
  const current = typeof config.current === 'string' && config.current.trim() ? config.current.trim() : undefined;
  return { current, profiles, warnings: file.warnings };
}

/** Exact name first (as the aliyun CLI matches), then case-insensitively. */
export function findProfile(profiles: readonly AliyunProfile[], name: string): AliyunProfile | undefined {
  return (
    profiles.find((p) => p.name === name) ?? profiles.find((p) => typeof p.name === 'string' && p.name.toLowerCase() === name.toLowerCase())
  );
}

export function profileNames(profiles: readonly AliyunProfile[]): string[] {
  return profiles.flatMap((p) => (typeof p.name === 'string' ? [p.name] : []));
}

/** `--profile`/account first, then the aliyun CLI's variables in its order, then nothing (the file's `current`). */
export function profileNameFromEnv(env: NodeJS.ProcessEnv): string | undefined {
  for (const name of ['ALIBABACLOUD_PROFILE', 'ALIBABA_CLOUD_PROFILE', 'ALICLOUD_PROFILE']) {
    const value = env[name]?.trim();
    if (value) {
      return value;
    }
  }
  return undefined;
}

/** A string field of a profile, trimmed; '' when absent or not a string. */
export function field(profile: AliyunProfile, key: string): string {
  const v = profile[key];
  return typeof v === 'string' ? v.trim() : '';
}

/** A numeric field (the aliyun CLI writes numbers; hand-edited files may hold strings). */
export function numberField(profile: AliyunProfile, key: string): number | undefined {
  const v = profile[key];
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  return Number.isFinite(n) ? n : undefined;
}

export function booleanField(profile: AliyunProfile, key: string): boolean {
  const v = profile[key];
  return v === true || (typeof v === 'string' && v.toLowerCase() === 'true');
}

/** Write-backs to one file run one after the other, so two renewals never interleave. */
const writeQueues = new Map<string, Promise<unknown>>();

/**
 * Updates one profile of the aliyun CLI config as the aliyun CLI does after an OAuth or External renewal, but
 * atomically: the whole file is re-read, changed, written to a temporary file (mode 0600) in the same folder and
 * renamed over the original, so a reader never sees half a file. The profile is found by name, following
 * `source_profile` to the first one in `mode`. Returns false (never throws) when there was nothing to update.
 */
export function writeBackProfile(
  path: string,
  profileName: string,
  mode: 'OAuth' | 'External',
  changes: Readonly<Record<string, string | number>>,
): Promise<boolean> {
  const previous = writeQueues.get(path) ?? Promise.resolve();
  const next = previous.catch(() => undefined).then(() => writeBack(path, profileName, mode, changes));
  writeQueues.set(path, next);
  void next.finally(() => {
    if (writeQueues.get(path) === next) {
      writeQueues.delete(path);
    }
  }).catch(() => undefined);
  return next;
}

async function writeBack(path: string, profileName: string, mode: string, changes: Readonly<Record<string, string | number>>): Promise<boolean> {
  const file = await readConfigFile(path);
  if (!file) {
    return false;
  }
  const config = JSON.parse(file.text) as { profiles?: unknown };
  if (!Array.isArray(config.profiles)) {
    return false;
  }
  const profiles = config.profiles as Record<string, unknown>[];
  const seen = new Set<string>();
  let target = profiles.find((p) => p?.['name'] === profileName);
  while (target && target['mode'] !== mode && typeof target['source_profile'] === 'string' && !seen.has(target['source_profile'])) {
    seen.add(target['source_profile']);
    const source = target['source_profile'];
    target = profiles.find((p) => p?.['name'] === source);
  }
  if (!target || target['mode'] !== mode) {
    return false;
  }
  Object.assign(target, changes);
  const temp = join(dirname(path), `.config.json.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    // 4-space indents, as the aliyun CLI writes the file.
    await fs.writeFile(temp, `${JSON.stringify(config, null, 4)}\n`, { mode: 0o600, flag: 'wx' });
    await fs.rename(temp, path);
  } catch (e) {
    await fs.rm(temp, { force: true }).catch(() => undefined);
    throw e;
  }
  return true;
}
