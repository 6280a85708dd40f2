import * as assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { canonicalQueryString, formatTimestamp, percentEncode, signV2, signV3, v2Signature } from '../../src/core/api/signing';

describe('signing', () => {
  describe('percentEncode', () => {
    it('encodes the characters encodeURIComponent leaves alone, space as %20 and UTF-8 bytes', () => {
      assert.equal(percentEncode("a b!'()*~-_.é/:"), 'a%20b%21%27%28%29%2A~-_.%C3%A9%2F%3A');
    });
    it('encodes the + / = of an STS token', () => {
      assert.equal(percentEncode('CAIS+ab/cd=='), 'CAIS%2Bab%2Fcd%3D%3D');
    });
    it('encodes characters outside the BMP as their four UTF-8 bytes', () => {
      assert.equal(percentEncode('😀'), '%F0%9F%98%80');
    });
    it('encodes a lone surrogate as the UTF-8 replacement character instead of throwing', () => {
      assert.equal(percentEncode('a\uD800b'), 'a%EF%BF%BDb');
    });
  });

  it('formats timestamps in UTC without milliseconds', () => {
    assert.equal(formatTimestamp(new Date(Date.UTC(2023, 9, 26, 10, 22, 32, 999))), '2023-10-26T10:22:32Z');
  });

  it('formats each second as its own, one after the other, and still refuses an invalid date', () => {
    const second = Date.UTC(2026, 10, 30, 14, 3, 5);
    assert.equal(formatTimestamp(new Date(second + 1)), '2026-11-30T14:03:05Z');
    assert.equal(formatTimestamp(new Date(second + 999)), '2026-11-30T14:03:05Z');
    assert.equal(formatTimestamp(new Date(second + 1000)), '2026-11-30T14:03:06Z');
    assert.equal(formatTimestamp(new Date(second - 1)), '2026-11-30T14:03:04Z');
    assert.equal(formatTimestamp(new Date(-1)), '1969-12-31T23:59:59Z');
    assert.throws(() => formatTimestamp(new Date(Number.NaN)), RangeError);
    assert.throws(() => formatTimestamp(new Date(Number.NaN)), RangeError);
  });

  it('sorts query parameters by name in code-unit order', () => {
    assert.equal(canonicalQueryString({ b: '2', B: '1', a: 'x y' }), 'B=1&a=x%20y&b=2');
  });

  describe('V3 (ACS3-HMAC-SHA256)', () => {
    const official = {
      method: 'POST',
      host: 'ecs.cn-shanghai.aliyuncs.com',
      action: 'RunInstances',
      version: '2014-05-26',
      query: { ImageId: 'win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd', RegionId: 'cn-shanghai' },
      credentials: { accessKeyId: 'YourAccessKeyId', accessKeySecret: 'YourAccessKeySecret' },
      date: new Date('2023-10-26T10:22:32Z'),
      nonce: '3156853299f313e23d1673dc12e1703d',
    };

    it('reproduces the official worked example', () => {
      const signed = signV3(official);
      assert.equal(signed.signedHeaders, 'host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version');
      assert.equal(
        signed.stringToSign,
        'ACS3-HMAC-SHA256\n7ea06492da5221eba5297e897ce16e55f964061054b7695beedaac1145b1e259',
      );
      assert.equal(signed.signature, '06563a9e1b43f5dfe96b81484da74bceab24a1d853912eee15083a6f0f3283c0');
      assert.equal(
        signed.headers['authorization'],
        'ACS3-HMAC-SHA256 Credential=YourAccessKeyId,SignedHeaders=host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version,Signature=06563a9e1b43f5dfe96b81484da74bceab24a1d853912eee15083a6f0f3283c0',
      );
      assert.equal(signed.headers['x-acs-content-sha256'], 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    });

    it('signs the STS token header and never puts the secret in a header', () => {
      const signed = signV3({
        ...official,
        credentials: { ...official.credentials, securityToken: 'CAIS+ab/cd==' },
      });
      assert.equal(signed.headers['x-acs-security-token'], 'CAIS+ab/cd==');
      assert.match(signed.signedHeaders, /x-acs-security-token/);
      assert.notEqual(signed.signature, '06563a9e1b43f5dfe96b81484da74bceab24a1d853912eee15083a6f0f3283c0');
      assert.ok(!JSON.stringify(signed).includes('YourAccessKeySecret'));
    });

    it('percent-encodes query values in the canonical request', () => {
      const signed = signV3({ ...official, query: { SynchronizationJobIdListJsonStr: '["dts1 *"]' } });
      assert.match(signed.canonicalRequest, /\nSynchronizationJobIdListJsonStr=%5B%22dts1%20%2A%22%5D\n/);
    });

    it('changes the signature with the nonce, so a retry is a new signature', () => {
      assert.notEqual(signV3(official).signature, signV3({ ...official, nonce: 'other' }).signature);
    });

    it('signs a request without extra headers as the general path does, with and without an STS token', () => {
      for (const credentials of [official.credentials, { ...official.credentials, securityToken: ' CAIS+ab/cd== ' }]) {
        const usual = signV3({ ...official, credentials });
        const general = signV3({ ...official, credentials, headers: {} });
        assert.deepEqual(usual, general);
        assert.deepEqual(Object.keys(usual.headers).sort(), Object.keys(general.headers).sort());
      }
    });

    it('signs as createHmac does with any secret: empty, one block long, longer than a block, not ASCII', () => {
      for (const secret of ['', 'k', 'x'.repeat(64), 'y'.repeat(65), 'z'.repeat(200), 'clé-秘密-🔑']) {
        const signed = signV3({ ...official, credentials: { ...official.credentials, accessKeySecret: secret } });
        assert.equal(signed.signature, createHmac('sha256', secret).update(signed.stringToSign).digest('hex'), `secret of ${secret.length}`);
        const v2 = signV2({ method: 'POST', action: 'A', version: 'v', params: {}, credentials: { accessKeyId: 'id', accessKeySecret: secret }, date: official.date, nonce: 'n' });
        assert.equal(v2.signature, createHmac('sha1', `${secret}&`).update(v2.stringToSign).digest('base64'), `V2, secret of ${secret.length}`);
      }
    });

    it('signs the canonical query the caller kept for the same parameters', () => {
      const kept = signV3({ ...official, canonicalQuery: canonicalQueryString(official.query) });
      assert.equal(kept.signature, '06563a9e1b43f5dfe96b81484da74bceab24a1d853912eee15083a6f0f3283c0');
    });
  });

  describe('V2 (HMAC-SHA1)', () => {
    const official = {
      method: 'GET',
      action: 'DescribeRegions',
      version: '2014-05-26',
      params: { Format: 'XML' },
      credentials: { accessKeyId: 'testid', accessKeySecret: 'testsecret' },
      date: new Date('2016-02-23T12:46:24Z'),
      nonce: '3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf',
    };

    it('reproduces the official worked example (GET)', () => {
      const signed = signV2(official);
      assert.equal(
        signed.stringToSign,
        'GET&%2F&AccessKeyId%3Dtestid%26Action%3DDescribeRegions%26Format%3DXML%26SignatureMethod%3DHMAC-SHA1%26SignatureNonce%3D3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf%26SignatureVersion%3D1.0%26Timestamp%3D2016-02-23T12%253A46%253A24Z%26Version%3D2014-05-26',
      );
      assert.equal(signed.signature, 'OLeaidS1JvxuMvnyHOwuJ+uX5qY=');
      assert.equal(signed.params['Signature'], 'OLeaidS1JvxuMvnyHOwuJ+uX5qY=');
    });

    it('reproduces the official worked example (POST)', () => {
      assert.equal(signV2({ ...official, method: 'POST' }).signature, 'MxbnVAM4w6sft9xjVpe/GCKueuk=');
    });

    it('reproduces the legacy TimeStamp spelling of the example', () => {
      const params = { ...signV2(official).params };
      delete params['Signature'];
      params['TimeStamp'] = params['Timestamp'];
      delete params['Timestamp'];
      assert.equal(v2Signature('GET', params, 'testsecret').signature, 'CT9X0VtwR86fNWSnsc6v8YGOjuE=');
    });

    it('adds SecurityToken for STS credentials and defaults Format to JSON', () => {
      const signed = signV2({ ...official, params: {}, credentials: { ...official.credentials, securityToken: 'a+b/c=' } });
      assert.equal(signed.params['SecurityToken'], 'a+b/c=');
      assert.equal(signed.params['Format'], 'JSON');
      assert.match(signed.stringToSign, /SecurityToken%3Da%252Bb%252Fc%253D/);
    });
  });

  describe('the query each version hands the client to send', () => {
    const credentials = { accessKeyId: 'LTAI5tQueryKey01', accessKeySecret: 'query-secret', securityToken: 'a+b/c=' };
    const params = { SynchronizationJobIdListJsonStr: '["dtsjob01","dts job*02"]', RegionId: 'cn-hangzhou' };
    const date = new Date('2026-11-30T14:03:05.123Z');

    it('V3: the canonical query it signed', () => {
      const signed = signV3({ method: 'POST', host: 'dts.aliyuncs.com', action: 'A', version: '2020-01-01', query: params, credentials, date, nonce: 'n-1' });
      assert.equal(signed.canonicalQuery, canonicalQueryString(params));
      assert.ok(signed.canonicalRequest.includes(`\n${signed.canonicalQuery}\n`));
    });

    it('V2: every parameter with the Signature, which reads back as the signed parameters', () => {
      const signed = signV2({ method: 'POST', action: 'A', version: '2020-01-01', params, credentials, date, nonce: 'n-2' });
      const sent = Object.fromEntries(new URLSearchParams(signed.query));
      assert.deepEqual(sent, signed.params);
      assert.equal(sent['Signature'], signed.signature);
      const unsigned = new Map(Object.entries(sent));
      unsigned.delete('Signature');
      assert.equal(v2Signature('POST', Object.fromEntries(unsigned), credentials.accessKeySecret).signature, signed.signature);
    });

    it('formats timestamps without milliseconds, also for years past 9999', () => {
      assert.equal(formatTimestamp(date), '2026-11-30T14:03:05Z');
      assert.equal(formatTimestamp(new Date('+010000-01-01T00:00:00.000Z')), '+010000-01-01T00:00:00Z');
    });
  });
});
