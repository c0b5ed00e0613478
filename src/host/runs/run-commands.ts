// Run history in the extension: the Runs view and its commands, registered in one call from activate().
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { RunRecord } from '../../shared/run-record';
import { RUN_FILES, readEvents } from '../../node/runs/run-folder';
import { runInfo, updateRunMeta } from '../../node/runs/run-listing';
import { runningRunDir } from '../../node/runs/run-lock';
import { ComparePanel } from '../panels/compare-panel';
import type { Dashboard } from '../panels/dashboard';
import { RUNS_VIEW_ID, RunsTreeProvider } from './runs-view';
import { readSettings } from '../settings';
import { trusted } from '../trust';
import { SweepRunner } from '../sweeps/sweep-runner';
import type { TrainingSession } from '../session/training-session';
import { reproduceRun, resumeRunCommand, trainAgain } from './train-from-run';
import { runSweep, writeReportCommand } from './report-commands';

const RELOAD_DELAY_MS = 400;
const RESTRICTED_VIEW_MESSAGE = 'Restricted Mode: runs are shown, but training, sweeps and reports wait until you trust this workspace.';

/** What the run-history commands share. */
export interface RunHistoryContext {
  context: vscode.ExtensionContext;
  session: TrainingSession;
  dashboard: Dashboard;
  log: vscode.LogOutputChannel;
  provider: RunsTreeProvider;
  view: vscode.TreeView<RunRecord>;
  compare: ComparePanel;
  sweeps: SweepRunner;
}

function runsFolderOf(context: vscode.ExtensionContext, log?: vscode.LogOutputChannel): string | undefined {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) return undefined;
  try {
    return readSettings(folder, context.globalStorageUri).runsFolder;
  } catch (err) {
    log?.error((err as Error).message);
    void vscode.window.showErrorMessage(`MNIST: ${(err as Error).message}`);
    return undefined;
  }
}

/** The runs a command acts on: the clicked run with the selection, else the selection, else a pick. */
export async function targetRuns(
  h: RunHistoryContext,
  item: unknown,
  items: unknown,
  pick: { title: string; many: boolean; filter?: (r: RunRecord) => boolean },
): Promise<RunRecord[]> {
  const isRun = (x: unknown): x is RunRecord => typeof x === 'object' && x !== null && typeof (x as RunRecord).dir === 'string';
  const fresh = (r: RunRecord) => h.provider.find(r.dir) ?? r;
  if (Array.isArray(items) && items.filter(isRun).length > 0) {
    const list = items.filter(isRun).map(fresh);
    // A right-click on a run outside the selection acts on that run alone, as in the explorer.
    if (!isRun(item)) return list;
    return list.some((r) => r.dir === item.dir) ? [fresh(item), ...list.filter((r) => r.dir !== item.dir)] : [fresh(item)];
  }
  if (isRun(item)) return [fresh(item)];
  if (h.view.selection.length > 0) return h.view.selection.map(fresh);
  const candidates = h.provider.runs().filter(pick.filter ?? (() => true));
  if (candidates.length === 0) {
    void vscode.window.showInformationMessage(`MNIST: no runs in ${h.provider.runsFolder || 'the runs folder'} yet. Run "MNIST: Train" first.`);
    return [];
  }
  const entries = candidates.map((r) => ({ label: r.label, description: r.label === r.id ? undefined : r.id, detail: r.model + ' on ' + r.dataset, run: r }));
  if (pick.many) {
    const chosen = await vscode.window.showQuickPick(entries, { title: pick.title, canPickMany: true, matchOnDescription: true });
    return chosen?.map((c) => c.run) ?? [];
  }
  const chosen = await vscode.window.showQuickPick(entries, { title: pick.title, matchOnDescription: true });
  return chosen ? [chosen.run] : [];
}

/** Shows a run in the Dashboard: the live one with its events so far, an old one from its event log. */
export async function openRunInDashboard(h: RunHistoryContext, r: RunRecord): Promise<void> {
  const live = h.session.liveRun;
  if (live && live.dir === r.dir) h.dashboard.show({ info: live.info, events: live.events, dir: live.dir });
  else h.dashboard.show({ info: runInfo(r.dir, r.config, false), events: readEvents(r.dir), dir: r.dir });
  await vscode.commands.executeCommand('mnist.trainingView.focus');
}

async function rename(h: RunHistoryContext, r: RunRecord): Promise<void> {
  if (!trusted('Rename Run')) return;
  const value = await vscode.window.showInputBox({
    title: 'Rename Run',
    value: r.meta.name ?? r.label,
    prompt: `A name for ${r.id} (the folder keeps its name). Empty goes back to the folder name.`,
    validateInput: (v) => (v.length > 200 ? 'Keep it under 200 characters.' : undefined),
  });
  if (value === undefined) return;
  try {
    updateRunMeta(r.dir, { name: value.trim() || undefined });
  } catch (err) {
    void vscode.window.showErrorMessage(`MNIST: cannot rename ${r.id}: ${(err as Error).message}`);
  }
  h.provider.reload();
}

async function remove(h: RunHistoryContext, runs: RunRecord[]): Promise<void> {
  const liveDir = h.session.running ? h.session.liveRun?.dir : undefined;
  // The lock, read now: a run another window or mnist-train started since the list was read counts too.
  const lockedDir = runningRunDir(h.provider.runsFolder);
  const busy = runs.filter((r) => r.dir === liveDir || r.dir === lockedDir || r.state === 'running');
  if (busy.length > 0) {
    void vscode.window.showWarningMessage(`MNIST: "${busy[0].label}" is still training; stop it before deleting it.`);
    return;
  }
  if (runs.length === 0) return;
  const what = runs.length === 1 ? `run "${runs[0].label}"` : `${runs.length} runs`;
  const choice = await vscode.window.showWarningMessage(
    `Delete ${what}?`,
    { modal: true, detail: `Its folder (config, event log, model, summary) is moved to the trash:\n${runs.map((r) => r.dir).join('\n')}` },
    'Move to Trash',
  );
  if (choice !== 'Move to Trash') return;
  let permanently: boolean | undefined;
  for (const r of runs) {
    const uri = vscode.Uri.file(r.dir);
    try {
      await vscode.workspace.fs.delete(uri, { recursive: true, useTrash: true });
      continue;
    } catch (err) {
      h.log.warn(`Moving ${r.dir} to the trash failed: ${(err as Error).message}`);
    }
    if (permanently === undefined) {
      permanently =
        (await vscode.window.showWarningMessage(
          'The trash is not available here. Delete permanently?',
          { modal: true, detail: 'Deleted run folders cannot be restored.' },
          'Delete Permanently',
        )) === 'Delete Permanently';
    }
    if (!permanently) break;
    try {
      await vscode.workspace.fs.delete(uri, { recursive: true, useTrash: false });
    } catch (err) {
      void vscode.window.showErrorMessage(`MNIST: cannot delete ${r.dir}: ${(err as Error).message}`);
    }
  }
  h.provider.reload();
}

async function compareRuns(h: RunHistoryContext, picked: RunRecord[]): Promise<void> {
  let runs = picked;
  if (runs.length < 2) {
    runs = await targetRuns(h, undefined, undefined, { title: 'MNIST: Compare Runs — pick two or more', many: true });
    if (runs.length < 2) {
      if (runs.length === 1) void vscode.window.showInformationMessage('MNIST: pick two or more runs to compare (Ctrl/Cmd-click in the Runs view).');
      return;
    }
  }
  h.compare.show(runs);
}

async function compareConfigs(h: RunHistoryContext, picked: RunRecord[]): Promise<void> {
  const a = picked[0];
  let b: RunRecord | undefined = picked[1];
  if (!b) {
    const others = h.provider.runs().filter((r) => r.dir !== a.dir);
    const chosen = await vscode.window.showQuickPick(
      others.map((r) => ({ label: r.label, description: r.label === r.id ? undefined : r.id, detail: `${r.model} on ${r.dataset}`, run: r })),
      { title: `MNIST: compare the config of ${a.label} with…` },
    );
    if (!chosen) return;
    b = chosen.run;
  }
  if (picked.length > 2) void vscode.window.showInformationMessage(`MNIST: Compare Configs shows two runs; showing ${a.label} and ${b.label}.`);
  // Older runs first, so the diff reads as "what changed".
  const [left, right] = (a.startedAt ?? 0) <= (b.startedAt ?? 0) ? [a, b] : [b, a];
  await vscode.commands.executeCommand(
    'vscode.diff',
    vscode.Uri.file(path.join(left.dir, RUN_FILES.config)),
    vscode.Uri.file(path.join(right.dir, RUN_FILES.config)),
    `${left.label} ↔ ${right.label} (config.json)`,
  );
}

/** The watcher for the runs folder: a workspace-relative pattern when it is inside the workspace (it may not exist yet). */
function watchRuns(root: string, onChange: () => void): vscode.Disposable {
  const folder = vscode.workspace.workspaceFolders?.find((f) => !path.relative(f.uri.fsPath, root).startsWith('..') && !path.isAbsolute(path.relative(f.uri.fsPath, root)));
  const rel = folder ? path.relative(folder.uri.fsPath, root).split(path.sep).join('/') : '';
  const pattern = folder
    ? new vscode.RelativePattern(folder, `${rel ? rel + '/' : ''}*/{config.json,summary.json,meta.json,events.jsonl}`)
    : new vscode.RelativePattern(vscode.Uri.file(root), '*/{config.json,summary.json,meta.json,events.jsonl}');
  const folders = folder ? new vscode.RelativePattern(folder, `${rel ? rel + '/' : ''}*`) : new vscode.RelativePattern(vscode.Uri.file(root), '*');
  const watchers = [vscode.workspace.createFileSystemWatcher(pattern), vscode.workspace.createFileSystemWatcher(folders, false, true, false)];
  const subs = watchers.flatMap((w) => [w.onDidCreate(onChange), w.onDidChange(onChange), w.onDidDelete(onChange)]);
  return vscode.Disposable.from(...watchers, ...subs);
}

/**
 * Registers the Runs view and its commands; returns what later features (compare, sweeps,
 * reports) build on. Call once from activate().
 */
export function registerRunHistory(
  context: vscode.ExtensionContext,
  session: TrainingSession,
  dashboard: Dashboard,
  log: vscode.LogOutputChannel,
): RunHistoryContext {
  const provider = new RunsTreeProvider(runsFolderOf(context, log) ?? '', {
    liveDir: () => (session.running ? session.liveRun?.dir : undefined),
    liveProgress: () => session.progress,
  });
  const view = vscode.window.createTreeView(RUNS_VIEW_ID, { treeDataProvider: provider, canSelectMany: true, showCollapseAll: false });
  const compare = new ComparePanel(context.extensionUri, (r) => void openRunInDashboard(h, r), log);
  const h: RunHistoryContext = { context, session, dashboard, log, provider, view, compare, sweeps: undefined as never };
  h.sweeps = new SweepRunner(h);

  let timer: ReturnType<typeof setTimeout> | undefined;
  const reloadSoon = () => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      provider.reload();
    }, RELOAD_DELAY_MS);
  };
  let watcher = provider.runsFolder ? watchRuns(provider.runsFolder, reloadSoon) : undefined;
  if (!vscode.workspace.isTrusted) view.message = RESTRICTED_VIEW_MESSAGE;
  let wasRunning = session.running;

  const onRuns = (fn: (h: RunHistoryContext, runs: RunRecord[]) => Promise<void>, title: string, many: boolean) =>
    async (item?: unknown, items?: unknown) => {
      const runs = await targetRuns(h, item, items, { title, many });
      if (runs.length > 0) await fn(h, runs);
    };

  context.subscriptions.push(
    provider,
    view,
    h.compare,
    h.sweeps,
    { dispose: () => watcher?.dispose() },
    { dispose: () => timer && clearTimeout(timer) },
    session.onDidStartRun(() => provider.reload()),
    session.onDidChange(() => {
      if (session.running !== wasRunning) {
        wasRunning = session.running;
        provider.reload();
      } else provider.refreshLive();
    }),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (!e.affectsConfiguration('mnist.runsFolder')) return;
      const root = runsFolderOf(context, log) ?? '';
      watcher?.dispose();
      watcher = root ? watchRuns(root, reloadSoon) : undefined;
      provider.setRoot(root);
    }),
    vscode.workspace.onDidChangeWorkspaceFolders(() => provider.setRoot(runsFolderOf(context, log) ?? '')),
    // Trusted now: the workspace's own runsFolder setting counts from here on, without a reload.
    vscode.workspace.onDidGrantWorkspaceTrust(() => {
      if (view.message === RESTRICTED_VIEW_MESSAGE) view.message = undefined;
      const root = runsFolderOf(context, log) ?? '';
      if (root === provider.runsFolder) return;
      watcher?.dispose();
      watcher = root ? watchRuns(root, reloadSoon) : undefined;
      provider.setRoot(root);
    }),
    vscode.commands.registerCommand('mnist.runs.refresh', () => provider.reload()),
    vscode.commands.registerCommand('mnist.runs.open', onRuns((hh, [r]) => openRunInDashboard(hh, r), 'MNIST: Open Run', false)),
    vscode.commands.registerCommand('mnist.runs.rename', onRuns((hh, [r]) => rename(hh, r), 'MNIST: Rename Run', false)),
    vscode.commands.registerCommand('mnist.runs.delete', onRuns(remove, 'MNIST: Delete Runs', true)),
    vscode.commands.registerCommand(
      'mnist.runs.reveal',
      onRuns(async (_hh, [r]) => void (await vscode.commands.executeCommand('revealFileInOS', vscode.Uri.file(r.dir))), 'MNIST: Reveal Run', false),
    ),
    vscode.commands.registerCommand('mnist.runs.compare', onRuns(compareRuns, 'MNIST: Compare Runs — pick two or more', true)),
    vscode.commands.registerCommand('mnist.runs.compareConfigs', onRuns(compareConfigs, 'MNIST: Compare Configs — pick two runs', true)),
    vscode.commands.registerCommand('mnist.writeReport', (item?: unknown, items?: unknown) => writeReportCommand(h, item, items)),
    vscode.commands.registerCommand('mnist.runSweep', (uri?: vscode.Uri) => runSweep(h, uri)),
    vscode.commands.registerCommand('mnist.stopSweep', () => h.sweeps.stop()),
    vscode.commands.registerCommand('mnist.runs.reproduce', onRuns(async (hh, [r]) => void (await reproduceRun(hh, r)), 'MNIST: Reproduce Run', false)),
    vscode.commands.registerCommand('mnist.runs.resume', (item?: unknown) => resumeRunCommand(h, item)),
    vscode.commands.registerCommand('mnist.runs.trainAgain', onRuns((hh, [r]) => trainAgain(hh, r), 'MNIST: Train Again from a Run’s Config', false)),
  );
  return h;
}
