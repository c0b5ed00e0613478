// Restricted Mode: until the user trusts the workspace, the extension shows runs but does not train
// from the workspace's config, run sweeps, or write anything (runs, reports, configs) into it.
import * as vscode from 'vscode';

export const MANAGE_TRUST = 'Manage Workspace Trust';

/**
 * True when the workspace is trusted. Otherwise tells the user, in plain words, that `what` waits for
 * trust, with a button to the Workspace Trust editor, and returns false. Commands check at the
 * moment they run, so granting trust takes effect without a reload.
 */
export function trusted(what: string): boolean {
  if (vscode.workspace.isTrusted) return true;
  void vscode.window
    .showWarningMessage(
      `MNIST: ${what} waits until you trust this workspace. In Restricted Mode the extension shows runs but does not train from the workspace's config or write into it.`,
      MANAGE_TRUST,
    )
    .then((choice) => {
      if (choice === MANAGE_TRUST) void vscode.commands.executeCommand('workbench.trust.manage');
    });
  return false;
}
