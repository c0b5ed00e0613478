// Editing mnist.config.json: diagnostics, quick fixes, CodeLens and MNIST: Create Config, registered in one call.
import * as vscode from 'vscode';
import { ConfigCodeActions } from './code-actions';
import { ConfigCodeLens, type TrainingStatus } from './code-lens';
import { createConfigCommand } from './create-config';
import { ConfigDiagnostics } from './diagnostics';

export { createConfig, type CreateConfigOptions } from './create-config';
export type { TrainingStatus } from './code-lens';

const CONFIG_FILES: vscode.DocumentSelector = [
  { scheme: 'file', pattern: '**/mnist.config.json' },
  { scheme: 'file', pattern: '**/*.mnist.config.json' },
];

export function registerConfigEditing(context: vscode.ExtensionContext, status: TrainingStatus): void {
  const lens = new ConfigCodeLens(status);
  context.subscriptions.push(
    new ConfigDiagnostics(),
    vscode.languages.registerCodeActionsProvider(CONFIG_FILES, new ConfigCodeActions(), ConfigCodeActions.metadata),
    lens,
    vscode.languages.registerCodeLensProvider(CONFIG_FILES, lens),
    vscode.commands.registerCommand('mnist.createConfig', (arg?: unknown) => createConfigCommand(arg)),
  );
}
