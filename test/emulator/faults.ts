import type { EndpointKind, Fault, FaultKind } from './scenario';

/** Faults that model the network or a proxy: they strike before the gateway looks at the request. */
const NETWORK_FAULTS: ReadonlySet<FaultKind> = new Set<FaultKind>(['hang', 'reset', 'html', 'slow']);

export type FaultStage = 'network' | 'service';

/** How often one fault of the scenario struck, so tests can count retries. */
export interface FaultCounter {
  /** Position in the scenario's `faults`. */
  readonly index: number;
  readonly kind: FaultKind;
  readonly applied: number;
  /** Strikes left; null when the fault has no `times` limit. */
  readonly remaining: number | null;
}

/** The scenario's faults with their counters. */
export class FaultBook {
  private readonly applied: number[];

  constructor(private readonly faults: readonly Fault[]) {
    this.applied = faults.map(() => 0);
  }

  /** The first fault of `stage` that matches and still has strikes left, counted as struck. A fault without `endpoint` is DTS's. */
  take(stage: FaultStage, endpoint: EndpointKind, action: string | undefined, region: string | undefined): Fault | undefined {
    const index = this.faults.findIndex(
      (f, i) =>
        NETWORK_FAULTS.has(f.kind) === (stage === 'network') &&
        (f.endpoint ?? 'dts') === endpoint &&
        (f.action === undefined || f.action === action) &&
        (f.region === undefined || f.region === region) &&
        (f.times === undefined || this.applied[i] < f.times),
    );
    if (index < 0) {
      return undefined;
    }
    this.applied[index]++;
    return this.faults[index];
  }

  counters(): FaultCounter[] {
    return this.faults.map((f, index) => ({
      index,
      kind: f.kind,
      applied: this.applied[index],
      remaining: f.times === undefined ? null : f.times - this.applied[index],
    }));
  }
}
