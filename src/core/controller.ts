import { accountsInUse, chainSpecFor, DEFAULT_ACCOUNT, jobsByAccount, knownAccounts, type AccountChain, type AccountCredentials, type ChainSpec } from './accounts';
import { BadInputError, CredentialsNotFoundError } from './api/errors';
import type { JobListing } from './api/jobList';
import { jobKey } from './jobs';
import { RegionWatcher } from './regionWatcher';
import { LagHistory } from './lagHistory';
import { LagHistoryStorage, type KeyValueState } from './lagHistoryStorage';
import { maskAccessKeyId } from './safeText';
import { componentLog, type Log } from './log';
import * as l10n from '@vscode/l10n';
import { MAX_JOBS } from './jobs';
import { Poller, type RefreshOutcome, type RefreshReason, type Timers } from './poller';
import { Refresher, type AccountRun, type ClosableSource } from './refresher';
import type { ClientOptions } from './api/client';
import type { Settings } from './settings';
import { parsePersisted, toPersisted, type PersistedSnapshot, type SavedStatus } from './snapshotFormat';
import { toQueryError, type AccountView, type StatusStore, type Transition } from './store';

/** The `when`-clause context keys the manifest's welcome views and menus read. */
export type ContextKey = 'dtsSync.ready' | 'dtsSync.hasCredentials' | 'dtsSync.hasStoredCredentials' | 'dtsSync.hasJobs';

/** Where one account's credentials stand: looked up once per change (and per refresh), written only here. */
export type CredentialState =
  | { readonly kind: 'unknown' }
  | { readonly kind: 'found'; readonly resolved: AccountCredentials }
  | { readonly kind: 'missing'; readonly message: string };

/** What a chain's own requests (roles, URIs) need from the settings. */
export interface ChainContext {
  readonly proxy: string | undefined;
  readonly requestTimeoutMs: number;
}

/** An account as the commands list it. */
export interface AccountInfo {
  readonly name: string;
  /** Some configured job uses it (the default account also when there are no jobs). */
  readonly inUse: boolean;
  /** A key of this name is in SecretStorage. */
  readonly stored: boolean;
  readonly jobs: number;
  readonly state: CredentialState;
}

export interface ControllerDeps {
  /** Reads and validates the settings with each account's profile region, by account name (the adapter, or a fake). */
  readonly readSettings: (profileRegions?: ReadonlyMap<string, string>) => Settings;
  /** The accounts with a key in SecretStorage (`default` among them when the default key is stored). */
  readonly storedAccounts: () => Promise<readonly string[]>;
  /** Builds the credential chain that serves an account. */
  readonly createChain: (spec: ChainSpec, context: ChainContext) => AccountChain;
  readonly store: StatusStore;
  readonly log: Log;
  readonly setContext: (key: ContextKey, value: boolean) => void;
  /** The snapshot saved by the last session, as read back (anything: it is validated). */
  readonly savedSnapshot?: unknown;
  readonly saveSnapshot: (snapshot: PersistedSnapshot) => void;
  /**
   * Where the lag history is kept across sessions (hour files; what it holds is validated): read once when the
   * controller is built, written at most once a minute while refreshing and on `saveLagHistory()` (deactivation).
   */
  readonly lagHistoryState?: KeyValueState;
  /** Directions that newly failed, when the settings ask for notifications. */
  readonly notify?: (transitions: readonly Transition[]) => void;
  readonly createClient?: (options: ClientOptions) => ClosableSource;
  readonly timers?: Timers;
  readonly now?: () => Date;
  readonly userAgent?: string;
}

/** The lag history is written to storage at most this often while refreshing (and once more on deactivation). */
export const LAG_HISTORY_SAVE_INTERVAL_MS = 60_000;

/** One account in use: its chain (kept while its spec and context hold) and what the chain last answered. */
interface AccountSlot {
  readonly name: string;
  readonly chainKey: string;
  readonly chain: AccountChain;
  state: CredentialState;
  /** Looked up by a change handler and not yet used: the next refresh takes them instead of asking the chain again. */
  justResolved: AccountCredentials | undefined;
  lastLine: string | undefined;
}

/**
 * Owns what the extension decides: the settings snapshot, each account's credential state, whether polling is
 * active, and when the snapshot is saved. The composition root only builds adapters and forwards their events here.
 *
 * Active means there are jobs and at least one account in use has credentials; while inactive nothing refreshes,
 * whatever asks. An account without credentials fails only its own jobs.
 */
export class Controller {
  readonly poller: Poller;
  /**
   * Each direction's lag over time, one sample per successful status refresh (at the refresh's time, with the lag the
   * tree shows; null when unknown). A refreshed job's samples are in place before the store's change event for that
   * refresh reaches any view, and `onDidChangeLagHistory` fires once after each refresh that recorded any.
   */
  readonly lagHistory: LagHistory;
  private readonly refresher: Refresher;
  /** The jobs of `dtsSync.watchRegions`, listed every 10 minutes and on a manual refresh. */
  private readonly regionWatcher: RegionWatcher;
  /** The settings as read; `currentSettings` is them with the watched regions' jobs added. */
  private configured: Settings;
  /** discoveredJobKeys for one `currentSettings` snapshot. */
  private discovered: { readonly settings: Settings; readonly keys: ReadonlySet<string> } | undefined;
  private readonly log: Log;
  private readonly credentialLog: Log;
  private currentSettings: Settings;
  private slots = new Map<string, AccountSlot>();
  private stored: ReadonlySet<string> = new Set();
  /** Each account's profile region (by account name) the settings were last read with. */
  private profileRegions: ReadonlyMap<string, string> = new Map();
  private readonly saved: ReadonlyMap<string, SavedStatus>;
  private readonly warned = new Set<string>();
  private lastProblems: readonly string[] = [];
  private storeChanged = false;
  private readonly subscription: { dispose(): void };
  /** Per job key, the `fetchedAt` (ms) whose lags are recorded: one sample per refresh, whatever else changes. */
  private readonly recordedAt = new Map<string, number>();
  private lagRecorded = false;
  private lagUnsaved = false;
  private lagSavedAt: number | undefined;
  private readonly lagListeners = new Set<() => void>();
  private readonly lagStorage: LagHistoryStorage | undefined;

  constructor(private readonly deps: ControllerDeps) {
    this.log = componentLog(deps.log, 'settings');
    this.credentialLog = componentLog(deps.log, 'credentials');
    this.refresher = new Refresher({ store: deps.store, log: deps.log, createClient: deps.createClient, now: deps.now, userAgent: deps.userAgent });
    this.regionWatcher = new RegionWatcher({
      list: (account, region, signal) => this.listJobs(account, region, signal),
      log: deps.log,
      now: () => this.now().getTime(),
    });
    this.configured = deps.readSettings();
    this.currentSettings = this.withWatchedRegions(this.configured);
    const pollerLog = componentLog(deps.log, 'poller');
    this.poller = new Poller({
      intervalSeconds: this.currentSettings.refreshIntervalSeconds,
      refresh: (reason) => this.runRefresh(reason),
      timers: deps.timers,
      onSchedule: (delayMs, reason) => pollerLog.trace(`Next ${reason} refresh in ${Math.round(delayMs / 1000)} s`),
    });
    const storeLog = componentLog(deps.log, 'store');
    this.lagStorage = deps.lagHistoryState ? new LagHistoryStorage(deps.lagHistoryState, (message) => storeLog.warn(message)) : undefined;
    this.lagHistory = this.lagStorage?.restore(this.now().getTime()) ?? new LagHistory();
    // A history read in an older form is written in the current one at the next save, even with no new sample.
    this.lagUnsaved = this.lagStorage?.needsSave ?? false;
    // Subscribed before any view is built, so a refresh's samples are recorded before the views hear of it.
    this.subscription = deps.store.onDidChange(() => {
      this.storeChanged = true;
      this.recordLags();
    });
    this.applySettings(this.currentSettings);
    this.saved = parsePersisted(deps.savedSnapshot);
    deps.store.restore(this.saved);
  }

  /** Fires after a refresh that recorded lag samples (the store's change event may already have shown them). */
  onDidChangeLagHistory(listener: () => void): { dispose(): void } {
    this.lagListeners.add(listener);
    return { dispose: () => this.lagListeners.delete(listener) };
  }

  /**
   * Saves the lag history if it changed since it was last saved (on deactivation): only the hours whose samples
   * changed are written. Resolves once it is written.
   */
  async saveLagHistory(): Promise<void> {
    if (!this.lagUnsaved || !this.lagStorage) {
      return;
    }
    this.lagUnsaved = false;
    this.lagSavedAt = this.now().getTime();
    try {
      await this.lagStorage.save(this.lagHistory);
    } catch (e) {
      // The changed hours stay marked: the next save writes them.
      this.lagUnsaved = true;
      throw e;
    }
  }

  get settings(): Settings {
    return this.currentSettings;
  }

  /** Every account in use and every stored one, in use first. */
  get accounts(): readonly AccountInfo[] {
    const byAccount = jobsByAccount(this.currentSettings.jobs);
    return knownAccounts([...this.slots.keys()], this.stored).map((name) => ({
      name,
      inUse: this.slots.has(name),
      stored: this.stored.has(name),
      jobs: byAccount.get(name)?.length ?? 0,
      state: this.slots.get(name)?.state ?? { kind: 'unknown' },
    }));
  }

  get active(): boolean {
    const work = this.currentSettings.jobs.length > 0 || this.currentSettings.watchRegions.length > 0;
    return work && [...this.slots.values()].some((s) => s.state.kind === 'found');
  }

  /**
   * Every page of a region's sync jobs with an account's credentials (Add Job, watched regions). An account no job
   * uses yet is looked up for this call. Throws when the account has no credentials, the endpoint is refused, or
   * `signal` aborts; a page failing midway is in the listing's `error`.
   */
  async listJobs(account: string, region: string, signal?: AbortSignal): Promise<JobListing> {
    const settings = this.currentSettings;
    if (settings.endpointRefusal) {
      throw new BadInputError(settings.endpointRefusal);
    }
    const slot = this.slots.get(account);
    let resolved = slot?.state.kind === 'found' ? slot.state.resolved : undefined;
    if (!resolved) {
      const context: ChainContext = { proxy: settings.httpProxy, requestTimeoutMs: settings.requestTimeoutSeconds * 1000 };
      const chain = slot?.chain ?? this.deps.createChain(chainSpecFor(account, this.stored), context);
      try {
        resolved = await chain.resolve();
      } catch (e) {
        throw new CredentialsNotFoundError(e instanceof Error ? e.message : String(e));
      }
    }
    return this.refresher.listJobs(account, settings, resolved, region, signal);
  }

  /** The jobs a watched region adds (for the tree's marks and Remove Job's message). */
  get discoveredJobKeys(): ReadonlySet<string> {
    // Asked at every store change (the tree): derived once per settings snapshot, not merged again each time.
    const settings = this.currentSettings;
    if (this.discovered?.settings !== settings) {
      const configured = new Set(this.configured.jobs.map(jobKey));
      this.discovered = { settings, keys: new Set(settings.jobs.map(jobKey).filter((key) => !configured.has(key))) };
    }
    return this.discovered.keys;
  }

  /** The configured jobs and the watched regions' jobs, with a problem line per region that could not be listed. */
  private withWatchedRegions(settings: Settings): Settings {
    if (settings.watchRegions.length === 0) {
      return settings;
    }
    const { jobs, capped } = this.regionWatcher.merge(settings.jobs);
    const problems = [...settings.problems, ...this.regionWatcher.problems()];
    if (capped > 0) {
      problems.push(l10n.t('{0} more jobs of the watched regions are not watched: at most {1} jobs in all', capped, MAX_JOBS));
    }
    return { ...settings, jobs, problems };
  }

  /** After activation returns: look up every account's credentials, say the view is ready, and refresh once if active. */
  async start(): Promise<void> {
    await this.readStored();
    this.syncSlots();
    await this.lookUp([...this.slots.values()]);
    this.deps.setContext('dtsSync.ready', true);
    if (this.active) {
      await this.poller.refresh('startup');
    }
  }

  /** The settings changed: take the new snapshot, look up accounts that came into use, refresh if that leaves it active. */
  async settingsChanged(): Promise<void> {
    this.configured = this.deps.readSettings(this.profileRegions);
    // A region no longer watched takes its jobs along at once; new regions are listed by the refresh below.
    this.regionWatcher.follow(this.configured.watchRegions);
    this.currentSettings = this.withWatchedRegions(this.configured);
    this.applySettings(this.currentSettings);
    const fresh = this.syncSlots();
    // Without a new account the refresh starts in this same turn, as a settings change always did.
    if (fresh.length > 0) {
      await this.lookUp(fresh);
    } else {
      this.publish();
    }
    if (this.active) {
      await this.poller.refresh('settings');
    }
  }

  /** A stored key changed (set or cleared): look every account's chain up once, then refresh if active. */
  async credentialsChanged(): Promise<void> {
    await this.readStored();
    this.syncSlots();
    for (const slot of this.slots.values()) {
      slot.chain.reset();
    }
    await this.lookUp([...this.slots.values()]);
    if (this.active) {
      await this.poller.refresh('credentials');
    }
  }

  /** A refresh asked for by the user; nothing happens while inactive (the welcome view says what is missing). */
  async refresh(): Promise<void> {
    if (!this.active) {
      this.log.info(`Refresh not run: ${this.currentSettings.jobs.length > 0 ? 'no credentials yet' : 'no jobs are configured'}`);
      return;
    }
    await this.poller.refresh('manual');
  }

  /** Focus changes the polling pace; regaining it also looks again for the accounts that had no credentials. */
  focusChanged(focused: boolean): void {
    this.poller.setFocused(focused);
    const missing = [...this.slots.values()].filter((s) => s.state.kind === 'missing');
    if (focused && missing.length > 0) {
      void this.lookUp(missing).then(() => (this.active ? this.poller.refresh('credentials') : undefined));
    }
  }

  private applySettings(settings: Settings): void {
    this.deps.store.setJobs(settings.jobs, settings.problems);
    this.deps.store.setExpiryWarningDays(settings.expiryWarningDays);
    const fresh = settings.problems.filter((p) => !this.lastProblems.includes(p));
    for (const problem of fresh) {
      this.log.warn(problem);
    }
    this.lastProblems = settings.problems;
    this.deps.setContext('dtsSync.hasJobs', settings.jobs.length > 0 || settings.watchRegions.length > 0);
    this.poller.setIntervalSeconds(settings.refreshIntervalSeconds);
    this.poller.setActive(this.active);
  }

  private async readStored(): Promise<void> {
    try {
      this.stored = new Set(await this.deps.storedAccounts());
    } catch (e) {
      // A broken SecretStorage is reported by its adapter; profile-based accounts still work.
      this.credentialLog.warn(`Stored accounts unreadable: ${e instanceof Error ? e.message : String(e)}`);
      this.stored = new Set();
    }
  }

  /** One slot per account in use; a slot whose chain would now differ is rebuilt. Returns the slots not yet looked up. */
  private syncSlots(): AccountSlot[] {
    const context: ChainContext = { proxy: this.currentSettings.httpProxy, requestTimeoutMs: this.currentSettings.requestTimeoutSeconds * 1000 };
    const slots = new Map<string, AccountSlot>();
    // The accounts of the jobs and of the watched regions; the default account when there is neither.
    const { jobs, watchRegions } = this.currentSettings;
    const names = new Set([...(jobs.length > 0 ? accountsInUse(jobs) : []), ...watchRegions.map((w) => w.account)]);
    for (const name of names.size > 0 ? names : accountsInUse([])) {
      const spec = chainSpecFor(name, this.stored);
      const chainKey = JSON.stringify([spec, context]);
      const existing = this.slots.get(name);
      slots.set(
        name,
        existing && existing.chainKey === chainKey
          ? existing
          : { name, chainKey, chain: this.deps.createChain(spec, context), state: { kind: 'unknown' }, justResolved: undefined, lastLine: undefined },
      );
    }
    this.slots = slots;
    return [...slots.values()].filter((s) => s.state.kind === 'unknown');
  }

  /** Looks the given accounts up (in parallel), then publishes every account's state. */
  private async lookUp(slots: readonly AccountSlot[]): Promise<void> {
    await Promise.all(slots.map((slot) => this.resolve(slot)));
    this.publish();
  }

  /** The one writer of an account's credential state. */
  private async resolve(slot: AccountSlot): Promise<AccountCredentials | undefined> {
    try {
      const resolved = await slot.chain.resolve();
      slot.state = { kind: 'found', resolved };
      slot.justResolved = resolved;
      this.describe(slot, resolved);
      return resolved;
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      slot.state = { kind: 'missing', message };
      slot.justResolved = undefined;
      if (slot.lastLine !== message) {
        this.credentialLog.warn(`${this.accountPrefix(slot.name)}${message}`);
        slot.lastLine = message;
      }
      return undefined;
    }
  }

  /** Named in log lines only when the account is not the one default account, so a single-key log reads as before. */
  private accountPrefix(name: string): string {
    return this.slots.size > 1 || name !== DEFAULT_ACCOUNT ? `Account ${name}: ` : '';
  }

  /** The store's accounts, the context keys, the poller, and the default region from the default account's profile. */
  private publish(): void {
    const views: AccountView[] = [...this.slots.values()].map((slot) => ({
      name: slot.name,
      source: slot.state.kind === 'found' ? slot.state.resolved.source : undefined,
      maskedKeyId: slot.state.kind === 'found' ? maskAccessKeyId(slot.state.resolved.credentials.accessKeyId) : undefined,
      failure: slot.state.kind === 'missing' ? toQueryError(new CredentialsNotFoundError(slot.state.message)) : undefined,
      stored: this.stored.has(slot.name),
    }));
    this.deps.store.setAccounts(views);
    this.deps.setContext('dtsSync.hasCredentials', views.some((v) => v.source !== undefined));
    this.deps.setContext('dtsSync.hasStoredCredentials', this.stored.size > 0);
    this.poller.setActive(this.active);
    // An account whose lookup failed keeps the region it had: a passing outage must not move its jobs.
    const regions = new Map(this.profileRegions);
    for (const slot of this.slots.values()) {
      if (slot.state.kind === 'found') {
        if (slot.state.resolved.region) {
          regions.set(slot.name, slot.state.resolved.region);
        } else {
          regions.delete(slot.name);
        }
      }
    }
    const key = (m: ReadonlyMap<string, string>): string => JSON.stringify([...m].sort(([a], [b]) => a.localeCompare(b)));
    if (key(regions) !== key(this.profileRegions)) {
      this.profileRegions = regions;
      this.configured = this.deps.readSettings(regions);
      this.currentSettings = this.withWatchedRegions(this.configured);
      if (this.currentSettings.defaultRegionFrom === 'profile') {
        this.log.info(`Jobs without a region are in ${this.currentSettings.defaultRegion}, the default account's profile region`);
      }
      this.applySettings(this.currentSettings);
      // Job keys may have moved to the profile's region: their saved statuses apply there too.
      this.deps.store.restore(this.saved);
    }
  }

  /** Which key an account uses, once per change of source, and each warning about it once. */
  private describe(slot: AccountSlot, resolved: AccountCredentials): void {
    const prefix = this.accountPrefix(slot.name);
    const line = `${prefix}${prefix ? 'using' : 'Using'} credentials from ${resolved.source} (AccessKey ID ${maskAccessKeyId(resolved.credentials.accessKeyId)})`;
    if (line !== slot.lastLine) {
      this.credentialLog.info(line);
      slot.lastLine = line;
    }
    for (const warning of resolved.warnings ?? []) {
      if (!this.warned.has(warning)) {
        this.warned.add(warning);
        this.credentialLog.warn(warning);
      }
    }
  }

  /** What the poller runs: never while inactive; credentials a change handler just found are used, not looked up again. */
  private async runRefresh(reason: RefreshReason): Promise<RefreshOutcome> {
    if (!this.active) {
      return 'ok';
    }
    const slots = [...this.slots.values()];
    await Promise.all(slots.map(async (slot) => (slot.justResolved ? undefined : this.resolve(slot))));
    this.publish();
    if (this.configured.watchRegions.length > 0) {
      // The watched regions' job lists: those due (every 10 minutes), all of them on a manual refresh.
      await this.regionWatcher.update(this.configured.watchRegions, reason === 'manual');
      const merged = this.withWatchedRegions(this.configured);
      if (JSON.stringify([merged.jobs, merged.problems]) !== JSON.stringify([this.currentSettings.jobs, this.currentSettings.problems])) {
        this.currentSettings = merged;
        this.applySettings(merged);
      }
    }
    const byAccount = jobsByAccount(this.currentSettings.jobs);
    const runs: AccountRun[] = slots.flatMap((slot): AccountRun[] => {
      const jobs = byAccount.get(slot.name) ?? [];
      const state = slot.state;
      slot.justResolved = undefined;
      if (jobs.length === 0) {
        return [];
      }
      return state.kind === 'found'
        ? [{ account: slot.name, jobs, resolved: state.resolved }]
        : [{ account: slot.name, jobs, error: toQueryError(new CredentialsNotFoundError(state.kind === 'missing' ? state.message : '')) }];
    });
    if (!this.active) {
      return 'failed';
    }
    this.storeChanged = false;
    let outcome: RefreshOutcome;
    try {
      const result = await this.refresher.refresh(reason, this.currentSettings, runs);
      outcome = result.outcome;
      // A refused key or expired token: the chain looks again next time (a role is assumed anew, a file re-read).
      for (const name of result.rejected ?? []) {
        this.slots.get(name)?.chain.reset();
      }
      if (result.transitions.length > 0 && this.currentSettings.notifyOnFailure) {
        this.deps.notify?.(result.transitions);
      }
    } catch (e) {
      // Only a shutdown aborts a refresh; anything else is a bug worth a log line, not a crash.
      componentLog(this.deps.log, 'refresh').error(`Refresh (${reason}) stopped: ${e instanceof Error ? e.message : String(e)}`);
      return 'failed';
    }
    if (this.storeChanged) {
      this.deps.saveSnapshot(toPersisted(this.deps.store.state.jobs));
    }
    this.afterRefreshLags();
    return outcome;
  }

  private now(): Date {
    return (this.deps.now ?? (() => new Date()))();
  }

  /**
   * Records one sample per direction of every job the latest refresh answered (fresh, with a `fetchedAt` not yet
   * recorded): the lag the tree shows, at the time it was fetched. A failed or stale job records nothing.
   */
  private recordLags(): void {
    for (const view of this.deps.store.state.jobs) {
      const at = view.fetchedAt;
      if (!view.status?.found || view.stale || !at) {
        continue;
      }
      const key = jobKey(view.spec);
      if (this.recordedAt.get(key) === at.getTime()) {
        continue;
      }
      this.recordedAt.set(key, at.getTime());
      for (const d of view.status.directions) {
        this.lagHistory.record(view.spec, d.direction, at, d.lagSeconds);
      }
      this.lagRecorded = true;
    }
  }

  /** After each refresh: catch jobs whose row did not change, prune, tell listeners, save at most once a minute. */
  private afterRefreshLags(): void {
    this.recordLags();
    const now = this.now();
    const jobs = this.currentSettings.jobs;
    this.lagHistory.retain(jobs, now);
    const configured = new Set(jobs.map(jobKey));
    for (const key of this.recordedAt.keys()) {
      if (!configured.has(key)) {
        this.recordedAt.delete(key);
      }
    }
    if (!this.lagRecorded) {
      return;
    }
    this.lagRecorded = false;
    this.lagUnsaved = true;
    for (const listener of [...this.lagListeners]) {
      listener();
    }
    if (this.lagSavedAt === undefined || now.getTime() - this.lagSavedAt >= LAG_HISTORY_SAVE_INTERVAL_MS) {
      void this.saveLagHistory().catch((e: unknown) =>
        componentLog(this.deps.log, 'store').warn(`Lag history not saved: ${e instanceof Error ? e.message : String(e)}`),
      );
    }
  }

  async dispose(): Promise<void> {
    this.subscription.dispose();
    this.poller.dispose();
    await this.refresher.dispose();
  }
}
