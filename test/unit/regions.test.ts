import { strict as assert } from 'node:assert';
import { KNOWN_REGIONS, regionChoices, regionName, regionProblem } from '../../src/core/regions';

describe('regions', () => {
  it('names every documented region', () => {
    assert.equal(regionName('cn-hangzhou'), 'China (Hangzhou)');
    assert.equal(regionName('ap-southeast-1'), 'Singapore');
    for (const id of KNOWN_REGIONS) {
      assert.ok(regionName(id), id);
    }
  });

  it('has no name for an undocumented region or a prototype key', () => {
    assert.equal(regionName('cn-shanghai-finance-1'), undefined);
    assert.equal(regionName('constructor'), undefined);
    assert.equal(regionName('__proto__'), undefined);
  });

  it('offers the regions in use first, each once, then the others in the console order', () => {
    const choices = regionChoices(['cn-shanghai', 'cn-shanghai-finance-1', 'cn-shanghai', 'ap-southeast-1']);
    assert.deepEqual(choices.slice(0, 3), [
      { id: 'cn-shanghai', name: 'China (Shanghai)', inUse: true },
      { id: 'cn-shanghai-finance-1', name: undefined, inUse: true },
      { id: 'ap-southeast-1', name: 'Singapore', inUse: true },
    ]);
    assert.deepEqual(choices[3], { id: 'cn-hangzhou', name: 'China (Hangzhou)', inUse: false });
    assert.equal(choices.length, KNOWN_REGIONS.length + 1);
    assert.equal(new Set(choices.map((c) => c.id)).size, choices.length);
  });

  it('leaves out malformed regions in use', () => {
    const choices = regionChoices(['not a region', '', 'CN-HANGZHOU']);
    assert.ok(choices.every((c) => !c.inUse));
  });

  it('explains a malformed region', () => {
    assert.match(regionProblem('hangzhou') ?? '', /"hangzhou" is not a region ID/);
    assert.equal(regionProblem('cn-hangzhou'), undefined);
  });
});
