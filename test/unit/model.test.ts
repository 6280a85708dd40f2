import * as assert from 'node:assert/strict';
import {
  buildJobStatus,
  directionHealth,
  formatLag,
  lagSeconds,
  statusHealth,
  statusLabel,
  statusNotes,
  worstHealth,
  type Health,
  type RawDirection,
} from '../../src/core/model';

const NOW = new Date('2024-05-01T12:00:00Z');
const secondsBefore = (s: number): Date => new Date(NOW.getTime() - s * 1000);

describe('model', () => {
  describe('status → health and label', () => {
    const table: readonly [status: string, health: Health, label: string][] = [
      ['NotStarted', 'pending', 'Not started'],
      ['Prechecking', 'pending', 'Prechecking'],
      ['PreCheckPass', 'pending', 'Precheck passed'],
      ['PrecheckFailed', 'error', 'Precheck failed'],
      ['Initializing', 'pending', 'Initializing'],
      ['Initializating', 'pending', 'Initializing'],
      ['InitializeFailed', 'error', 'Initialization failed'],
      ['Synchronizing', 'ok', 'Synchronizing'],
      ['SYNCHRONIZING', 'ok', 'Synchronizing'],
      ['synchronizing', 'ok', 'Synchronizing'],
      ['Failed', 'error', 'Failed'],
      ['Suspending', 'warning', 'Paused'],
      ['Modifying', 'pending', 'Modifying objects'],
      ['Finished', 'finished', 'Finished'],
      ['Retrying', 'warning', 'Retrying'],
      ['Locked', 'error', 'Locked'],
      ['Upgrade', 'pending', 'Upgrading'],
      ['Downgrade', 'pending', 'Downgrading'],
      ['NotConfigured', 'pending', 'Not configured'],
    ];
    for (const [status, health, label] of table) {
      it(`shows ${JSON.stringify(status)} as ${health} "${label}"`, () => {
        assert.equal(statusHealth(status), health);
        assert.equal(statusLabel(status), label);
      });
    }

    it('ignores surrounding whitespace in a status', () => {
      assert.equal(statusHealth('  Failed '), 'error');
      assert.equal(statusLabel(' Failed\n'), 'Failed');
    });

    it('keeps an unknown status verbatim as its label with health unknown', () => {
      assert.equal(statusHealth('CatchingUp'), 'unknown');
      assert.equal(statusLabel('CatchingUp'), 'CatchingUp');
    });

    for (const name of ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf', 'isPrototypeOf']) {
      it(`treats the status ${JSON.stringify(name)} as an unknown status shown as sent`, () => {
        assert.equal(statusHealth(name), 'unknown');
        assert.equal(statusLabel(name), name);
      });
    }

    it('labels an unknown status without its control characters', () => {
      assert.equal(statusLabel('Catch\u001b[2JUp\u0007'), 'Catch [2JUp');
      assert.equal(statusLabel('\u001b\u0007'), 'Unknown');
    });

    it('labels an empty status "Unknown"', () => {
      assert.equal(statusHealth(''), 'unknown');
      assert.equal(statusLabel(''), 'Unknown');
    });
  });

  describe('lag', () => {
    it('is the seconds from the checkpoint to the server now', () => {
      assert.equal(lagSeconds(secondsBefore(250), NOW), 250);
    });

    it('rounds partial seconds down', () => {
      assert.equal(lagSeconds(new Date(NOW.getTime() - 1999), NOW), 1);
    });

    it('is never negative when the checkpoint is ahead of now', () => {
      assert.equal(lagSeconds(new Date(NOW.getTime() + 60_000), NOW), 0);
    });

    it('is null without a checkpoint', () => {
      assert.equal(lagSeconds(null, NOW), null);
    });

    it('is null for a checkpoint that is not a time', () => {
      assert.equal(lagSeconds(new Date(Number.NaN), NOW), null);
    });
  });

  describe('direction health with the lag threshold', () => {
    it('marks a synchronizing direction as warning past the lag threshold', () => {
      assert.equal(directionHealth('Synchronizing', 301, 300), 'warning');
    });

    it('keeps a synchronizing direction ok at exactly the threshold', () => {
      assert.equal(directionHealth('Synchronizing', 300, 300), 'ok');
    });

    it('keeps a synchronizing direction without a checkpoint ok', () => {
      assert.equal(directionHealth('synchronizing', null, 300), 'ok');
    });

    it('does not turn other statuses into warnings because of lag', () => {
      assert.equal(directionHealth('Failed', 99_999, 300), 'error');
      assert.equal(directionHealth('Finished', 99_999, 300), 'finished');
      assert.equal(directionHealth('Initializing', 99_999, 300), 'pending');
      assert.equal(directionHealth('Mystery', 99_999, 300), 'unknown');
    });
  });

  describe('worstHealth', () => {
    it('orders error, warning, unknown, pending, ok, finished', () => {
      assert.equal(worstHealth(['ok', 'error', 'warning']), 'error');
      assert.equal(worstHealth(['ok', 'warning', 'pending']), 'warning');
      assert.equal(worstHealth(['pending', 'unknown', 'ok']), 'unknown');
      assert.equal(worstHealth(['finished', 'pending']), 'pending');
      assert.equal(worstHealth(['finished', 'ok']), 'ok');
      assert.equal(worstHealth(['finished']), 'finished');
    });

    it('is undefined for no directions', () => {
      assert.equal(worstHealth([]), undefined);
    });
  });

  describe('buildJobStatus', () => {
    it('gives a job the worst health of its directions', () => {
      const raw: RawDirection[] = [
        { direction: 'Forward', status: 'Synchronizing', checkpoint: secondsBefore(10) },
        { direction: 'Reverse', status: 'Synchronizing', checkpoint: secondsBefore(900) },
      ];
      const job = buildJobStatus('dtsjob0001', 'cn-hangzhou', raw, NOW, 300);
      assert.equal(job.found, true);
      assert.equal(job.health, 'warning');
      assert.deepEqual(
        job.directions.map((d) => [d.direction, d.health, d.lagSeconds]),
        [
          ['Forward', 'ok', 10],
          ['Reverse', 'warning', 900],
        ],
      );
    });

    it('orders directions Forward then Reverse whatever order the API sent', () => {
      const raw: RawDirection[] = [
        { direction: 'Reverse', status: 'Failed', checkpoint: null },
        { direction: 'Forward', status: 'Synchronizing', checkpoint: null },
      ];
      const job = buildJobStatus('dtsjob0001', 'cn-hangzhou', raw, NOW, 300);
      assert.deepEqual(job.directions.map((d) => d.direction), ['Forward', 'Reverse']);
      assert.equal(job.health, 'error');
    });

    it('puts an unexpected direction name after Forward and Reverse', () => {
      const raw: RawDirection[] = [
        { direction: 'Sideways', status: 'Synchronizing', checkpoint: null },
        { direction: 'Reverse', status: 'Synchronizing', checkpoint: null },
        { direction: 'Forward', status: 'Synchronizing', checkpoint: null },
      ];
      const job = buildJobStatus('dtsjob0001', 'cn-hangzhou', raw, NOW, 300);
      assert.deepEqual(job.directions.map((d) => d.direction), ['Forward', 'Reverse', 'Sideways']);
    });

    it('keeps the raw status as sent on each direction', () => {
      const job = buildJobStatus('dtsjob0001', 'cn-hangzhou', [{ direction: 'Forward', status: 'SYNCHRONIZING', checkpoint: null }], NOW, 300);
      assert.equal(job.directions[0].status, 'SYNCHRONIZING');
      assert.equal(job.directions[0].health, 'ok');
    });

    it('reports a job the API did not return as not found, with no directions', () => {
      const job = buildJobStatus('dtsmissing01', 'cn-shanghai', undefined, NOW, 300);
      assert.deepEqual(job, { jobId: 'dtsmissing01', region: 'cn-shanghai', found: false, health: 'unknown', directions: [] });
    });

    it('shows an implausible checkpoint as none, keeping the raw value', () => {
      const raw: RawDirection[] = [{ direction: 'Forward', status: 'Synchronizing', checkpoint: null, checkpointRaw: '99999999999999999' }];
      const [d] = buildJobStatus('dtsjob0001', 'cn-hangzhou', raw, NOW, 300).directions;
      assert.equal(d.checkpoint, null);
      assert.equal(d.lagSeconds, null);
      assert.equal(d.checkpointRaw, '99999999999999999');
      assert.equal(d.health, 'ok');
    });

    it('treats an Invalid Date checkpoint as none, so nothing downstream throws', () => {
      const [d] = buildJobStatus('dtsjob0001', 'cn-hangzhou', [{ direction: 'Forward', status: 'Synchronizing', checkpoint: new Date(Number.NaN) }], NOW, 300)
        .directions;
      assert.equal(d.checkpoint, null);
      assert.equal(d.lagSeconds, null);
    });

    it('shows a checkpoint 2 h in the future as lag 0 and records how far ahead it is', () => {
      const [d] = buildJobStatus('dtsjob0001', 'cn-hangzhou', [{ direction: 'Forward', status: 'Synchronizing', checkpoint: secondsBefore(-7200) }], NOW, 300)
        .directions;
      assert.equal(d.lagSeconds, 0);
      assert.equal(d.aheadSeconds, 7200);
      assert.equal(d.health, 'ok');
    });

    it('records nothing for a checkpoint less than a minute ahead (ordinary jitter)', () => {
      const [d] = buildJobStatus('dtsjob0001', 'cn-hangzhou', [{ direction: 'Forward', status: 'Synchronizing', checkpoint: secondsBefore(-60) }], NOW, 300)
        .directions;
      assert.equal(d.lagSeconds, 0);
      assert.equal('aheadSeconds' in d, false);
    });

    it('reports a returned job without directions as found but unknown', () => {
      const job = buildJobStatus('dtsjob0001', 'cn-hangzhou', [], NOW, 300);
      assert.equal(job.found, true);
      assert.equal(job.health, 'unknown');
    });
  });

  describe('statusNotes', () => {
    it('notes an implausible checkpoint and a checkpoint ahead of the server clock, one line each', () => {
      const raw: RawDirection[] = [
        { direction: 'Forward', status: 'Synchronizing', checkpoint: null, checkpointRaw: '99999999999999999' },
        { direction: 'Reverse', status: 'Synchronizing', checkpoint: secondsBefore(-7200) },
      ];
      assert.deepEqual(statusNotes(buildJobStatus('dtsjob0001', 'cn-hangzhou', raw, NOW, 300)), [
        'dtsjob0001 Forward: checkpoint "99999999999999999" is not a plausible time; shown as none',
        'dtsjob0001 Reverse: checkpoint is 2 h ahead of the server clock (clock skew?); lag shown as 0',
      ]);
    });

    it('has nothing to say about ordinary checkpoints, missing ones or a job not found', () => {
      const raw: RawDirection[] = [
        { direction: 'Forward', status: 'Synchronizing', checkpoint: secondsBefore(5) },
        { direction: 'Reverse', status: 'NotStarted', checkpoint: null },
      ];
      assert.deepEqual(statusNotes(buildJobStatus('dtsjob0001', 'cn-hangzhou', raw, NOW, 300)), []);
      assert.deepEqual(statusNotes(buildJobStatus('dtsjob0001', 'cn-hangzhou', undefined, NOW, 300)), []);
    });

    it('prints no control character whatever the direction and raw value hold', () => {
      const raw: RawDirection[] = [{ direction: 'For\u001b]0;x\u0007ward', status: 'Synchronizing', checkpoint: null, checkpointRaw: '12\u001b[2J\n34' }];
      const [note] = statusNotes(buildJobStatus('dtsjob0001', 'cn-hangzhou', raw, NOW, 300));
      // eslint-disable-next-line no-control-regex -- the point is to look for control characters
      assert.doesNotMatch(note, /[\u0000-\u001f\u007f-\u009f]/);
      assert.equal(note, 'dtsjob0001 For ]0;x ward: checkpoint "12\\u001b[2J\\n34" is not a plausible time; shown as none');
    });
  });

  describe('formatLag', () => {
    const cases: readonly [number, string][] = [
      [0, '0 s'],
      [8, '8 s'],
      [59, '59 s'],
      [60, '1 min'],
      [250, '4 min 10 s'],
      [3599, '59 min 59 s'],
      [3600, '1 h'],
      [7500, '2 h 5 min'],
      [7510, '2 h 5 min'],
      [86_399, '23 h 59 min'],
      [86_400, '1 d'],
      [273_600, '3 d 4 h'],
      [273_659, '3 d 4 h'],
    ];
    for (const [seconds, text] of cases) {
      it(`shows ${seconds} seconds as "${text}"`, () => {
        assert.equal(formatLag(seconds), text);
      });
    }
  });
});
