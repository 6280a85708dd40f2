import * as assert from 'node:assert/strict';
import * as fc from 'fast-check';
import type { RawResponse } from '../../src/core/api/client';
import { DtsError, ServerError, ThrottledError } from '../../src/core/api/errors';
import {
  interpretJobListResponse, listSynchronizationJobs, MAX_PAGES, type JobListClient, type ListedJob,
} from '../../src/core/api/jobList';
import { discoverJobs } from '../../src/core/discovery';

const REGION = 'cn-shanghai';
const KEY = { accessKeyId: 'LTAI5tJobListKey0001', accessKeySecret: 'jobList-Secret-0001' };

function instance(i: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    SynchronizationJobId: `dtsjob${String(i).padStart(12, '0')}`,
    SynchronizationJobName: `shop-${i}`,
    SynchronizationDirection: 'Forward',
    Status: 'Synchronizing',
    Delay: '3',
    ErrorMessage: '',
    SourceEndpoint: { EngineName: 'MySQL', InstanceType: 'RDS', InstanceId: `rm-${i}`, IP: '10.0.0.1', Port: '3306', UserName: 'dtstest' },
    DestinationEndpoint: { EngineName: 'PolarDB', InstanceId: `pc-${i}`, Port: 'x' },
    PayType: 'PostPaid',
    ...extra,
  };
}

function answer(body: unknown, status = 200): RawResponse {
  return { status, headers: { 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) };
}

/** A region of `count` jobs, paged as the API pages them; `override` may replace any page's answer. */
function region(count: number, override: (pageNum: number, pageSize: number) => RawResponse | Error | undefined = () => undefined) {
  const calls: Record<string, string>[] = [];
  const client: JobListClient = {
    async call<T>(action: string, params: Readonly<Record<string, string>>, _region: string, _n: number, _s: AbortSignal | undefined, interpret: (r: RawResponse) => T): Promise<T> {
      assert.equal(action, 'DescribeSynchronizationJobs');
      calls.push({ ...params });
      const pageNum = Number(params['PageNum']);
      const pageSize = Number(params['PageSize']);
      const special = override(pageNum, pageSize);
      if (special instanceof Error) {
        throw special;
      }
      const ids = Array.from({ length: count }, (_, i) => i + 1);
      const page = ids.slice((pageNum - 1) * pageSize, pageNum * pageSize);
      return interpret(special ?? answer({ RequestId: `req-${pageNum}`, PageNumber: pageNum, PageRecordCount: page.length, TotalRecordCount: count, SynchronizationInstances: page.map((i) => instance(i)) }));
    },
  };
  return { client, calls };
}

describe('listSynchronizationJobs', () => {
  it('reads every page until TotalRecordCount, 30 at a time, with RegionId, PageNum and PageSize', async () => {
    const { client, calls } = region(65);
    const listing = await listSynchronizationJobs(client, REGION);
    assert.equal(listing.jobs.length, 65);
    assert.equal(listing.complete, true);
    assert.equal(listing.error, undefined);
    assert.deepEqual(calls, [1, 2, 3].map((n) => ({ RegionId: REGION, PageNum: String(n), PageSize: '30' })));
    assert.deepEqual(listing.notes, []);
  });

  it('asks for no page past the last full one when the count is reached', async () => {
    const { client, calls } = region(60);
    const listing = await listSynchronizationJobs(client, REGION, { pageSize: 20 });
    assert.equal(listing.jobs.length, 60);
    assert.equal(calls.length, 3);
  });

  it('reads each job into typed fields: endpoints without user names, numbers from strings, a bad port left out', async () => {
    const { client } = region(1, () =>
      answer({ RequestId: 'r', TotalRecordCount: 1, SynchronizationInstances: [instance(7, { Delay: '42', PayType: 'PrePaid', ExpireTime: '2031-07-07T16:00:00Z', ErrorMessage: 'DTS-070211: boom' })] }),
    );
    const [job] = (await listSynchronizationJobs(client, REGION)).jobs;
    assert.deepEqual(job, {
      jobId: 'dtsjob000000000007',
      region: REGION,
      name: 'shop-7',
      status: 'Synchronizing',
      directions: ['Forward'],
      delaySeconds: 42,
      errorMessage: 'DTS-070211: boom',
      source: { engineName: 'MySQL', instanceType: 'RDS', instanceId: 'rm-7', ip: '10.0.0.1', port: 3306 },
      destination: { engineName: 'PolarDB', instanceId: 'pc-7' },
      payType: 'PrePaid',
      expireTime: new Date('2031-07-07T16:00:00Z'),
    } satisfies ListedJob);
  });

  it('sends the name filter as SynchronizationJobName', async () => {
    const { client, calls } = region(3);
    await listSynchronizationJobs(client, REGION, { name: ' orders ' });
    assert.equal(calls[0]['SynchronizationJobName'], 'orders');
  });

  it('returns the pages read and the error when a page fails midway', async () => {
    const failure = new ServerError({ code: 'ServiceUnavailable', httpStatus: 503 });
    const { client, calls } = region(90, (pageNum) => (pageNum === 2 ? failure : undefined));
    const listing = await listSynchronizationJobs(client, REGION);
    assert.equal(calls.length, 2);
    assert.equal(listing.jobs.length, 30);
    assert.equal(listing.error, failure);
    assert.equal(listing.complete, false);
  });

  it('returns a failing first page as an error with no jobs, never a throw', async () => {
    const { client } = region(5, () => answer({ RequestId: 'r', Code: 'Throttling.User', Message: 'flow control' }, 400));
    const listing = await listSynchronizationJobs(client, REGION);
    assert.ok(listing.error instanceof ThrottledError);
    assert.deepEqual(listing.jobs, []);
  });

  it('rethrows the caller abort instead of reporting it', async () => {
    const controller = new AbortController();
    const { client } = region(90, (pageNum) => {
      if (pageNum === 2) {
        controller.abort(new Error('stopped'));
        return new Error('stopped');
      }
      return undefined;
    });
    await assert.rejects(listSynchronizationJobs(client, REGION, { signal: controller.signal }), /stopped/);
  });

  it('stops at the first short page when TotalRecordCount claims more than the pages give', async () => {
    const { client, calls } = region(45, (pageNum, size) =>
      answer({ RequestId: 'r', TotalRecordCount: 1000, SynchronizationInstances: Array.from({ length: pageNum === 1 ? size : 15 }, (_, i) => instance((pageNum - 1) * size + i)) }),
    );
    const listing = await listSynchronizationJobs(client, REGION);
    assert.equal(calls.length, 2);
    assert.equal(listing.jobs.length, 45);
    assert.equal(listing.complete, true);
    assert.ok(listing.notes.some((n) => /the pages list 45 jobs but TotalRecordCount claims 1000/.test(n)), listing.notes.join('\n'));
  });

  it('stops when a server ignoring PageNum sends the same full page again', async () => {
    const { client, calls } = region(30, () =>
      answer({ RequestId: 'r', TotalRecordCount: 5000, SynchronizationInstances: Array.from({ length: 30 }, (_, i) => instance(i)) }),
    );
    const listing = await listSynchronizationJobs(client, REGION);
    assert.equal(calls.length, 2);
    assert.equal(listing.jobs.length, 30);
    assert.ok(listing.notes.some((n) => /30 jobs were listed more than once/.test(n)));
  });

  it('reads at most 100 pages of a count that grows with every page', async () => {
    const { client, calls } = region(0, (pageNum, size) =>
      answer({ RequestId: 'r', TotalRecordCount: pageNum * 1000, SynchronizationInstances: Array.from({ length: size }, (_, i) => instance(pageNum * 100 + i)) }),
    );
    const listing = await listSynchronizationJobs(client, REGION, { pageSize: 10 });
    assert.equal(calls.length, MAX_PAGES);
    assert.equal(listing.complete, false);
    assert.equal(listing.error, undefined);
    assert.ok(listing.notes.some((n) => /changed from 1000 to 2000/.test(n)));
    assert.ok(listing.notes.some((n) => /stopped after 100 pages \(1000 jobs\)/.test(n)));
  });

  it('stops at an empty page whatever the count says', async () => {
    const { client, calls } = region(0, (pageNum) => answer({ RequestId: 'r', TotalRecordCount: 99, SynchronizationInstances: pageNum === 1 ? [] : [instance(1)] }));
    const listing = await listSynchronizationJobs(client, REGION);
    assert.equal(calls.length, 1);
    assert.deepEqual(listing.jobs, []);
  });

  it('keeps a two-way job listed once per direction as one job with both directions', async () => {
    const { client } = region(0, () =>
      answer({ RequestId: 'r', TotalRecordCount: 3, SynchronizationInstances: [instance(1), instance(2), instance(1, { SynchronizationDirection: 'Reverse' })] }),
    );
    const listing = await listSynchronizationJobs(client, REGION);
    assert.deepEqual(listing.jobs.map((j) => [j.jobId, j.directions]), [
      ['dtsjob000000000001', ['Forward', 'Reverse']],
      ['dtsjob000000000002', ['Forward']],
    ]);
    assert.deepEqual(listing.notes, []);
  });

  it('skips entries without an ID with a note, keeps the rest', async () => {
    const { client } = region(0, () =>
      answer({ RequestId: 'r', TotalRecordCount: 3, SynchronizationInstances: [instance(1), 'x', { SynchronizationJobName: 'nameless' }, instance(2)] }),
    );
    const listing = await listSynchronizationJobs(client, REGION);
    assert.equal(listing.jobs.length, 2);
    assert.ok(listing.notes.some((n) => /^2 entries of the job list have no SynchronizationJobId/.test(n)));
  });

  it('removes the caller key and control characters from every text', async () => {
    const { client } = region(0, () =>
      answer({ RequestId: 'r', TotalRecordCount: 1, SynchronizationInstances: [instance(1, { SynchronizationJobName: `evil\u001b[31m ${KEY.accessKeySecret}\u202e`, ErrorMessage: `key ${KEY.accessKeyId}\nnext` })] }),
    );
    const [job] = (await listSynchronizationJobs(client, REGION, { known: KEY })).jobs;
    assert.equal(job.name, 'evil [31m [redacted]');
    assert.doesNotMatch(job.errorMessage ?? '', /LTAI5tJobListKey0001|\n/);
  });
});

describe('interpretJobListResponse', () => {
  it('reads an answer without SynchronizationInstances and a zero count as an empty region', () => {
    assert.deepEqual(interpretJobListResponse(200, {}, JSON.stringify({ RequestId: 'r', TotalRecordCount: 0 }), REGION).jobs, []);
  });

  it('refuses an answer without SynchronizationInstances that claims jobs', () => {
    assert.throws(() => interpretJobListResponse(200, {}, JSON.stringify({ RequestId: 'r', TotalRecordCount: 4 }), REGION), /SynchronizationInstances is missing/);
  });

  it('reads a Code beside no job list as the error it is, even with HTTP 200', () => {
    assert.throws(
      () => interpretJobListResponse(200, {}, JSON.stringify({ RequestId: 'r', Code: 'Forbidden.RAM', Message: 'denied' }), REGION),
      (e: unknown) => e instanceof DtsError && e.code === 'Forbidden.RAM',
    );
  });

  const hostile = fc.oneof(
    fc.jsonValue({ maxDepth: 4 }),
    fc.record({
      RequestId: fc.jsonValue({ maxDepth: 1 }),
      TotalRecordCount: fc.oneof(fc.integer(), fc.string(), fc.constant(null), fc.double()),
      SynchronizationInstances: fc.oneof(
        fc.array(
          fc.oneof(
            fc.jsonValue({ maxDepth: 2 }),
            fc.record(
              {
                SynchronizationJobId: fc.oneof(fc.string({ unit: 'binary' }), fc.constantFrom('__proto__', 'constructor'), fc.integer()),
                SynchronizationJobName: fc.oneof(fc.string({ unit: 'binary' }), fc.jsonValue({ maxDepth: 1 })),
                Delay: fc.oneof(fc.string(), fc.double(), fc.integer()),
                SourceEndpoint: fc.jsonValue({ maxDepth: 2 }),
                ExpireTime: fc.oneof(fc.string(), fc.constant('2024-02-30T00:00:00Z')),
                Status: fc.jsonValue({ maxDepth: 1 }),
              },
              { requiredKeys: [] },
            ),
          ),
          { maxLength: 40 },
        ),
        fc.jsonValue({ maxDepth: 2 }),
      ),
    }, { requiredKeys: [] }),
  );

  it('turns any JSON into a page or a DtsError, with control-free texts', () => {
    fc.assert(
      fc.property(hostile, fc.constantFrom(200, 400, 403, 500, 503), (body, status) => {
        try {
          const page = interpretJobListResponse(status, {}, JSON.stringify(body), REGION);
          for (const job of page.jobs) {
            for (const text of [job.jobId, job.name, job.status, job.errorMessage, job.source?.engineName]) {
              // eslint-disable-next-line no-control-regex
              assert.doesNotMatch(text ?? '', /[\u0000-\u001f\u007f-\u009f\u202e]/);
            }
            assert.ok(job.delaySeconds === undefined || Number.isFinite(job.delaySeconds));
          }
        } catch (e) {
          assert.ok(e instanceof DtsError, `threw ${String(e)}`);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('ends every listing, whatever the pages say, within 100 pages', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(hostile, { minLength: 1, maxLength: 5 }), async (pages) => {
        let calls = 0;
        const client: JobListClient = {
          call: async <T>(_a: string, params: Readonly<Record<string, string>>, _r: string, _n: number, _s: AbortSignal | undefined, interpret: (r: RawResponse) => T): Promise<T> => {
            calls++;
            return interpret(answer(pages[(Number(params['PageNum']) - 1) % pages.length]));
          },
        };
        const listing = await listSynchronizationJobs(client, REGION);
        assert.ok(calls <= MAX_PAGES);
        assert.equal(new Set(listing.jobs.map((j) => j.jobId)).size, listing.jobs.length);
      }),
      { numRuns: 200 },
    );
  });
});

describe('discoverJobs', () => {
  it('lists every region, a failing one reported beside the others', async () => {
    const shanghai = region(45);
    const failure = new ServerError({ code: 'InternalError', httpStatus: 500 });
    const client: JobListClient = {
      call: (action, params, r, n, s, interpret, d) =>
        r === 'cn-beijing' ? Promise.reject(failure) : shanghai.client.call(action, params, r, n, s, interpret, d),
    };
    const found = await discoverJobs(client, [REGION, 'cn-beijing', REGION], { now: () => new Date(0) });
    assert.equal(found.jobs.length, 45);
    assert.deepEqual(found.errors, [{ region: 'cn-beijing', error: failure }]);
    assert.deepEqual(found.completeRegions, [REGION]);
  });
});
