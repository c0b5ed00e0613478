// A chart, image or table a webview asked to save: VS Code's save dialog (beside `baseDir` by
// default), then the write of only the file the user picked, and a word in the status bar.
import * as vscode from 'vscode';
import type { ExportRequest } from '../../shared/protocol';
import { saveExport } from './export';

export async function saveExportWithDialog(req: ExportRequest, title: string, baseDir: string | undefined): Promise<void> {
  try {
    const saved = await saveExport(req, {
      pick: (fileName, filters) =>
        vscode.window.showSaveDialog({ title, defaultUri: baseDir ? vscode.Uri.joinPath(vscode.Uri.file(baseDir), fileName) : undefined, filters }),
      write: (uri, bytes) => vscode.workspace.fs.writeFile(uri, bytes),
    });
    if (saved) vscode.window.setStatusBarMessage(`$(check) Saved ${vscode.workspace.asRelativePath(saved)}`, 4000);
  } catch (err) {
    void vscode.window.showErrorMessage(`MNIST: could not save ${req.fileName}: ${(err as Error).message}`);
  }
}
