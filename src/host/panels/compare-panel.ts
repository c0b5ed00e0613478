// Compare Runs: an editor panel overlaying the chosen runs' validation curves above a table of
// the config values that differ and the results. One panel; comparing again replaces its runs.
import * as vscode from 'vscode';
import { compareCurves, compareTable } from '../../shared/compare';
import { type CompareDataMessage, type FromCompareView, isFromCompareView } from '../../shared/protocol';
import type { RunRecord } from '../../shared/run-record';
import { describeMessage } from './webview-messages';
import { SinglePanel, type Warn } from './webview-panel';
import { postToWebview } from './post';

export class ComparePanel implements vscode.Disposable {
  static readonly viewType = 'mnist.comparePanel';
  private readonly panel: SinglePanel<FromCompareView>;
  private runs: RunRecord[] = [];

  constructor(
    extensionUri: vscode.Uri,
    private readonly openRun: (run: RunRecord) => void,
    log: vscode.LogOutputChannel,
  ) {
    this.panel = new SinglePanel(extensionUri, {
      viewType: ComparePanel.viewType,
      page: { bundle: 'compare', title: 'MNIST: Compare Runs' },
      column: vscode.ViewColumn.Active,
      accept: isFromCompareView,
      onMessage: (msg, webview, warn) => this.onMessage(msg, webview, warn),
      view: 'compare view',
    }, log);
  }

  /** What the panel sends its webview: built here so a test can read it. */
  static message(runs: readonly RunRecord[]): CompareDataMessage {
    return { type: 'compare', table: compareTable(runs), curves: compareCurves(runs) };
  }

  get shownRuns(): readonly RunRecord[] {
    return this.runs;
  }

  show(runs: RunRecord[]): void {
    this.runs = runs;
    const existed = this.panel.current !== undefined;
    this.panel.open(`Compare ${runs.length} Runs`);
    // A new webview asks with `ready`; an open one gets the new runs now.
    if (existed) this.panel.post(ComparePanel.message(runs));
  }

  private onMessage(msg: FromCompareView, webview: vscode.Webview, warn: Warn): void {
    if (msg.type === 'ready') {
      postToWebview(webview, ComparePanel.message(this.runs));
      return;
    }
    // Only a run this panel shows: the id is looked up, never joined into a path.
    const run = this.runs.find((r) => r.id === msg.id);
    if (run) this.openRun(run);
    else warn(`Ignored a request from the compare view to open a run it does not show: ${describeMessage(msg.id)}`);
  }

  dispose(): void {
    this.panel.dispose();
  }
}
