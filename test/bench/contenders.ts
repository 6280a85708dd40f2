/**
 * The implementations the CPU benchmark compares, each sending DescribeSynchronizationJobStatusList for the same IDs
 * and reading the answer into something a caller can use:
 *
 *   dts-v3         this project's DtsClient, signature V3 (ACS3-HMAC-SHA256), answer validated into a StatusListResult
 *   dts-v2         the same with signature V2 (HMAC-SHA1)
 *   pop-core       Alibaba's official Node SDK core @alicloud/pop-core RPCClient (V2, POST form body, its keep-alive agent)
 *   undici+signV3  bare undici `request` signed by this project's signV3 per query, then JSON.parse
 *   floor          bare undici `request` replaying one request signed before the timed loop, then JSON.parse
 *
 * None waits for a rate limit (the DtsClient's limiter has no limit): the client's own cost is measured, not DTS's 20 calls/s.
 */
import RPCClient from '@alicloud/pop-core';
import { randomUUID } from 'node:crypto';
import { Agent, request } from 'undici';
import { API_VERSION, DtsClient, STATUS_LIST_ACTION } from '../../src/core/api/client';
import { RateLimiter } from '../../src/core/api/rateLimiter';
import { canonicalQueryString, signV3, type Credentials } from '../../src/core/api/signing';
import { BENCH_REGION } from './fixed-server';

export const IMPLEMENTATIONS = ['dts-v3', 'dts-v2', 'pop-core', 'undici+signV3', 'floor'] as const;
export type Implementation = (typeof IMPLEMENTATIONS)[number];

export const USER_AGENT = 'dts-sync-status/bench';

export interface Contender {
  /** One query; throws unless every job came back. */
  query(): Promise<void>;
  close(): Promise<void>;
}

function expectJobs(name: string, list: unknown, count: number): void {
  if (!Array.isArray(list) || list.length !== count) {
    throw new Error(`${name}: expected ${count} jobs, got ${JSON.stringify(list)?.slice(0, 200)}`);
  }
}

interface StatusListBody {
  readonly SynchronizationJobListStatusList?: unknown;
}

export function createContender(impl: Implementation, url: string, ids: readonly string[], key: Credentials): Contender {
  const params = { SynchronizationJobIdListJsonStr: JSON.stringify(ids), RegionId: BENCH_REGION };
  switch (impl) {
    case 'dts-v3':
    case 'dts-v2': {
      const client = new DtsClient({
        credentials: key,
        endpoint: url,
        signatureVersion: impl === 'dts-v3' ? 'v3' : 'v2',
        userAgent: USER_AGENT,
        // Never makes a query wait, and holds about as many slots as DTS's 20 calls/s would (the window is 5 ms).
        rateLimiter: new RateLimiter({ limit: Number.MAX_SAFE_INTEGER, windowMs: 5 }),
      });
      return {
        async query() {
          const result = await client.describeSynchronizationJobStatusList(ids, BENCH_REGION);
          if (result.jobs.size !== ids.length) {
            throw new Error(`${impl}: ${result.jobs.size} of ${ids.length} jobs returned`);
          }
        },
        close: () => client.close(),
      };
    }
    case 'pop-core': {
      const client = new RPCClient({ accessKeyId: key.accessKeyId, accessKeySecret: key.accessKeySecret, endpoint: url, apiVersion: API_VERSION });
      return {
        async query() {
          const result = await client.request<StatusListBody>(STATUS_LIST_ACTION, params, { method: 'POST', timeout: 10_000 });
          expectJobs(impl, result.SynchronizationJobListStatusList, ids.length);
        },
        // pop-core does not expose its keep-alive agent; its idle sockets close on their own.
        close: async () => undefined,
      };
    }
    case 'undici+signV3':
    case 'floor': {
      const agent = new Agent({ keepAliveTimeout: 30_000, connections: 4 });
      const origin = new URL(url);
      const target = `${origin.origin}/?${canonicalQueryString(params)}`;
      const sign = (): Record<string, string> => ({
        ...signV3({ method: 'POST', host: origin.host, action: STATUS_LIST_ACTION, version: API_VERSION, query: params, credentials: key, date: new Date(), nonce: randomUUID() }).headers,
        accept: 'application/json',
        'user-agent': USER_AGENT,
      });
      const presigned = sign();
      return {
        async query() {
          const res = await request(target, { method: 'POST', headers: impl === 'floor' ? presigned : sign(), dispatcher: agent });
          const body = await res.body.text();
          if (res.statusCode !== 200) {
            throw new Error(`${impl}: HTTP ${res.statusCode} ${body.slice(0, 200)}`);
          }
          expectJobs(impl, (JSON.parse(body) as StatusListBody).SynchronizationJobListStatusList, ids.length);
        },
        close: () => agent.close(),
      };
    }
  }
}
