// ▶ Train above a config; ■ Stop and the progress while a run is going; ▶ Train again and how it ended after.
import * as vscode from 'vscode';
import { LastRun, type RunLifecycle } from '../session/last-run';
import { lensItems, type TrainingState } from './lenses';

/** What the CodeLens needs from the lead's training session (TrainingSession has this shape). */
export interface TrainingStatus extends TrainingState, RunLifecycle {
  /** Fires when running, state or progress change. */
  readonly onDidChange: vscode.Event<void>;
}

export class ConfigCodeLens implements vscode.CodeLensProvider, vscode.Disposable {
  readonly onDidChangeCodeLenses: vscode.Event<void>;
  private readonly last: LastRun;
  private readonly changed = new vscode.EventEmitter<void>();
  private readonly subscriptions: vscode.Disposable[];

  constructor(private readonly status: TrainingStatus) {
    this.last = new LastRun(status);
    this.onDidChangeCodeLenses = this.changed.event;
    this.subscriptions = [this.last, this.changed, status.onDidChange(() => this.changed.fire()), this.last.onDidChange(() => this.changed.fire())];
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
  }

  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    const top = new vscode.Range(0, 0, 0, 0);
    return lensItems(this.status, this.last.current).map(
      (item) =>
        new vscode.CodeLens(top, {
          title: item.title,
          command: item.command,
          tooltip: item.tooltip,
          arguments: item.withConfig ? [document.uri] : undefined,
        }),
    );
  }
}
