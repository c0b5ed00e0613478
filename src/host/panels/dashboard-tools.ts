// The dashboard's requests beyond train/stop: draw-a-digit predictions with the shown run's saved
// model (in the predictor process, kept warm while a dashboard is open) and chart exports.
import * as vscode from 'vscode';
import type { ExportRequest, PredictionMessage, PredictRequest, TrainerEvent } from '../../shared/protocol';
import { saveExportWithDialog } from './save-export';
import { PredictorClient, savedModelDir } from '../../node/processes/predictor-client';

export interface ToolRun {
  info: { live: boolean };
  /** The run folder the host opened; without it there is no model to ask and no default export folder. */
  dir?: string;
  events: readonly TrainerEvent[];
}

const NO_MODEL_LIVE = 'The model is saved when training ends; draw again then.';
const NO_MODEL = 'This run has no saved model to ask: it ended before saving one.';
/** A run's saved model comes from the workspace: it is not loaded until the workspace is trusted. */
export const RESTRICTED_PREDICT = "Restricted Mode: the run's saved model is not loaded until you trust this workspace (Manage Workspace Trust), so it cannot be asked about a drawn digit yet.";

export class DashboardTools implements vscode.Disposable {
  private readonly predictor: PredictorClient;
  private run: ToolRun | undefined;
  private viewsOpen = 0;

  private readonly trustGranted: vscode.Disposable;

  constructor(extensionUri: vscode.Uri, log: vscode.LogOutputChannel) {
    this.predictor = new PredictorClient(vscode.Uri.joinPath(extensionUri, 'dist', 'predictor.js').fsPath, (level, message) => log[level](message));
    this.trustGranted = vscode.workspace.onDidGrantWorkspaceTrust(() => this.warm());
  }

  /** The dashboard shows another run. */
  showRun(run: ToolRun | undefined): void {
    this.run = run;
    this.warm();
  }

  /** A live event of the shown run: its model is on disk once `done` arrives. */
  onEvent(event: TrainerEvent): void {
    if (event.type === 'done') this.warm(true);
  }

  /** A dashboard webview opened (+1) or closed (−1); the predictor lives while one is open. */
  viewOpened(delta: 1 | -1): void {
    this.viewsOpen = Math.max(0, this.viewsOpen + delta);
    if (this.viewsOpen === 0) this.predictor.stop();
    else this.warm();
  }

  async predict(req: PredictRequest): Promise<PredictionMessage> {
    if (!vscode.workspace.isTrusted) return { type: 'prediction', id: req.id, probabilities: [], error: RESTRICTED_PREDICT };
    const dir = this.modelDir();
    if (!dir) return { type: 'prediction', id: req.id, probabilities: [], error: this.run?.info.live && !this.ended() ? NO_MODEL_LIVE : NO_MODEL };
    const result = await this.predictor.predict(dir, req.pixels);
    return { type: 'prediction', id: req.id, ...('error' in result ? { probabilities: [], error: result.error } : result) };
  }

  /** Save dialog (beside the shown run by default), then the write; only the file the user picked. */
  async export(req: ExportRequest): Promise<void> {
    await saveExportWithDialog(req, 'MNIST: Save Chart', this.runDir() ?? vscode.workspace.workspaceFolders?.[0]?.uri.fsPath);
  }


  dispose(): void {
    this.trustGranted.dispose();
    this.predictor.dispose();
  }

  /** With a dashboard open: the process runs, and has the shown run's model loaded once it is saved. */
  private warm(reload = false): void {
    // In Restricted Mode no predictor starts: it would load a model the workspace supplied.
    if (this.viewsOpen === 0 || !this.run || !vscode.workspace.isTrusted) return;
    const dir = this.modelDir();
    if (dir) this.predictor.warm(dir, reload);
    else this.predictor.start();
  }

  /** The folder the host opened the run from; never a path read from its event log (a `done` event's runDir). */
  private runDir(): string | undefined {
    return this.run?.dir;
  }

  /** This attempt's `done` arrived: a resumed run's log also has the earlier attempts'. */
  private ended(): boolean {
    const events = this.run?.events ?? [];
    for (let i = events.length - 1; i >= 0; i--) {
      if (events[i].type === 'resume') return false;
      if (events[i].type === 'done') return true;
    }
    return false;
  }

  private modelDir(): string | null {
    return savedModelDir(this.runDir());
  }
}
