// Train, Resume, Reproduce and Run Sweep bring the Dashboard into the sidebar when their run
// starts, so the curves are in sight, while the keyboard stays where it was (the editor).
import * as vscode from 'vscode';
import { readRunMeta } from '../../node/runs/run-listing';
import { revealsDashboard } from './run-outcome';

export const REVEAL_SETTING = 'revealDashboard';
export type RevealDashboard = 'onTrain' | 'never';

/**
 * `<view>.focus` with preserveFocus opens the view's container and expands the view without
 * focusing it (VS Code 1.100: viewsService.openView(id, !preserveFocus)); it works before the
 * webview view has been resolved, which WebviewView.show(preserveFocus) needs.
 */
export async function revealDashboard(viewId: string): Promise<void> {
  await vscode.commands.executeCommand(`${viewId}.focus`, { preserveFocus: true });
}

export function registerRevealDashboard(session: { onDidStartRun: vscode.Event<{ dir: string }> }, viewId: string, log: vscode.LogOutputChannel): vscode.Disposable {
  return session.onDidStartRun((run) => {
    const setting = vscode.workspace.getConfiguration('mnist').get<string>(REVEAL_SETTING);
    let sweepIndex: number | undefined;
    try {
      sweepIndex = readRunMeta(run.dir).sweep?.index;
    } catch {
      sweepIndex = undefined; // an unreadable meta.json: reveal as for Train
    }
    if (!revealsDashboard(setting, sweepIndex)) return;
    revealDashboard(viewId).then(undefined, (err: unknown) => log.warn(`The Dashboard could not be shown: ${(err as Error).message}`));
  });
}
