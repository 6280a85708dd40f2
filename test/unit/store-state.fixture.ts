import type { JobView, StoreState } from '../../src/core/store';

/** A store state with credentials and nothing running: presenter tests override what they are about. */
export function storeState(jobs: JobView[], extra: Partial<StoreState> = {}): StoreState {
  return {
    jobs,
    accounts: [],
    refreshing: false,
    lastAttemptAt: undefined,
    credentialsSource: 'SecretStorage',
    failure: undefined,
    settingsProblems: [],
    ...extra,
  };
}
