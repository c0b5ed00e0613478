// Quick fixes in the editor: quickFixes' edits as WorkspaceEdits, attached to the diagnostics they fix.
import * as vscode from 'vscode';
import { quickFixes } from './fixes';
import { rangeOf } from './diagnostics';

export class ConfigCodeActions implements vscode.CodeActionProvider {
  static readonly metadata: vscode.CodeActionProviderMetadata = { providedCodeActionKinds: [vscode.CodeActionKind.QuickFix] };

  provideCodeActions(document: vscode.TextDocument, range: vscode.Range, context: vscode.CodeActionContext): vscode.CodeAction[] {
    if (context.only && !context.only.contains(vscode.CodeActionKind.QuickFix)) return [];
    const start = document.offsetAt(range.start);
    const fixes = quickFixes(document.getText(), document.fileName, { offset: start, length: document.offsetAt(range.end) - start });
    return fixes.map((fix) => {
      const action = new vscode.CodeAction(fix.title, vscode.CodeActionKind.QuickFix);
      const edit = new vscode.WorkspaceEdit();
      edit.replace(document.uri, rangeOf(document, fix.edit), fix.edit.content);
      action.edit = edit;
      action.isPreferred = fix.preferred;
      // Ours, or the JSON language service's for a schema problem (a dropout rate) at the same place.
      const at = rangeOf(document, fix.issue.range);
      action.diagnostics = context.diagnostics.filter((d) => d.range.isEqual(at));
      return action;
    });
  }
}
