// Activation: wiring only. Each piece lives in its own module.
import * as vscode from 'vscode';
import { AugmentPreviewPanel } from './panels/augment-preview';
import { registerConfigEditing } from './config-editing';
import { registerFindingsDiagnostics } from './config-editing/findings-diagnostics';
import { Dashboard } from './panels/dashboard';
import { registerLookInside } from './panels/inside-panel';
import { installNativeBackendCommand } from './native-backend';
import { registerRunHistory } from './runs/run-commands';
import { readEvents } from '../node/runs/run-folder';
import { resolveConfig } from './session/resolve-config';
import { listRunRecords, runInfo } from '../node/runs/run-listing';
import { readSettings } from './settings';
import { registerRevealDashboard } from './session/reveal-dashboard';
import { createStatusBar } from './session/status-bar';
import { trusted } from './trust';
import { TrainingSession } from './session/training-session';

let session: TrainingSession | undefined;
/** Owns the predictor process, which deactivate ends too. */
let activeDashboard: Dashboard | undefined;

export function activate(context: vscode.ExtensionContext): void {
  const log = vscode.window.createOutputChannel('MNIST', { log: true });
  session = new TrainingSession(context, log);
  const s = session;
  const dashboard = new Dashboard(context.extensionUri, s, {
    train: () => void vscode.commands.executeCommand('mnist.train'),
    stop: () => s.stop(),
    openRun: () => void vscode.commands.executeCommand('mnist.openRun'),
    createConfig: () => void vscode.commands.executeCommand('mnist.createConfig'),
    lookInside: (runDir) => void vscode.commands.executeCommand('mnist.lookInside', runDir),
  }, log);
  activeDashboard = dashboard;

  context.subscriptions.push(
    log,
    s,
    dashboard,
    vscode.window.registerWebviewViewProvider(Dashboard.viewId, dashboard),
    createStatusBar(s),
    registerRevealDashboard(s, Dashboard.viewId, log),
    vscode.commands.registerCommand('mnist.train', (uri?: vscode.Uri) => train(s, uri)),
    vscode.commands.registerCommand('mnist.stop', () => {
      if (!s.running) void vscode.window.showInformationMessage('MNIST: no run is training.');
      s.stop();
    }),
    vscode.commands.registerCommand('mnist.showPanel', () => dashboard.showPanel()),
    vscode.commands.registerCommand('mnist.openRun', () => openRun(context, dashboard)),
    vscode.commands.registerCommand('mnist.installNativeBackend', () => installNativeBackendCommand(context, log)),
  );
  const augmentPreview = new AugmentPreviewPanel(context, log);
  context.subscriptions.push(augmentPreview, vscode.commands.registerCommand('mnist.previewAugmentation', (uri?: vscode.Uri) => augmentPreview.show(uri)));
  registerConfigEditing(context, s);
  registerFindingsDiagnostics(context, s.onDidEndRun);
  registerRunHistory(context, s, dashboard, log);
  registerLookInside(context, log);
}

/** Window closing: no trainer or predictor process outlives the extension host. */
export async function deactivate(): Promise<void> {
  const s = session;
  session = undefined;
  activeDashboard?.dispose();
  activeDashboard = undefined;
  await s?.shutdown();
  s?.dispose();
}

async function train(s: TrainingSession, uri?: vscode.Uri): Promise<void> {
  if (!trusted('Training')) return;
  if (!vscode.workspace.workspaceFolders?.length) {
    void vscode.window.showWarningMessage('MNIST: open a folder first; runs are kept in the workspace.');
    return;
  }
  const config = await resolveConfig(uri, s.globalStorageUri, 'MNIST: which config to train?');
  if (!config) {
    const choice = await vscode.window.showInformationMessage(
      "There is no mnist.config.json in this workspace. Create one with the tutorial's model?",
      'Create and Train',
      'Create Config',
    );
    if (!choice) return;
    const created = await vscode.commands.executeCommand<vscode.Uri | undefined>('mnist.createConfig');
    if (created && choice === 'Create and Train') await s.start(created);
    return;
  }
  await s.start(config);
}

async function openRun(context: vscode.ExtensionContext, dashboard: Dashboard): Promise<void> {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) {
    void vscode.window.showWarningMessage('MNIST: open a folder first; runs are kept in the workspace.');
    return;
  }
  let runsFolder: string;
  try {
    runsFolder = readSettings(folder, context.globalStorageUri).runsFolder;
  } catch (err) {
    void vscode.window.showErrorMessage(`MNIST: ${(err as Error).message}`);
    return;
  }
  const runs = listRunRecords(runsFolder);
  if (runs.length === 0) {
    void vscode.window.showInformationMessage(`No runs yet in ${runsFolder}. Run "MNIST: Train" first.`);
    return;
  }
  const pick = await vscode.window.showQuickPick(
    runs.map((r) => ({
      label: r.id,
      description: [r.state === 'damaged' ? `damaged: ${r.message ?? ''}` : r.state, r.testAccuracy != null ? `test acc ${(r.testAccuracy * 100).toFixed(2)}%` : undefined]
        .filter(Boolean)
        .join(' · '),
      detail: `${r.model} on ${r.dataset}, ${r.epochsCompleted}/${r.epochs ?? '?'} epochs`,
      run: r,
    })),
    { title: 'MNIST: Open Run', matchOnDescription: true, matchOnDetail: true },
  );
  if (!pick) return;
  dashboard.show({ info: runInfo(pick.run.dir, pick.run.config, false), events: readEvents(pick.run.dir), dir: pick.run.dir });
  await vscode.commands.executeCommand(`${Dashboard.viewId}.focus`);
}
