// MNIST: Create Config: the tutorial's config into a folder, opened; an existing file is only replaced after a modal yes.
import * as vscode from 'vscode';
import { trusted } from '../trust';
import { CONFIG_FILE_NAME } from './analyze';
import { configFileText, createPlan, OPEN_EXISTING, OVERWRITE, overwriteQuestion } from './scaffold';

export interface CreateConfigOptions {
  /** Default mnist.config.json; an experiment can be "<name>.mnist.config.json". */
  fileName?: string;
  /** Open the file in an editor afterwards (default true). */
  open?: boolean;
}

/** Writes the tutorial's config into `folder` and returns its Uri; undefined when the user cancelled. */
export async function createConfig(folder: vscode.Uri, opts: CreateConfigOptions = {}): Promise<vscode.Uri | undefined> {
  const fileName = opts.fileName ?? CONFIG_FILE_NAME;
  const target = vscode.Uri.joinPath(folder, fileName);
  const exists = await fileExists(target);
  let answer: string | undefined;
  if (exists) {
    const { message, detail } = overwriteQuestion(fileName, folderLabel(folder));
    answer = await vscode.window.showWarningMessage(message, { modal: true, detail }, OVERWRITE, OPEN_EXISTING);
  }
  const plan = createPlan(exists, answer);
  if (plan === 'cancel') return undefined;
  if (plan === 'write') await write(target, configFileText());
  if (opts.open ?? true) await vscode.window.showTextDocument(target, { preview: false });
  return target;
}

/** The command: into the folder of the Uri it is given (explorer menu), else the first workspace folder. */
export async function createConfigCommand(arg?: unknown): Promise<vscode.Uri | undefined> {
  if (!trusted('Create Config')) return undefined;
  const folder = arg instanceof vscode.Uri ? await folderOf(arg) : vscode.workspace.workspaceFolders?.[0]?.uri;
  if (!folder) {
    void vscode.window.showWarningMessage('MNIST: open a folder first (File > Open Folder…); the config and its runs live in the workspace.');
    return undefined;
  }
  try {
    return await createConfig(folder);
  } catch (err) {
    void vscode.window.showErrorMessage(`MNIST: could not write ${CONFIG_FILE_NAME} in ${folder.fsPath}: ${err instanceof Error ? err.message : String(err)}`);
    return undefined;
  }
}

/** "myproject" for a workspace folder, "myproject/experiments" inside one, the full path outside. */
function folderLabel(folder: vscode.Uri): string {
  const root = vscode.workspace.getWorkspaceFolder(folder);
  if (!root) return folder.fsPath;
  return root.uri.toString() === folder.toString() ? root.name : `${root.name}/${vscode.workspace.asRelativePath(folder, false)}`;
}

async function folderOf(uri: vscode.Uri): Promise<vscode.Uri> {
  try {
    if ((await vscode.workspace.fs.stat(uri)).type & vscode.FileType.Directory) return uri;
  } catch {
    // Not there: take its parent, as for a file.
  }
  return vscode.Uri.joinPath(uri, '..');
}

async function fileExists(uri: vscode.Uri): Promise<boolean> {
  try {
    await vscode.workspace.fs.stat(uri);
    return true;
  } catch {
    return false;
  }
}

/** An open editor's buffer is replaced and saved, so an unsaved copy does not fight the file on disk. */
async function write(target: vscode.Uri, text: string): Promise<void> {
  const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === target.toString());
  if (open) {
    const edit = new vscode.WorkspaceEdit();
    edit.replace(target, new vscode.Range(open.positionAt(0), open.positionAt(open.getText().length)), text);
    if (await vscode.workspace.applyEdit(edit)) {
      await open.save();
      return;
    }
  }
  await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(text));
}
