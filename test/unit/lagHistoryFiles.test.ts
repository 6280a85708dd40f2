import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { LAG_SEGMENT_MS, LagHistory } from '../../src/core/lagHistory';
import { LAG_HISTORY_INDEX_KEY, LAG_HISTORY_LEGACY_KEY, LagHistoryStorage, segmentKey } from '../../src/core/lagHistoryStorage';
import { LagHistoryFiles } from '../../src/vscode/lagHistoryFiles';
import { FakeMemento } from './memento.fixture';

const JOB = { id: 'dtsjob0001', region: 'cn-hangzhou' };
const H0 = Date.parse('2026-11-30T00:00:00Z');
const S0 = H0 / LAG_SEGMENT_MS;

describe('LagHistoryFiles', () => {
  let folder: string;
  beforeEach(() => {
    folder = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'dts-lag-')), 'lagHistory');
  });
  afterEach(() => fs.rmSync(path.dirname(folder), { recursive: true, force: true }));

  it('keeps one file per hour and the index, writes only the changed hour, and reads them back', async () => {
    const history = new LagHistory();
    for (let m = 0; m < 90; m++) {
      history.record(JOB, 'Forward', new Date(H0 + m * 60_000), m);
    }
    const storage = new LagHistoryStorage(new LagHistoryFiles(folder, new FakeMemento()));
    await storage.save(history);
    assert.deepEqual(fs.readdirSync(folder).sort(), [`${LAG_HISTORY_INDEX_KEY}.json`, `${segmentKey(S0)}.json`, `${segmentKey(S0 + 1)}.json`].sort());
    const before = fs.statSync(path.join(folder, `${segmentKey(S0)}.json`)).mtimeMs;
    const oldHour = fs.readFileSync(path.join(folder, `${segmentKey(S0)}.json`), 'utf8');
    history.record(JOB, 'Forward', new Date(H0 + 90 * 60_000), 1);
    await new Promise((resolve) => setTimeout(resolve, 20));
    await storage.save(history);
    assert.equal(fs.statSync(path.join(folder, `${segmentKey(S0)}.json`)).mtimeMs, before, 'the full hour was not written again');
    assert.equal(fs.readFileSync(path.join(folder, `${segmentKey(S0)}.json`), 'utf8'), oldHour);
    const back = new LagHistoryStorage(new LagHistoryFiles(folder, new FakeMemento())).restore();
    assert.deepEqual(back.toPersisted(), history.toPersisted());
  });

  it('moves the version 2 value out of globalState into files', async () => {
    const state = new FakeMemento({
      [LAG_HISTORY_LEGACY_KEY]: { version: 2, jobs: [{ id: 'dtsjob0001', region: 'cn-hangzhou', directions: [{ direction: 'Forward', start: H0, t: [0], lag: [3] }] }] },
    });
    const storage = new LagHistoryStorage(new LagHistoryFiles(folder, state));
    const history = storage.restore();
    await storage.save(history);
    assert.deepEqual([...state.values.keys()], [], 'nothing left in globalState');
    assert.deepEqual(new LagHistoryStorage(new LagHistoryFiles(folder, new FakeMemento())).restore().samples(JOB, 'Forward'), [{ at: H0, lagSeconds: 3 }]);
  });

  it('reads a file that is not JSON as a malformed segment, and writes no key that is not the history’s', async () => {
    fs.mkdirSync(folder, { recursive: true });
    fs.writeFileSync(path.join(folder, `${LAG_HISTORY_INDEX_KEY}.json`), JSON.stringify({ version: 3, windowStart: 0, segments: [S0] }));
    fs.writeFileSync(path.join(folder, `${segmentKey(S0)}.json`), '{"version":2,"jobs":[');
    const warnings: string[] = [];
    const files = new LagHistoryFiles(folder, new FakeMemento());
    new LagHistoryStorage(files, (m) => warnings.push(m)).restore();
    assert.deepEqual(warnings, [`The saved lag history's segment ${segmentKey(S0)} is missing or malformed; skipped`]);
    await assert.rejects(files.update('../../evil', {}), /Not a lag history key/);
    assert.equal(files.get('../../etc/passwd'), undefined);
    assert.ok(!fs.existsSync(path.join(folder, '..', '..', 'evil.json')));
  });

  it('reads a FIFO or a device in place of a segment as malformed, without blocking on it', function () {
    if (process.platform === 'win32') {
      this.skip();
    }
    fs.mkdirSync(folder, { recursive: true });
    const fifo = path.join(folder, `${segmentKey(S0)}.json`);
    execFileSync('mkfifo', [fifo]);
    fs.symlinkSync('/dev/zero', path.join(folder, `${segmentKey(S0 + 1)}.json`));
    const files = new LagHistoryFiles(folder, new FakeMemento());
    assert.equal(files.get(segmentKey(S0)), null);
    assert.equal(files.get(segmentKey(S0 + 1)), null);
  });

  it('removes the temporary files a crash left behind, not one another window is writing', () => {
    fs.mkdirSync(folder, { recursive: true });
    const stale = path.join(folder, `${segmentKey(S0)}.json.4242.1.tmp`);
    const fresh = path.join(folder, `${segmentKey(S0)}.json.4243.1.tmp`);
    const other = path.join(folder, 'notes.json.1.1.tmp');
    for (const file of [stale, fresh, other]) {
      fs.writeFileSync(file, '{}');
    }
    const hourAgo = new Date(Date.now() - 3_600_000);
    fs.utimesSync(stale, hourAgo, hourAgo);
    fs.utimesSync(other, hourAgo, hourAgo);
    const files = new LagHistoryFiles(folder, new FakeMemento());
    assert.deepEqual(files.keys(), []);
    assert.ok(!fs.existsSync(stale), 'a stale temporary file is removed');
    assert.ok(fs.existsSync(fresh), 'a write in progress is left alone');
    assert.ok(fs.existsSync(other), 'a file that is not the history’s is left alone');
  });
});
