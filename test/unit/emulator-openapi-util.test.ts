import * as assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { stringify } from 'node:querystring';
import { Readable } from 'node:stream';
import OpenApiUtil from '@alicloud/openapi-util';
import { Agent, request } from 'undici';
import type { Scenario } from '../emulator/scenario';
import { startEmulator, type Emulator } from '../emulator/server';

/*
 * The emulator checked against Alibaba's own signing code (`@alicloud/openapi-util`), built the way the official
 * SDK's `doRequest` builds a request (aliyun/darabonba-openapi ts/src/client.ts): V3 puts a form body under
 * `x-acs-content-sha256` and only the URL query in the canonical query string; V2 signs query and form together.
 */

interface Key {
  readonly accessKeyId: string;
  readonly accessKeySecret: string;
  readonly securityToken?: string;
}

const KEY: Key = { accessKeyId: 'LTAI5tOpenApiUtil01', accessKeySecret: 'openapi-util-secret-01' };
const STS: Key = { accessKeyId: 'STS.NOpenApiUtil02', accessKeySecret: 'openapi-util-secret-02', securityToken: 'CAIS+sts/token==' };
const JOB = 'dtsu7t1l0p3n4p1x9q';
const HZ = 'cn-hangzhou';
const ALGORITHM = 'ACS3-HMAC-SHA256';
const FORM_TYPE = 'application/x-www-form-urlencoded';

/** The request type openapi-util signs, taken from its own typings so the shape cannot drift. */
type TeaRequest = Parameters<typeof OpenApiUtil.getAuthorization>[0];

const SCENARIO: Scenario = {
  accessKeys: [
    KEY,
    STS,
  ],
  jobs: [{ id: JOB, region: HZ, directions: [{ direction: 'Forward', status: 'Synchronizing', lagSeconds: 1 }] }],
};

const JOB_PARAMS = { SynchronizationJobIdListJsonStr: JSON.stringify([JOB]), RegionId: HZ };

interface Wire {
  readonly method: 'GET' | 'POST';
  /** The URL query as tea's doAction writes it (querystring.stringify), without the `?`. */
  readonly query: string;
  readonly headers: Record<string, string>;
  readonly body?: string;
}

interface Answer {
  readonly status: number;
  readonly json: Record<string, unknown>;
}

describe('DTS emulator against @alicloud/openapi-util signatures', () => {
  let emu: Emulator;
  let host: string;
  const agent = new Agent();

  before(async () => {
    // The real clock: openapi-util stamps x-acs-date and Timestamp from it.
    emu = await startEmulator({ scenario: SCENARIO, clock: () => new Date() });
    host = new URL(emu.url).host;
  });

  after(async () => {
    await emu.close();
    await agent.close();
  });

  /** A V3 request as the official SDK's doRequest makes it: form body hashed, headers signed by openapi-util. */
  function v3(o: {
    method?: 'GET' | 'POST'; query?: Record<string, string>; form?: Record<string, string>; credentials?: Key;
  }): Wire {
    const credentials = o.credentials ?? KEY;
    const query = o.query ?? {};
    const body = o.form === undefined ? undefined : OpenApiUtil.toForm(o.form);
    const headers: Record<string, string> = {
      host,
      'x-acs-version': '2020-01-01',
      'x-acs-action': 'DescribeSynchronizationJobStatusList',
      'x-acs-date': OpenApiUtil.getTimestamp(),
      'x-acs-signature-nonce': randomUUID(),
      accept: 'application/json',
    };
    if (body !== undefined) {
      headers['content-type'] = FORM_TYPE;
    }
    headers['x-acs-content-sha256'] = OpenApiUtil.hexEncode(OpenApiUtil.hash(Buffer.from(body ?? '', 'utf8'), ALGORITHM));
    if (credentials.securityToken) {
      headers['x-acs-accesskey-id'] = credentials.accessKeyId;
      headers['x-acs-security-token'] = credentials.securityToken;
    }
    const method = o.method ?? 'POST';
    const tea: TeaRequest = { protocol: 'HTTP', port: 0, method, pathname: '/', query, headers, body: Readable.from([]) };
    headers['authorization'] = OpenApiUtil.getAuthorization(
      tea, ALGORITHM, headers['x-acs-content-sha256'], credentials.accessKeyId, credentials.accessKeySecret,
    );
    return { method, query: stringify(query), headers, body };
  }

  /** A V2 POST: common parameters in the query, the operation's in a form body, one signature over both. */
  function v2(form: Record<string, string>): Wire {
    const common: Record<string, string> = {
      Action: 'DescribeSynchronizationJobStatusList', Version: '2020-01-01', Format: 'JSON', AccessKeyId: KEY.accessKeyId,
      SignatureMethod: 'HMAC-SHA1', SignatureVersion: '1.0', SignatureNonce: randomUUID(), Timestamp: OpenApiUtil.getTimestamp(),
    };
    const signature = OpenApiUtil.getRPCSignature({ ...common, ...form }, 'POST', KEY.accessKeySecret);
    return { method: 'POST', query: stringify({ ...common, Signature: signature }), headers: { 'content-type': FORM_TYPE }, body: OpenApiUtil.toForm(form) };
  }

  async function send(wire: Wire): Promise<Answer> {
    const res = await request(`${emu.url}/${wire.query ? `?${wire.query}` : ''}`, {
      method: wire.method, headers: wire.headers, body: wire.body, dispatcher: agent,
    });
    const text = await res.body.text();
    return { status: res.statusCode, json: JSON.parse(text) as Record<string, unknown> };
  }

  /** The job IDs a successful answer lists: proof the parameters were read from wherever they were sent. */
  function answeredJobs(answer: Answer): string[] {
    assert.equal(answer.status, 200, JSON.stringify(answer.json));
    const list = answer.json['SynchronizationJobListStatusList'];
    assert.ok(Array.isArray(list), JSON.stringify(answer.json));
    return list.map((job: { SynchronizationJobId?: unknown }) => String(job.SynchronizationJobId));
  }

  function refusal(answer: Answer): string {
    assert.equal(answer.status, 400, JSON.stringify(answer.json));
    return String(answer.json['Code']);
  }

  describe('V3 (ACS3-HMAC-SHA256)', () => {
    it('accepts a POST with the parameters in a form body, as the official SDK sends them', async () => {
      const wire = v3({ form: JOB_PARAMS });
      assert.equal(wire.query, '', 'nothing in the URL query: every parameter is in the body');
      assert.match(wire.headers['authorization'], /SignedHeaders=content-type;host;x-acs-action;/);
      assert.deepEqual(answeredJobs(await send(wire)), [JOB]);
    });

    it('refuses that POST with its body changed after signing (content hash no longer matches)', async () => {
      const wire = v3({ form: JOB_PARAMS });
      const tampered = { ...wire, body: wire.body?.replace('cn-hangzhou', 'cn-shanghai') };
      assert.notEqual(tampered.body, wire.body);
      assert.equal(refusal(await send(tampered)), 'SignatureDoesNotMatch');
    });

    it('refuses a changed body even with x-acs-content-sha256 recomputed, since that header is signed', async () => {
      const wire = v3({ form: JOB_PARAMS });
      const body = wire.body?.replace('cn-hangzhou', 'cn-shanghai') ?? '';
      const headers = { ...wire.headers, 'x-acs-content-sha256': OpenApiUtil.hexEncode(OpenApiUtil.hash(Buffer.from(body), ALGORITHM)) };
      const answer = await send({ ...wire, headers, body });
      assert.equal(refusal(answer), 'SignatureDoesNotMatch');
      assert.match(String(answer.json['Message']), /server string to sign is:ACS3-HMAC-SHA256\n[0-9a-f]{64}$/);
    });

    it('accepts the parameters in the URL query with an empty body, by POST and by GET', async () => {
      for (const method of ['POST', 'GET'] as const) {
        const wire = v3({ method, query: JOB_PARAMS });
        assert.equal(wire.body, undefined);
        assert.deepEqual(answeredJobs(await send(wire)), [JOB], method);
      }
    });

    it('refuses a query parameter changed after signing', async () => {
      const wire = v3({ query: JOB_PARAMS });
      assert.equal(refusal(await send({ ...wire, query: wire.query.replace('cn-hangzhou', 'cn-shanghai') })), 'SignatureDoesNotMatch');
    });

    it('accepts parameters split between the query and the form body, and signs the query part', async () => {
      const wire = v3({ query: { RegionId: HZ }, form: { SynchronizationJobIdListJsonStr: JOB_PARAMS.SynchronizationJobIdListJsonStr } });
      assert.deepEqual(answeredJobs(await send(wire)), [JOB]);
      const moved = v3({ query: { RegionId: HZ }, form: { SynchronizationJobIdListJsonStr: JOB_PARAMS.SynchronizationJobIdListJsonStr } });
      assert.equal(refusal(await send({ ...moved, query: moved.query.replace('cn-hangzhou', 'cn-shanghai') })), 'SignatureDoesNotMatch');
    });

    it('accepts an STS key with the SDK’s x-acs-accesskey-id and x-acs-security-token headers', async () => {
      assert.deepEqual(answeredJobs(await send(v3({ form: JOB_PARAMS, credentials: STS }))), [JOB]);
    });
  });

  describe('V2 (HMAC-SHA1)', () => {
    it('accepts a POST whose form fields are signed together with the query by getRPCSignature', async () => {
      assert.deepEqual(answeredJobs(await send(v2(JOB_PARAMS))), [JOB]);
    });

    it('refuses that POST with a form field changed after signing', async () => {
      const wire = v2(JOB_PARAMS);
      const tampered = { ...wire, body: wire.body?.replace('cn-hangzhou', 'cn-shanghai') };
      assert.notEqual(tampered.body, wire.body);
      assert.equal(refusal(await send(tampered)), 'SignatureDoesNotMatch');
    });
  });
});
