import * as vscode from 'vscode';
import type { TestApi } from '../../src/extension';
import type { Scenario } from '../emulator/scenario';

export const EXTENSION_ID = 'dts-tools.dts-sync-status';

export const KEY = { accessKeyId: 'LTAI5tIntegration0001', accessKeySecret: 'integration-secret-do-not-leak-7731' };

/** Jobs covering every row the tree draws: healthy, lagging, failed, two-way; plus one the API will not return. */
export const SCENARIO: Scenario = {
  accessKeys: [KEY],
  jobs: [
    { id: 'dtsok0000000001', region: 'cn-hangzhou', directions: [{ direction: 'Forward', status: 'Synchronizing', lagSeconds: 3 }] },
    { id: 'dtslag000000001', region: 'cn-hangzhou', directions: [{ direction: 'Forward', status: 'Synchronizing', lagSeconds: 900 }] },
    { id: 'dtsfail00000001', region: 'cn-hangzhou', directions: [{ direction: 'Forward', status: 'Failed', lagSeconds: 7200 }] },
    {
      id: 'dtstwoway000001',
      region: 'cn-hangzhou',
      directions: [
        { direction: 'Forward', status: 'Synchronizing', lagSeconds: 2 },
        { direction: 'Reverse', status: 'Synchronizing', lagSeconds: 4 },
      ],
    },
  ],
  faults: [],
};

export const JOBS = [
  { id: 'dtsok0000000001', name: 'orders' },
  'dtslag000000001',
  'dtsfail00000001',
  'dtstwoway000001',
  'dtsmissing00001',
];

export async function activateExtension(): Promise<TestApi> {
  const extension = vscode.extensions.getExtension<TestApi>(EXTENSION_ID);
  if (!extension) {
    throw new Error(`${EXTENSION_ID} is not loaded in this extension host`);
  }
  return extension.activate();
}

export async function configure(values: Record<string, unknown>): Promise<void> {
  const config = vscode.workspace.getConfiguration('dtsSync');
  for (const [key, value] of Object.entries(values)) {
    await config.update(key, value, vscode.ConfigurationTarget.Global);
  }
}

/** Polls until `check` returns a value that is not undefined/false, or fails with `what` after `timeoutMs`. */
export async function waitFor<T>(what: string, check: () => T | undefined | false, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined && value !== false) {
      return value;
    }
    if (Date.now() > deadline) {
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export interface Row {
  readonly label: string;
  readonly description: string;
  readonly icon: string;
  readonly color: string | undefined;
  readonly contextValue: string | undefined;
}

/** The tree as the user sees it: each row's label, description and icon, read through the real TreeItems. */
export function rows(api: TestApi, parent?: Parameters<TestApi['tree']['getChildren']>[0]): Row[] {
  return api.tree.getChildren(parent).map((node) => {
    const item = api.tree.getTreeItem(node);
    const icon = item.iconPath as vscode.ThemeIcon;
    return {
      label: typeof item.label === 'string' ? item.label : (item.label?.label ?? ''),
      description: String(item.description ?? ''),
      icon: icon.id,
      color: icon.color?.id,
      contextValue: item.contextValue,
    };
  });
}

export function jobNode(api: TestApi, id: string): Parameters<TestApi['tree']['getChildren']>[0] {
  const node = api.tree.getChildren().find((n) => n.kind === 'job' && n.job.id === id);
  if (!node) {
    throw new Error(`no row for ${id}`);
  }
  return node;
}
