import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { cronLines, shellQuote } from '../../src/core/cronLine';

describe('cronLines', () => {
  it('writes one line per account, the named one through its aliyun profile', () => {
    const text = cronLines({
      nodePath: '/usr/bin/node',
      cliPath: '/home/me/.vscode/extensions/dts-tools.dts-sync-status-0.1.0/dist/cli.js',
      jobs: [
        { id: 'dtsa1', region: 'cn-hangzhou' },
        { id: 'dtsb2', region: 'cn-shanghai', account: 'prod' },
        { id: 'dtsc3', region: 'cn-hangzhou' },
      ],
    });
    const lines = text.trimEnd().split('\n').filter((l) => !l.startsWith('#'));
    assert.deepEqual(lines, [
      '*/5 * * * * cd /var/lib/node_exporter/textfile_collector && /usr/bin/node /home/me/.vscode/extensions/dts-tools.dts-sync-status-0.1.0/dist/cli.js --format openmetrics dtsa1@cn-hangzhou dtsc3@cn-hangzhou > dts-sync.prom.tmp; mv dts-sync.prom.tmp dts-sync.prom',
      '*/5 * * * * cd /var/lib/node_exporter/textfile_collector && /usr/bin/node /home/me/.vscode/extensions/dts-tools.dts-sync-status-0.1.0/dist/cli.js --format openmetrics --profile prod dtsb2@cn-shanghai > dts-sync-prod.prom.tmp; mv dts-sync-prod.prom.tmp dts-sync-prod.prom',
    ]);
  });

  it('says so when no job is watched', () => {
    assert.match(cronLines({ nodePath: 'node', cliPath: 'cli.js', jobs: [] }), /No jobs are watched yet/);
  });

  it('quotes paths with spaces and quotes so that a shell reads them back unchanged', () => {
    for (const word of ["/Users/Ann Lee/it's/cli.js", 'plain', '$(rm -rf ~)', '`x`', 'a"b', '']) {
      const echoed = execFileSync('/bin/sh', ['-c', `printf %s ${shellQuote(word)}`], { encoding: 'utf8' });
      assert.equal(echoed, word);
    }
  });
});
