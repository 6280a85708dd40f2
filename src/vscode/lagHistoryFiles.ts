import * as fs from 'node:fs';
import * as path from 'node:path';
import { LAG_HISTORY_LEGACY_KEY, type KeyValueState } from '../core/lagHistoryStorage';

/**
 * The lag history's keys as files in the extension's global storage folder, one JSON file per key. Not in globalState:
 * VS Code sends an extension's whole globalState through IPC and writes it to its state database as one value at
 * every update of any key, so one key per hour there would still move the whole day at every save. A file per hour is
 * written alone. The key of earlier versions (one value in globalState) is still read there, and removed there.
 */

/** The only keys kept as files: the index and the hours. Anything else is not a file name this writes. */
const FILE_KEY = /^dtsSync\.lagHistory\.(?:index|h-?\d{1,12})$/;
/** What update() writes before renaming: `<key>.json.<pid>.<n>.tmp`. */
const TEMPORARY = /^dtsSync\.lagHistory\.(?:index|h-?\d{1,12})\.json\.\d+\.\d+\.tmp$/;
const STALE_TEMPORARY_MS = 10 * 60_000;
/** A file larger than this is not read (a day for 10,000 directions is far below). */
const MAX_FILE_BYTES = 32 * 1024 * 1024;

export class LagHistoryFiles implements KeyValueState {
  /** Writes and removals run one after the other, in the order asked: a save's index lands after its hours. */
  private queue: Promise<void> = Promise.resolve();
  private written = 0;

  constructor(
    private readonly folder: string,
    /** Where earlier versions kept the history: globalState. */
    private readonly legacy: Pick<KeyValueState, 'get' | 'update'>,
  ) {}

  /** Read once at activation, synchronously like globalState; a file that is not JSON reads as a malformed value. */
  get(key: string): unknown {
    if (key === LAG_HISTORY_LEGACY_KEY) {
      return this.legacy.get(key);
    }
    const file = this.fileOf(key);
    if (!file) {
      return undefined;
    }
    try {
      // Only a regular file of bounded size: a FIFO or a device (a symlink to /dev/zero) would never end a read.
      const stat = fs.statSync(file);
      if (!stat.isFile() || stat.size > MAX_FILE_BYTES) {
        return null;
      }
      return JSON.parse(fs.readFileSync(file, 'utf8')) as unknown;
    } catch (e) {
      return (e as NodeJS.ErrnoException).code === 'ENOENT' ? undefined : null;
    }
  }

  update(key: string, value: unknown): Promise<void> {
    if (key === LAG_HISTORY_LEGACY_KEY) {
      return Promise.resolve(this.legacy.update(key, value));
    }
    const file = this.fileOf(key);
    if (!file) {
      return Promise.reject(new Error(`Not a lag history key: ${key}`));
    }
    const text = value === undefined ? undefined : JSON.stringify(value);
    const run = async (): Promise<void> => {
      if (text === undefined) {
        await fs.promises.rm(file, { force: true });
        return;
      }
      await fs.promises.mkdir(this.folder, { recursive: true });
      // Written beside, then renamed over: a reader (another window, the next start) never sees half a file.
      const temporary = `${file}.${process.pid}.${++this.written}.tmp`;
      try {
        await fs.promises.writeFile(temporary, text, 'utf8');
        await fs.promises.rename(temporary, file);
      } catch (e) {
        await fs.promises.rm(temporary, { force: true }).catch(() => undefined);
        throw e;
      }
    };
    const done = this.queue.then(run);
    this.queue = done.catch(() => undefined);
    return done;
  }

  /** The history's keys with a file; also removes temporary files a write cut short (a crash) left behind. */
  keys(): readonly string[] {
    try {
      const names = fs.readdirSync(this.folder);
      this.removeStaleTemporaries(names);
      return names
        .filter((name) => name.endsWith('.json'))
        .map((name) => name.slice(0, -'.json'.length))
        .filter((key) => FILE_KEY.test(key));
    } catch {
      return [];
    }
  }

  /** A temporary file older than STALE_TEMPORARY_MS: another window's write in progress takes milliseconds. */
  private removeStaleTemporaries(names: readonly string[]): void {
    const now = Date.now();
    for (const name of names) {
      if (!TEMPORARY.test(name)) {
        continue;
      }
      const file = path.join(this.folder, name);
      try {
        const stat = fs.lstatSync(file);
        if (stat.isFile() && now - stat.mtimeMs > STALE_TEMPORARY_MS) {
          fs.rmSync(file, { force: true });
        }
      } catch {
        // Gone already, or not ours to remove: left alone.
      }
    }
  }

  private fileOf(key: string): string | undefined {
    return FILE_KEY.test(key) ? path.join(this.folder, `${key}.json`) : undefined;
  }
}
