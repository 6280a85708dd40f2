/**
 * The few parts of the `vscode` API the tree provider and the status bar use, for test/bench/tree.bench.ts only (it
 * resolves `vscode` to this file). Items are plain objects; events are counted.
 */
export class EventEmitter<T> {
  private listeners: ((value: T) => void)[] = [];
  fired = 0;
  readonly event = (listener: (value: T) => void): { dispose(): void } => {
    this.listeners.push(listener);
    return { dispose: () => (this.listeners = this.listeners.filter((l) => l !== listener)) };
  };
  fire(value: T): void {
    this.fired++;
    for (const listener of this.listeners) {
      listener(value);
    }
  }
  dispose(): void {
    this.listeners = [];
  }
}

export enum TreeItemCollapsibleState {
  None = 0,
  Collapsed = 1,
  Expanded = 2,
}

export enum StatusBarAlignment {
  Left = 1,
  Right = 2,
}

export class TreeItem {
  id?: string;
  description?: string;
  tooltip?: unknown;
  iconPath?: unknown;
  contextValue?: string;
  command?: unknown;
  constructor(
    readonly label: string,
    readonly collapsibleState: TreeItemCollapsibleState = TreeItemCollapsibleState.None,
  ) {}
}

export class MarkdownString {
  constructor(
    readonly value = '',
    readonly supportThemeIcons = false,
  ) {}
}

export class ThemeColor {
  constructor(readonly id: string) {}
}

export class ThemeIcon {
  constructor(
    readonly id: string,
    readonly color?: ThemeColor,
  ) {}
}

export interface FakeStatusBarItem {
  name?: string;
  text: string;
  tooltip?: unknown;
  command?: string;
  backgroundColor?: ThemeColor;
  accessibilityInformation?: unknown;
  updates: number;
  show(): void;
  hide(): void;
  dispose(): void;
}

export const statusBarItems: FakeStatusBarItem[] = [];

export const window = {
  createStatusBarItem(): FakeStatusBarItem {
    const item: FakeStatusBarItem = {
      text: '',
      updates: 0,
      show() {
        item.updates++;
      },
      hide() {
        item.updates++;
      },
      dispose: () => undefined,
    };
    statusBarItems.push(item);
    return item;
  },
};

export const l10n = {
  t(message: string, ...args: unknown[]): string {
    return message.replace(/\{(\d+)\}/g, (_m, i: string) => String(args[Number(i)]));
  },
};
