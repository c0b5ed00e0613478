// MNIST: Run Sweep in the extension: the config's "experiments" trained one after another through
// the TrainingSession, with progress (run k of n) in a notification and the Runs view.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { formatIssue, parseConfigText } from '../../shared/validate';
import { type PlannedRun, type SweepOutcome, SweepQueue, describeOutcome, planSweep, sweepId } from '../../shared/sweep';
import { resolveConfig } from '../session/resolve-config';
import { RunFolderUnavailable, takeLock } from '../../node/runs/launch';
import type { RunsLock } from '../../node/runs/run-lock';
import type { RunHistoryContext } from '../runs/run-commands';
import { type Settings, readSettings } from '../settings';
import { trusted } from '../trust';
import { configSetsBackend } from '../../shared/config-backend';

export interface SweepRunResult {
  id: string;
  outcome: SweepOutcome;
  /** The run folders of the sweep, in queue order (runs that never started have none). */
  runDirs: string[];
}

export class SweepRunner implements vscode.Disposable {
  private queue: SweepQueue | undefined;
  private lastId: string | undefined;

  constructor(private readonly h: RunHistoryContext) {}

  get running(): boolean {
    return this.queue !== undefined;
  }

  /** The id of the sweep running now, else of the last one this window ran. */
  get latestSweepId(): string | undefined {
    return this.lastId;
  }

  /** Stops the run in progress (kept as cancelled) and skips the rest. */
  stop(): void {
    this.queue?.stop();
  }

  async run(uri?: vscode.Uri): Promise<SweepRunResult | undefined> {
    if (this.queue) {
      void vscode.window.showInformationMessage('MNIST: a sweep is already running; stop it first (MNIST: Stop Sweep).');
      return undefined;
    }
    if (!trusted('Run Sweep')) return undefined;
    const configUri = await resolveConfig(uri, this.h.context.globalStorageUri, 'MNIST: which config has the experiments?');
    if (!configUri) {
      void vscode.window.showInformationMessage('MNIST: no mnist.config.json here. Create one (MNIST: Create Config), then add "experiments".');
      return undefined;
    }
    const folder = vscode.workspace.getWorkspaceFolder(configUri);
    if (!folder) {
      void vscode.window.showErrorMessage(`${configUri.fsPath} is not in an open workspace folder; open its folder to run the sweep.`);
      return undefined;
    }
    const document = await vscode.workspace.openTextDocument(configUri);
    const text = document.getText();
    const fileName = path.basename(configUri.fsPath);
    const parsed = parseConfigText(text, fileName);
    const syntax = parsed.issues.find((i) => i.severity === 'error');
    const plan = syntax ? { runs: [], errors: [formatIssue(syntax, fileName, text)] } : planSweep(parsed.value, fileName);
    if (plan.errors.length > 0) {
      for (const e of plan.errors) this.h.log.error(e);
      const more = plan.errors.length > 1 ? ` (and ${plan.errors.length - 1} more; see the MNIST output)` : '';
      void vscode.window.showErrorMessage(`MNIST: the sweep cannot start: ${plan.errors[0]}${more}`, 'Open Config').then((c) => {
        if (c === 'Open Config') void vscode.window.showTextDocument(document);
      });
      return undefined;
    }
    let settings: Settings;
    try {
      settings = readSettings(folder, this.h.context.globalStorageUri);
    } catch (err) {
      void vscode.window.showErrorMessage(`MNIST: the sweep cannot start: ${(err as Error).message}`);
      return undefined;
    }
    const backendInText = configSetsBackend(text);
    for (const run of plan.runs) {
      // As for Train: a relative data.dir is relative to the config file; the setting's backend when none is given.
      if (run.config.data.dir !== null) run.config.data.dir = path.resolve(path.dirname(configUri.fsPath), run.config.data.dir);
      if (!backendInText && !('backend' in run.overrides)) run.config.backend = settings.defaultBackend;
    }
    // A run started by hand goes first; then one lock for the whole sweep, as mnist-train --sweep
    // holds it, so no other run interleaves.
    await this.untilIdle();
    let lock: RunsLock;
    try {
      lock = takeLock(settings.runsFolder, 'VS Code');
    } catch (err) {
      const why = err instanceof RunFolderUnavailable ? `${err.message}; check the "mnist.runsFolder" setting` : (err as Error).message;
      this.h.log.warn(why);
      void vscode.window.showErrorMessage(`MNIST: the sweep cannot start: ${why}.`);
      return undefined;
    }
    this.h.session.sweepLock = lock;
    try {
      return await this.runPlan(plan.runs, folder, lock);
    } finally {
      this.h.session.sweepLock = undefined;
      lock.release();
    }
  }

  private async runPlan(runs: PlannedRun[], folder: vscode.WorkspaceFolder, lock: RunsLock): Promise<SweepRunResult> {
    const { session, view, log } = this.h;
    const id = sweepId(new Date());
    this.lastId = id;
    const runDirs: string[] = [];
    const queue = new SweepQueue(runs, async (run, index, stopper) => {
      const live = await session.startConfig(run.config, folder, {
        quiet: true,
        heldLock: lock,
        meta: { sweep: { id, experiment: run.name, index: index + 1, total: runs.length, overrides: run.overrides } },
      });
      if (!live) throw new Error('the run could not be started (see the MNIST output)');
      runDirs[index] = live.dir;
      const ended = new Promise<{ status: 'completed' | 'cancelled' | 'failed'; message?: string }>((resolve) => {
        const sub = session.onDidEndRun(({ run: r, done }) => {
          if (r !== live) return;
          sub.dispose();
          resolve({ status: done.status, ...(done.message ? { message: done.message } : {}) });
        });
      });
      stopper.onStop(() => session.stop());
      const result = await ended;
      return { ...result, runDir: live.dir };
    });
    this.queue = queue;
    void vscode.commands.executeCommand('setContext', 'mnist.sweeping', true);
    log.info(`Sweep ${id}: ${runs.length} runs (${runs.map((r) => r.name).join('; ')})`);

    let line = '';
    const progressLine = (k: number, name: string, detail = '') => `run ${k} of ${runs.length}: ${name}${detail ? ` · ${detail}` : ''}`;
    queue.onProgress((p) => {
      const failed = p.failed ? ` · ${p.failed} failed` : '';
      if (p.phase === 'started') {
        line = progressLine(p.index + 1, p.name);
        view.message = `Sweep ${id}: ${line}${failed}`;
      } else {
        log.info(`Sweep ${id}: ${p.name} ${p.result?.status}${p.result?.message ? `: ${p.result.message}` : ''}`);
        if (p.result?.status === 'failed') view.message = `Sweep ${id}: ${p.name} failed; going on${failed}`;
      }
    });

    const outcome = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `MNIST sweep (${runs.length} runs)`, cancellable: true },
      async (progress, token) => {
        token.onCancellationRequested(() => queue.stop());
        let k = 0;
        queue.onProgress((p) => {
          if (p.phase !== 'started') return;
          k = p.index + 1;
          progress.report({ increment: p.index === 0 ? 0 : 100 / runs.length, message: progressLine(k, p.name) });
        });
        const sub = session.onDidEvent(({ event }) => {
          if (event.type === 'epoch') progress.report({ message: progressLine(k, runs[k - 1]?.name ?? '', `epoch ${event.epoch}/${event.epochs} · val. acc ${event.valAcc.toFixed(3)}`) });
        });
        try {
          return await queue.run();
        } finally {
          sub.dispose();
        }
      },
    );
    this.queue = undefined;
    void vscode.commands.executeCommand('setContext', 'mnist.sweeping', false);
    view.message = undefined;
    this.h.provider.reload();
    const summary = describeOutcome(outcome);
    log.info(`Sweep ${id}: ${summary}`);
    return { id, outcome, runDirs: runDirs.filter(Boolean) };
  }

  /** A run started by hand (or another window's command) goes first; the sweep waits for it. */
  private untilIdle(): Promise<void> {
    const { session } = this.h;
    if (!session.running) return Promise.resolve();
    return new Promise((resolve) => {
      const sub = session.onDidEndRun(() => {
        sub.dispose();
        resolve();
      });
    });
  }

  dispose(): void {
    this.queue?.stop();
  }
}
