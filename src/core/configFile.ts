import * as l10n from '@vscode/l10n';
import { constants, promises as fs, type Stats } from 'node:fs';
import { formatNumber } from './locale';
import { safeText } from './safeText';

/**
 * Reading a local config file that may have been replaced by something hostile: a FIFO (a read that has started on
 * one cannot be interrupted, not even by exiting), a device (`/dev/zero` never ends), a huge file. Only regular files
 * are ever read, checked on the open handle before the first byte, and never more than `maxBytes`.
 */

/** 1 MiB: far above any real config file, far below what would hurt. */
export const MAX_CONFIG_FILE_BYTES = 1024 * 1024;

export interface ReadConfigFileOptions {
  /** Files larger than this are refused without being read. */
  readonly maxBytes?: number;
}

export interface ConfigFileContents {
  /** The file as UTF-8, a leading byte-order mark removed. Holds secrets: never quote it in a message. */
  readonly text: string;
  /** For the user, as ssh does (e.g. a file others can write); never any of the file's content. */
  readonly warnings: readonly string[];
}

export type ConfigFileProblem = 'not-regular' | 'too-large' | 'unreadable';

/** A config file that exists but was not read. The message names the path (sanitized), never the content. */
export class ConfigFileError extends Error {
  constructor(
    message: string,
    readonly path: string,
    readonly problem: ConfigFileProblem,
    /** The errno code (`EACCES`, `ELOOP`, ...) when the operating system refused. */
    readonly code?: string,
  ) {
    super(message);
    this.name = 'ConfigFileError';
  }
}

type OpenFlagConstants = Partial<Record<'O_RDONLY' | 'O_NONBLOCK' | 'O_NOCTTY', number>>;

/**
 * `O_RDONLY | O_NONBLOCK | O_NOCTTY`: opening a FIFO without O_NONBLOCK waits for a writer, and a terminal must not
 * become our controlling one. Windows has neither flag (nor FIFOs at a path), so each missing one counts as 0.
 */
export function openFlags(c: OpenFlagConstants = constants): number {
  return (c.O_RDONLY ?? 0) | (c.O_NONBLOCK ?? 0) | (c.O_NOCTTY ?? 0);
}

const CHUNK_BYTES = 64 * 1024;

/**
 * Reads a config file, or undefined when there is none. Throws a ConfigFileError for anything that is not a regular
 * file (FIFO, device, directory, socket; symlinks are followed and judged by their target), for a file over
 * `maxBytes`, and when the operating system refuses.
 */
export async function readConfigFile(path: string, options: ReadConfigFileOptions = {}): Promise<ConfigFileContents | undefined> {
  const maxBytes = options.maxBytes ?? MAX_CONFIG_FILE_BYTES;
  const shown = safeText(path);
  let before: Stats;
  try {
    // stat follows symlinks: judging the target first means a device or FIFO behind a link is never even opened.
    before = await fs.stat(path);
  } catch (e) {
    if (errnoCode(e) === 'ENOENT') {
      return undefined;
    }
    throw osError(e, path, shown);
  }
  refuseUnlessRegular(before, path, shown, maxBytes);

  let handle: fs.FileHandle;
  try {
    handle = await fs.open(path, openFlags());
  } catch (e) {
    if (errnoCode(e) === 'ENOENT') {
      return undefined; // Removed since the stat: as good as never there.
    }
    throw osError(e, path, shown);
  }
  try {
    // The path may have been swapped since the stat: only what the handle itself points to counts.
    const stats = await handle.stat();
    refuseUnlessRegular(stats, path, shown, maxBytes);
    const bytes = await readBounded(handle, maxBytes, path, shown);
    const text = bytes.toString('utf8').replace(/^\ufeff/, '');
    return { text, warnings: permissionWarnings(stats, shown) };
  } catch (e) {
    throw e instanceof ConfigFileError ? e : osError(e, path, shown);
  } finally {
    await handle.close().catch(() => undefined);
  }
}

function refuseUnlessRegular(stats: Stats, path: string, shown: string, maxBytes: number): void {
  if (!stats.isFile()) {
    throw new ConfigFileError(l10n.t('{0} is not a regular file but {1}; it was not read', shown, kindOf(stats)), path, 'not-regular');
  }
  if (stats.size > maxBytes) {
    throw new ConfigFileError(
      l10n.t('{0} is larger than {1} ({2}); it was not read', shown, formatBytes(maxBytes), formatBytes(stats.size)),
      path,
      'too-large',
    );
  }
}

/** Reads at most maxBytes + 1 bytes: a file that grew past the limit since the fstat (or lies about its size, as procfs does) is refused. */
async function readBounded(handle: fs.FileHandle, maxBytes: number, path: string, shown: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  for (;;) {
    const buffer = Buffer.alloc(Math.min(CHUNK_BYTES, maxBytes + 1 - total));
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, total);
    if (bytesRead === 0) {
      return Buffer.concat(chunks, total);
    }
    chunks.push(buffer.subarray(0, bytesRead));
    total += bytesRead;
    if (total > maxBytes) {
      throw new ConfigFileError(l10n.t('{0} is larger than {1}; it was not read', shown, formatBytes(maxBytes)), path, 'too-large');
    }
  }
}

/** As ssh warns: a file group or others can write lets them swap in their own key. Windows mode bits mean nothing. */
function permissionWarnings(stats: Stats, shown: string): string[] {
  if (process.platform === 'win32' || (stats.mode & 0o022) === 0) {
    return [];
  }
  const mode = (stats.mode & 0o7777).toString(8).padStart(4, '0');
  return [l10n.t('{0} is writable by other users (mode {1}); run chmod 600 {0}', shown, mode)];
}

/** What a non-regular file is, in words, for the refusal message. */
function kindOf(stats: Stats): string {
  const kinds: readonly [boolean, () => string][] = [
    [stats.isFIFO(), () => l10n.t('a named pipe (FIFO)')],
    [stats.isCharacterDevice(), () => l10n.t('a character device')],
    [stats.isBlockDevice(), () => l10n.t('a block device')],
    [stats.isDirectory(), () => l10n.t('a directory')],
    [stats.isSocket(), () => l10n.t('a socket')],
  ];
  return kinds.find(([is]) => is)?.[1]() ?? l10n.t('something else');
}

function formatBytes(bytes: number): string {
  const oneDecimal = (n: number): string => (Number.isInteger(n) ? formatNumber(n) : n.toFixed(1));
  if (bytes >= 1024 * 1024) {
    return l10n.t('{0} MiB', oneDecimal(bytes / (1024 * 1024)));
  }
  if (bytes >= 1024) {
    return l10n.t('{0} KiB', oneDecimal(bytes / 1024));
  }
  return l10n.t('{0} bytes', formatNumber(bytes));
}

function errnoCode(e: unknown): string | undefined {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}

const OS_REASONS: Readonly<Record<string, () => string>> = {
  EACCES: () => l10n.t('permission denied'),
  EPERM: () => l10n.t('operation not permitted'),
  ELOOP: () => l10n.t('too many levels of symbolic links'),
  ENOTDIR: () => l10n.t('a part of the path is not a directory'),
  EISDIR: () => l10n.t('it is a directory'),
  EAGAIN: () => l10n.t('it would block'),
  EIO: () => l10n.t('input/output error'),
};

/** The OS's reason by errno code; Node's own message repeats the path unsanitized, so it is not used. */
function osError(e: unknown, path: string, shown: string): ConfigFileError {
  const code = errnoCode(e);
  const reason = (code && Object.hasOwn(OS_REASONS, code) ? l10n.t('{0} ({1})', OS_REASONS[code](), code) : code) ?? l10n.t('unknown error');
  return new ConfigFileError(l10n.t('Cannot read {0}: {1}', shown, reason), path, 'unreadable', code);
}
