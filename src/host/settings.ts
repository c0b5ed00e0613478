import * as path from 'node:path';
import * as vscode from 'vscode';
import type { BackendName } from '../shared/config';

/** The extension's settings (package.json `contributes.configuration`), read fresh each time. */
export interface Settings {
  runsFolder: string;
  dataCacheFolder: string;
  mirrors: string[] | undefined;
  defaultBackend: BackendName;
}

export function readSettings(folder: vscode.WorkspaceFolder, globalStorage: vscode.Uri): Settings {
  const c = vscode.workspace.getConfiguration('mnist', folder.uri);
  const runs = c.get<string>('runsFolder') || '.mnist/runs';
  const cache = c.get<string>('dataCacheFolder') || '';
  const mirror = (c.get<string>('mirrorUrl') || '').trim();
  return {
    runsFolder: path.resolve(folder.uri.fsPath, runs),
    dataCacheFolder: cache ? path.resolve(folder.uri.fsPath, cache) : path.join(globalStorage.fsPath, 'datasets'),
    mirrors: mirror ? [mirror] : undefined,
    defaultBackend: c.get<BackendName>('defaultBackend') ?? 'auto',
  };
}
