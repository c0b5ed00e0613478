// Activation: wiring only. Each piece lives in its own module.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { AugmentPreviewPanel } from './panels/augment-preview';
import { registerConfigEditing } from './config-editing';
import { Dashboard } from './panels/dashboard';
import { registerLookInside } from './panels/inside-panel';
import { installNativeBackendCommand } from './native-backend';
import { registerRunHistory } from './runs/run-commands';
import { RunStore } from '../node/runs/run-store';
import { readSettings } from './settings';
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

const CONFIG_GLOB = '**/{mnist.config.json,*.mnist.config.json}';

function isConfigFile(uri: vscode.Uri): boolean {
  const name = path.basename(uri.fsPath);
  return name === 'mnist.config.json' || name.endsWith('.mnist.config.json');
}

/** The config to train: the argument, the active editor's config, the root one, or the user's pick. */
async function resolveConfig(uri?: vscode.Uri): Promise<vscode.Uri | undefined> {
  if (uri && isConfigFile(uri)) return uri;
  const active = vscode.window.activeTextEditor?.document.uri;
  if (active && active.scheme === 'file' && isConfigFile(active)) return active;
  const found = await vscode.workspace.findFiles(CONFIG_GLOB, '**/node_modules/**', 50);
  if (found.length === 0) return undefined;
  const atRoot = found.find((f) => vscode.workspace.workspaceFolders?.some((w) => path.join(w.uri.fsPath, 'mnist.config.json') === f.fsPath));
  if (atRoot && found.length === 1) return atRoot;
  const pick = await vscode.window.showQuickPick(
    found.map((f) => ({ label: vscode.workspace.asRelativePath(f), uri: f })).sort((a, b) => a.label.localeCompare(b.label)),
    { title: 'MNIST: which config to train?' },
  );
  return pick?.uri;
}

async function train(s: TrainingSession, uri?: vscode.Uri): Promise<void> {
  if (!trusted('Training')) return;
  if (!vscode.workspace.workspaceFolders?.length) {
    void vscode.window.showWarningMessage('MNIST: open a folder first; runs are kept in the workspace.');
    return;
  }
  const config = await resolveConfig(uri);
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
  let store: RunStore;
  try {
    store = new RunStore(readSettings(folder, context.globalStorageUri).runsFolder);
  } catch (err) {
    void vscode.window.showErrorMessage(`MNIST: ${(err as Error).message}`);
    return;
  }
  const runs = store.list();
  if (runs.length === 0) {
    void vscode.window.showInformationMessage(`No runs yet in ${store.root}. Run "MNIST: Train" first.`);
    return;
  }
  const pick = await vscode.window.showQuickPick(
    runs.map((r) => ({
      label: r.info.id,
      description: [
        r.summary?.status ?? 'no summary',
        r.summary?.testAccuracy != null ? `test acc ${(r.summary.testAccuracy * 100).toFixed(2)}%` : undefined,
      ]
        .filter(Boolean)
        .join(' · '),
      detail: `${r.info.model} on ${r.info.dataset}, ${r.summary?.epochsCompleted ?? '?'}/${r.info.epochs} epochs`,
      run: r,
    })),
    { title: 'MNIST: Open Run', matchOnDescription: true, matchOnDetail: true },
  );
  if (!pick) return;
  dashboard.show({ info: pick.run.info, events: store.events(pick.run.dir), dir: pick.run.dir });
  await vscode.commands.executeCommand(`${Dashboard.viewId}.focus`);
}
