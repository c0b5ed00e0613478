import * as vscode from 'vscode';
import { LastRun } from './last-run';
import { statusBarAfterRun } from './run-outcome';
import type { TrainingSession } from './training-session';

/** The status bar item: idle it offers Train; training it shows progress and stops on click; after a run, how it ended. */
export function createStatusBar(session: TrainingSession): vscode.Disposable {
  const item = vscode.window.createStatusBarItem('mnist.status', vscode.StatusBarAlignment.Left, 50);
  item.name = 'MNIST Training';
  const last = new LastRun(session);
  const update = () => {
    if (session.running) {
      item.text = `$(sync~spin) MNIST ${session.progress ?? (session.state === 'stopping' ? 'stopping…' : 'starting…')}`;
      item.tooltip = session.state === 'stopping' ? 'Stopping after the current batch' : 'Training: click to stop after the current batch';
      item.command = 'mnist.stop';
    } else if (last.current) {
      Object.assign(item, statusBarAfterRun(last.current));
      item.command = 'mnist.train';
    } else {
      item.text = '$(beaker) MNIST';
      item.tooltip = 'Train the model in mnist.config.json';
      item.command = 'mnist.train';
    }
    item.show();
  };
  update();
  return vscode.Disposable.from(item, last, session.onDidChange(update), last.onDidChange(update));
}
