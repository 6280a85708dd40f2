import * as vscode from 'vscode';
import type { Log } from '../core/refresher';

/** The extension's one log: a LogOutputChannel, so levels and timestamps come from VS Code. */
export class ExtensionLog implements Log, vscode.Disposable {
  readonly channel: vscode.LogOutputChannel;

  constructor() {
    this.channel = vscode.window.createOutputChannel('DTS Sync Status', { log: true });
  }

  info(message: string): void {
    this.channel.info(message);
  }

  warn(message: string): void {
    this.channel.warn(message);
  }

  error(message: string): void {
    this.channel.error(message);
  }

  show(): void {
    this.channel.show(true);
  }

  dispose(): void {
    this.channel.dispose();
  }
}
