import * as assert from 'node:assert/strict';
import type { JobSpec } from '../../src/core/jobs';
import type { JobStatus } from '../../src/core/model';
import type { AccountView, JobView } from '../../src/core/store';
import { accountGroups, accountItem } from '../../src/core/views/accounts';
import { currentErrors, errorItem, jobItem } from '../../src/core/views/tree';
import { storeState } from './store-state.fixture';

const NOW = new Date('2026-11-30T12:00:00Z');
const CTX = { now: NOW, timeZone: 'UTC' };

function status(spec: JobSpec, state: string): JobStatus {
  const health = state === 'Failed' ? 'error' : 'ok';
  return {
    jobId: spec.id,
    region: spec.region,
    found: true,
    health,
    directions: [{ direction: 'Forward', status: state, health, lagSeconds: 3, checkpoint: new Date(NOW.getTime() - 3000) }],
  };
}

function view(spec: JobSpec, state = 'Synchronizing', error?: JobView['error']): JobView {
  return { spec, status: status(spec, state), fetchedAt: NOW, error, stale: error !== undefined };
}

function account(name: string, extra: Partial<AccountView> = {}): AccountView {
  return { name, source: `source of ${name}`, maskedKeyId: 'LTAI****0001', failure: undefined, ...extra };
}

const REJECTED = { kind: 'credentials' as const, code: 'InvalidAccessKeyId.NotFound', message: 'The AccessKey was rejected: InvalidAccessKeyId.NotFound' };

describe('tree grouped by account', () => {
  it('stays flat with one account in use, as before accounts existed', () => {
    const state = storeState([view({ id: 'dtsjob0001', region: 'cn-hangzhou' }), view({ id: 'dtsjob0002', region: 'cn-hangzhou' })], { accounts: [account('default')] });
    assert.equal(accountGroups(state), undefined);
    assert.equal(accountGroups(storeState([view({ id: 'dtsjob0001', region: 'cn-hangzhou', account: 'prod' })])), undefined);
  });

  it('groups by account with several in use: a row per account with its job count and worst health', () => {
    const jobs = [
      view({ id: 'dtsjob0001', region: 'cn-hangzhou' }),
      view({ id: 'dtsjob0002', region: 'cn-hangzhou', account: 'prod' }, 'Failed'),
      view({ id: 'dtsjob0003', region: 'cn-hangzhou', account: 'prod' }),
    ];
    const groups = accountGroups(storeState(jobs, { accounts: [account('default'), account('prod', { stored: true })] })) ?? [];
    const rows = groups.map((g) => accountItem(g));
    assert.deepEqual(
      rows.map((r) => [r.label, r.description, r.icon.id, r.contextValue, r.collapsible]),
      [
        ['default', '1 job · Healthy', 'pass', 'account', true],
        ['prod', '2 jobs · Failed', 'error', 'account.stored', true],
      ],
    );
    assert.deepEqual(groups.map((g) => g.jobs.map((j) => j.spec.id)), [['dtsjob0001'], ['dtsjob0002', 'dtsjob0003']]);
    assert.match(rows[1].tooltip, /\*\*Account prod\*\*/);
    assert.match(rows[1].tooltip, /Credentials: source of prod \(AccessKey ID `LTAI\*\*\*\*0001`\)/);
  });

  it('marks an account whose key was rejected as an error, its jobs stale, and names it in the error row', () => {
    const jobs = [view({ id: 'dtsjob0001', region: 'cn-hangzhou' }), view({ id: 'dtsjob0002', region: 'cn-hangzhou', account: 'prod' }, 'Synchronizing', REJECTED)];
    const state = storeState(jobs, { accounts: [account('default'), account('prod')] });
    const [, prod] = (accountGroups(state) ?? []).map((g) => accountItem(g));
    assert.deepEqual([prod.description, prod.icon.id], ['1 job · AccessKey rejected', 'error']);
    assert.deepEqual(currentErrors(state), ['Account prod: The AccessKey was rejected: InvalidAccessKeyId.NotFound']);
    const error = errorItem(state);
    assert.equal(error?.description, 'Account prod: The AccessKey was rejected: InvalidAccessKeyId.NotFound');
    assert.match(error?.tooltip ?? '', /for 1 of 2 jobs/);
  });

  it('says when an account has no credentials at all', () => {
    const jobs = [view({ id: 'dtsjob0001', region: 'cn-hangzhou' }), view({ id: 'dtsjob0002', region: 'cn-hangzhou', account: 'ghost' })];
    const failure = { kind: 'bad-input' as const, code: 'CredentialsNotFound', message: 'Profile "ghost" is in neither …' };
    const state = storeState(jobs, { accounts: [account('default'), account('ghost', { source: undefined, maskedKeyId: undefined, failure })] });
    const [, ghost] = (accountGroups(state) ?? []).map((g) => accountItem(g));
    assert.equal(ghost.icon.id, 'error');
    assert.match(ghost.tooltip, /No credentials found for this account/);
    assert.match(ghost.tooltip, /Profile "ghost" is in neither/);
  });

  it('keeps error messages without an account name while only the default account is in use', () => {
    const jobs = [view({ id: 'dtsjob0001', region: 'cn-hangzhou' }, 'Synchronizing', REJECTED)];
    assert.deepEqual(currentErrors(storeState(jobs, { accounts: [account('default')] })), [REJECTED.message]);
  });

  it('names the job’s account and its credential source in the job tooltip', () => {
    const item = jobItem(view({ id: 'dtsjob0002', region: 'cn-hangzhou', account: 'prod' }), CTX, 'VS Code SecretStorage (account prod)', 'prod');
    // Markdown-escaped: the hover shows the parentheses as typed.
    assert.ok(item.tooltip.endsWith('Account: prod\n\nCredentials: VS Code SecretStorage \\(account prod\\)'), item.tooltip);
  });
});
