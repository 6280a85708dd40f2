import * as assert from 'node:assert/strict';
import * as fc from 'fast-check';
import { DtsError } from '../../src/core/api/errors';
import { interpretJobDetailsResponse, type JobDetails } from '../../src/core/api/jobDetails';

// eslint-disable-next-line no-control-regex -- the point is to look for control characters
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/;
const RUNS = { numRuns: 500 };
const PROTOTYPE_NAMES = ['__proto__', 'constructor', 'toString', 'valueOf', 'hasOwnProperty'];
const CONTROL_CHARS = ['\u0000', '\u0007', '\u001b', '\n', '\r', '\t', '\u007f', '\u009b', '\u200b', '\u202e', '\u2028', '\ufeff'];

function own(entries: readonly (readonly [string, unknown])[]): Record<string, unknown> {
  const object: Record<string, unknown> = {};
  for (const [key, value] of entries) {
    Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });
  }
  return object;
}

const hostileString: fc.Arbitrary<string> = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 30 }),
  fc.constantFrom(...PROTOTYPE_NAMES, 'Failed', 'Forward', '42', '1.5', '-1', '1e400', '2024-05-03T00:00:00Z', '2024-02-30T00:00:00Z', '', ' '),
  fc.string({ unit: fc.constantFrom(...CONTROL_CHARS, 'a', 'D', 'T', 'S', '-', '0', '\\', 'n', ' '), maxLength: 20 }),
  fc.integer({ min: 201, max: 6000 }).map((n) => 'x'.repeat(n)),
);

const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: hostileString },
  fc.jsonValue({ maxDepth: 2 }),
  fc.double(),
  fc.integer(),
  fc.constantFrom(null, true, false, 0, -1, 1e21, 1610524457),
);

function shaped(fields: Readonly<Record<string, fc.Arbitrary<unknown>>>): fc.Arbitrary<Record<string, unknown>> {
  const names = Object.keys(fields);
  const present = fc.tuple(...names.map((name) => fc.option(fields[name], { nil: undefined, freq: 4 })));
  const stray = fc.array(fc.tuple(fc.oneof(fc.constantFrom(...PROTOTYPE_NAMES), fc.string({ maxLength: 8 })), hostileValue), { maxLength: 3 });
  return fc.tuple(present, stray).map(([values, extra]) =>
    own([...extra, ...names.flatMap((name, i) => (values[i] === undefined ? [] : [[name, values[i]] as const]))]),
  );
}

const stage = fc.oneof({ weight: 4, arbitrary: shaped({ Status: hostileValue, Percent: hostileValue, Progress: hostileValue, ErrorMessage: hostileValue }) }, hostileValue);
const endpoint = fc.oneof(
  { weight: 4, arbitrary: shaped({ EngineName: hostileValue, InstanceType: hostileValue, InstanceId: hostileValue, IP: hostileValue, Port: hostileValue, UserName: hostileValue }) },
  hostileValue,
);
const item = shaped({ ItemName: hostileValue, CheckStatus: hostileValue, ErrorMessage: hostileValue, RepairMethod: hostileValue });

const answer = shaped({
  RequestId: hostileValue,
  Success: fc.oneof(fc.constantFrom(true, false, 'true', 'false'), hostileValue),
  Code: hostileValue,
  ErrCode: hostileValue,
  ErrMessage: hostileValue,
  Status: hostileValue,
  SynchronizationJobName: hostileValue,
  SynchronizationDirection: hostileValue,
  SynchronizationJobClass: hostileValue,
  Checkpoint: hostileValue,
  Delay: hostileValue,
  DelayMillis: hostileValue,
  ErrorMessage: hostileValue,
  PayType: hostileValue,
  ExpireTime: hostileValue,
  PrecheckStatus: fc.oneof({ weight: 4, arbitrary: shaped({ Status: hostileValue, Percent: hostileValue, Detail: fc.oneof(fc.array(item, { maxLength: 4 }), hostileValue) }) }, hostileValue),
  StructureInitializationStatus: stage,
  DataInitializationStatus: stage,
  DataSynchronizationStatus: fc.oneof(shaped({ Status: hostileValue, Delay: hostileValue, DelayMillis: hostileValue, Checkpoint: hostileValue, ErrorMessage: hostileValue }), hostileValue),
  Performance: fc.oneof(shaped({ RPS: hostileValue, FLOW: hostileValue }), hostileValue),
  SourceEndpoint: endpoint,
  DestinationEndpoint: endpoint,
});

/** Every string anywhere in the result, and every number, so both can be checked. */
function walk(value: unknown, strings: string[], numbers: number[]): void {
  if (typeof value === 'string') {
    strings.push(value);
  } else if (typeof value === 'number') {
    numbers.push(value);
  } else if (value instanceof Date) {
    numbers.push(value.getTime());
  } else if (Array.isArray(value)) {
    value.forEach((v) => walk(v, strings, numbers));
  } else if (typeof value === 'object' && value !== null) {
    Object.values(value).forEach((v) => walk(v, strings, numbers));
  }
}

function check(status: number, body: string): void {
  let result: JobDetails;
  try {
    result = interpretJobDetailsResponse(status, { 'content-type': 'application/json' }, body);
  } catch (e) {
    assert.ok(e instanceof DtsError, `threw something other than a DtsError: ${String(e)}`);
    assert.doesNotMatch(e.message, CONTROL);
    return;
  }
  const strings: string[] = [];
  const numbers: number[] = [];
  walk(result, strings, numbers);
  for (const s of strings) {
    assert.doesNotMatch(s, CONTROL, `control character in ${JSON.stringify(s)}`);
    assert.ok(s.length <= 4000, `a string of ${s.length} characters`);
  }
  for (const n of numbers) {
    assert.ok(Number.isFinite(n) && n >= 0, `number ${n}`);
  }
  assert.ok(result.checkpoint === null || result.checkpoint instanceof Date);
  assert.doesNotMatch(JSON.stringify(result), /userName|UserName/);
}

describe('DescribeSynchronizationJobStatus parser, property-based', () => {
  it('turns any answer shaped like the real one into details or a DtsError, with no control character anywhere', () => {
    fc.assert(fc.property(fc.constantFrom(200, 200, 200, 400, 403, 500), answer, (status, json) => check(status, JSON.stringify(json))), RUNS);
  });

  it('turns any JSON at all (and any text) into details or a DtsError', () => {
    fc.assert(fc.property(fc.oneof(fc.json({ maxDepth: 4 }), fc.string({ unit: 'binary', maxLength: 60 })), (body) => check(200, body)), RUNS);
  });
});
