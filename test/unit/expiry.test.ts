import * as assert from 'node:assert/strict';
import { join } from 'node:path';
import { expiryState, healthWithExpiry, parseExpiryWarningDays } from '../../src/core/expiry';
import { configureLocale, readBundle } from '../../src/core/locale';
import { repoRoot } from './repo-root.fixture';

const NOW = new Date('2024-05-01T06:00:00Z');
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const at = (ms: number): Date => new Date(NOW.getTime() + ms);

describe('expiry', () => {
  afterEach(() => configureLocale('en'));

  it('warns about a subscription job within the warning days, in days from 2 days, hours under that, minutes under an hour', () => {
    assert.deepEqual(expiryState('PrePaid', at(3 * DAY + 5 * HOUR), NOW, 7), { health: 'warning', words: 'expires in 3 days' });
    assert.deepEqual(expiryState('PrePaid', at(7 * DAY), NOW, 7), { health: 'warning', words: 'expires in 7 days' });
    assert.equal(expiryState('PrePaid', at(2 * DAY), NOW, 7)?.words, 'expires in 2 days');
    assert.equal(expiryState('PrePaid', at(DAY + HOUR), NOW, 7)?.words, 'expires in 25 h');
    assert.equal(expiryState('PrePaid', at(5 * HOUR + 10 * 60_000), NOW, 7)?.words, 'expires in 5 h');
    assert.equal(expiryState('prepaid', at(20 * 60_000), NOW, 7)?.words, 'expires in 20 min');
    assert.equal(expiryState('PrePaid', at(1_000), NOW, 7)?.words, 'expires in 1 min');
  });

  it('rounds to the nearest unit, never down a whole day: 1.9 days is 46 h, 2.6 days is 3 days', () => {
    assert.equal(expiryState('PrePaid', at(1.9 * DAY), NOW, 7)?.words, 'expires in 46 h');
    assert.equal(expiryState('PrePaid', at(2.6 * DAY), NOW, 7)?.words, 'expires in 3 days');
    assert.equal(expiryState('PrePaid', at(2.4 * DAY), NOW, 7)?.words, 'expires in 2 days');
    assert.equal(expiryState('PrePaid', at(5 * HOUR + 59 * 60_000), NOW, 7)?.words, 'expires in 6 h');
    assert.equal(expiryState('PrePaid', at(47.6 * HOUR), NOW, 7)?.words, 'expires in 2 days', '48 h rounded is 2 days');
    assert.equal(expiryState('PrePaid', at(59.6 * 60_000), NOW, 7)?.words, 'expires in 1 h', '60 min rounded is 1 h');
    assert.equal(expiryState('PrePaid', at(6.6 * DAY), NOW, 7)?.words, 'expires in 7 days');
    assert.equal(expiryState('PrePaid', at(-1.9 * DAY), NOW, 7)?.words, 'expired 46 h ago');
    assert.equal(expiryState('PrePaid', at(-2.6 * DAY), NOW, 7)?.words, 'expired 3 days ago');
  });

  it('says nothing of a subscription further away than the warning days', () => {
    assert.equal(expiryState('PrePaid', at(7 * DAY + 1), NOW, 7), undefined);
    assert.equal(expiryState('PrePaid', at(HOUR), NOW, 0), undefined, '0 days: only an expired job is shown');
  });

  it('makes an expired subscription an error', () => {
    assert.deepEqual(expiryState('PrePaid', at(-2 * DAY - HOUR), NOW, 7), { health: 'error', words: 'expired 2 days ago' });
    assert.equal(expiryState('PrePaid', at(-DAY), NOW, 7)?.words, 'expired 24 h ago');
    assert.equal(expiryState('PrePaid', at(-3 * HOUR), NOW, 0)?.words, 'expired 3 h ago');
    assert.equal(expiryState('PrePaid', at(-10 * 60_000), NOW, 7)?.words, 'expired 10 min ago');
    assert.deepEqual(expiryState('PrePaid', NOW, NOW, 7), { health: 'error', words: 'expired just now' });
  });

  it('never warns about pay-as-you-go jobs, or without a valid expire time', () => {
    assert.equal(expiryState('PostPaid', at(-DAY), NOW, 7), undefined);
    assert.equal(expiryState(undefined, at(HOUR), NOW, 7), undefined);
    assert.equal(expiryState('PrePaid', undefined, NOW, 7), undefined);
    assert.equal(expiryState('PrePaid', new Date(Number.NaN), NOW, 7), undefined);
  });

  it('makes a job as bad as the worse of its health and its expiry', () => {
    const soon = expiryState('PrePaid', at(3 * DAY), NOW, 7);
    const expired = expiryState('PrePaid', at(-DAY), NOW, 7);
    assert.equal(healthWithExpiry('ok', soon), 'warning');
    assert.equal(healthWithExpiry('ok', expired), 'error');
    assert.equal(healthWithExpiry('error', soon), 'error');
    assert.equal(healthWithExpiry('pending', undefined), 'pending');
  });

  it('reads dtsSync.expiryWarningDays, falling back to 7 with the reason', () => {
    assert.deepEqual(parseExpiryWarningDays(undefined), { days: 7 });
    assert.deepEqual(parseExpiryWarningDays(0), { days: 0 });
    assert.deepEqual(parseExpiryWarningDays(365), { days: 365 });
    for (const raw of [-1, 366, '7', Number.NaN, Infinity, true, {}]) {
      assert.deepEqual(parseExpiryWarningDays(raw), { days: 7, problem: 'dtsSync.expiryWarningDays must be a number from 0 to 365; using 7' }, String(raw));
    }
  });

  it('words the expiry in Simplified Chinese', () => {
    configureLocale('zh-cn', readBundle(join(repoRoot(), 'l10n'), 'zh-cn'));
    assert.equal(expiryState('PrePaid', at(3 * DAY), NOW, 7)?.words, '3 天后到期');
    assert.equal(expiryState('PrePaid', at(1.9 * DAY), NOW, 7)?.words, '46 小时后到期');
    assert.equal(expiryState('PrePaid', at(5 * HOUR), NOW, 7)?.words, '5 小时后到期');
    assert.equal(expiryState('PrePaid', at(20 * 60_000), NOW, 7)?.words, '20 分钟后到期');
    assert.equal(expiryState('PrePaid', at(-2 * DAY), NOW, 7)?.words, '已于 2 天前到期');
    assert.equal(expiryState('PrePaid', at(-DAY), NOW, 7)?.words, '已于 24 小时前到期');
    assert.equal(expiryState('PrePaid', at(-3 * HOUR), NOW, 7)?.words, '已于 3 小时前到期');
    assert.equal(expiryState('PrePaid', at(-10 * 60_000), NOW, 7)?.words, '已于 10 分钟前到期');
    assert.equal(expiryState('PrePaid', NOW, NOW, 7)?.words, '刚刚到期');
    assert.equal(parseExpiryWarningDays(-1).problem, 'dtsSync.expiryWarningDays 必须是 0 到 365 之间的数字；将使用 7');
  });
});
