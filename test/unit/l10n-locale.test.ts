import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseCliArgs } from '../../src/cli/args';
import { renderErrors } from '../../src/cli/render';
import { TimeoutError } from '../../src/core/api/errors';
import { clockFormats, configureLocale, currentLanguage, languageFromEnv, readBundle, type MessageBundle } from '../../src/core/locale';
import { buildJobStatus, statusLabel } from '../../src/core/model';
import type { JobView } from '../../src/core/store';
import { statusBarModel } from '../../src/core/views/statusBar';
import { formatClock } from '../../src/core/views/time';
import { directionDescription, jobDescription } from '../../src/core/views/tree';
import { repoRoot } from './repo-root.fixture';
import { storeState } from './store-state.fixture';

const L10N = join(repoRoot(), 'l10n');
const ZH: MessageBundle = JSON.parse(readFileSync(join(L10N, 'bundle.l10n.zh-cn.json'), 'utf8')) as MessageBundle;

const NOW = new Date('2024-05-01T06:03:13Z');
const ago = (seconds: number): Date => new Date(NOW.getTime() - seconds * 1000);
const CTX = { now: NOW, timeZone: 'Asia/Shanghai' };

function view(status: string, lagSeconds: number, extra: Partial<JobView> = {}): JobView {
  const spec = { id: 'dtsjob0001', region: 'cn-hangzhou' };
  return {
    spec,
    status: buildJobStatus(spec.id, spec.region, [{ direction: 'Forward', status, checkpoint: ago(lagSeconds) }], NOW, 300),
    fetchedAt: NOW,
    error: undefined,
    stale: false,
    ...extra,
  };
}

describe('locale', () => {
  afterEach(() => configureLocale('en'));

  describe('languageFromEnv (the CLI)', () => {
    it('reads LC_ALL, then LC_MESSAGES, then LANG, skipping empty ones', () => {
      assert.equal(languageFromEnv({ LC_ALL: 'zh_CN.UTF-8', LC_MESSAGES: 'en_US.UTF-8', LANG: 'en_US.UTF-8' }), 'zh-cn');
      assert.equal(languageFromEnv({ LC_MESSAGES: 'zh_CN.UTF-8', LANG: 'en_US.UTF-8' }), 'zh-cn');
      assert.equal(languageFromEnv({ LC_ALL: '', LANG: 'zh_CN.UTF-8' }), 'zh-cn');
      assert.equal(languageFromEnv({ LC_ALL: 'en_GB.UTF-8', LANG: 'zh_CN.UTF-8' }), 'en-gb');
    });

    it('treats C, POSIX and nothing at all as English', () => {
      assert.equal(languageFromEnv({ LANG: 'C' }), 'en');
      assert.equal(languageFromEnv({ LANG: 'POSIX', LC_ALL: 'C.UTF-8' }), 'en');
      assert.equal(languageFromEnv({}), 'en');
    });

    it('knows Simplified Chinese by its other names and keeps Traditional apart', () => {
      assert.equal(languageFromEnv({ LANG: 'zh_CN.GB18030' }), 'zh-cn');
      assert.equal(languageFromEnv({ LANG: 'zh_SG.UTF-8' }), 'zh-cn');
      assert.equal(languageFromEnv({ LANG: 'zh' }), 'zh-cn');
      assert.equal(languageFromEnv({ LANG: 'zh_TW.UTF-8' }), 'zh-tw');
    });

    it('finds the zh-cn bundle and none for a language without a translation', () => {
      assert.equal(readBundle(L10N, 'zh-cn')?.['Synchronizing'], '同步中');
      assert.equal(readBundle(L10N, 'zh-tw'), undefined);
      assert.equal(readBundle(join(L10N, 'nowhere'), 'zh-cn'), undefined);
    });
  });

  describe('in zh-cn', () => {
    beforeEach(() => configureLocale('zh-cn', ZH));

    it('writes a direction row as the DTS console would: status, lag, 24-hour checkpoint', () => {
      const d = view('Synchronizing', 8).status!.directions[0];
      assert.equal(directionDescription(d, CTX), '同步中 · 延迟 8 秒 · 14:03:05');
    });

    it('puts the date in Chinese order when the checkpoint is not from today', () => {
      assert.equal(formatClock(new Date('2024-04-30T15:59:00Z'), new Date('2024-05-01T16:01:00Z'), 'Asia/Shanghai'), '2024年4月30日 23:59:00');
      assert.equal(formatClock(new Date('2024-05-01T01:02:03Z'), new Date('2024-05-01T02:00:00Z'), 'UTC'), '01:02:03');
    });

    it("uses the DTS console's words for every status, and shows an unknown one as sent", () => {
      const words: Record<string, string> = {
        Synchronizing: '同步中', Suspending: '已暂停', Failed: '同步失败', Initializing: '初始化中', InitializeFailed: '初始化失败',
        Prechecking: '预检查中', PrecheckFailed: '预检查失败', PreCheckPass: '预检查通过', NotStarted: '未启动', Finished: '已完成',
        Modifying: '修改同步对象中', Retrying: '重试中', Locked: '已锁定', Upgrade: '升级中', Downgrade: '降配中', NotConfigured: '未配置',
      };
      assert.deepEqual(Object.fromEntries(Object.keys(words).map((s) => [s, statusLabel(s)])), words);
      assert.equal(statusLabel('CatchingUp'), 'CatchingUp');
    });

    it('counts in the status bar and describes stale rows in whole Chinese phrases', () => {
      const failed = view('Failed', 60);
      const paused = view('Suspending', 30, { stale: true, fetchedAt: ago(300) });
      assert.equal(statusBarModel(storeState([failed, paused]), CTX).text, '$(error) DTS：1 个失败');
      assert.equal(statusBarModel(storeState([paused]), CTX).text, '$(warning) DTS：1 个需关注');
      assert.equal(jobDescription(paused, CTX), '已暂停 · 延迟 30 秒 · 已过期，5 分钟前的数据');
    });

    it('words CLI errors and input problems in Chinese', () => {
      const snapshot = { checkedAt: NOW, jobs: [], notes: [], errors: [{ region: 'cn-hangzhou', jobIds: ['dtsjob0001'], error: new TimeoutError(10) }] };
      assert.deepEqual(renderErrors(snapshot), ['错误：cn-hangzhou（dtsjob0001）：10 秒内没有响应']);
      assert.throws(() => parseCliArgs([], {}), /^InvalidInputError: 请至少提供一个同步任务 ID（用法见 dts-sync-status --help）$/);
    });
  });

  describe('configureLocale', () => {
    it('stays English, words and times, for a language it has no translation for', () => {
      configureLocale('de');
      assert.equal(currentLanguage(), 'en');
      assert.equal(directionDescription(view('Synchronizing', 8).status!.directions[0], CTX), 'Synchronizing · 8 s behind · 14:03:05');
      assert.equal(formatClock(new Date('2024-04-30T15:59:00Z'), NOW, 'UTC'), '2024-04-30 15:59:00');
    });

    it('makes the clock formatters once per language and zone, not once per call', () => {
      const first = clockFormats('UTC');
      assert.equal(clockFormats('UTC'), first);
      assert.notEqual(clockFormats('Asia/Shanghai'), first);
      configureLocale('zh-cn', ZH);
      assert.notEqual(clockFormats('UTC'), first, 'a new language gets new formatters');
    });
  });
});
