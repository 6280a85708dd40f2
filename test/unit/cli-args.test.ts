import * as assert from 'node:assert/strict';
import { jobsForCredentials, parseCliArgs, usage } from '../../src/cli/args';
import { BadInputError } from '../../src/core/api/errors';
import { InvalidInputError } from '../../src/core/inputError';

const JOB = 'dtsexjk1alb116abcd';

/** Refused before any request: the CLI's own input checks, or the endpoint policy of api/. */
function refused(argv: string[], pattern: RegExp, env: NodeJS.ProcessEnv = {}): Error {
  try {
    parseCliArgs(argv, env);
  } catch (e) {
    assert.ok(e instanceof InvalidInputError || e instanceof BadInputError, `expected an input error, got ${String(e)}`);
    assert.match(e.message, pattern);
    return e;
  }
  assert.fail(`expected ${JSON.stringify(argv)} to be refused`);
}

describe('cli args', () => {
  describe('defaults', () => {
    it('queries cn-hangzhou with v3 signatures, a 10 s timeout and a 300 s lag warning', () => {
      const options = parseCliArgs([JOB], {});
      assert.deepEqual(options, {
        command: 'status',
        details: false,
        jobs: [{ id: JOB, region: 'cn-hangzhou' }],
        jobRefs: [JOB],
        region: undefined,
        regions: ['cn-hangzhou'],
        format: 'table',
        endpoint: undefined,
        signatureVersion: 'v3',
        timeoutSeconds: 10,
        deadlineSeconds: 60,
        lagWarningSeconds: 300,
        allowInsecureHttp: false,
        profile: undefined,
        json: false,
      });
    });

    it('takes the default region from ALIBABA_CLOUD_REGION_ID', () => {
      assert.deepEqual(parseCliArgs([JOB], { ALIBABA_CLOUD_REGION_ID: 'ap-northeast-1' }).jobs, [{ id: JOB, region: 'ap-northeast-1' }]);
    });

    it('takes the default region from ALICLOUD_REGION_ID when ALIBABA_CLOUD_REGION_ID is not set', () => {
      assert.deepEqual(parseCliArgs([JOB], { ALICLOUD_REGION_ID: 'cn-beijing' }).jobs, [{ id: JOB, region: 'cn-beijing' }]);
    });

    it('places bare IDs in the region of the credentials, unless --region or ID@region says otherwise', () => {
      const bare = parseCliArgs([JOB, `dtskfq1149w254abcd@ap-northeast-1`], {});
      assert.deepEqual(jobsForCredentials(bare, 'cn-shanghai', 'profile'), [
        { id: JOB, region: 'cn-shanghai' },
        { id: 'dtskfq1149w254abcd', region: 'ap-northeast-1' },
      ]);
      const explicit = parseCliArgs(['--region', 'cn-beijing', JOB], {});
      assert.deepEqual(jobsForCredentials(explicit, 'cn-shanghai', 'profile'), [{ id: JOB, region: 'cn-beijing' }]);
    });

    it('refuses a region_id that is not a region, naming its source', () => {
      assert.throws(() => jobsForCredentials(parseCliArgs([JOB], {}), 'Shanghai', 'aliyun CLI profile "prod" (AK)'), (e: unknown) =>
        e instanceof InvalidInputError && /^Invalid region_id of aliyun CLI profile "prod" \(AK\): "Shanghai" is not a region ID/.test(e.message),
      );
    });

    it('ignores a blank ALIBABA_CLOUD_REGION_ID', () => {
      assert.equal(parseCliArgs([JOB], { ALIBABA_CLOUD_REGION_ID: '  ' }).jobs[0].region, 'cn-hangzhou');
    });

    it('lets --region override ALIBABA_CLOUD_REGION_ID', () => {
      assert.equal(parseCliArgs(['--region', 'cn-shanghai', JOB], { ALIBABA_CLOUD_REGION_ID: 'ap-northeast-1' }).jobs[0].region, 'cn-shanghai');
    });
  });

  describe('options', () => {
    it('reads JOB@REGION next to jobs in the default region', () => {
      const options = parseCliArgs([`${JOB}@ap-northeast-1`, 'dtskfq1149w254abcd'], {});
      assert.deepEqual(options.jobs, [
        { id: JOB, region: 'ap-northeast-1' },
        { id: 'dtskfq1149w254abcd', region: 'cn-hangzhou' },
      ]);
    });

    it('reads every option', () => {
      const options = parseCliArgs(
        [
          '--region',
          'cn-beijing',
          '--endpoint',
          'http://127.0.0.1:8080',
          '--signature-version',
          'V2',
          '--timeout',
          '2.5',
          '--lag-warning',
          '0',
          '--profile',
          'work',
          '--json',
          JOB,
        ],
        {},
      );
      assert.deepEqual(options, {
        command: 'status',
        details: false,
        jobs: [{ id: JOB, region: 'cn-beijing' }],
        jobRefs: [JOB],
        region: 'cn-beijing',
        regions: ['cn-beijing'],
        format: 'json',
        endpoint: 'http://127.0.0.1:8080',
        signatureVersion: 'v2',
        timeoutSeconds: 2.5,
        deadlineSeconds: 60,
        lagWarningSeconds: 0,
        allowInsecureHttp: false,
        profile: 'work',
        json: true,
      });
    });

    it('accepts --option=value', () => {
      const options = parseCliArgs(['--timeout=30', '--lag-warning=60', JOB], {});
      assert.equal(options.timeoutSeconds, 30);
      assert.equal(options.lagWarningSeconds, 60);
    });

    it('reads --details, and show with its one job (details implied)', () => {
      assert.equal(parseCliArgs(['--details', JOB], {}).details, true);
      const show = parseCliArgs(['show', `${JOB}@cn-shanghai`, '--json'], {});
      assert.equal(show.command, 'show');
      assert.equal(show.details, true);
      assert.equal(show.json, true);
      assert.deepEqual(show.jobs, [{ id: JOB, region: 'cn-shanghai' }]);
      assert.throws(() => parseCliArgs(['show'], {}), (e: unknown) => e instanceof InvalidInputError && /exactly one job ID/.test(e.message));
      assert.throws(() => parseCliArgs(['show', JOB, JOB], {}), (e: unknown) => e instanceof InvalidInputError && /exactly one job ID/.test(e.message));
    });
  });

  describe('help and version', () => {
    for (const flag of ['--help', '-h']) {
      it(`${flag} asks for help even without job IDs`, () => {
        assert.equal(parseCliArgs([flag], {}).command, 'help');
      });
    }
    for (const flag of ['--version', '-v']) {
      it(`${flag} asks for the version even without job IDs`, () => {
        assert.equal(parseCliArgs([flag], {}).command, 'version');
      });
    }

    it('--help wins over an otherwise invalid command line', () => {
      assert.equal(parseCliArgs(['--help', '--region', 'Nowhere', 'bad id'], {}).command, 'help');
    });

    it('documents every option, the credentials and the exit codes in the usage text', () => {
      for (const text of ['--region', '--endpoint', '--signature-version', '--timeout', '--deadline', '--allow-insecure-http', '--lag-warning', '--profile', '--json', '--help', '--version', 'ALIBABA_CLOUD_ACCESS_KEY_ID', 'Exit status']) {
        assert.ok(usage().includes(text), `usage does not mention ${text}`);
      }
    });
  });

  describe('invalid input', () => {
    it('refuses an unknown option, naming it', () => {
      assert.ok(refused(['--frobnicate', JOB], /^Unknown option '--frobnicate'$/) instanceof InvalidInputError);
    });

    it('refuses an option without its value', () => {
      refused([JOB, '--timeout'], /--timeout/);
    });

    it('refuses a non-numeric timeout', () => {
      refused(['--timeout', 'ten', JOB], /^--timeout must be a number of seconds from 1 to 300, got "ten"$/);
    });

    it('refuses a timeout below 1 s, zero or negative', () => {
      refused(['--timeout', '0', JOB], /^--timeout must be a number of seconds from 1 to 300, got "0"$/);
      refused(['--timeout', '0.5', JOB], /from 1 to 300, got "0.5"/);
      refused(['--timeout=-5', JOB], /--timeout must be a number of seconds from 1 to 300, got "-5"/);
    });

    it('refuses a timeout above 300 s instead of letting a timer overflow', () => {
      refused(['--timeout', '3000000', JOB], /^--timeout must be a number of seconds from 1 to 300, got "3000000"$/);
      refused(['--timeout', '301', JOB], /from 1 to 300/);
      assert.equal(parseCliArgs(['--timeout', '300', JOB], {}).timeoutSeconds, 300);
      assert.equal(parseCliArgs(['--timeout', '1', JOB], {}).timeoutSeconds, 1);
    });

    it('refuses a deadline outside 1-3600 s', () => {
      refused(['--deadline', '0', JOB], /^--deadline must be a number of seconds from 1 to 3600, got "0"$/);
      refused(['--deadline', '1e9', JOB], /--deadline must be a number of seconds from 1 to 3600/);
      refused(['--deadline', 'soon', JOB], /--deadline must be a number of seconds/);
      assert.equal(parseCliArgs(['--deadline', '5', JOB], {}).deadlineSeconds, 5);
    });

    it('refuses an empty or infinite timeout', () => {
      refused(['--timeout=', JOB], /--timeout must be a number of seconds/);
      refused(['--timeout', 'Infinity', JOB], /--timeout must be a number of seconds/);
    });

    it('refuses a negative or non-numeric lag warning', () => {
      refused(['--lag-warning=-1', JOB], /^--lag-warning must be a number of seconds from 0 to 604800, got "-1"$/);
      refused(['--lag-warning', '5m', JOB], /--lag-warning must be a number of seconds from 0 to 604800, got "5m"/);
    });

    it('refuses a lag warning past 7 days, which would hide every lag', () => {
      refused(['--lag-warning', '9e15', JOB], /--lag-warning must be a number of seconds from 0 to 604800, got "9e15"/);
      assert.equal(parseCliArgs(['--lag-warning', '604800', JOB], {}).lagWarningSeconds, 604800);
    });

    it('refuses plain http:// to a host that is not this machine unless --allow-insecure-http', () => {
      refused(['--endpoint', 'http://dts.example.com', JOB], /^The endpoint "http:\/\/dts\.example\.com" uses plain http:\/\/ .*cleartext.*--allow-insecure-http/);
      const opted = parseCliArgs(['--endpoint', 'http://dts.example.com', '--allow-insecure-http', JOB], {});
      assert.equal(opted.endpoint, 'http://dts.example.com');
      assert.equal(opted.allowInsecureHttp, true);
    });

    it('allows plain http:// to loopback without opting in', () => {
      for (const endpoint of ['http://127.0.0.1:8765', 'http://localhost:8765', 'http://[::1]:8765', 'http://127.10.0.1']) {
        assert.equal(parseCliArgs(['--endpoint', endpoint, JOB], {}).endpoint, endpoint);
      }
    });

    it('refuses an endpoint with a user name or password without repeating it', () => {
      for (const endpoint of ['https://admin:p/ss#w?rd@dts.example.com', 'https://admin:pa@ss@dts.example.com', 'admin:hunter2@dts.example.com']) {
        const error = refused(['--endpoint', endpoint, JOB], /must not contain a user name or password/);
        for (const part of ['hunter2', 'p/ss', 'pa@ss', 'w?rd', 'admin']) {
          assert.ok(!error.message.includes(part), `${error.message} repeats ${part}`);
        }
      }
    });

    it('never echoes control characters from a bad argument', () => {
      const error = refused(['--region', 'cn\u001b]0;pwned\u0007-x', JOB], /Invalid region/);
      // eslint-disable-next-line no-control-regex
      assert.ok(!/[\u0000-\u001f\u007f-\u009f]/.test(error.message), error.message);
      const job = refused(['dts\u001b[2Jjob\nforged'], /Invalid job/);
      // eslint-disable-next-line no-control-regex
      assert.ok(!/[\u0000-\u001f\u007f-\u009f]/.test(job.message), job.message);
    });

    it('refuses a signature version other than v3 or v2', () => {
      refused(['--signature-version', 'v4', JOB], /^--signature-version must be v3 or v2, got "v4"$/);
    });

    it('refuses a bad endpoint', () => {
      refused(['--endpoint', 'ftp://dts.example.com', JOB], /must use https:\/\//);
      refused(['--endpoint', 'https://dts.example.com/api', JOB], /must be a bare origin/);
    });

    it('refuses a bad --region', () => {
      refused(['--region', 'Hangzhou', JOB], /^Invalid region: "Hangzhou" is not a region ID \(expected something like cn-hangzhou\)$/);
    });

    it('refuses a bad ALIBABA_CLOUD_REGION_ID', () => {
      refused([JOB], /Invalid region: "hangzhou" is not a region ID/, { ALIBABA_CLOUD_REGION_ID: 'hangzhou' });
    });

    it('refuses a bad region after @', () => {
      refused([`${JOB}@Tokyo`], /^Invalid job "dtsexjk1alb116abcd@Tokyo": "Tokyo" is not a region ID/);
    });

    it('refuses a malformed job ID', () => {
      refused(['dtsexjk1alb116****'], /is masked with \*/);
      refused(['["dtsexjk1alb116abcd"]'], /contains quotes or brackets/);
    });

    it('asks for a job ID when none is given', () => {
      refused([], /^Give at least one job ID \(dts-sync-status --help for usage\)$/);
      refused(['--json', '--region', 'cn-shanghai'], /Give at least one job ID/);
    });
  });
});
