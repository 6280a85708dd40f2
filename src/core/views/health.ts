import * as l10n from '@vscode/l10n';
import { statusKey, type Health } from '../model';

/** A codicon and a theme colour id: what the adapters turn into ThemeIcon + ThemeColor. */
export interface IconSpec {
  readonly id: string;
  readonly color?: string;
}

const HEALTH_ICONS: Readonly<Record<Health, IconSpec>> = {
  ok: { id: 'pass', color: 'testing.iconPassed' },
  pending: { id: 'sync~spin', color: 'charts.blue' },
  warning: { id: 'warning', color: 'charts.yellow' },
  error: { id: 'error', color: 'testing.iconFailed' },
  finished: { id: 'check-all', color: 'charts.green' },
  unknown: { id: 'question', color: 'charts.purple' },
};

/** The icon of a job asked for and not returned: a wrong ID or region. */
export const NOT_FOUND_ICON: IconSpec = { id: 'circle-slash', color: 'charts.yellow' };

/** The icon of a health; a paused direction shows a pause sign rather than a generic warning. */
export function healthIcon(health: Health, status?: string): IconSpec {
  if (health === 'warning' && status !== undefined && statusKey(status) === 'suspending') {
    return { id: 'debug-pause', color: 'charts.yellow' };
  }
  return HEALTH_ICONS[health];
}

/** Functions, so the words are in the language configured when they are shown. */
const HEALTH_WORDS: Readonly<Record<Health, () => string>> = {
  ok: () => l10n.t('Healthy'),
  pending: () => l10n.t('Starting or changing'),
  warning: () => l10n.t('Needs attention'),
  // Not the status word: a precheck or initialization failure is also this health.
  error: () => l10n.t({ message: 'Failed', comment: ['health of a job or direction whose status is any failure'] }),
  finished: () => l10n.t('Finished'),
  unknown: () => l10n.t('Unknown status'),
};

export function healthWords(health: Health): string {
  return HEALTH_WORDS[health]();
}

/** The icon legend the README shows, generated from the same table so the two cannot drift. */
export function iconLegend(): { health: Health; icon: IconSpec; words: string }[] {
  return (Object.keys(HEALTH_ICONS) as Health[]).map((health) => ({ health, icon: HEALTH_ICONS[health], words: healthWords(health) }));
}
