import * as l10n from '@vscode/l10n';
import { quoteUntrusted } from './safeText';

/** DTS's documented public regions, offered when adding a job (all in the SDK's endpoint map); any well-formed ID still works. */
export const KNOWN_REGIONS: readonly string[] = [
  'cn-hangzhou', 'cn-shanghai', 'cn-qingdao', 'cn-beijing', 'cn-zhangjiakou', 'cn-huhehaote', 'cn-wulanchabu',
  'cn-shenzhen', 'cn-heyuan', 'cn-guangzhou', 'cn-chengdu', 'cn-hongkong', 'ap-northeast-1', 'ap-northeast-2',
  'ap-southeast-1', 'ap-southeast-2', 'ap-southeast-3', 'ap-southeast-5', 'ap-southeast-6', 'ap-southeast-7',
  'ap-south-1', 'us-west-1', 'us-east-1', 'eu-west-1', 'eu-central-1', 'me-east-1', 'me-central-1',
];

/** `cn-hangzhou`, `ap-southeast-1`, `cn-shanghai-finance-1`: the shape of every Alibaba Cloud region ID. */
export const REGION_PATTERN = /^[a-z]{2,}(-[a-z0-9]+){1,4}$/;

export function isValidRegion(region: string): boolean {
  return REGION_PATTERN.test(region);
}

/** Why a text is not a region ID, or undefined when it is one. */
export function regionProblem(region: string): string | undefined {
  return isValidRegion(region) ? undefined : l10n.t('{0} is not a region ID (expected something like cn-hangzhou)', quoteUntrusted(region));
}
