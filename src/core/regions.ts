import * as l10n from '@vscode/l10n';
import { quoteUntrusted } from './safeText';

/**
 * DTS's documented public regions with the names the Alibaba Cloud console gives them, in the console's order (all in
 * the SDK's endpoint map; a test checks it). Offered wherever a region is asked for; any well-formed ID still works.
 * The names are functions so that they are translated in the locale the caller runs in.
 */
const REGION_NAMES: ReadonlyMap<string, () => string> = new Map<string, () => string>([
  ['cn-hangzhou', () => l10n.t('China (Hangzhou)')],
  ['cn-shanghai', () => l10n.t('China (Shanghai)')],
  ['cn-qingdao', () => l10n.t('China (Qingdao)')],
  ['cn-beijing', () => l10n.t('China (Beijing)')],
  ['cn-zhangjiakou', () => l10n.t('China (Zhangjiakou)')],
  ['cn-huhehaote', () => l10n.t('China (Hohhot)')],
  ['cn-wulanchabu', () => l10n.t('China (Ulanqab)')],
  ['cn-shenzhen', () => l10n.t('China (Shenzhen)')],
  ['cn-heyuan', () => l10n.t('China (Heyuan)')],
  ['cn-guangzhou', () => l10n.t('China (Guangzhou)')],
  ['cn-chengdu', () => l10n.t('China (Chengdu)')],
  ['cn-hongkong', () => l10n.t('China (Hong Kong)')],
  ['ap-northeast-1', () => l10n.t('Japan (Tokyo)')],
  ['ap-northeast-2', () => l10n.t('South Korea (Seoul)')],
  ['ap-southeast-1', () => l10n.t('Singapore')],
  ['ap-southeast-2', () => l10n.t('Australia (Sydney)')],
  ['ap-southeast-3', () => l10n.t('Malaysia (Kuala Lumpur)')],
  ['ap-southeast-5', () => l10n.t('Indonesia (Jakarta)')],
  ['ap-southeast-6', () => l10n.t('Philippines (Manila)')],
  ['ap-southeast-7', () => l10n.t('Thailand (Bangkok)')],
  ['ap-south-1', () => l10n.t('India (Mumbai)')],
  ['us-west-1', () => l10n.t('US (Silicon Valley)')],
  ['us-east-1', () => l10n.t('US (Virginia)')],
  ['eu-west-1', () => l10n.t('UK (London)')],
  ['eu-central-1', () => l10n.t('Germany (Frankfurt)')],
  ['me-east-1', () => l10n.t('UAE (Dubai)')],
  ['me-central-1', () => l10n.t('Saudi Arabia (Riyadh)')],
]);

export const KNOWN_REGIONS: readonly string[] = [...REGION_NAMES.keys()];

/** The region's name in the current locale ("China (Hangzhou)"), or undefined for a region DTS does not document. */
export function regionName(region: string): string | undefined {
  return REGION_NAMES.get(region)?.();
}

export interface RegionChoice {
  readonly id: string;
  /** Undefined for a region in use that is not in the documented list (a private or new region). */
  readonly name: string | undefined;
  readonly inUse: boolean;
}

/**
 * The regions to offer: those in use first (in the order given, e.g. the default region then the jobs' regions),
 * then every other documented region in the console's order. Each once; malformed IDs in use are left out.
 */
export function regionChoices(inUse: Iterable<string>): RegionChoice[] {
  const choices: RegionChoice[] = [];
  const seen = new Set<string>();
  for (const id of inUse) {
    if (!seen.has(id) && isValidRegion(id)) {
      seen.add(id);
      choices.push({ id, name: regionName(id), inUse: true });
    }
  }
  for (const id of KNOWN_REGIONS) {
    if (!seen.has(id)) {
      choices.push({ id, name: regionName(id), inUse: false });
    }
  }
  return choices;
}

/** `cn-hangzhou`, `ap-southeast-1`, `cn-shanghai-finance-1`: the shape of every Alibaba Cloud region ID. */
export const REGION_PATTERN = /^[a-z]{2,}(-[a-z0-9]+){1,4}$/;

export function isValidRegion(region: string): boolean {
  return REGION_PATTERN.test(region);
}

/** Why a text is not a region ID, or undefined when it is one. */
export function regionProblem(region: string): string | undefined {
  return isValidRegion(region) ? undefined : l10n.t('{0} is not a region ID (expected something like cn-hangzhou)', quoteUntrusted(region));
}
