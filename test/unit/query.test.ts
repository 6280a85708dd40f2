import * as assert from 'node:assert/strict';
import type { StatusListSource } from '../../src/core/api/client';
import { CredentialsRejectedError, NetworkError, ThrottledError } from '../../src/core/api/errors';
import type { StatusListResult } from '../../src/core/api/response';
import type { JobSpec } from '../../src/core/jobs';
import type { RawDirection } from '../../src/core/model';
import { mapWithConcurrency, MAX_BATCH_SIZE, planBatches, queryJobStatuses } from '../../src/core/query';

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
});
