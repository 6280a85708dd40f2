/**
 * A DTS endpoint that answers every request with the same DescribeSynchronizationJobStatusList body (no signature
 * check, no scenario): the cheapest server possible, so the benchmarks measure the client. Run as a child process by
 * the CPU benchmark (`node out/test/bench/fixed-server.js --jobs 10` prints `listening <port>`), or in process.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export const BENCH_REGION = 'cn-hangzhou';

export function benchJobIds(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `dtsbench${String(i).padStart(4, '0')}x7k2`);
}

/** The answer DTS gives for `ids`: one Forward direction each, synchronizing, with a checkpoint a few seconds old. */
export function fixedAnswer(ids: readonly string[], now = Date.now()): string {
  return JSON.stringify({
    RequestId: '6F1F2C1B-3B2A-4C5D-8E9F-0A1B2C3D4E5F',
    Success: true,
    PageNumber: 1,
    PageRecordCount: ids.length,
    TotalRecordCount: ids.length,
    SynchronizationJobListStatusList: ids.map((id, i) => ({
      SynchronizationJobId: id,
      SynchronizationDirectionInfoList: [
        { Status: 'Synchronizing', Checkpoint: String(Math.floor(now / 1000) - (i % 7)), SynchronizationDirection: 'Forward' },
      ],
    })),
  });
}

export interface FixedServer {
  readonly url: string;
  readonly server: Server;
  close(): Promise<void>;
}

/**
 * Answers every request (after reading its body) with `body`, keep-alive, on 127.0.0.1. With `body` 'echo', the answer
 * lists the IDs the query string asks for (each distinct list's answer made once), so many jobs can be refreshed.
 */
export async function startFixedServer(body: string | 'echo'): Promise<FixedServer> {
  const fixed = body === 'echo' ? undefined : Buffer.from(body);
  const answers = new Map<string, Buffer>();
  const answerFor = (url: string | undefined): Buffer => {
    const asked = new URL(url ?? '/', 'http://x').searchParams.get('SynchronizationJobIdListJsonStr') ?? '[]';
    let answer = answers.get(asked);
    if (!answer) {
      const ids: unknown = JSON.parse(asked);
      answer = Buffer.from(fixedAnswer(Array.isArray(ids) ? ids.map(String) : []));
      answers.set(asked, answer);
    }
    return answer;
  };
  const server = createServer({ keepAliveTimeout: 60_000 }, (req, res) => {
    req.on('data', () => undefined);
    req.on('end', () => {
      const payload = fixed ?? answerFor(req.url);
      res.writeHead(200, {
        'content-type': 'application/json;charset=utf-8',
        'content-length': payload.length,
        'x-acs-request-id': '6F1F2C1B-3B2A-4C5D-8E9F-0A1B2C3D4E5F',
        date: new Date().toUTCString(),
      });
      res.end(payload);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

if (require.main === module) {
  const at = process.argv.indexOf('--jobs');
  const jobs = at > 0 ? Number(process.argv[at + 1]) : 10;
  void startFixedServer(process.argv.includes('--echo') ? 'echo' : fixedAnswer(benchJobIds(jobs))).then((s) => {
    process.stdout.write(`listening ${s.url}\n`);
    // The parent closes stdin when it is done (or dies): then this server goes too.
    process.stdin.resume();
    process.stdin.on('end', () => void s.close().then(() => process.exit(0)));
  });
}
