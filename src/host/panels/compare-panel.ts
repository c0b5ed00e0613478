// Compare Runs: an editor panel overlaying the chosen runs' validation curves above a table of
// the config values that differ and the results. One panel; comparing again replaces its runs.
import * as vscode from 'vscode';
import { compareCurves, compareTable } from '../../shared/compare';
import { type CompareDataMessage, isFromCompareView } from '../../shared/protocol';
import type { RunRecord } from '../../shared/run-record';
import { makeNonce, renderWebviewHtml } from './webview-html';
import { LogLimiter, describeMessage, handleWebviewMessage } from './webview-messages';

export class ComparePanel implements vscode.Disposable {
  static readonly viewType = 'mnist.comparePanel';
  private panel: vscode.WebviewPanel | undefined;
  private runs: RunRecord[] = [];

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly openRun: (run: RunRecord) => void,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  /** What the panel sends its webview: built here so a test can read it. */
  static message(runs: readonly RunRecord[]): CompareDataMessage {
    return { type: 'compare', table: compareTable(runs), curves: compareCurves(runs) };
  }

  get shownRuns(): readonly RunRecord[] {
    return this.runs;
  }

  show(runs: RunRecord[]): void {
    this.runs = runs;
    const title = `Compare ${runs.length} Runs`;
    if (this.panel) {
      this.panel.title = title;
      this.panel.reveal(vscode.ViewColumn.Active);
      void this.panel.webview.postMessage(ComparePanel.message(runs));
      return;
    }
    const dist = vscode.Uri.joinPath(this.extensionUri, 'dist');
    const panel = vscode.window.createWebviewPanel(ComparePanel.viewType, title, vscode.ViewColumn.Active, {
      enableScripts: true,
      retainContextWhenHidden: false,
      localResourceRoots: [dist],
    });
    this.panel = panel;
    panel.iconPath = vscode.Uri.joinPath(this.extensionUri, 'media', 'mnist.svg');
    panel.webview.html = renderWebviewHtml({
      cspSource: panel.webview.cspSource,
      scriptUri: panel.webview.asWebviewUri(vscode.Uri.joinPath(dist, 'compare.js')).toString(),
      styleUri: panel.webview.asWebviewUri(vscode.Uri.joinPath(dist, 'compare.css')).toString(),
      nonce: makeNonce(),
      title: 'MNIST: Compare Runs',
    });
    const limiter = new LogLimiter();
    const warn = (line: string) => {
      const pass = limiter.pass(line);
      if (pass) this.log.warn(pass);
    };
    const sub = panel.webview.onDidReceiveMessage((m: unknown) =>
      handleWebviewMessage(m, isFromCompareView, (msg) => {
        if (msg.type === 'ready') void panel.webview.postMessage(ComparePanel.message(this.runs));
        else {
          // Only a run this panel shows: the id is looked up, never joined into a path.
          const run = this.runs.find((r) => r.id === msg.id);
          if (run) this.openRun(run);
          else warn(`Ignored a request from the compare view to open a run it does not show: ${describeMessage(msg.id)}`);
        }
      }, warn, 'compare view'),
    );
    panel.onDidDispose(() => {
      sub.dispose();
      this.panel = undefined;
    });
  }

  dispose(): void {
    this.panel?.dispose();
  }
}
