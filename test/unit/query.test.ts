import * as assert from 'node:assert/strict';
import { MockAgent } from 'undici';
import { DtsClient, type StatusListSource } from '../../src/core/api/client';
import { CredentialsRejectedError, NetworkError, ThrottledError, TimeoutError } from '../../src/core/api/errors';
import { RateLimiter } from '../../src/core/api/rateLimiter';
import type { StatusListResult } from '../../src/core/api/response';
import type { JobSpec } from '../../src/core/jobs';
import type { RawDirection } from '../../src/core/model';
import { BATCH_CONCURRENCY, mapWithConcurrency, MAX_BATCH_SIZE, planBatches, queryJobStatuses } from '../../src/core/query';
import { FakeClock, maxInAnyWindow } from './fake-clock.fixture';

const job = (id: string, region = 'cn-hangzhou'): JobSpec => ({ id, region });
const ids = (n: number, prefix = 'dtsjob', region = 'cn-hangzhou'): JobSpec[] =>
  Array.from({ length: n }, (_, i) => job(`${prefix}${String(i).padStart(4, '0')}`, region));

const byRegion: Pick<StatusListSource, 'batchKey'> = { batchKey: (region) => `https://dts.aliyuncs.com|${region}|LTAI` };

interface Call {
  readonly ids: readonly string[];
  readonly region: string;
}

/** A StatusListSource that answers from a table per region, and can fail chosen regions. */
class FakeSource implements StatusListSource {
  readonly calls: Call[] = [];
  constructor(
    private readonly answers: Readonly<Record<string, Readonly<Record<string, RawDirection[]>>>>,
    private readonly options: { failRegions?: Readonly<Record<string, unknown>>; serverDate?: Date } = {},
  ) {}

  batchKey(region: string): string {
    return `endpoint|${region}|key`;
  }

  async describeSynchronizationJobStatusList(requested: readonly string[], region: string): Promise<StatusListResult> {
    this.calls.push({ ids: [...requested], region });
    await new Promise((resolve) => setImmediate(resolve));
    const failure = this.options.failRegions?.[region];
    if (failure !== undefined) {
      throw failure;
    }
    const table = this.answers[region] ?? {};
    const jobs = new Map<string, RawDirection[]>();
    for (const id of requested) {
      if (table[id]) {
        jobs.set(id, table[id]);
      }
    }
    return { requestId: `REQ-${region}`, serverDate: this.options.serverDate, jobs, notes: [] };
  }
}

const NOW = new Date('2024-05-01T12:00:00Z');
const sync = (checkpoint: Date | null, direction = 'Forward'): RawDirection => ({ direction, status: 'Synchronizing', checkpoint });

describe('query', () => {
  describe('planBatches', () => {
    it('groups jobs by batch key and keeps the asked order inside a batch', () => {
      const batches = planBatches([job('dtsjobA001'), job('dtsjobB001', 'cn-shanghai'), job('dtsjobA002')], byRegion);
      assert.deepEqual(
        batches.map((b) => [b.region, b.jobs.map((j) => j.id)]),
        [
          ['cn-hangzhou', ['dtsjobA001', 'dtsjobA002']],
          ['cn-shanghai', ['dtsjobB001']],
        ],
      );
    });

    it('splits a group at MAX_BATCH_SIZE', () => {
      assert.equal(MAX_BATCH_SIZE, 10);
      const batches = planBatches(ids(23), byRegion);
      assert.deepEqual(
        batches.map((b) => b.jobs.length),
        [10, 10, 3],
      );
      assert.deepEqual(
        batches.flatMap((b) => b.jobs.map((j) => j.id)),
        ids(23).map((j) => j.id),
      );
    });

    it('makes exactly one batch for exactly MAX_BATCH_SIZE jobs', () => {
      assert.equal(planBatches(ids(MAX_BATCH_SIZE), byRegion).length, 1);
    });

    it('honours a smaller batch size', () => {
      assert.deepEqual(
        planBatches(ids(5), byRegion, 2).map((b) => b.jobs.length),
        [2, 2, 1],
      );
    });

    it('asks for a job listed twice only once', () => {
      const batches = planBatches([job('dtsjob0001'), job('dtsjob0002'), job('dtsjob0001')], byRegion);
      assert.deepEqual(
        batches.flatMap((b) => b.jobs.map((j) => j.id)),
        ['dtsjob0001', 'dtsjob0002'],
      );
    });

    it('keeps the same ID in two regions as two requests', () => {
      const batches = planBatches([job('dtsjob0001'), job('dtsjob0001', 'cn-shanghai')], byRegion);
      assert.equal(batches.length, 2);
    });

    it('shares one batch between regions that have the same batch key', () => {
      const oneEndpoint: Pick<StatusListSource, 'batchKey'> = { batchKey: () => 'same' };
      const batches = planBatches([job('dtsjob0001'), job('dtsjob0002')], oneEndpoint);
      assert.equal(batches.length, 1);
    });

    it('plans nothing for no jobs', () => {
      assert.deepEqual(planBatches([], byRegion), []);
    });
  });

  describe('mapWithConcurrency', () => {
    it('never has more than the limit in flight and keeps the order of results', async () => {
      let inFlight = 0;
      let peak = 0;
      const delays = [30, 5, 20, 1, 15, 2, 25, 3, 10];
      const results = await mapWithConcurrency(delays, 3, async (ms) => {
        inFlight++;
        peak = Math.max(peak, inFlight);
        await new Promise((resolve) => setTimeout(resolve, ms));
        inFlight--;
        return ms * 2;
      });
      assert.equal(peak, 3);
      assert.deepEqual(
        results,
        delays.map((d) => d * 2),
      );
    });

    it('runs one at a time with a limit of 1', async () => {
      const order: string[] = [];
      await mapWithConcurrency(['a', 'b', 'c'], 1, async (x) => {
        order.push(`start ${x}`);
        await new Promise((resolve) => setImmediate(resolve));
        order.push(`end ${x}`);
      });
      assert.deepEqual(order, ['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
    });

    it('returns an empty list for no items', async () => {
      assert.deepEqual(await mapWithConcurrency([], 3, async () => 1), []);
    });

    it('rejects when a piece of work fails', async () => {
      await assert.rejects(
        mapWithConcurrency([1, 2, 3], 2, async (x) => {
          if (x === 2) {
            throw new Error('boom');
          }
          return x;
        }),
        /boom/,
      );
    });
  });

  describe('queryJobStatuses', () => {
    it('reports each asked job with its directions, in the asked order', async () => {
      const source = new FakeSource({
        'cn-hangzhou': { dtsjob0001: [sync(new Date(NOW.getTime() - 20_000))] },
        'cn-shanghai': { dtsjob0002: [{ direction: 'Forward', status: 'Failed', checkpoint: null }] },
      });
      const snapshot = await queryJobStatuses([job('dtsjob0002', 'cn-shanghai'), job('dtsjob0001')], source, {
        lagWarningSeconds: 300,
        now: () => NOW,
      });
      assert.deepEqual(
        snapshot.jobs.map((j) => [j.jobId, j.region, j.found, j.health]),
        [
          ['dtsjob0002', 'cn-shanghai', true, 'error'],
          ['dtsjob0001', 'cn-hangzhou', true, 'ok'],
        ],
      );
      assert.equal(snapshot.jobs[1].directions[0].lagSeconds, 20);
      assert.deepEqual(snapshot.errors, []);
      assert.equal(snapshot.checkedAt.getTime(), NOW.getTime());
    });

    it('reports an asked ID the API did not return as not found', async () => {
      const source = new FakeSource({ 'cn-hangzhou': { dtsjob0001: [sync(null)] } });
      const snapshot = await queryJobStatuses([job('dtsjob0001'), job('dtsgone0002')], source, { lagWarningSeconds: 300, now: () => NOW });
      const missing = snapshot.jobs.find((j) => j.jobId === 'dtsgone0002');
      assert.ok(missing, 'the missing job is reported, not dropped');
      assert.equal(missing.found, false);
      assert.deepEqual(missing.directions, []);
      assert.equal(snapshot.jobs.find((j) => j.jobId === 'dtsjob0001')?.found, true);
    });

    it('sends one request per batch of up to 10 IDs', async () => {
      const source = new FakeSource({});
      await queryJobStatuses(ids(12), source, { lagWarningSeconds: 300, now: () => NOW });
      assert.deepEqual(
        source.calls.map((c) => c.ids.length),
        [10, 2],
      );
    });

    it('reports one failing batch with its job IDs while the other batches succeed', async () => {
      const rejected = new CredentialsRejectedError({ code: 'InvalidAccessKeyId.NotFound', requestId: 'REQ-X', httpStatus: 404 });
      const source = new FakeSource(
        { 'cn-hangzhou': { dtsjob0001: [sync(null)] }, 'ap-northeast-1': { dtsjob0003: [sync(null)] } },
        { failRegions: { 'cn-shanghai': rejected } },
      );
      const snapshot = await queryJobStatuses(
        [job('dtsjob0001'), job('dtsjob0002', 'cn-shanghai'), job('dtsjob0004', 'cn-shanghai'), job('dtsjob0003', 'ap-northeast-1')],
        source,
        { lagWarningSeconds: 300, now: () => NOW },
      );
      assert.deepEqual(
        snapshot.jobs.map((j) => [j.jobId, j.found]),
        [
          ['dtsjob0001', true],
          ['dtsjob0003', true],
        ],
      );
      assert.equal(snapshot.errors.length, 1);
      assert.equal(snapshot.errors[0].region, 'cn-shanghai');
      assert.deepEqual(snapshot.errors[0].jobIds, ['dtsjob0002', 'dtsjob0004']);
      assert.equal(snapshot.errors[0].error, rejected);
    });

    it('wraps a failure that is not a DtsError so it can still be shown', async () => {
      const source = new FakeSource({}, { failRegions: { 'cn-hangzhou': new TypeError('socket hang up') } });
      const snapshot = await queryJobStatuses([job('dtsjob0001')], source, { lagWarningSeconds: 300, now: () => NOW });
      assert.equal(snapshot.errors.length, 1);
      assert.ok(snapshot.errors[0].error instanceof NetworkError);
      assert.match(snapshot.errors[0].error.message, /socket hang up/);
    });

    it('keeps throttling as throttling in the failure report', async () => {
      const source = new FakeSource({}, { failRegions: { 'cn-hangzhou': new ThrottledError({ code: 'Throttling.User', httpStatus: 400 }) } });
      const snapshot = await queryJobStatuses([job('dtsjob0001')], source, { lagWarningSeconds: 300, now: () => NOW });
      assert.ok(snapshot.errors[0].error instanceof ThrottledError);
      assert.deepEqual(snapshot.jobs, []);
    });

    it('measures lag against the server Date rather than the local clock', async () => {
      const serverNow = new Date('2024-05-01T12:00:00Z');
      const localNow = new Date('2024-05-01T13:00:00Z'); // the local clock runs an hour fast
      const source = new FakeSource(
        { 'cn-hangzhou': { dtsjob0001: [sync(new Date(serverNow.getTime() - 30_000))] } },
        { serverDate: serverNow },
      );
      const snapshot = await queryJobStatuses([job('dtsjob0001')], source, { lagWarningSeconds: 300, now: () => localNow });
      assert.equal(snapshot.jobs[0].directions[0].lagSeconds, 30);
      assert.equal(snapshot.jobs[0].health, 'ok');
    });

    it('measures lag against the local clock when the server sent no Date', async () => {
      const source = new FakeSource({ 'cn-hangzhou': { dtsjob0001: [sync(new Date(NOW.getTime() - 400_000))] } });
      const snapshot = await queryJobStatuses([job('dtsjob0001')], source, { lagWarningSeconds: 300, now: () => NOW });
      assert.equal(snapshot.jobs[0].directions[0].lagSeconds, 400);
      assert.equal(snapshot.jobs[0].health, 'warning');
    });

    it('reports a job listed twice once', async () => {
      const source = new FakeSource({ 'cn-hangzhou': { dtsjob0001: [sync(null)] } });
      const snapshot = await queryJobStatuses([job('dtsjob0001'), job('dtsjob0001')], source, { lagWarningSeconds: 300, now: () => NOW });
      assert.equal(snapshot.jobs.length, 1);
      assert.equal(source.calls.length, 1);
      assert.deepEqual(source.calls[0].ids, ['dtsjob0001']);
    });

    it('never runs more batches at once than the concurrency allows', async () => {
      let inFlight = 0;
      let peak = 0;
      const source: StatusListSource = {
        batchKey: (region) => region,
        async describeSynchronizationJobStatusList(requested) {
          inFlight++;
          peak = Math.max(peak, inFlight);
          await new Promise((resolve) => setTimeout(resolve, 5));
          inFlight--;
          return { requestId: 'R', serverDate: undefined, jobs: new Map(requested.map((id) => [id, [sync(null)]])), notes: [] };
        },
      };
      const snapshot = await queryJobStatuses(ids(50), source, { lagWarningSeconds: 300, now: () => NOW, concurrency: 2 });
      assert.equal(peak, 2);
      assert.equal(snapshot.jobs.length, 50);
    });

    it('rethrows when the caller aborted instead of reporting a failed batch', async () => {
      const controller = new AbortController();
      const source: StatusListSource = {
        batchKey: (region) => region,
        async describeSynchronizationJobStatusList() {
          controller.abort();
          throw new Error('aborted');
        },
      };
      await assert.rejects(
        queryJobStatuses([job('dtsjob0001')], source, { lagWarningSeconds: 300, now: () => NOW, signal: controller.signal }),
        /aborted/,
      );
    });
  });

  describe('per region, in parallel', () => {
    /** Holds every request until released, counting how many are in flight per region. */
    class HoldingSource implements StatusListSource {
      readonly inFlight = new Map<string, number>();
      peakPerRegion = 0;
      peakOverall = 0;
      private readonly waiting: (() => void)[] = [];
      batchKey(region: string): string {
        return region;
      }
      async describeSynchronizationJobStatusList(requested: readonly string[], region: string): Promise<StatusListResult> {
        this.inFlight.set(region, (this.inFlight.get(region) ?? 0) + 1);
        this.peakPerRegion = Math.max(this.peakPerRegion, ...this.inFlight.values());
        this.peakOverall = Math.max(this.peakOverall, [...this.inFlight.values()].reduce((a, b) => a + b, 0));
        await new Promise<void>((resolve) => this.waiting.push(resolve));
        this.inFlight.set(region, (this.inFlight.get(region) ?? 1) - 1);
        return { requestId: 'R', serverDate: undefined, jobs: new Map(requested.map((id) => [id, [sync(null)]])), notes: [] };
      }
      releaseAll(): number {
        const n = this.waiting.length;
        this.waiting.splice(0).forEach((release) => release());
        return n;
      }
    }

    it(`runs ${BATCH_CONCURRENCY} batches at once in each region, with every region at the same time`, async () => {
      const regions = ['cn-hangzhou', 'cn-shanghai', 'cn-beijing', 'ap-southeast-1', 'eu-central-1'];
      const source = new HoldingSource();
      const query = queryJobStatuses(
        regions.flatMap((r) => ids(50, `dts${r.replace(/-/g, '')}`, r)),
        source,
        { lagWarningSeconds: 300, now: () => NOW },
      );
      let released = 0;
      while (released < 25) {
        await new Promise((resolve) => setImmediate(resolve));
        released += source.releaseAll();
      }
      const snapshot = await query;
      assert.equal(snapshot.jobs.length, 250);
      assert.equal(source.peakPerRegion, BATCH_CONCURRENCY);
      assert.equal(source.peakOverall, BATCH_CONCURRENCY * regions.length);
    });
  });

  describe('rate limit through the client', () => {
    const ORIGIN = 'https://dts.mock.test';

    /** DTS behind undici's mock agent: answers every asked ID, records when each request started (virtual ms). */
    function mockDts(clock: FakeClock, options: { failEvery?: number } = {}): { agent: MockAgent; starts: Map<string, number[]> } {
      const agent = new MockAgent();
      agent.disableNetConnect();
      const starts = new Map<string, number[]>();
      let n = 0;
      agent
        .get(ORIGIN)
        .intercept({ path: () => true, method: 'POST' })
        .reply((request) => {
          const query = new URLSearchParams(request.path.slice(request.path.indexOf('?') + 1));
          const region = query.get('RegionId') ?? '?';
          starts.set(region, [...(starts.get(region) ?? []), clock.now()]);
          if (options.failEvery && ++n % options.failEvery === 0) {
            return { statusCode: 503, data: JSON.stringify({ Code: 'ServiceUnavailable', RequestId: `R${n}` }) };
          }
          const asked = JSON.parse(query.get('SynchronizationJobIdListJsonStr') ?? '[]') as string[];
          const list = asked.map((id) => ({ SynchronizationJobId: id, SynchronizationDirectionInfoList: [{ Status: 'Synchronizing', SynchronizationDirection: 'Forward' }] }));
          return { statusCode: 200, data: JSON.stringify({ RequestId: `R${n}`, Success: true, SynchronizationJobListStatusList: list }) };
        })
        .persist();
      return { agent, starts };
    }

    function clientFor(clock: FakeClock, agent: MockAgent): DtsClient {
      return new DtsClient({
        credentials: { accessKeyId: 'LTAI5tRateKey0001', accessKeySecret: 'rate-secret' },
        endpoint: ORIGIN,
        dispatcher: agent,
        rateLimiter: new RateLimiter({ clock }),
        sleep: (ms, signal) => clock.sleep(ms, signal),
        random: () => 0.5,
      });
    }

    it('never starts more than 20 requests in any 1 s window for 1,000 jobs in one region, retries included', async () => {
      const clock = new FakeClock();
      const { agent, starts } = mockDts(clock, { failEvery: 7 });
      const snapshot = await clock.run(queryJobStatuses(ids(1000), clientFor(clock, agent), { lagWarningSeconds: 300, now: () => NOW }));
      const hz = starts.get('cn-hangzhou') ?? [];
      assert.equal(snapshot.jobs.length, 1000);
      assert.deepEqual(snapshot.errors, []);
      assert.ok(hz.length > 100, `${hz.length} requests: 100 batches and their retries`);
      assert.equal(maxInAnyWindow(hz, 1000), 20);
      await agent.close();
    });

    it('runs 5 regions in parallel, each at its own 20 a second, without a listener-leak warning', async () => {
      const regions = ['cn-hangzhou', 'cn-shanghai', 'cn-beijing', 'ap-southeast-1', 'eu-central-1'];
      const clock = new FakeClock();
      const { agent, starts } = mockDts(clock);
      const jobs = regions.flatMap((r) => ids(1000, `dts${r.replace(/-/g, '')}`, r));
      const warnings: string[] = [];
      const onWarning = (w: Error): void => {
        warnings.push(`${w.name}: ${w.message}`);
      };
      process.on('warning', onWarning);
      const snapshot = await clock
        .run(queryJobStatuses(jobs, clientFor(clock, agent), { lagWarningSeconds: 300, now: () => NOW }))
        .finally(() => process.off('warning', onWarning));
      await new Promise((resolve) => setImmediate(resolve));
      assert.deepEqual(warnings, [], 'the CLI would print these on stderr');
      assert.equal(snapshot.jobs.length, 5000);
      for (const region of regions) {
        const times = starts.get(region) ?? [];
        assert.equal(times.length, 100, region);
        assert.equal(maxInAnyWindow(times, 1000), 20, region);
        // 100 requests at 20 a second: 0 to 4 s, the same as one region alone.
        assert.equal(Math.max(...times), 4000, region);
      }
      await agent.close();
    });

    it('gives up at once on a throttled batch whose retry hint ends after the deadline', async () => {
      const clock = new FakeClock();
      const agent = new MockAgent();
      agent.disableNetConnect();
      agent
        .get(ORIGIN)
        .intercept({ path: () => true, method: 'POST' })
        .reply(400, JSON.stringify({ Code: 'Throttling.User', Message: 'slow down', RequestId: 'R-T' }), { headers: { 'x-acs-retry-after': '15000' } })
        .persist();
      const snapshot = await clock.run(
        queryJobStatuses([job('dtsjob0001')], clientFor(clock, agent), { lagWarningSeconds: 300, now: () => NOW, deadlineMs: 10_000, clock }),
      );
      assert.equal(clock.now(), 0, 'not waited out');
      assert.equal(snapshot.errors.length, 1);
      assert.ok(snapshot.errors[0].error instanceof TimeoutError);
      assert.match(snapshot.errors[0].error.message, /^No answer within the 10 s deadline \(last attempt: Throttled by Alibaba Cloud: Throttling.User/);
      assert.deepEqual(snapshot.errors[0].jobIds, ['dtsjob0001']);
      await agent.close();
    });
  });

  describe('deadline', () => {
    /** Answers cn-hangzhou at once; never answers cn-shanghai, whatever its signal says. */
    class PartlySilentSource implements StatusListSource {
      readonly started: string[][] = [];
      readonly signals: AbortSignal[] = [];
      batchKey(region: string): string {
        return region;
      }
      describeSynchronizationJobStatusList(requested: readonly string[], region: string, signal?: AbortSignal): Promise<StatusListResult> {
        this.started.push([...requested]);
        if (signal) {
          this.signals.push(signal);
        }
        if (region === 'cn-shanghai') {
          return new Promise(() => undefined);
        }
        return Promise.resolve({ requestId: 'R', serverDate: undefined, jobs: new Map(requested.map((id) => [id, [sync(null)]])), notes: [] });
      }
    }

    it('reports every batch unanswered at the deadline as a timeout with its job IDs, and keeps the answered ones', async () => {
      const clock = new FakeClock();
      const source = new PartlySilentSource();
      const jobs = [...ids(15), ...ids(25, 'dtssh', 'cn-shanghai')];
      const snapshot = await clock.run(
        queryJobStatuses(jobs, source, { lagWarningSeconds: 300, now: () => NOW, deadlineMs: 60_000, clock, concurrency: 1 }),
      );
      assert.equal(clock.now(), 60_000, 'the query ended at its deadline');
      assert.deepEqual(
        snapshot.jobs.map((j) => j.jobId),
        ids(15).map((j) => j.id),
        'the answered batches stay',
      );
      assert.deepEqual(
        snapshot.errors.map((f) => [f.region, f.jobIds.length, f.error.message]),
        [
          ['cn-shanghai', 10, 'No answer within the 60 s deadline'],
          ['cn-shanghai', 10, 'No answer within the 60 s deadline'],
          ['cn-shanghai', 5, 'No answer within the 60 s deadline'],
        ],
      );
      assert.deepEqual(
        snapshot.errors.flatMap((f) => f.jobIds),
        ids(25, 'dtssh', 'cn-shanghai').map((j) => j.id),
      );
      assert.ok(snapshot.errors.every((f) => f.error instanceof TimeoutError && f.error.kind === 'timeout'));
      assert.equal(source.started.filter((b) => b[0].startsWith('dtssh')).length, 1, 'batches after the deadline are not sent');
      assert.ok(source.signals.every((s) => s.aborted), 'the request in flight was told to stop');
    });

    it('leaves no deadline timer behind when the query finishes first', async () => {
      const clock = new FakeClock();
      const snapshot = await clock.run(
        queryJobStatuses(ids(3), new PartlySilentSource(), { lagWarningSeconds: 300, now: () => NOW, deadlineMs: 60_000, clock }),
      );
      assert.equal(snapshot.jobs.length, 3);
      assert.equal(clock.now(), 0);
      assert.equal(clock.pendingTimers, 0);
    });

    it('tells the source how much time is left', async () => {
      const clock = new FakeClock();
      let left: number | undefined;
      const source: StatusListSource = {
        batchKey: (region) => region,
        async describeSynchronizationJobStatusList(requested, _region, _signal, deadline) {
          await clock.sleep(2_500);
          left = deadline?.remainingMs();
          return { requestId: 'R', serverDate: undefined, jobs: new Map(requested.map((id) => [id, [sync(null)]])), notes: [] };
        },
      };
      await clock.run(queryJobStatuses(ids(1), source, { lagWarningSeconds: 300, now: () => NOW, deadlineMs: 10_000, clock }));
      assert.equal(left, 7_500);
    });

    it('still rethrows when the caller aborts before the deadline', async () => {
      const clock = new FakeClock();
      const controller = new AbortController();
      const query = queryJobStatuses([job('dtsjob0001', 'cn-shanghai')], new PartlySilentSource(), {
        lagWarningSeconds: 300,
        now: () => NOW,
        deadlineMs: 60_000,
        clock,
        signal: controller.signal,
      });
      await clock.advance(1000);
      controller.abort(new Error('window closed'));
      await assert.rejects(query, /window closed/);
    });
  });
});
