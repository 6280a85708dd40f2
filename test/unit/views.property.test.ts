/**
 * Property tests of the presenters: whatever strings a hostile endpoint or a workspace puts into a status, a
 * direction, an error message or a job name, every row renders, and no label, description or message carries a
 * control character (a tooltip only its own line breaks).
 */
import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { RequestRejectedError } from '../../src/core/api/errors';
import type { JobSpec } from '../../src/core/jobs';
import { buildJobStatus, type RawDirection } from '../../src/core/model';
import { toQueryError, type JobView } from '../../src/core/store';
import { statusBarModel } from '../../src/core/views/statusBar';
import { directionItems, errorItem, jobItem, viewMessage, type ItemModel } from '../../src/core/views/tree';
import { renderErrors, renderTable, toDocument } from '../../src/cli/render';
import { storeState } from './store-state.fixture';

const NOW = new Date('2026-11-30T12:00:00Z');
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
// eslint-disable-next-line no-control-regex
const CONTROL_BUT_NEWLINE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

/** Strings a hostile answer could hold: any code unit, the prototype's own names, escape sequences. */
const hostileString = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 60 }),
  fc.constantFrom('constructor', '__proto__', 'toString', 'hasOwnProperty', '\u001b]0;pwned\u0007', '\u001b[2J', 'Failed\r\nForward  Synchronizing', '\u202egnisinorhcnyS'),
);

const direction = fc.record({
  direction: hostileString,
  status: hostileString,
  checkpoint: fc.option(fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true }), { nil: null }),
});

function assertPlain(model: ItemModel, what: string): void {
  assert.ok(!CONTROL.test(model.label), `${what} label ${JSON.stringify(model.label)}`);
  assert.ok(!CONTROL.test(model.description), `${what} description ${JSON.stringify(model.description)}`);
  assert.ok(!CONTROL_BUT_NEWLINE.test(model.tooltip), `${what} tooltip ${JSON.stringify(model.tooltip)}`);
}

describe('views: properties over hostile strings', () => {
  it('every tree row, the error row, the view message and the status bar render without control characters', () => {
    fc.assert(
      fc.property(fc.array(direction, { maxLength: 4 }), hostileString, hostileString, (raw: RawDirection[], message, name) => {
        const spec: JobSpec = { id: 'dtsjob0001', region: 'cn-hangzhou', name };
        const status = buildJobStatus(spec.id, spec.region, raw, NOW, 300);
        const error = toQueryError(new RequestRejectedError({ code: message || 'X', apiMessage: message, requestId: message }));
        const view: JobView = { spec, status, fetchedAt: NOW, error, stale: true };
        const state = storeState([view], { credentialsSource: 'environment variables', settingsProblems: [message] });
        const ctx = { now: NOW, timeZone: 'UTC' };
        assertPlain(jobItem(view, ctx), 'job');
        for (const item of directionItems(view, ctx)) {
          assertPlain(item, 'direction');
        }
        const errorRow = errorItem(state);
        assert.ok(errorRow);
        assertPlain(errorRow, 'error row');
        const viewText = viewMessage(state) ?? '';
        assert.ok(!CONTROL_BUT_NEWLINE.test(viewText), `view message ${JSON.stringify(viewText)}`);
        const bar = statusBarModel(state, ctx);
        assert.ok(!CONTROL.test(bar.text), `status bar ${JSON.stringify(bar.text)}`);
        assert.ok(!CONTROL_BUT_NEWLINE.test(bar.tooltip), `status bar tooltip ${JSON.stringify(bar.tooltip)}`);
      }),
      { numRuns: 300 },
    );
  });

  it('the CLI table, its errors and the --json document carry no control characters', () => {
    fc.assert(
      fc.property(fc.array(direction, { maxLength: 4 }), hostileString, (raw: RawDirection[], message) => {
        const status = buildJobStatus('dtsjob0001', 'cn-hangzhou', raw, NOW, 300);
        const error = new RequestRejectedError({ code: message || 'X', apiMessage: message, requestId: message });
        const snapshot = {
          checkedAt: NOW,
          jobs: [status],
          errors: [{ region: 'cn-shanghai', jobIds: ['dtsjob0002'], error }],
          notes: [{ region: 'cn-hangzhou', message }],
        };
        for (const line of renderTable(snapshot, false).split('\n')) {
          assert.ok(!CONTROL.test(line), `table line ${JSON.stringify(line)}`);
        }
        for (const line of renderErrors(snapshot)) {
          assert.ok(!CONTROL.test(line), `stderr line ${JSON.stringify(line)}`);
        }
        const json = JSON.stringify(toDocument(snapshot));
        assert.ok(!CONTROL.test(json), `--json ${json}`);
        const doc = toDocument(snapshot);
        assert.equal(doc.jobs[0].directions.length, raw.length);
      }),
      { numRuns: 300 },
    );
  });
});
