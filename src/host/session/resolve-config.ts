// Which config a command trains (or sweeps): the one it was given, the active editor's, the
// workspace root's mnist.config.json without a question, else one the user picks from a bounded search.
import { lstatSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { CONFIG_FILE, findConfigFiles, isConfigFileName } from '../../node/workspace/config-search';
import { readSettings } from '../settings';

export function isConfigFile(uri: vscode.Uri): boolean {
  return isConfigFileName(path.basename(uri.fsPath));
}

function isRegularFile(file: string): boolean {
  try {
    return lstatSync(file).isFile();
  } catch {
    return false;
  }
}

/** The runs folders of the workspace's folders, which a config search skips. */
function runsFolders(folders: readonly vscode.WorkspaceFolder[], globalStorage: vscode.Uri): string[] {
  const out: string[] = [];
  for (const f of folders) {
    try {
      out.push(readSettings(f, globalStorage).runsFolder);
    } catch {
      // a wrong setting is reported when training starts; the default is skipped by name anyway
    }
  }
  return out;
}

export async function resolveConfig(uri: unknown, globalStorage: vscode.Uri, title: string): Promise<vscode.Uri | undefined> {
  if (uri instanceof vscode.Uri && isConfigFile(uri)) return uri;
  const active = vscode.window.activeTextEditor?.document.uri;
  if (active && active.scheme === 'file' && isConfigFile(active)) return active;
  const folders = vscode.workspace.workspaceFolders ?? [];
  const atRoot = folders.map((f) => path.join(f.uri.fsPath, CONFIG_FILE)).find(isRegularFile);
  if (atRoot) return vscode.Uri.file(atRoot);
  const found = findConfigFiles(
    folders.map((f) => f.uri.fsPath),
    runsFolders(folders, globalStorage),
  );
  if (found.length <= 1) return found[0] ? vscode.Uri.file(found[0]) : undefined;
  const pick = await vscode.window.showQuickPick(
    found.map((f) => ({ label: vscode.workspace.asRelativePath(f), uri: vscode.Uri.file(f) })),
    { title },
  );
  return pick?.uri;
}
