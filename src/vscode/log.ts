import * as vscode from 'vscode';
import type { Log } from '../core/log';
import { safeText } from '../core/safeText';

/**
 * The extension's one log: a LogOutputChannel, so levels and timestamps come from VS Code. Every line is one line of
 * plain text with no key material, whatever part of it came from outside: no forged lines, no escape sequences.
 */
export class ExtensionLog implements Log, vscode.Disposable {
  readonly channel: vscode.LogOutputChannel;

  constructor() {
    this.channel = vscode.window.createOutputChannel('DTS Sync Status', { log: true });
  }

  info(message: string): void {
    this.channel.info(safeText(message));
  }

  warn(message: string): void {
    this.channel.warn(safeText(message));
  }

  error(message: string): void {
    this.channel.error(safeText(message));
  }

  trace(message: string): void {
    this.channel.trace(safeText(message));
  }

  show(): void {
    this.channel.show(true);
  }

  dispose(): void {
    this.channel.dispose();
  }
}
