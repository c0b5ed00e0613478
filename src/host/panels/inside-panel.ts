// MNIST: Look Inside Model: an editor panel showing, for one input digit, every layer's output of a
// finished run's saved model, its first layer's filters and where it looked. The tensor work is in
// the predictor process (its own, started with the panel and ended with it); this module only
// picks the run, relays checked messages and saves exports.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { encodeDigit } from '../../shared/digits';
import { insideDigits, runClassNames } from '../../shared/inside';
import type { ExportRequest } from '../../shared/protocol';
import { isFromInsidePanel } from '../../shared/protocol/inside-guard';
import { type FromInsideView, type InsideFollowMessage, type InsideInspectionMessage, type InsideRunMessage, type InsideTestDigitMessage, isInspection } from '../../shared/protocol/inspect';
import { TestDigits } from '../../node/data/test-digit';
import { PredictorClient, savedModelDir } from '../../node/processes/predictor-client';
import { readEvents } from '../../node/runs/run-folder';
import { listRunRecords } from '../../node/runs/run-listing';
import type { RunRecord } from '../../shared/run-record';
import { readSettings } from '../settings';
import { saveExportWithDialog } from './save-export';
import { SinglePanel } from './webview-panel';

/** The run a command argument names (a Runs view item, a run folder path), looked up among the listed runs only. */
export function runForArgument(arg: unknown, runs: readonly RunRecord[]): RunRecord | undefined {
  const dir = typeof arg === 'string' ? arg : typeof arg === 'object' && arg !== null && typeof (arg as { dir?: unknown }).dir === 'string' ? (arg as { dir: string }).dir : undefined;
  if (dir === undefined) return undefined;
  return runs.find((r) => path.resolve(r.dir) === path.resolve(dir));
}

/** Runs the panel can look inside: ended with a saved model. */
export function inspectableRuns(runs: readonly RunRecord[]): RunRecord[] {
  return runs.filter((r) => r.state === 'completed' && savedModelDir(r.dir) !== null);
}

export class InsidePanel implements vscode.Disposable {
  static readonly viewType = 'mnist.insidePanel';
  private readonly view: SinglePanel<FromInsideView | ExportRequest>;
  private message: InsideRunMessage | undefined;
  private run: RunRecord | undefined;
  private readonly predictor: PredictorClient;
  private readonly testDigits = new TestDigits();
  /** Two runs side by side: the panel beside, which follows this one's input (and it this one's). */
  private partner: InsidePanel | undefined;
  private lastInput = '';

  constructor(
    private readonly extensionUri: vscode.Uri,
    log: vscode.LogOutputChannel,
    /** The download cache (the mnist.dataCacheFolder setting as Restricted Mode allows it). */
    private readonly cacheDir: () => string,
    /** Beside for the second of two runs side by side. */
    column: vscode.ViewColumn = vscode.ViewColumn.Active,
  ) {
    this.view = new SinglePanel(extensionUri, {
      viewType: InsidePanel.viewType,
      page: { bundle: 'inside', title: 'MNIST: Look Inside Model' },
      column,
      accept: isFromInsidePanel,
      onMessage: (msg, webview) => void this.act(webview, msg),
      view: 'Look Inside Model panel',
    }, log);
    this.predictor = new PredictorClient(vscode.Uri.joinPath(extensionUri, 'dist', 'predictor.js').fsPath, (level, line) => log[level](line));
  }

  /** What the panel shows: built here so a test can read it. */
  static message(run: RunRecord, events = readEvents(run.dir)): InsideRunMessage {
    const digits = insideDigits(events);
    return {
      type: 'insideRun',
      run: { id: run.id, label: run.label, model: run.model, dataset: run.dataset, testAccuracy: run.testAccuracy },
      digits,
      classNames: runClassNames(events),
      initial: digits[0]?.index ?? null,
    };
  }

  get shownRun(): RunRecord | undefined {
    return this.run;
  }

  show(run: RunRecord): boolean {
    const dir = savedModelDir(run.dir);
    if (!dir) {
      void vscode.window.showWarningMessage(`MNIST: run ${run.id} has no saved model to look inside; it ended before saving one.`);
      return false;
    }
    this.run = run;
    this.message = InsidePanel.message(run);
    this.predictor.warm(dir);
    const existed = this.view.current !== undefined;
    const panel = this.view.open(`Inside ${run.id}`);
    // A new webview asks with `ready`; an open one gets the new run now.
    if (existed) this.view.post(this.message);
    else {
      panel.onDidDispose(() => {
        // The predictor process lives while the panel does.
        this.predictor.stop();
        InsidePanel.link(this, undefined);
      });
    }
    return true;
  }

  /** Links two panels: each input chosen in one is also looked at in the other. */
  static link(a: InsidePanel, b: InsidePanel | undefined): void {
    if (a.partner && a.partner !== b) a.partner.partner = undefined;
    a.partner = b;
    if (b) b.partner = a;
  }

  /** The panel beside chose this input: look at it here too, unless this panel just did. */
  private follow(pixels: number[], from: string): void {
    const key = pixels.join(',');
    if (!this.view.current || key === this.lastInput) return;
    this.lastInput = key;
    this.view.post({ type: 'follow', pixels, from } satisfies InsideFollowMessage);
  }

  private async act(webview: vscode.Webview, msg: FromInsideView | ExportRequest): Promise<void> {
    if (msg.type === 'ready') {
      if (this.message) void webview.postMessage(this.message);
      return;
    }
    if (msg.type === 'export') return this.export(msg);
    if (msg.type === 'testDigit') {
      void webview.postMessage(await this.testDigit(msg.index));
      return;
    }
    this.lastInput = msg.pixels.join(',');
    if (this.run) this.partner?.follow(msg.pixels, this.run.id);
    const answer = await this.inspect(msg.id, msg.pixels);
    void webview.postMessage(answer);
  }

  /** The predictor's answer for one image, checked before it reaches the panel. */
  async inspect(id: number, pixels: number[]): Promise<InsideInspectionMessage> {
    const dir = this.run ? savedModelDir(this.run.dir) : null;
    if (!dir) return { type: 'inspection', id, error: 'This run has no saved model any more.' };
    const result = await this.predictor.inspect(dir, pixels);
    if ('error' in result) return { type: 'inspection', id, error: result.error };
    if (!isInspection(result.inspection)) return { type: 'inspection', id, error: 'The predictor sent an answer the panel cannot read; see the MNIST output.' };
    return { type: 'inspection', id, inspection: result.inspection };
  }

  /** A test digit of the run's dataset by index, from disk only. */
  async testDigit(index: number): Promise<InsideTestDigitMessage> {
    const config = this.run?.config;
    if (!config) return { type: 'testDigit', index, error: 'This run’s config.json cannot be read, so its test set is unknown.' };
    const found = await this.testDigits.digit(config, {
      sampleDir: vscode.Uri.joinPath(this.extensionUri, 'dist', 'data', 'mnist-sample').fsPath,
      cacheDir: this.cacheDir(),
      followDataDir: vscode.workspace.isTrusted,
    }, index);
    if ('error' in found) return { type: 'testDigit', index, error: found.error };
    return { type: 'testDigit', index, digit: { index, label: found.label, predicted: -1, source: 'index', image: encodeDigit(found.pixels) } };
  }

  private async export(req: ExportRequest): Promise<void> {
    await saveExportWithDialog(req, 'MNIST: Save from Look Inside Model', this.run?.dir);
  }


  dispose(): void {
    this.view.dispose();
    this.predictor.dispose();
  }
}

/**
 * MNIST: Look Inside Model, from the palette (pick a finished run), the Runs view's context menu
 * (a run item) or the Dashboard (the shown run's folder). Reading a saved model writes nothing, so
 * it works in Restricted Mode, as the Dashboard's draw pad does; the runs folder is read as
 * Open Run reads it (in an untrusted workspace, from the user's settings only).
 */
export function registerLookInside(context: vscode.ExtensionContext, log: vscode.LogOutputChannel): InsidePanel {
  const cacheDir = () => {
    const folder = vscode.workspace.workspaceFolders?.[0];
    try {
      return folder ? readSettings(folder, context.globalStorageUri).dataCacheFolder : context.globalStorageUri.fsPath;
    } catch {
      return context.globalStorageUri.fsPath;
    }
  };
  const panel = new InsidePanel(context.extensionUri, log, cacheDir);
  // The second of two runs side by side (two completed runs selected in the Runs view).
  const beside = new InsidePanel(context.extensionUri, log, cacheDir, vscode.ViewColumn.Beside);
  context.subscriptions.push(panel, beside, vscode.commands.registerCommand('mnist.lookInside', (arg?: unknown, items?: unknown) => lookInside(context, [panel, beside], arg, items)));
  return panel;
}

async function lookInside(context: vscode.ExtensionContext, [panel, beside]: [InsidePanel, InsidePanel], arg?: unknown, items?: unknown): Promise<void> {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) {
    void vscode.window.showWarningMessage('MNIST: open a folder first; runs are kept in the workspace.');
    return;
  }
  let runs: RunRecord[];
  try {
    runs = listRunRecords(readSettings(folder, context.globalStorageUri).runsFolder);
  } catch (err) {
    void vscode.window.showErrorMessage(`MNIST: ${(err as Error).message}`);
    return;
  }
  const pair = Array.isArray(items) && items.length === 2 ? items.map((i) => runForArgument(i, runs)) : [];
  if (pair.length === 2 && pair.every((r) => r !== undefined && r.state === 'completed')) {
    // The same input through both models, each in its own panel and predictor, side by side.
    if (panel.show(pair[0]!) && beside.show(pair[1]!)) InsidePanel.link(panel, beside);
    return;
  }
  InsidePanel.link(panel, undefined);
  const named = runForArgument(arg, runs);
  if (named?.state === 'damaged') {
    void vscode.window.showWarningMessage(`MNIST: run ${named.id} cannot be looked inside: ${named.message ?? 'its folder cannot be read as a run'}.`);
    return;
  }
  if (named) {
    panel.show(named);
    return;
  }
  const candidates = inspectableRuns(runs);
  if (candidates.length === 0) {
    void vscode.window.showInformationMessage('MNIST: no finished run with a saved model yet. Run "MNIST: Train" first.');
    return;
  }
  const pick = await vscode.window.showQuickPick(
    candidates.map((r) => ({
      label: r.label,
      description: [r.label === r.id ? undefined : r.id, r.testAccuracy != null ? `test acc ${(r.testAccuracy * 100).toFixed(2)}%` : undefined].filter(Boolean).join(' · ') || undefined,
      detail: `${r.model} on ${r.dataset}`,
      run: r,
    })),
    { title: 'MNIST: Look Inside Model — pick a finished run', matchOnDescription: true, matchOnDetail: true },
  );
  if (pick) panel.show(pick.run);
}
