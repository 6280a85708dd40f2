import * as assert from 'node:assert/strict';
import {
  assertValidRegion,
  consoleUrl,
  isValidRegion,
  KNOWN_REGIONS,
  officialEndpoint,
  parseEndpoint,
  resolveEndpoint,
} from '../../src/core/api/endpoints';
import { BadInputError } from '../../src/core/api/errors';

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
    for (const region of ['cn-hangzhou', 'cn-shanghai', 'cn-beijing', 'cn-hongkong', 'ap-southeast-1', 'us-west-1', 'eu-central-1', 'me-east-1']) {
      it(`sends ${region} to the central host`, () => {
        assert.equal(officialEndpoint(region), 'https://dts.aliyuncs.com');
      });
    }
    for (const region of ['ap-northeast-1', 'ap-northeast-2', 'cn-heyuan', 'cn-guangzhou', 'me-central-1', 'ap-southeast-6', 'ap-southeast-7']) {
      it(`sends ${region} to its own host`, () => {
        assert.equal(officialEndpoint(region), `https://dts.${region}.aliyuncs.com`);
      });
    }

    it('refuses a malformed region with a message showing the expected form', () => {
      badInput(() => officialEndpoint('Hangzhou'), /^"Hangzhou" is not a region ID \(expected something like cn-hangzhou\)$/);
    });

    it('has an endpoint for every region offered to users', () => {
      for (const region of KNOWN_REGIONS) {
        assert.match(officialEndpoint(region), /^https:\/\/dts\.([a-z0-9-]+\.)?aliyuncs\.com$/, region);
      }
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
