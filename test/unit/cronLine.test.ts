import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { cronLines, shellQuote } from '../../src/core/cronLine';

describe('cronLines', () => {
  it('writes one line per account, the named one through its aliyun profile', () => {
    const text = cronLines({
      jobs: [
        { id: 'dtsa1', region: 'cn-hangzhou' },
        { id: 'dtsb2', region: 'cn-shanghai', account: 'prod' },
        { id: 'dtsc3', region: 'cn-hangzhou' },
      ],
    });
    const lines = text.trimEnd().split('\n').filter((l) => !l.startsWith('#'));
    assert.deepEqual(lines, [
      '*/5 * * * * cd /var/lib/node_exporter/textfile_collector && dts-sync-status --format prometheus dtsa1@cn-hangzhou dtsc3@cn-hangzhou > dts-sync.prom.tmp; mv dts-sync.prom.tmp dts-sync.prom',
      '*/5 * * * * cd /var/lib/node_exporter/textfile_collector && dts-sync-status --format prometheus --profile prod dtsb2@cn-shanghai > dts-sync-prod.prom.tmp; mv dts-sync-prod.prom.tmp dts-sync-prod.prom',
    ]);
  });

  it('says so when no job is watched', () => {
    assert.match(cronLines({ jobs: [] }), /No jobs are watched yet/);
  });

  it('runs the command given, quoted', () => {
    const text = cronLines({ command: '/opt/dts tools/bin/dts-sync-status', jobs: [{ id: 'dtsa1', region: 'cn-hangzhou' }] });
    assert.match(text, /&& '\/opt\/dts tools\/bin\/dts-sync-status' --format prometheus dtsa1@cn-hangzhou >/);
  });

  it('quotes paths with spaces and quotes so that a shell reads them back unchanged', () => {
    for (const word of ["/Users/Ann Lee/it's/cli.js", 'plain', '$(rm -rf ~)', '`x`', 'a"b', '']) {
      const echoed = execFileSync('/bin/sh', ['-c', `printf %s ${shellQuote(word)}`], { encoding: 'utf8' });
      assert.equal(echoed, word);
    }
  });
});
