import * as l10n from '@vscode/l10n';
import { regionProblem } from '../regions';
import { quoteUntrusted } from '../safeText';
import { BadInputError } from './errors';

/**
 * Regions the official SDK's endpoint map sends to the central `dts.aliyuncs.com`; all others (the map's remaining
 * nine entries included) go to `dts.<region>.aliyuncs.com`. Copied in the map's order from
 * aliyun/alibabacloud-typescript-sdk dts-20200101/src/client.ts (`_endpointMap`, 64 entries, rule "regional"),
 * commit 06a71f93987bc01319e08965323789ddbe23f7f8, read 2026-11-30.
 */
const CENTRAL_REGIONS: ReadonlySet<string> = new Set([
  'cn-qingdao', 'cn-beijing', 'cn-zhangjiakou', 'cn-huhehaote', 'cn-hangzhou', 'cn-shanghai', 'cn-shenzhen',
  'cn-hongkong', 'ap-southeast-1', 'ap-southeast-2', 'ap-southeast-3', 'ap-southeast-5', 'eu-west-1', 'us-west-1',
  'us-east-1', 'eu-central-1', 'me-east-1', 'ap-south-1', 'cn-hangzhou-finance', 'cn-shanghai-finance-1',
  'cn-shenzhen-finance-1', 'cn-north-2-gov-1', 'ap-northeast-2-pop', 'cn-beijing-finance-1', 'cn-beijing-finance-pop',
  'cn-beijing-gov-1', 'cn-beijing-nu16-b01', 'cn-chengdu', 'cn-edge-1', 'cn-fujian', 'cn-haidian-cm12-c01',
  'cn-hangzhou-bj-b01', 'cn-hangzhou-internal-prod-1', 'cn-hangzhou-internal-test-1', 'cn-hangzhou-internal-test-2',
  'cn-hangzhou-internal-test-3', 'cn-hangzhou-test-306', 'cn-hongkong-finance-pop', 'cn-huhehaote-nebula-1',
  'cn-qingdao-nebula', 'cn-shanghai-et15-b01', 'cn-shanghai-et2-b01', 'cn-shanghai-inner',
  'cn-shanghai-internal-test-1', 'cn-shenzhen-inner', 'cn-shenzhen-st4-d01', 'cn-shenzhen-su18-b01', 'cn-wuhan',
  'cn-wulanchabu', 'cn-yushanfang', 'cn-zhangbei-na61-b01', 'cn-zhangjiakou-na62-a01', 'cn-zhengzhou-nebula-1',
  'eu-west-1-oxs', 'rus-west-1-pop',
]);

export function assertValidRegion(region: string): void {
  const problem = regionProblem(region);
  if (problem) {
    throw new BadInputError(problem);
  }
}

/** The official endpoint for a region, as the official SDKs choose it. */
export function officialEndpoint(region: string): string {
  assertValidRegion(region);
  return CENTRAL_REGIONS.has(region) ? 'https://dts.aliyuncs.com' : `https://dts.${region}.aliyuncs.com`;
}

/**
 * The base URL requests for `region` go to: the override when one is configured (VPC endpoint, private gateway,
 * emulator), the official endpoint otherwise. Returns a normalized origin (scheme, host, port).
 */
export function resolveEndpoint(region: string, override?: string, policy?: EndpointPolicy): URL {
  const raw = override?.trim() ? override.trim() : officialEndpoint(region);
  return parseEndpoint(raw, policy);
}

export interface EndpointPolicy {
  /** Plain http:// to a host that is not loopback: signed requests in cleartext, only when the user opted in. */
  readonly allowInsecureHttp?: boolean;
}

/** `localhost`, 127.0.0.0/8 and ::1: plain http there never leaves the machine. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/^\[|\]$/g, '');
  return host === 'localhost' || host.endsWith('.localhost') || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
}

export function parseEndpoint(raw: string, policy: EndpointPolicy = {}): URL {
  // A user name or password may hold a secret with any character in it (`/`, `#`, `?`): never quote such input.
  if (raw.includes('@')) {
    throw new BadInputError(l10n.t('The endpoint must not contain a user name or password (it is not repeated here)'));
  }
  const shown = quoteUntrusted(raw);
  let url: URL;
  try {
    url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `https://${raw}`);
  } catch {
    throw new BadInputError(l10n.t('The endpoint {0} is not a URL (expected https://host[:port])', shown));
  }
  if (url.username || url.password) {
    throw new BadInputError(l10n.t('The endpoint must not contain a user name or password (it is not repeated here)'));
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new BadInputError(l10n.t('The endpoint {0} must use https:// (or http:// for a local emulator)', shown));
  }
  if ((url.pathname !== '/' && url.pathname !== '') || url.search || url.hash) {
    throw new BadInputError(l10n.t('The endpoint {0} must be a bare origin such as https://dts.aliyuncs.com', shown));
  }
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname) && !policy.allowInsecureHttp) {
    throw new BadInputError(
      l10n.t(
        'The endpoint {0} uses plain http:// to a host that is not this machine: signed requests would travel in cleartext. Use https://, or opt in with --allow-insecure-http (CLI) or dtsSync.allowInsecureEndpoint (extension)',
        quoteUntrusted(url.origin),
      ),
    );
  }
  return new URL(url.origin);
}

/** The DTS console page listing a region's synchronization jobs. */
export function consoleUrl(region: string): string {
  assertValidRegion(region);
  return `https://dtsnew.console.aliyun.com/sync/${region}`;
}
