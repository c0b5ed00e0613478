// The Dashboard: the sidebar webview view and the optional editor panel, one controller for both.
// Each webview says `ready`; the controller answers with the shown run and its events so far, then
// streams the live ones. The view keeps no state the event log lacks.
import * as vscode from 'vscode';
import { type FromWebview, type RunInfo, type ToWebview, type TrainerEvent, isFromWebview } from '../../shared/protocol';
import { DashboardTools } from './dashboard-tools';
import type { TrainingSession } from '../session/training-session';
import { loadPage, openWebviewPanel, receiveMessages } from './webview-panel';
import { postToWebview } from './post';

export interface ShownRun {
  info: RunInfo;
  events: TrainerEvent[];
  /** The run folder, where its model is saved (draw-a-digit, chart exports). */
  dir?: string;
}

export interface DashboardActions {
  train(): void;
  stop(): void;
  openRun(): void;
  createConfig(): void;
  /** MNIST: Look Inside Model for this run folder. */
  lookInside?(runDir: string | undefined): void;
}

export class Dashboard implements vscode.WebviewViewProvider, vscode.Disposable {
  static readonly viewId = 'mnist.trainingView';
  private readonly webviews = new Set<vscode.Webview>();
  private shown: ShownRun | undefined;
  private panel: vscode.WebviewPanel | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly tools: DashboardTools;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly session: TrainingSession,
    private readonly actions: DashboardActions,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.tools = new DashboardTools(extensionUri, log);
    this.disposables.push(
      this.tools,
      session.onDidStartRun((run) => this.show({ info: run.info, events: run.events, dir: run.dir })),
      session.onDidEvent(({ run, event }) => {
        if (this.shown?.info.id !== run.info.id) return;
        this.post({ type: 'events', runId: run.info.id, events: [event] });
        this.tools.onEvent(event);
      }),
      session.onDidChange(() => this.post({ type: 'session', state: session.state })),
    );
  }

  /** Shows a run (live or from disk) in every open dashboard. */
  show(run: ShownRun): void {
    this.shown = run;
    this.tools.showRun(run);
    for (const w of this.webviews) this.replay(w);
  }

  resolveWebviewView(view: vscode.WebviewView): void {
    this.attach(view.webview, view.onDidDispose);
  }

  /** MNIST: Show Training Panel: the same dashboard in an editor tab beside the code. */
  showPanel(): void {
    if (this.panel) {
      this.panel.reveal(vscode.ViewColumn.Beside);
      return;
    }
    this.panel = openWebviewPanel(this.extensionUri, 'mnist.trainingPanel', 'MNIST Training', vscode.ViewColumn.Beside);
    this.attach(this.panel.webview, this.panel.onDidDispose);
    this.panel.onDidDispose(() => (this.panel = undefined));
  }

  private attach(webview: vscode.Webview, onDidDispose: vscode.Event<void>): void {
    loadPage(webview, this.extensionUri, { bundle: 'webview', title: 'MNIST Training' });
    this.webviews.add(webview);
    this.tools.viewOpened(1);
    const sub = receiveMessages(webview, isFromWebview, (msg) => this.act(webview, msg), this.log, 'dashboard');
    onDidDispose(() => {
      this.webviews.delete(webview);
      this.tools.viewOpened(-1);
      sub.dispose();
    });
  }

  private act(webview: vscode.Webview, msg: FromWebview): void {
    switch (msg.type) {
      case 'ready':
        this.replay(webview);
        break;
      case 'train':
        this.actions.train();
        break;
      case 'stop':
        this.actions.stop();
        break;
      case 'openRun':
        this.actions.openRun();
        break;
      case 'createConfig':
        this.actions.createConfig();
        break;
      case 'lookInside':
        this.actions.lookInside?.(this.shown?.dir);
        break;
      case 'predict':
        void this.tools.predict(msg).then((answer) => postToWebview(webview, answer), (err: unknown) => this.log.warn(`Prediction failed: ${String(err)}`));
        break;
      case 'export':
        void this.tools.export(msg);
        break;
    }
  }

  private replay(webview: vscode.Webview): void {
    const send = (m: ToWebview) => postToWebview(webview, m);
    send({ type: 'session', state: this.session.state });
    send({ type: 'showRun', run: this.shown?.info ?? null });
    if (this.shown) send({ type: 'events', runId: this.shown.info.id, events: this.shown.events });
  }

  private post(m: ToWebview): void {
    for (const w of this.webviews) postToWebview(w, m);
  }

  dispose(): void {
    this.panel?.dispose();
    for (const d of this.disposables) d.dispose();
  }
}
