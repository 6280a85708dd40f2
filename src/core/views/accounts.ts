import * as l10n from '@vscode/l10n';
import { accountOf, jobsByAccount } from '../accounts';
import { jobHealth } from '../attention';
import { worstHealth, type Health } from '../model';
import type { AccountView, JobView, StoreState } from '../store';
import { jobCount } from './groups';
import { healthIcon, healthWords } from './health';
import { errorWords, escapeMarkdown, type ItemModel } from './tree';

/** The jobs of one account, as a group row of the tree shows them. */
export interface AccountGroup {
  readonly name: string;
  /** Its credential state; undefined before the controller has looked it up. */
  readonly account: AccountView | undefined;
  readonly jobs: readonly JobView[];
}

/** The tree's top level by account, or undefined when one account (or none) is in use: then the tree is flat, as ever. */
export function accountGroups(state: Pick<StoreState, 'jobs' | 'accounts'>): AccountGroup[] | undefined {
  const first = state.jobs.length > 0 ? accountOf(state.jobs[0].spec) : undefined;
  if (state.jobs.every((j) => accountOf(j.spec) === first)) {
    return undefined;
  }
  const groups = jobsByAccount(state.jobs.map((view) => ({ account: accountOf(view.spec), view })));
  if (groups.size <= 1) {
    return undefined;
  }
  return [...groups].map(([name, members]) => ({
    name,
    account: state.accounts.find((a) => a.name === name),
    jobs: members.map((m) => m.view),
  }));
}

/** The tree id of an account row. */
export function accountItemId(name: string): string {
  return `account:${name}`;
}

/** The worst of its jobs; an account whose refresh failed (a rejected key, an expired role) is at least an error. */
export function accountHealth(group: AccountGroup): Health {
  const failed = group.account?.failure !== undefined || group.jobs.some((j) => j.error);
  return worstHealth([...group.jobs.map(jobHealth), ...(failed ? (['error'] as const) : [])]) ?? 'pending';
}

/** `staging` · `2 jobs · AccessKey rejected`, with the worst health's icon. */
export function accountItem(group: AccountGroup): ItemModel {
  const health = accountHealth(group);
  const error = group.account?.failure ?? group.jobs.find((j) => j.error)?.error;
  const source = group.account?.source;
  const tooltip = [
    l10n.t('**Account {0}**', escapeMarkdown(group.name)),
    '',
    jobCount(group.jobs.length),
    '',
    source
      ? l10n.t('Credentials: {0} (AccessKey ID {1})', escapeMarkdown(source), `\`${group.account?.maskedKeyId ?? ''}\``)
      : l10n.t('No credentials found for this account'),
    ...(error ? ['', `$(error) ${escapeMarkdown(error.message)}`] : []),
  ];
  return {
    id: accountItemId(group.name),
    label: group.name,
    description: [jobCount(group.jobs.length), error ? errorWords(error.kind) : healthWords(health)].join(' · '),
    tooltip: tooltip.join('\n'),
    icon: healthIcon(health),
    // `account.stored` also offers "Clear AccessKey"; every account row offers "Set AccessKey…".
    contextValue: group.account?.stored ? 'account.stored' : 'account',
    collapsible: true,
  };
}
