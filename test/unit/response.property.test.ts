import * as assert from 'node:assert/strict';
import * as fc from 'fast-check';
import { DtsError } from '../../src/core/api/errors';
import { interpretStatusListResponse, type StatusListResult } from '../../src/core/api/response';
import { buildJobStatus, HEALTH_SEVERITY, statusHealth, statusLabel, statusNotes, type Health } from '../../src/core/model';

/** What `stripControl` removes: no string the parser hands on may hold one. */
// eslint-disable-next-line no-control-regex -- the point is to look for control characters
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/;
const HEALTHS: ReadonlySet<string> = new Set<Health>(HEALTH_SEVERITY);
const NOW = new Date('2024-05-01T12:00:00Z');
const RUNS = { numRuns: 500 };

/** An object whose keys are all own data properties, `__proto__` included, so JSON.stringify writes every one. */
function own(entries: readonly (readonly [string, unknown])[]): Record<string, unknown> {
  const object: Record<string, unknown> = {};
  for (const [key, value] of entries) {
    Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });
  }
  return object;
}

const PROTOTYPE_NAMES = ['__proto__', 'constructor', 'toString', 'valueOf', 'hasOwnProperty', 'isPrototypeOf', '__defineGetter__'];
const CONTROL_CHARS = ['\u0000', '\u0007', '\u001b', '\n', '\r', '\t', '\u007f', '\u009b', '\u200b', '\u202e', '\u2028', '\ufeff'];

/** Strings a hostile or broken server might send. */
const hostileString: fc.Arbitrary<string> = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 30 }),
  fc.constantFrom(...PROTOTYPE_NAMES, 'Forward', 'reverse', 'FORWARD', 'Synchronizing', 'Failed', 'suspending', '', ' '),
  fc.string({ unit: fc.constantFrom(...CONTROL_CHARS, 'a', 'F', '[', '2', 'J', ';', ' '), maxLength: 20 }),
  fc.integer({ min: 14, max: 400 }).map((n) => '9'.repeat(n)),
  fc.stringMatching(/^-?\d{1,20}$/),
  fc.integer({ min: 201, max: 3000 }).map((n) => 'x'.repeat(n)),
);

/** Any value where the answer should hold a string. */
const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: hostileString },
  fc.jsonValue({ maxDepth: 2 }),
  fc.double(),
  fc.integer(),
  fc.constantFrom(null, true, false, 0, -1, 1e21, 1610524457, 1610524457123),
);

/** An object of the given fields, each present or not, plus stray keys (prototype names among them). */
function shaped(fields: Readonly<Record<string, fc.Arbitrary<unknown>>>): fc.Arbitrary<Record<string, unknown>> {
  const names = Object.keys(fields);
  const present = fc.tuple(...names.map((name) => fc.option(fields[name], { nil: undefined, freq: 4 })));
  const stray = fc.array(fc.tuple(fc.oneof(fc.constantFrom(...PROTOTYPE_NAMES), fc.string({ maxLength: 8 })), hostileValue), { maxLength: 3 });
  return fc.tuple(present, stray).map(([values, extra]) =>
    own([...extra, ...names.flatMap((name, i) => (values[i] === undefined ? [] : [[name, values[i]] as const]))]),
  );
}

const direction = shaped({
  Status: hostileValue,
  SynchronizationDirection: hostileValue,
  Checkpoint: fc.oneof(hostileValue, fc.integer({ min: 900_000_000, max: 4_200_000_000 }).map(String)),
});

const job = shaped({
  SynchronizationJobId: fc.oneof(fc.constantFrom('dtsjob0001', 'dtsjob0002'), hostileValue),
  SynchronizationDirectionInfoList: fc.oneof({ weight: 4, arbitrary: fc.array(direction, { maxLength: 4 }) }, hostileValue),
});

/** Shaped like the real answer (or its error shapes), with arbitrary values in every field. */
const answer = shaped({
  RequestId: hostileValue,
  requestId: hostileValue,
  Success: fc.oneof(fc.constantFrom(true, false, 'true', 'false', 'False'), hostileValue),
  TotalRecordCount: fc.oneof(fc.nat(20), hostileValue),
  SynchronizationJobListStatusList: fc.oneof({ weight: 4, arbitrary: fc.array(job, { maxLength: 5 }) }, hostileValue),
  Code: hostileValue,
  code: hostileValue,
  Message: hostileValue,
  ErrCode: hostileValue,
  ErrMessage: hostileValue,
  AccessDeniedDetail: fc.oneof(
    shaped({ AuthAction: hostileValue, NoPermissionType: hostileValue, PolicyType: hostileValue }),
    shaped({ AuthAction: hostileValue }).map((d) => JSON.stringify(d)),
    hostileValue,
  ),
});

const xmlBody = fc
  .array(fc.tuple(fc.constantFrom('RequestId', 'Code', 'Message', 'HostId', 'Success', 'AccessDeniedDetail', 'AuthAction', 'Error'), hostileString), {
    maxLength: 6,
  })
  .map((tags) => `<?xml version="1.0"?><Error>${tags.map(([name, text]) => `<${name}>${text}</${name}>`).join('')}</Error>`);

const body: fc.Arbitrary<string> = fc.oneof(
  fc.jsonValue().map((v) => JSON.stringify(v)),
  { weight: 4, arbitrary: answer.map((a) => JSON.stringify(a)) },
  answer.chain((a) => {
    const text = JSON.stringify(a);
    return fc.nat(text.length).map((n) => text.slice(0, n));
  }),
  xmlBody,
  fc.string({ unit: 'binary', maxLength: 60 }),
  fc.constantFrom('', '<html><title>502</title></html>', '\u001f\ufffd\b\u0000', 'Too Many Requests'),
);

const headers: fc.Arbitrary<Record<string, string | undefined>> = shaped({
  'content-type': fc.oneof(fc.constantFrom('application/json', 'text/xml', 'application/xml', 'text/html', 'text/plain'), hostileString),
  'content-encoding': fc.oneof(fc.constantFrom('gzip', 'br', 'deflate', 'identity'), hostileString),
  'x-acs-request-id': hostileString,
  'x-acs-retry-after': fc.oneof(fc.nat(100_000).map(String), hostileString),
  date: fc.oneof(fc.date({ noInvalidDate: true }).map((d) => d.toUTCString()), hostileString),
}).map((h) => Object.fromEntries(Object.entries(h).filter((e): e is [string, string] => typeof e[1] === 'string')));

const httpStatus = fc.oneof(fc.constantFrom(200, 400, 403, 404, 429, 500, 502, 503, 302), fc.integer({ min: 100, max: 599 }));

function assertClean(text: unknown, what: string): void {
  assert.equal(typeof text, 'string', `${what} is not a string: ${String(text)}`);
  assert.doesNotMatch(text as string, CONTROL, `${what} holds a control character: ${JSON.stringify(text)}`);
}

/** Every string of the result is clean and bounded; one row per direction. */
function checkResult(result: StatusListResult): void {
  if (result.requestId !== undefined) {
    assertClean(result.requestId, 'requestId');
  }
  result.notes.forEach((note, i) => assertClean(note, `notes[${i}]`));
  for (const [id, directions] of result.jobs) {
    assertClean(id, 'job ID');
    assert.ok(id.length > 0 && id.length <= 200, `job ID of ${id.length} characters`);
    const keys = new Set<string>();
    for (const d of directions) {
      assertClean(d.direction, 'direction');
      assertClean(d.status, 'status');
      assert.ok(d.direction.length <= 200 && d.status.length <= 200);
      assert.ok(!keys.has(d.direction.toLowerCase()), `${id} ${d.direction} listed twice`);
      keys.add(d.direction.toLowerCase());
      if (d.checkpointRaw !== undefined) {
        assertClean(d.checkpointRaw, 'checkpointRaw');
        assert.ok(d.checkpointRaw.length <= 40);
        assert.equal(d.checkpoint, null);
      }
      if (d.checkpoint !== null) {
        assert.ok(Number.isFinite(d.checkpoint.getTime()), 'checkpoint is Invalid Date');
        assert.ok(d.checkpoint.getUTCFullYear() >= 2000 && d.checkpoint.getUTCFullYear() < 2100);
      }
    }
  }
}

/** What every caller does with a result: build each job's status, then print and log it. */
function checkStatuses(result: StatusListResult): void {
  for (const [id, directions] of result.jobs) {
    const status = buildJobStatus(id, 'cn-hangzhou', directions, result.serverDate ?? NOW, 300);
    assert.ok(HEALTHS.has(status.health), `job health ${String(status.health)}`);
    for (const d of status.directions) {
      assert.ok(HEALTHS.has(d.health), `direction health ${String(d.health)}`);
      assert.ok(d.lagSeconds === null || (Number.isFinite(d.lagSeconds) && d.lagSeconds >= 0));
      assertClean(statusLabel(d.status), 'label');
      d.checkpoint?.toISOString();
    }
    statusNotes(status).forEach((note, i) => assertClean(note, `statusNotes[${i}]`));
  }
}

function checkError(error: unknown): void {
  assert.ok(error instanceof DtsError, `expected a DtsError, got ${String(error)}`);
  assertClean(error.message, 'error message');
  assertClean(error.code, 'error code');
  if (error.apiMessage !== undefined) {
    assertClean(error.apiMessage, 'apiMessage');
  }
  if (error.requestId !== undefined) {
    assertClean(error.requestId, 'error requestId');
  }
}

describe('response (properties)', () => {
  it('any answer, status and headers give a clean result or a DtsError, never another throw', () => {
    fc.assert(
      fc.property(httpStatus, headers, body, (status, h, text) => {
        let result: StatusListResult;
        try {
          result = interpretStatusListResponse(status, h, text);
        } catch (e) {
          checkError(e);
          return;
        }
        checkResult(result);
        checkStatuses(result);
      }),
      RUNS,
    );
  });

  it('any well-formed answer with arbitrary statuses, directions and checkpoints is read, never refused', () => {
    const wellFormed = fc
      .array(
        fc.tuple(
          fc.constantFrom('dtsjob0001', 'dtsjob0002', 'constructor', '__proto__'),
          fc.array(fc.record({ Status: hostileString, SynchronizationDirection: hostileString, Checkpoint: hostileString }), { maxLength: 4 }),
        ),
        { maxLength: 4 },
      )
      .map((jobs) =>
        JSON.stringify({
          RequestId: 'REQ-P',
          Success: 'true',
          SynchronizationJobListStatusList: jobs.map(([id, list]) => ({ SynchronizationJobId: id, SynchronizationDirectionInfoList: list })),
        }),
      );
    fc.assert(
      fc.property(wellFormed, (text) => {
        const result = interpretStatusListResponse(200, { 'content-type': 'application/json' }, text);
        checkResult(result);
        checkStatuses(result);
      }),
      RUNS,
    );
  });

  it('with the caller\'s key material given, no piece of the token echoed anywhere in an answer survives', () => {
    const token = `CAIS${'Zq8w+3xK7pV/Lm9Nb2Vc4Xz6As8Df0Gh1J'.repeat(12)}`;
    const known = { accessKeyId: 'LTAI5tHostileKeyId0001', accessKeySecret: 'hostile-secret', securityToken: token };
    const pieces = Array.from({ length: token.length - 15 }, (_, i) => token.slice(i, i + 16));
    const echoing = fc.oneof(hostileString, hostileString.map((t) => `${t}${token}${t}`), fc.constant(token));
    const answerEchoing = fc
      .array(fc.tuple(echoing, fc.array(fc.tuple(echoing, echoing, echoing), { maxLength: 3 })), { maxLength: 3 })
      .map((jobs) =>
        JSON.stringify({
          RequestId: token,
          Success: true,
          SynchronizationJobListStatusList: jobs.map(([id, directions]) => ({
            SynchronizationJobId: id,
            SynchronizationDirectionInfoList: directions.map(([Status, SynchronizationDirection, Checkpoint]) => ({ Status, SynchronizationDirection, Checkpoint })),
          })),
        }),
      );
    fc.assert(
      fc.property(answerEchoing, (text) => {
        let result: StatusListResult;
        try {
          result = interpretStatusListResponse(200, {}, text, known);
        } catch (e) {
          checkError(e);
          return;
        }
        const strings = [result.requestId ?? '', ...result.notes];
        for (const [id, directions] of result.jobs) {
          strings.push(id, ...directions.flatMap((d) => [d.direction, d.status, d.checkpointRaw ?? '']));
        }
        for (const s of strings) {
          assert.ok(!pieces.some((p) => s.includes(p)), `a piece of the token in ${JSON.stringify(s)}`);
        }
      }),
      RUNS,
    );
  });

  it('statusLabel and statusHealth give a clean label and one of the six healths for any string', () => {
    fc.assert(
      fc.property(fc.oneof(hostileString, fc.string({ unit: 'grapheme', maxLength: 40 })), (status) => {
        const label = statusLabel(status);
        assertClean(label, 'label');
        assert.ok(label.length > 0);
        assert.ok(HEALTHS.has(statusHealth(status)), `health of ${JSON.stringify(status)}`);
      }),
      { numRuns: 500 },
    );
  });
});
