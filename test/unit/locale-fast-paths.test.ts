import * as assert from 'node:assert/strict';
import { configureLocale, formatNumber } from '../../src/core/locale';

describe('locale: formatNumber writes small whole numbers directly in English', () => {
  afterEach(() => configureLocale('en'));

  for (const lang of ['en', 'en-us', 'en-in']) {
    it(`writes what Intl writes in ${lang}, on both sides of the shortcut`, () => {
      configureLocale(lang);
      const intl = new Intl.NumberFormat(lang, { maximumFractionDigits: 3 });
      for (const n of [0, -0, 1, -1, 7, 42, 999, -999, 1000, -1000, 12345, 0.5, 1.23456, -3.5, 1e21, NaN, Infinity, -Infinity]) {
        assert.equal(formatNumber(n), intl.format(n), String(n));
      }
    });
  }

  it('leaves other languages to Intl', () => {
    configureLocale('zh-cn', { x: 'y' });
    assert.equal(formatNumber(42), new Intl.NumberFormat('zh-cn', { maximumFractionDigits: 3 }).format(42));
  });
});
