import * as assert from 'node:assert/strict';
import { type Health } from '../../src/core/model';
import { healthIcon, healthWords } from '../../src/core/views/health';

const ALL: readonly Health[] = ['ok', 'pending', 'warning', 'error', 'finished', 'unknown'];

describe('views/health', () => {
  it('gives every health a codicon and a testing.* or charts.* theme colour', () => {
    for (const health of ALL) {
      const icon = healthIcon(health);
      assert.match(icon.id, /^[a-z][a-z-]*(~spin)?$/, `${health}: ${icon.id} is a codicon id`);
      assert.ok(icon.color, `${health} has a colour`);
      assert.match(icon.color, /^(testing|charts)\.[A-Za-z]+$/, `${health}: ${icon.color}`);
    }
  });

  it('maps each health to the icon and colour users learn from the legend', () => {
    assert.deepEqual(
      Object.fromEntries(ALL.map((h) => [h, healthIcon(h)])),
      {
        ok: { id: 'pass', color: 'testing.iconPassed' },
        pending: { id: 'sync~spin', color: 'charts.blue' },
        warning: { id: 'warning', color: 'charts.yellow' },
        error: { id: 'error', color: 'testing.iconFailed' },
        finished: { id: 'check-all', color: 'charts.green' },
        unknown: { id: 'question', color: 'charts.purple' },
      },
    );
  });

  it('gives every health its own icon, so they can be told apart', () => {
    const ids = ALL.map((h) => healthIcon(h).id);
    assert.equal(new Set(ids).size, ALL.length);
  });

  it('spins the icon of a starting or changing direction and of nothing else', () => {
    assert.ok(healthIcon('pending').id.endsWith('~spin'));
    for (const health of ALL.filter((h) => h !== 'pending')) {
      assert.ok(!healthIcon(health).id.includes('~spin'), health);
    }
  });

  it('shows a paused (Suspending) direction with a pause sign in the warning colour', () => {
    assert.deepEqual(healthIcon('warning', 'Suspending'), { id: 'debug-pause', color: 'charts.yellow' });
  });

  it('recognises Suspending whatever its case and surrounding spaces', () => {
    assert.equal(healthIcon('warning', ' SUSPENDING ').id, 'debug-pause');
    assert.equal(healthIcon('warning', 'suspending').id, 'debug-pause');
  });

  it('keeps the warning sign for a lagging or retrying direction', () => {
    assert.equal(healthIcon('warning', 'Synchronizing').id, 'warning');
    assert.equal(healthIcon('warning', 'Retrying').id, 'warning');
    assert.equal(healthIcon('warning').id, 'warning');
  });

  it('describes each health in words', () => {
    assert.deepEqual(
      Object.fromEntries(ALL.map((h) => [h, healthWords(h)])),
      {
        ok: 'Healthy',
        pending: 'Starting or changing',
        warning: 'Needs attention',
        error: 'Failed',
        finished: 'Finished',
        unknown: 'Unknown status',
      },
    );
  });
});
