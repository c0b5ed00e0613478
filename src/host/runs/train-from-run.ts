// The Runs view's commands that train from a past run: Train Again, Resume Run, Reproduce Run.
import * as vscode from 'vscode';
import type { RunRecord } from '../../shared/run-record';
import { trusted } from '../trust';
import type { RunHistoryContext } from './run-commands';
import { BACKENDS, type BackendName, type MnistConfigInput } from '../../shared/config';
import { type ReproductionVerdict, compareReproduction } from '../../shared/provenance';
import { readRunConfigJson, readRunRecord } from '../../node/runs/run-listing';
import { targetRuns } from './run-commands';

export async function trainAgain(h: RunHistoryContext, r: RunRecord): Promise<void> {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) return;
  if (!trusted('Train Again')) return;
  // As it is on disk now, not as listed: it is validated again, not resolved with this version's guesses.
  const raw = readRunConfigJson(r.dir);
  if (typeof raw !== 'object' || raw === null) {
    void vscode.window.showErrorMessage(`MNIST: ${r.id} has no readable config.json to train from.`);
    return;
  }
  await h.session.startConfig(raw as MnistConfigInput, folder);
}

const resumable = (r: RunRecord) => r.state === 'cancelled' || r.state === 'failed';

/**
 * MNIST: Resume Run: a cancelled or failed run trains on from its last finished epoch in its own
 * folder, through the session (notification, status bar, Dashboard live). The clicked or selected
 * run, else a pick among the cancelled and failed ones.
 */
export async function resumeRunCommand(h: RunHistoryContext, item?: unknown): Promise<void> {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) {
    void vscode.window.showWarningMessage('MNIST: open a folder first; runs are kept in the workspace.');
    return;
  }
  if (!trusted('Resume Run')) return;
  if (item === undefined && h.view.selection.length === 0 && !h.provider.runs().some(resumable)) {
    void vscode.window.showInformationMessage(`MNIST: no cancelled or failed run to resume in ${h.provider.runsFolder || 'the runs folder'}.`);
    return;
  }
  const [r] = await targetRuns(h, item, undefined, { title: 'MNIST: Resume Run — pick a cancelled or failed run', many: false, filter: resumable });
  if (!r) return;
  const live = await h.session.resume(r.dir, folder);
  if (live) h.provider.reload();
}

/** MNIST: Reproduce Run: trains the run's config again, on the backend it used, and says whether the metrics match. */
export async function reproduceRun(h: RunHistoryContext, r: RunRecord): Promise<ReproductionVerdict | undefined> {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) return undefined;
  if (!trusted('Reproduce Run')) return undefined;
  const original = readRunRecord(r.dir, { events: true });
  const raw = readRunConfigJson(r.dir);
  if (!original || typeof raw !== 'object' || raw === null) {
    void vscode.window.showErrorMessage(`MNIST: ${r.id} has no readable config.json to reproduce.`);
    return undefined;
  }
  if (original.state !== 'completed') {
    void vscode.window.showWarningMessage(`MNIST: "${r.label}" did not complete (${original.state}); only a completed run has metrics to reproduce.`);
    return undefined;
  }
  const config = { ...(raw as MnistConfigInput) };
  // "auto" could pick another backend on this machine; the same numbers need the same one.
  const recorded = original.provenance?.backend ?? original.backend;
  if ((config.backend ?? 'auto') === 'auto' && recorded && (BACKENDS as readonly string[]).includes(recorded)) config.backend = recorded as BackendName;
  const live = await h.session.startConfig(config, folder, { quiet: true, meta: { reproduces: r.id } });
  if (!live) return undefined;
  await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `MNIST: reproducing ${r.label}`, cancellable: true },
    (progress, token) =>
      new Promise<void>((resolve) => {
        token.onCancellationRequested(() => h.session.stop());
        const subs = [
          h.session.onDidEvent(({ run, event }) => {
            if (run === live && event.type === 'epoch') progress.report({ message: `epoch ${event.epoch}/${event.epochs} · val. acc ${event.valAcc.toFixed(4)}` });
          }),
          h.session.onDidEndRun(({ run }) => {
            if (run !== live) return;
            subs.forEach((s) => s.dispose());
            resolve();
          }),
        ];
      }),
  );
  const copy = readRunRecord(live.dir, { events: true });
  if (!copy) return undefined;
  const verdict = compareReproduction(original, copy);
  h.log.info(`Reproduce ${r.id} → ${copy.id}: ${verdict.summary}`);
  for (const d of verdict.differences) h.log.info(`  ${d}`);
  h.provider.reload();
  const show = verdict.match ? vscode.window.showInformationMessage : vscode.window.showWarningMessage;
  void show(`MNIST: reproduced "${r.label}": ${verdict.summary}.`, 'Compare Runs').then((c) => {
    if (c === 'Compare Runs') h.compare.show([original, copy]);
  });
  return verdict;
}

