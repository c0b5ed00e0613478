// What a run shows outside the Dashboard: its progress notification, and a config that cannot train.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { type ConfigIssue, formatIssue } from '../../shared/validate';
import type { LaunchedRun } from '../../node/runs/launch';
import type { LiveRun, TrainingSession } from './training-session';

const PROGRESS_PERCENT_STEP = 1;

/** The cancellable notification of a run: download, epoch and batch progress, evaluation. */
export async function showProgress(session: TrainingSession, run: LiveRun, trainer: LaunchedRun): Promise<void> {
  await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `MNIST: training ${run.info.model}`, cancellable: true },
    (progress, token) =>
      new Promise<void>((resolve) => {
        token.onCancellationRequested(() => session.stop());
        let reported = 0;
        const sub = session.onDidEvent(({ run: r, event }) => {
          if (r !== run) return;
          if (event.type === 'download') {
            const total = event.totalBytes ? ` of ${(event.totalBytes / 1e6).toFixed(1)} MB` : '';
            progress.report({ message: `downloading ${event.file}: ${(event.receivedBytes / 1e6).toFixed(1)} MB${total}` });
          } else if (event.type === 'batch') {
            const done = ((event.epoch - 1 + event.batch / event.batchesPerEpoch) / event.epochs) * 100;
            const increment = done - reported >= PROGRESS_PERCENT_STEP ? done - reported : 0;
            if (increment > 0) reported = done;
            progress.report({ increment, message: `epoch ${event.epoch}/${event.epochs} · loss ${event.loss.toFixed(3)} · acc ${event.acc.toFixed(3)}` });
          } else if (event.type === 'evaluation') {
            progress.report({ message: 'evaluating on the test set' });
          }
        });
        void trainer.exited.then(() => {
          sub.dispose();
          resolve();
        });
      }),
  );
}

/** A config that cannot train: every issue in the log, the first in a notification that opens the config at it. */
export function reportConfigErrors(log: vscode.LogOutputChannel, document: vscode.TextDocument, errors: ConfigIssue[], text: string): void {
  const fileName = path.basename(document.uri.fsPath);
  for (const e of errors) log.error(formatIssue(e, fileName, text));
  const first = errors[0];
  const more = errors.length > 1 ? ` (and ${errors.length - 1} more)` : '';
  void vscode.window.showErrorMessage(`${formatIssue(first, fileName, text)}${more}`, 'Open Config').then(async (choice) => {
    if (choice !== 'Open Config') return;
    const editor = await vscode.window.showTextDocument(document);
    if (first.range) {
      const start = document.positionAt(first.range.offset);
      const end = document.positionAt(first.range.offset + first.range.length);
      editor.selection = new vscode.Selection(start, end);
      editor.revealRange(new vscode.Range(start, end), vscode.TextEditorRevealType.InCenterIfOutsideViewport);
    }
  });
}
