// ▶ Train above a config; ■ Stop and the progress while a run is going.
import * as vscode from 'vscode';
import { lensItems, type TrainingState } from './lenses';

/** What the CodeLens needs from the lead's training session (TrainingSession has this shape). */
export interface TrainingStatus extends TrainingState {
  /** Fires when running, state or progress change. */
  readonly onDidChange: vscode.Event<void>;
}

export class ConfigCodeLens implements vscode.CodeLensProvider {
  readonly onDidChangeCodeLenses: vscode.Event<void>;

  constructor(private readonly status: TrainingStatus) {
    this.onDidChangeCodeLenses = status.onDidChange;
  }

  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    const top = new vscode.Range(0, 0, 0, 0);
    return lensItems(this.status).map(
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
