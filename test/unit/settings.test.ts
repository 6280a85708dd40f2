import * as assert from 'node:assert/strict';
import { MIN_REFRESH_INTERVAL_SECONDS, parseSettings } from '../../src/core/settings';

/** Settings as `WorkspaceConfiguration.get` would return them: keys without the `dtsSync.` prefix. */
const parse = (values: Record<string, unknown>) => parseSettings((key) => values[key]);

describe('settings', () => {
  it('uses the documented defaults when nothing is set', () => {
    const settings = parse({});
    assert.deepEqual(settings, {
      jobs: [],
      defaultRegion: 'cn-hangzhou',
      defaultRegionFrom: 'built-in',
      refreshIntervalSeconds: 60,
      lagWarningSeconds: 300,
      expiryWarningDays: 7,
      endpoint: undefined,
      endpointRefusal: undefined,
      allowInsecureEndpoint: false,
      httpProxy: undefined,
      signatureVersion: 'v3',
      requestTimeoutSeconds: 10,
      notifyOnFailure: true,
      watchRegions: [],
      groupBy: 'none',
      problems: [],
    });
  });

  it('treats null (a setting cleared in JSON) like unset, without a problem', () => {
    const settings = parse({ refreshIntervalSeconds: null, signatureVersion: null, jobs: null, endpoint: null });
    assert.equal(settings.refreshIntervalSeconds, 60);
    assert.equal(settings.signatureVersion, 'v3');
    assert.deepEqual(settings.problems, []);
  });

  it('reads every setting when all are valid', () => {
    const settings = parse({
      jobs: ['dtsjob0001', 'dtsjob0002@cn-shanghai', { id: 'dtsjob0003', name: 'orders' }],
      defaultRegion: 'ap-southeast-1',
      refreshIntervalSeconds: 30,
      lagWarningSeconds: 60,
      endpoint: 'http://127.0.0.1:8080',
      signatureVersion: 'v2',
      requestTimeoutSeconds: 5,
      notifyOnFailure: false,
    });
    assert.deepEqual(settings.jobs, [
      { id: 'dtsjob0001', region: 'ap-southeast-1' },
      { id: 'dtsjob0002', region: 'cn-shanghai' },
      { id: 'dtsjob0003', region: 'ap-southeast-1', name: 'orders' },
    ]);
    assert.equal(settings.refreshIntervalSeconds, 30);
    assert.equal(settings.lagWarningSeconds, 60);
    assert.equal(settings.endpoint, 'http://127.0.0.1:8080');
    assert.equal(settings.signatureVersion, 'v2');
    assert.equal(settings.requestTimeoutSeconds, 5);
    assert.equal(settings.notifyOnFailure, false);
    assert.deepEqual(settings.problems, []);
  });

  describe('dtsSync.jobs with bad entries', () => {
    const settings = parse({
      jobs: ['dtsjob0001', 42, '', 'dtsjob0002@Not_A_Region', 'dtsjob0003', 'dtsjob0001', { id: 'dtsjob0004', region: 'cn-shanghai' }],
    });

    it('still loads the valid entries, in order', () => {
      assert.deepEqual(settings.jobs, [
        { id: 'dtsjob0001', region: 'cn-hangzhou' },
        { id: 'dtsjob0003', region: 'cn-hangzhou' },
        { id: 'dtsjob0004', region: 'cn-shanghai' },
      ]);
    });

    it('gives one problem per bad entry, each naming its index', () => {
      assert.equal(settings.problems.length, 4, settings.problems.join('\n'));
      assert.deepEqual(
        settings.problems.map((p) => /^dtsSync\.jobs\[(\d+)\]: /.exec(p)?.[1]),
        ['1', '2', '3', '5'],
      );
    });

    it('says a number is not a job ID', () => {
      assert.match(settings.problems[0], /^dtsSync\.jobs\[1\]: .*expected a job ID.*got 42/);
    });

    it('says an empty ID is empty', () => {
      assert.match(settings.problems[1], /^dtsSync\.jobs\[2\]: .*the job ID is empty/);
    });

    it('quotes a bad region', () => {
      assert.match(settings.problems[2], /^dtsSync\.jobs\[3\]: .*"Not_A_Region" is not a region ID/);
    });

    it('says a duplicate is listed twice and ignored', () => {
      assert.equal(settings.problems[3], 'dtsSync.jobs[5]: dtsjob0001 in cn-hangzhou is listed twice; the later entry is ignored');
    });

    it('says so when the setting is not a list', () => {
      const notAList = parse({ jobs: 'dtsjob0001' });
      assert.deepEqual(notAList.jobs, []);
      assert.deepEqual(notAList.problems, ['dtsSync.jobs must be a list of job IDs']);
    });

    it('names the index of an object entry with a bad id', () => {
      const s = parse({ jobs: ['dtsjob0001', { id: 7 }] });
      assert.equal(s.jobs.length, 1);
      assert.match(s.problems[0], /^dtsSync\.jobs\[1\]: "id" must be a string/);
    });
  });

  describe('dtsSync.refreshIntervalSeconds', () => {
    it('falls back to 60 with a message when it is a string', () => {
      const s = parse({ refreshIntervalSeconds: '30' });
      assert.equal(s.refreshIntervalSeconds, 60);
      assert.deepEqual(s.problems, ['dtsSync.refreshIntervalSeconds must be a number from 0 to 86400; using 60']);
    });

    it('falls back to 60 with a message when it is negative', () => {
      const s = parse({ refreshIntervalSeconds: -5 });
      assert.equal(s.refreshIntervalSeconds, 60);
      assert.equal(s.problems.length, 1);
      assert.match(s.problems[0], /^dtsSync\.refreshIntervalSeconds must be a number/);
    });

    it('falls back when it is not finite', () => {
      assert.equal(parse({ refreshIntervalSeconds: Number.NaN }).refreshIntervalSeconds, 60);
      assert.equal(parse({ refreshIntervalSeconds: Number.POSITIVE_INFINITY }).refreshIntervalSeconds, 60);
    });

    it('raises a value below 10 to 10 with a message', () => {
      assert.equal(MIN_REFRESH_INTERVAL_SECONDS, 10);
      const s = parse({ refreshIntervalSeconds: 3 });
      assert.equal(s.refreshIntervalSeconds, 10);
      assert.deepEqual(s.problems, ['dtsSync.refreshIntervalSeconds below 10 is raised to 10']);
    });

    it('keeps exactly 10 without a message', () => {
      const s = parse({ refreshIntervalSeconds: 10 });
      assert.equal(s.refreshIntervalSeconds, 10);
      assert.deepEqual(s.problems, []);
    });

    it('allows 0 (manual refresh only) without a message', () => {
      const s = parse({ refreshIntervalSeconds: 0 });
      assert.equal(s.refreshIntervalSeconds, 0);
      assert.deepEqual(s.problems, []);
    });
  });

  describe('dtsSync.endpoint', () => {
    it('is normalized to its origin', () => {
      assert.equal(parse({ endpoint: ' https://dts-vpc.cn-hangzhou.aliyuncs.com/ ' }).endpoint, 'https://dts-vpc.cn-hangzhou.aliyuncs.com');
    });

    it('is undefined (the official endpoints) with a problem when it is not a bare origin', () => {
      const s = parse({ endpoint: 'https://dts.example.com/api?x=1' });
      assert.equal(s.endpoint, undefined);
      assert.equal(s.problems.length, 1);
      assert.match(s.problems[0], /^dtsSync\.endpoint: .*bare origin.*; using the official endpoints$/);
    });

    it('is undefined with a problem when it is not a URL', () => {
      const s = parse({ endpoint: 'https://exa mple.com' });
      assert.equal(s.endpoint, undefined);
      assert.match(s.problems[0], /^dtsSync\.endpoint: .*not a URL/);
    });

    it('is undefined with a problem for a scheme other than http(s)', () => {
      const s = parse({ endpoint: 'ftp://dts.example.com' });
      assert.equal(s.endpoint, undefined);
      assert.match(s.problems[0], /^dtsSync\.endpoint: .*https:\/\//);
    });

    describe('plain http:// to a host that is not this machine', () => {
      it('refuses every request with a message, instead of sending signed requests in cleartext or elsewhere', () => {
        const s = parse({ endpoint: 'http://gateway.example.com:8080' });
        assert.equal(s.endpoint, undefined);
        assert.match(s.endpointRefusal ?? '', /^dtsSync\.endpoint: The endpoint "http:\/\/gateway\.example\.com:8080" uses plain http:\/\/ .*cleartext.*dtsSync\.allowInsecureEndpoint/);
        assert.deepEqual(s.problems, [s.endpointRefusal]);
      });

      it('is used when dtsSync.allowInsecureEndpoint opts in', () => {
        const s = parse({ endpoint: 'http://gateway.example.com:8080', allowInsecureEndpoint: true });
        assert.equal(s.endpoint, 'http://gateway.example.com:8080');
        assert.equal(s.endpointRefusal, undefined);
        assert.equal(s.allowInsecureEndpoint, true);
        assert.deepEqual(s.problems, []);
      });

      it('stays allowed for loopback without opting in', () => {
        for (const endpoint of ['http://127.0.0.1:8765', 'http://localhost:8765', 'http://[::1]:8765']) {
          const s = parse({ endpoint });
          assert.equal(s.endpointRefusal, undefined, endpoint);
          assert.equal(s.endpoint, endpoint);
        }
      });

      it('takes only a real true as the opt-in', () => {
        assert.ok(parse({ endpoint: 'http://gateway.example.com', allowInsecureEndpoint: 'true' }).endpointRefusal);
      });
    });

    it('is treated as unset when empty', () => {
      const s = parse({ endpoint: '   ' });
      assert.equal(s.endpoint, undefined);
      assert.deepEqual(s.problems, []);
    });

    describe('never quotes a password it contains', () => {
      const SECRET = 'hunter2-Pa55word';
      const cases: Record<string, string> = {
        'a user:password URL': `https://admin:${SECRET}@gateway.example.com`,
        'a user:password URL that is otherwise unparsable': `https://admin:${SECRET}@gateway.example.com:99999`,
        'a user:password URL with a path': `https://admin:${SECRET}@gateway.example.com/dts`,
        'a user:password origin without a scheme that is otherwise unparsable': `admin:${SECRET}@gateway.example.com:99999`,
        'a password that itself contains "@"': `https://admin:${SECRET.slice(0, 6)}@${SECRET.slice(6)}@gateway.example.com:99999`,
        'a password that contains "/"': `https://admin:${SECRET.slice(0, 6)}/${SECRET.slice(6)}@gateway.example.com`,
        'a password that contains "#"': `https://admin:${SECRET.slice(0, 6)}#${SECRET.slice(6)}@gateway.example.com`,
        'a password that contains "?"': `https://admin:${SECRET.slice(0, 6)}?${SECRET.slice(6)}@gateway.example.com`,
      };
      for (const [what, endpoint] of Object.entries(cases)) {
        it(what, () => {
          const s = parse({ endpoint });
          assert.equal(s.endpoint, undefined);
          assert.equal(s.problems.length, 1);
          assert.match(s.problems[0], /^dtsSync\.endpoint: /);
          for (const piece of [SECRET, SECRET.slice(0, 6), SECRET.slice(6)]) {
            assert.ok(!s.problems[0].includes(piece), `"${piece}" appears in: ${s.problems[0]}`);
          }
        });
      }
    });
  });

  describe('dtsSync.signatureVersion', () => {
    it('accepts v2 and v3', () => {
      assert.equal(parse({ signatureVersion: 'v2' }).signatureVersion, 'v2');
      assert.equal(parse({ signatureVersion: 'v3' }).signatureVersion, 'v3');
    });

    it('falls back to v3 with a message for anything else', () => {
      for (const value of ['V2', 'v1', 'ACS3-HMAC-SHA256', 3]) {
        const s = parse({ signatureVersion: value });
        assert.equal(s.signatureVersion, 'v3', String(value));
        assert.deepEqual(s.problems, ['dtsSync.signatureVersion must be "v3" or "v2"; using v3'], String(value));
      }
    });
  });

  describe('other settings', () => {
    it('uses a valid default region for jobs without one', () => {
      assert.deepEqual(parse({ defaultRegion: 'cn-shanghai', jobs: ['dtsjob0001'] }).jobs, [{ id: 'dtsjob0001', region: 'cn-shanghai' }]);
    });

    it('falls back to cn-hangzhou with a message for a bad default region', () => {
      const s = parse({ defaultRegion: 'Shanghai', jobs: ['dtsjob0001'] });
      assert.equal(s.defaultRegion, 'cn-hangzhou');
      assert.deepEqual(s.jobs, [{ id: 'dtsjob0001', region: 'cn-hangzhou' }]);
      assert.deepEqual(s.problems, ['dtsSync.defaultRegion: "Shanghai" is not a region ID (expected something like cn-hangzhou); using cn-hangzhou']);
    });

    it('falls back with a message for a request timeout out of range', () => {
      const s = parse({ requestTimeoutSeconds: 0 });
      assert.equal(s.requestTimeoutSeconds, 10);
      assert.deepEqual(s.problems, ['dtsSync.requestTimeoutSeconds must be a number from 1 to 300; using 10']);
    });

    it('falls back with a message for a negative lag threshold', () => {
      const s = parse({ lagWarningSeconds: -1 });
      assert.equal(s.lagWarningSeconds, 300);
      assert.equal(s.problems.length, 1);
      assert.match(s.problems[0], /^dtsSync\.lagWarningSeconds must be a number/);
    });

    it('refuses a lag threshold past 7 days, which would hide every lag', () => {
      const s = parse({ lagWarningSeconds: 9e15 });
      assert.equal(s.lagWarningSeconds, 300);
      assert.deepEqual(s.problems, ['dtsSync.lagWarningSeconds must be a number from 0 to 604800; using 300']);
      assert.equal(parse({ lagWarningSeconds: 604800 }).lagWarningSeconds, 604800);
    });

    it('watches at most 500 jobs and says so', () => {
      const jobs = Array.from({ length: 5000 }, (_, i) => `dtsjob${String(i).padStart(6, '0')}`);
      const s = parse({ jobs });
      assert.equal(s.jobs.length, 500);
      assert.equal(s.jobs[499].id, 'dtsjob000499');
      assert.deepEqual(s.problems, ['dtsSync.jobs lists 5000 entries; only the first 500 are watched']);
    });

    it('never echoes a control character from a bad entry', () => {
      const s = parse({ jobs: ['dtsjob0001\n[error] forged line', { id: 'dtsjob0002\u001b]0;pwned\u0007' }, { id: 'dtsjob0003', name: 'orders\n\u001b[2Jprod' }] });
      assert.equal(s.problems.length, 2, s.problems.join('\n'));
      for (const problem of s.problems) {
        // eslint-disable-next-line no-control-regex
        assert.ok(!/[\u0000-\u001f\u007f-\u009f]/.test(problem), problem);
      }
      assert.deepEqual(s.jobs, [{ id: 'dtsjob0003', region: 'cn-hangzhou', name: 'orders [2Jprod' }]);
    });

    it('collects the problems of several settings at once', () => {
      const s = parse({ jobs: [42], refreshIntervalSeconds: 'often', signatureVersion: 'v9' });
      assert.equal(s.problems.length, 3, s.problems.join('\n'));
    });
  });
});

describe('settings: http.proxy', () => {
  const withProxy = (proxy: unknown) => parseSettings(() => undefined, proxy);

  it('uses VS Code http.proxy when it is an http, https or socks5 URL', () => {
    assert.equal(withProxy('http://proxy.corp:3128').httpProxy, 'http://proxy.corp:3128');
    assert.equal(withProxy('socks5://127.0.0.1:1080').httpProxy, 'socks5://127.0.0.1:1080');
    assert.deepEqual(withProxy('http://proxy.corp:3128').problems, []);
  });

  it('connects directly without a proxy setting', () => {
    assert.equal(withProxy(undefined).httpProxy, undefined);
    assert.equal(withProxy('').httpProxy, undefined);
  });

  it('ignores an unusable proxy with a message that never quotes it', () => {
    const settings = withProxy('ftp://user:hunter2@proxy.corp');
    assert.equal(settings.httpProxy, undefined);
    assert.deepEqual(settings.problems, ['http.proxy: not an http://, https:// or socks5:// URL; connecting directly']);
    assert.ok(!settings.problems.join(' ').includes('hunter2'));
    assert.deepEqual(withProxy('proxy corp').problems, ['http.proxy: not a URL (expected http://host:port); connecting directly']);
  });

  describe('the default region from the default account’s profile', () => {
    it('is the region of bare job IDs while dtsSync.defaultRegion is unset; ID@region and a region field win', () => {
      const settings = parseSettings(
        (key) => ({ jobs: ['dtsjob0001', 'dtsjob0002@cn-beijing', { id: 'dtsjob0003', region: 'ap-southeast-1' }] })[key],
        undefined,
        new Map([['default', 'cn-shanghai']]),
      );
      assert.deepEqual(settings.jobs.map((j) => j.region), ['cn-shanghai', 'cn-beijing', 'ap-southeast-1']);
      assert.equal(settings.defaultRegionFrom, 'profile');
    });

    it('gives way to dtsSync.defaultRegion when the user set it', () => {
      const settings = parseSettings((key) => ({ jobs: ['dtsjob0001'], defaultRegion: 'cn-beijing' })[key], undefined, new Map([['default', 'cn-shanghai']]));
      assert.deepEqual([settings.jobs[0].region, settings.defaultRegionFrom], ['cn-beijing', 'setting']);
    });

    it('places a named account’s bare jobs in that account’s profile region, unless the user set dtsSync.defaultRegion', () => {
      const regions = new Map([['default', 'cn-shanghai'], ['prod', 'ap-southeast-1']]);
      const jobs = ['dtsjob0001', { id: 'dtsjob0002', account: 'prod' }, { id: 'dtsjob0003', account: 'prod', region: 'cn-beijing' }, { id: 'dtsjob0004', account: 'staging' }];
      const settings = parseSettings((key) => ({ jobs })[key], undefined, regions);
      assert.deepEqual(settings.jobs.map((j) => j.region), ['cn-shanghai', 'ap-southeast-1', 'cn-beijing', 'cn-shanghai']);
      const set = parseSettings((key) => ({ jobs, defaultRegion: 'cn-qingdao' })[key], undefined, regions);
      assert.deepEqual(set.jobs.map((j) => j.region), ['cn-qingdao', 'cn-qingdao', 'cn-beijing', 'cn-qingdao']);
    });

    it('is ignored when the profile names no region ID', () => {
      const settings = parseSettings((key) => ({ jobs: ['dtsjob0001'] })[key], undefined, new Map([['default', 'Shanghai; rm -rf']]));
      assert.deepEqual([settings.jobs[0].region, settings.defaultRegionFrom], ['cn-hangzhou', 'built-in']);
    });
  });

  describe('watchRegions and groupBy', () => {
    it('reads region IDs and { region, account } entries, each pair once', () => {
      const settings = parse({
        watchRegions: ['cn-shanghai', { region: 'cn-beijing', account: 'prod' }, ' cn-shanghai ', { region: 'cn-beijing' }],
      });
      assert.deepEqual(settings.watchRegions, [
        { region: 'cn-shanghai', account: 'default' },
        { region: 'cn-beijing', account: 'prod' },
        { region: 'cn-beijing', account: 'default' },
      ]);
      assert.deepEqual(settings.problems, []);
    });

    it('drops bad entries with a problem each and keeps the good ones', () => {
      const settings = parse({ watchRegions: ['Hangzhou', 42, { region: 'cn-hangzhou', account: 'bad name!' }, { account: 'x' }, '__proto__', 'cn-qingdao'] });
      assert.deepEqual(settings.watchRegions, [{ region: 'cn-qingdao', account: 'default' }]);
      assert.equal(settings.problems.length, 5);
      assert.ok(settings.problems.every((p) => p.startsWith('dtsSync.watchRegions: ')), settings.problems.join('\n'));
      assert.match(settings.problems[0], /"Hangzhou" is not a region ID/);
    });

    it('ignores a value that is not a list, and caps the list at 30', () => {
      assert.deepEqual(parse({ watchRegions: 'cn-hangzhou' }).watchRegions, []);
      assert.match(parse({ watchRegions: 'cn-hangzhou' }).problems[0], /must be a list of region IDs/);
      const many = Array.from({ length: 40 }, (_, i) => `cn-region${i}`);
      const capped = parse({ watchRegions: many });
      assert.equal(capped.watchRegions.length, 30);
      assert.match(capped.problems.at(-1) ?? '', /lists 40 regions; only the first 30 are watched/);
    });

    it('reads groupBy, falling back to none with a problem', () => {
      assert.equal(parse({ groupBy: 'health' }).groupBy, 'health');
      assert.equal(parse({ groupBy: 'region' }).groupBy, 'region');
      const bad = parse({ groupBy: 'constructor' });
      assert.equal(bad.groupBy, 'none');
      assert.match(bad.problems[0], /dtsSync.groupBy must be one of none, region, health; using none/);
    });
  });
});
