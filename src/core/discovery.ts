import type { Deadline } from './api/client';
import type { DtsError } from './api/errors';
import { listSynchronizationJobs, type JobListClient, type ListedJob, type PageSize } from './api/jobList';
import type { KnownSecrets } from './safeText';

/** The jobs of several regions at one moment: what could be read, and which regions failed (wholly or midway). */
export interface Discovery {
  readonly checkedAt: Date;
  /** Region by region in the order asked, each in the order its pages listed them. */
  readonly jobs: readonly ListedJob[];
  /** One per region whose listing failed; that region's jobs read before the failure are in `jobs`. */
  readonly errors: readonly { readonly region: string; readonly error: DtsError }[];
  readonly notes: readonly { readonly region: string; readonly message: string }[];
  /** Regions whose every page was read. */
  readonly completeRegions: readonly string[];
}

export interface DiscoveryOptions {
  readonly name?: string;
  readonly signal?: AbortSignal;
  readonly deadline?: Deadline;
  readonly pageSize?: PageSize;
  readonly known?: KnownSecrets;
  readonly now?: () => Date;
}

/** Lists every region at once (pages within a region one after another); a failing region never hides the others. */
export async function discoverJobs(client: JobListClient, regions: readonly string[], options: DiscoveryOptions = {}): Promise<Discovery> {
  const unique = [...new Set(regions)];
  const listings = await Promise.all(
    unique.map((region) =>
      listSynchronizationJobs(client, region, {
        name: options.name,
        signal: options.signal,
        deadline: options.deadline,
        pageSize: options.pageSize,
        known: options.known,
      }),
    ),
  );
  return {
    checkedAt: (options.now ?? (() => new Date()))(),
    jobs: listings.flatMap((l) => l.jobs),
    errors: listings.flatMap((l) => (l.error === undefined ? [] : [{ region: l.region, error: l.error }])),
    notes: listings.flatMap((l) => l.notes.map((message) => ({ region: l.region, message }))),
    completeRegions: listings.filter((l) => l.complete).map((l) => l.region),
  };
}
