// The findings' quick fixes in the editor: each fix recomputed on the file as it is now (a preset,
// fields left to their defaults), applied as one undoable edit that keeps comments and layout.
import { parse } from 'jsonc-parser';
import * as vscode from 'vscode';
import { applyJsonEdits, quickFix } from '../../shared/runs/findings';
import { rangeOf } from './diagnostics';
import { editBetween } from './fixes';
import type { FindingsDiagnostics } from './findings-diagnostics';

export class FindingsCodeActions implements vscode.CodeActionProvider {
  static readonly metadata: vscode.CodeActionProviderMetadata = { providedCodeActionKinds: [vscode.CodeActionKind.QuickFix] };

  constructor(private readonly findings: FindingsDiagnostics) {}

  provideCodeActions(document: vscode.TextDocument, _range: vscode.Range, context: vscode.CodeActionContext): vscode.CodeAction[] {
    if (context.only && !context.only.contains(vscode.CodeActionKind.QuickFix)) return [];
    const text = document.getText();
    const actions: vscode.CodeAction[] = [];
    for (const d of context.diagnostics) {
      const finding = this.findings.findingOf(document, d);
      if (!finding) continue;
      finding.fixes.forEach((planned, i) => {
        const fix = quickFix(planned.kind, parse(text));
        if (!fix) return;
        const after = applyJsonEdits(text, fix.edits);
        if (after === text) return;
        const change = editBetween(text, after);
        const action = new vscode.CodeAction(fix.title, vscode.CodeActionKind.QuickFix);
        action.edit = new vscode.WorkspaceEdit();
        action.edit.replace(document.uri, rangeOf(document, change), change.content);
        action.diagnostics = [d];
        action.isPreferred = i === 0;
        actions.push(action);
      });
    }
    return actions;
  }
}
