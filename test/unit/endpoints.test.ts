import * as assert from 'node:assert/strict';
import {
  assertValidRegion,
  consoleUrl,
  officialEndpoint,
  parseEndpoint,
  resolveEndpoint,
} from '../../src/core/api/endpoints';
import { BadInputError } from '../../src/core/api/errors';
import { isValidRegion, KNOWN_REGIONS } from '../../src/core/regions';

/**
 * The official SDK's `_endpointMap`, copied entry for entry: aliyun/alibabacloud-typescript-sdk
 * dts-20200101/src/client.ts at commit 06a71f93987bc01319e08965323789ddbe23f7f8 (read 2026-11-30): 64 entries.
 */
const OFFICIAL_ENDPOINT_MAP: ReadonlyArray<readonly [region: string, host: string]> = [
  ['cn-qingdao', 'dts.aliyuncs.com'],
  ['cn-beijing', 'dts.aliyuncs.com'],
  ['cn-zhangjiakou', 'dts.aliyuncs.com'],
  ['cn-huhehaote', 'dts.aliyuncs.com'],
  ['cn-hangzhou', 'dts.aliyuncs.com'],
  ['cn-shanghai', 'dts.aliyuncs.com'],
  ['cn-shenzhen', 'dts.aliyuncs.com'],
  ['cn-hongkong', 'dts.aliyuncs.com'],
  ['ap-southeast-1', 'dts.aliyuncs.com'],
  ['ap-southeast-2', 'dts.aliyuncs.com'],
  ['ap-southeast-3', 'dts.aliyuncs.com'],
  ['ap-southeast-5', 'dts.aliyuncs.com'],
  ['eu-west-1', 'dts.aliyuncs.com'],
  ['us-west-1', 'dts.aliyuncs.com'],
  ['us-east-1', 'dts.aliyuncs.com'],
  ['eu-central-1', 'dts.aliyuncs.com'],
  ['me-east-1', 'dts.aliyuncs.com'],
  ['ap-south-1', 'dts.aliyuncs.com'],
  ['cn-hangzhou-finance', 'dts.aliyuncs.com'],
  ['cn-shanghai-finance-1', 'dts.aliyuncs.com'],
  ['cn-shenzhen-finance-1', 'dts.aliyuncs.com'],
  ['cn-north-2-gov-1', 'dts.aliyuncs.com'],
  ['ap-northeast-2-pop', 'dts.aliyuncs.com'],
  ['cn-beijing-finance-1', 'dts.aliyuncs.com'],
  ['cn-beijing-finance-pop', 'dts.aliyuncs.com'],
  ['cn-beijing-gov-1', 'dts.aliyuncs.com'],
  ['cn-beijing-nu16-b01', 'dts.aliyuncs.com'],
  ['cn-chengdu', 'dts.aliyuncs.com'],
  ['cn-edge-1', 'dts.aliyuncs.com'],
  ['cn-fujian', 'dts.aliyuncs.com'],
  ['cn-haidian-cm12-c01', 'dts.aliyuncs.com'],
  ['cn-hangzhou-bj-b01', 'dts.aliyuncs.com'],
  ['cn-hangzhou-internal-prod-1', 'dts.aliyuncs.com'],
  ['cn-hangzhou-internal-test-1', 'dts.aliyuncs.com'],
  ['cn-hangzhou-internal-test-2', 'dts.aliyuncs.com'],
  ['cn-hangzhou-internal-test-3', 'dts.aliyuncs.com'],
  ['cn-hangzhou-test-306', 'dts.aliyuncs.com'],
  ['cn-hongkong-finance-pop', 'dts.aliyuncs.com'],
  ['cn-huhehaote-nebula-1', 'dts.aliyuncs.com'],
  ['cn-qingdao-nebula', 'dts.aliyuncs.com'],
  ['cn-shanghai-et15-b01', 'dts.aliyuncs.com'],
  ['cn-shanghai-et2-b01', 'dts.aliyuncs.com'],
  ['cn-shanghai-inner', 'dts.aliyuncs.com'],
  ['cn-shanghai-internal-test-1', 'dts.aliyuncs.com'],
  ['cn-shenzhen-inner', 'dts.aliyuncs.com'],
  ['cn-shenzhen-st4-d01', 'dts.aliyuncs.com'],
  ['cn-shenzhen-su18-b01', 'dts.aliyuncs.com'],
  ['cn-wuhan', 'dts.aliyuncs.com'],
  ['cn-wulanchabu', 'dts.aliyuncs.com'],
  ['cn-yushanfang', 'dts.aliyuncs.com'],
  ['cn-zhangbei-na61-b01', 'dts.aliyuncs.com'],
  ['cn-zhangjiakou-na62-a01', 'dts.aliyuncs.com'],
  ['cn-zhengzhou-nebula-1', 'dts.aliyuncs.com'],
  ['eu-west-1-oxs', 'dts.aliyuncs.com'],
  ['rus-west-1-pop', 'dts.aliyuncs.com'],
  ['ap-northeast-1', 'dts.ap-northeast-1.aliyuncs.com'],
  ['ap-northeast-2', 'dts.ap-northeast-2.aliyuncs.com'],
  ['ap-southeast-6', 'dts.ap-southeast-6.aliyuncs.com'],
  ['ap-southeast-7', 'dts.ap-southeast-7.aliyuncs.com'],
  ['cn-guangzhou', 'dts.cn-guangzhou.aliyuncs.com'],
  ['cn-heyuan', 'dts.cn-heyuan.aliyuncs.com'],
  ['cn-wuhan-lr', 'dts.cn-wuhan-lr.aliyuncs.com'],
  ['cn-zhengzhou-jva', 'dts.cn-zhengzhou-jva.aliyuncs.com'],
  ['me-central-1', 'dts.me-central-1.aliyuncs.com'],
];

function badInput(fn: () => unknown, pattern: RegExp): BadInputError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof BadInputError, `expected a BadInputError, got ${String(e)}`);
    assert.match(e.message, pattern);
    return e;
  }
  assert.fail('expected a BadInputError');
}

describe('endpoints', () => {
  describe('officialEndpoint', () => {
    for (const [region, host] of OFFICIAL_ENDPOINT_MAP) {
      it(`sends ${region} to ${host}, as the official SDK's map does`, () => {
        assert.equal(officialEndpoint(region), `https://${host}`);
      });
    }

    // Outside the map the SDK's "regional" rule applies: dts.<region>.aliyuncs.com.
    for (const region of ['cn-nanjing', 'cn-fuzhou', 'eu-north-9', 'cn-wuhan-lr-2', 'cn-beijing-finance-2']) {
      it(`sends ${region}, which the map does not list, to its own host`, () => {
        assert.ok(!OFFICIAL_ENDPOINT_MAP.some(([mapped]) => mapped === region), `${region} is in the map`);
        assert.equal(officialEndpoint(region), `https://dts.${region}.aliyuncs.com`);
      });
    }

    it('refuses a malformed region with a message showing the expected form', () => {
      badInput(() => officialEndpoint('Hangzhou'), /^"Hangzhou" is not a region ID \(expected something like cn-hangzhou\)$/);
    });

    it('offers users only regions the official map lists, without duplicates', () => {
      const mapped = new Set(OFFICIAL_ENDPOINT_MAP.map(([region]) => region));
      assert.deepEqual(KNOWN_REGIONS.filter((region) => !mapped.has(region)), []);
      assert.equal(new Set(KNOWN_REGIONS).size, KNOWN_REGIONS.length);
    });
  });

  describe('region IDs', () => {
    it('accepts well-formed region IDs, known or not', () => {
      for (const region of ['cn-hangzhou', 'ap-southeast-1', 'cn-shanghai-finance-1', 'xx-newregion-9']) {
        assert.equal(isValidRegion(region), true, region);
      }
    });

    it('rejects malformed region IDs', () => {
      for (const region of ['', 'cn', 'CN-HANGZHOU', 'cn_hangzhou', 'cn-hangzhou ', 'https://cn-hangzhou', 'cn-hangzhou/x', '-cn-hangzhou']) {
        assert.equal(isValidRegion(region), false, JSON.stringify(region));
      }
    });

    it('assertValidRegion throws a BadInputError naming the region', () => {
      badInput(() => assertValidRegion('cn_hangzhou'), /"cn_hangzhou" is not a region ID/);
      assert.doesNotThrow(() => assertValidRegion('cn-hangzhou'));
    });
  });

  describe('resolveEndpoint', () => {
    it('uses the official endpoint without an override', () => {
      assert.equal(resolveEndpoint('cn-hangzhou').origin, 'https://dts.aliyuncs.com');
      assert.equal(resolveEndpoint('ap-northeast-1').origin, 'https://dts.ap-northeast-1.aliyuncs.com');
    });

    it('treats an empty or blank override as none', () => {
      assert.equal(resolveEndpoint('ap-northeast-1', '').origin, 'https://dts.ap-northeast-1.aliyuncs.com');
      assert.equal(resolveEndpoint('ap-northeast-1', '   ').origin, 'https://dts.ap-northeast-1.aliyuncs.com');
    });

    it('uses the override for every region', () => {
      assert.equal(resolveEndpoint('cn-hangzhou', 'https://dts-vpc.cn-hangzhou.aliyuncs.com').origin, 'https://dts-vpc.cn-hangzhou.aliyuncs.com');
      assert.equal(resolveEndpoint('ap-northeast-1', 'http://127.0.0.1:8080').origin, 'http://127.0.0.1:8080');
    });

    it('refuses a malformed region without an override', () => {
      badInput(() => resolveEndpoint('not a region'), /is not a region ID/);
    });
  });

  describe('parseEndpoint', () => {
    it('drops a trailing slash', () => {
      const url = parseEndpoint('https://dts.example.com/');
      assert.equal(url.origin, 'https://dts.example.com');
      assert.equal(url.href, 'https://dts.example.com/');
    });

    it('adds https:// to a bare host', () => {
      assert.equal(parseEndpoint('dts.example.com').origin, 'https://dts.example.com');
      assert.equal(parseEndpoint('dts.example.com:8443').origin, 'https://dts.example.com:8443');
    });

    it('trims whitespace around the override', () => {
      assert.equal(resolveEndpoint('cn-hangzhou', '  https://dts.example.com/  ').origin, 'https://dts.example.com');
    });

    it('keeps http:// for a local emulator', () => {
      assert.equal(parseEndpoint('http://localhost:9000').origin, 'http://localhost:9000');
    });

    it('lowercases the host', () => {
      assert.equal(parseEndpoint('HTTPS://DTS.Example.COM').origin, 'https://dts.example.com');
    });

    it('refuses a path, a query or a fragment', () => {
      badInput(() => parseEndpoint('https://dts.example.com/api'), /must be a bare origin such as https:\/\/dts\.aliyuncs\.com/);
      badInput(() => parseEndpoint('https://dts.example.com/?a=1'), /must be a bare origin/);
      badInput(() => parseEndpoint('https://dts.example.com/#x'), /must be a bare origin/);
    });

    it('refuses a user name or password in the endpoint', () => {
      badInput(() => parseEndpoint('https://user:pass@dts.example.com'), /must not contain a user name or password/);
      badInput(() => parseEndpoint('https://user@dts.example.com'), /must not contain a user name or password/);
    });

    it('refuses schemes other than https and http', () => {
      badInput(() => parseEndpoint('ftp://dts.example.com'), /must use https:\/\//);
      badInput(() => parseEndpoint('file:///etc/passwd'), /must use https:\/\//);
    });

    it('refuses something that is not a URL', () => {
      badInput(() => parseEndpoint('https://'), /is not a URL \(expected https:\/\/host\[:port\]\)/);
      badInput(() => parseEndpoint('dts example com'), /is not a URL/);
    });

    it('never repeats a password from a refused endpoint in its message', () => {
      for (const raw of ['ftp://admin:S3cr3tPa55@dts.example.com', 'https://admin:S3cr3tPa55@dts.example.com/path']) {
        const error = badInput(() => parseEndpoint(raw), /./);
        assert.doesNotMatch(error.message, /S3cr3tPa55/, `message for ${raw}: ${error.message}`);
      }
    });
  });

  describe('consoleUrl', () => {
    it('links the region’s sync-job list in the DTS console', () => {
      assert.equal(consoleUrl('cn-hangzhou'), 'https://dtsnew.console.aliyun.com/sync/cn-hangzhou');
      assert.equal(consoleUrl('ap-northeast-1'), 'https://dtsnew.console.aliyun.com/sync/ap-northeast-1');
    });

    it('refuses a malformed region rather than building a wrong link', () => {
      badInput(() => consoleUrl('../admin'), /is not a region ID/);
    });
  });
});
