import { CredentialsNotFoundError } from './api/errors';
import { resolveCredentials, type CredentialProvider, type ResolvedCredentials } from './credentials';
import { maskAccessKeyId } from './safeText';
import { componentLog, type Log } from './log';
import { Poller, type RefreshOutcome, type RefreshReason, type Timers } from './poller';
import { Refresher, type ClosableSource } from './refresher';
import type { ClientOptions } from './api/client';
import type { Settings } from './settings';
import { parsePersisted, toPersisted, type PersistedSnapshot } from './snapshotFormat';
import { toQueryError, type StatusStore, type Transition } from './store';

/** The `when`-clause context keys the manifest's welcome views and menus read. */
export type ContextKey = 'dtsSync.ready' | 'dtsSync.hasCredentials' | 'dtsSync.hasStoredCredentials' | 'dtsSync.hasJobs';

/** Where the credentials stand: looked up once per change (and per refresh), written only here. */
export type CredentialState =
  | { readonly kind: 'unknown' }
  | { readonly kind: 'found'; readonly resolved: ResolvedCredentials }
  | { readonly kind: 'missing'; readonly message: string };

export interface ControllerDeps {
  /** Reads and validates the settings (the VS Code adapter, or a fake in tests). */
  readonly readSettings: () => Settings;
  /** The credential chain, first link first (SecretStorage, environment, profile). */
  readonly credentialProviders: readonly CredentialProvider[];
  /** Whether a source name is the stored key (so "Clear AccessKey" is offered). */
  readonly isStoredSource: (source: string) => boolean;
  readonly store: StatusStore;
  readonly log: Log;
  readonly setContext: (key: ContextKey, value: boolean) => void;
  /** The snapshot saved by the last session, as read back (anything: it is validated). */
  readonly savedSnapshot?: unknown;
  readonly saveSnapshot: (snapshot: PersistedSnapshot) => void;
  /** Directions that newly failed, when the settings ask for notifications. */
  readonly notify?: (transitions: readonly Transition[]) => void;
  readonly createClient?: (options: ClientOptions) => ClosableSource;
  readonly timers?: Timers;
  readonly now?: () => Date;
  readonly userAgent?: string;
  readonly credentialDeadlineMs?: number;
}

/**
 * Owns what the extension decides: the settings snapshot, the credential state, whether polling is active, and when
 * the snapshot is saved. The composition root only builds adapters and forwards their events here.
 *
 * Active means there are jobs and credentials; while inactive nothing refreshes, whatever asks.
 */
export class Controller {
  readonly poller: Poller;
  private readonly refresher: Refresher;
  private readonly log: Log;
  private readonly credentialLog: Log;
  private currentSettings: Settings;
  private credentials: CredentialState = { kind: 'unknown' };
  /** Credentials looked up by a change handler and not yet used: the next refresh takes them instead of looking again. */
  private justResolved: ResolvedCredentials | undefined;
  private lastCredentialLine: string | undefined;
  private readonly warned = new Set<string>();
  private lastProblems: readonly string[] = [];
  private storeChanged = false;
  private readonly subscription: { dispose(): void };

  constructor(private readonly deps: ControllerDeps) {
    this.log = componentLog(deps.log, 'settings');
    this.credentialLog = componentLog(deps.log, 'credentials');
    this.refresher = new Refresher({ store: deps.store, log: deps.log, createClient: deps.createClient, now: deps.now, userAgent: deps.userAgent });
    this.currentSettings = deps.readSettings();
    const pollerLog = componentLog(deps.log, 'poller');
    this.poller = new Poller({
      intervalSeconds: this.currentSettings.refreshIntervalSeconds,
      refresh: (reason) => this.runRefresh(reason),
      timers: deps.timers,
      onSchedule: (delayMs, reason) => pollerLog.trace(`Next ${reason} refresh in ${Math.round(delayMs / 1000)} s`),
    });
    this.subscription = deps.store.onDidChange(() => {
      this.storeChanged = true;
    });
    this.applySettings(this.currentSettings);
    deps.store.restore(parsePersisted(deps.savedSnapshot));
  }

  get settings(): Settings {
    return this.currentSettings;
  }

  get credentialState(): CredentialState {
    return this.credentials;
  }

  get active(): boolean {
    return this.credentials.kind === 'found' && this.currentSettings.jobs.length > 0;
  }

  /** After activation returns: look up the credentials, say the view is ready, and refresh once if active. */
  async start(): Promise<void> {
    await this.lookUpCredentials();
    this.deps.setContext('dtsSync.ready', true);
    if (this.active) {
      await this.poller.refresh('startup');
    }
  }

  /** The settings changed: take the new snapshot, and refresh only if that leaves the extension active. */
  async settingsChanged(): Promise<void> {
    this.currentSettings = this.deps.readSettings();
    this.applySettings(this.currentSettings);
    if (this.active) {
      await this.poller.refresh('settings');
    }
  }

  /** The stored key changed (set or cleared): look the chain up once, then refresh if active. */
  async credentialsChanged(): Promise<void> {
    await this.lookUpCredentials();
    if (this.active) {
      await this.poller.refresh('credentials');
    }
  }

  /** A refresh asked for by the user; nothing happens while inactive (the welcome view says what is missing). */
  async refresh(): Promise<void> {
    if (!this.active) {
      this.log.info(`Refresh not run: ${this.credentials.kind === 'found' ? 'no jobs are configured' : 'no credentials yet'}`);
      return;
    }
    await this.poller.refresh('manual');
  }

  /** Focus changes the polling pace; regaining it also looks for credentials again while none were found. */
  focusChanged(focused: boolean): void {
    this.poller.setFocused(focused);
    if (focused && this.credentials.kind === 'missing') {
      void this.credentialsChanged();
    }
  }

  private applySettings(settings: Settings): void {
    this.deps.store.setJobs(settings.jobs, settings.problems);
    const fresh = settings.problems.filter((p) => !this.lastProblems.includes(p));
    for (const problem of fresh) {
      this.log.warn(problem);
    }
    this.lastProblems = settings.problems;
    this.deps.setContext('dtsSync.hasJobs', settings.jobs.length > 0);
    this.poller.setIntervalSeconds(settings.refreshIntervalSeconds);
    this.poller.setActive(this.active);
  }

  /** The one writer of the credential state (and of the store's credential source and the context keys). */
  private async lookUpCredentials(): Promise<ResolvedCredentials | undefined> {
    let resolved: ResolvedCredentials | undefined;
    try {
      resolved = await resolveCredentials(this.deps.credentialProviders, { deadlineMs: this.deps.credentialDeadlineMs });
      this.credentials = { kind: 'found', resolved };
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      this.credentials = { kind: 'missing', message };
      if (this.lastCredentialLine !== message) {
        this.credentialLog.warn(message);
        this.lastCredentialLine = message;
      }
    }
    this.justResolved = resolved;
    if (resolved) {
      this.describe(resolved);
    }
    this.deps.store.setCredentialsSource(resolved?.source);
    this.deps.setContext('dtsSync.hasCredentials', resolved !== undefined);
    this.deps.setContext('dtsSync.hasStoredCredentials', resolved !== undefined && this.deps.isStoredSource(resolved.source));
    this.poller.setActive(this.active);
    return resolved;
  }

  /** Which key is in use, once per change of source, and each warning about it once. */
  private describe(resolved: ResolvedCredentials): void {
    const line = `Using credentials from ${resolved.source} (AccessKey ID ${maskAccessKeyId(resolved.credentials.accessKeyId)})`;
    if (line !== this.lastCredentialLine) {
      this.credentialLog.info(line);
      this.lastCredentialLine = line;
    }
    for (const warning of resolved.warnings ?? []) {
      if (!this.warned.has(warning)) {
        this.warned.add(warning);
        this.credentialLog.warn(warning);
      }
    }
  }

  /** What the poller runs: never while inactive; the credentials a change handler just found are used, not looked up again. */
  private async runRefresh(reason: RefreshReason): Promise<RefreshOutcome> {
    if (!this.active) {
      return 'ok';
    }
    const resolved = this.justResolved ?? (await this.lookUpCredentials());
    this.justResolved = undefined;
    if (!resolved || !this.active) {
      if (this.credentials.kind === 'missing') {
        this.deps.store.failAll(toQueryError(new CredentialsNotFoundError(this.credentials.message)));
      }
      return 'failed';
    }
    this.storeChanged = false;
    let outcome: RefreshOutcome;
    try {
      const result = await this.refresher.refresh(reason, this.currentSettings, resolved);
      outcome = result.outcome;
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
    return outcome;
  }

  async dispose(): Promise<void> {
    this.subscription.dispose();
    this.poller.dispose();
    await this.refresher.dispose();
  }
}
