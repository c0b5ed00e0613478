// Problems for open config files: analyzeConfigFile's findings, published debounced as the user types.
import * as vscode from 'vscode';
import type { ConfigIssue } from '../../shared/validate';
import { analyzeConfigFile, isConfigFileName } from './analyze';
import { dataDirProbe } from '../../node/data/data-dir-probe';
import { KeyedDebouncer } from './debounce';

export const DIAGNOSTIC_SOURCE = 'mnist';
const TYPING_DELAY_MS = 300;
/** Set once a config uses dropout: the walkthrough's "try dropout" step completes on it. */
export const USES_DROPOUT_CONTEXT = 'mnist.configUsesDropout';

export function isConfigDocument(document: vscode.TextDocument): boolean {
  return document.uri.scheme === 'file' && isConfigFileName(document.uri.path);
}

export class ConfigDiagnostics implements vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection(DIAGNOSTIC_SOURCE);
  private readonly debouncer = new KeyedDebouncer<string>(TYPING_DELAY_MS);
  private readonly disposables: vscode.Disposable[] = [];
  private dropoutSeen = false;
  private disposed = false;

  constructor() {
    this.disposables.push(
      vscode.workspace.onDidOpenTextDocument((d) => this.refresh(d)),
      vscode.workspace.onDidSaveTextDocument((d) => this.refresh(d)),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.contentChanges.length > 0 && isConfigDocument(e.document)) {
          this.debouncer.schedule(e.document.uri.toString(), () => this.refresh(e.document));
        }
      }),
      vscode.workspace.onDidCloseTextDocument((d) => {
        this.debouncer.cancel(d.uri.toString());
        this.collection.delete(d.uri);
      }),
    );
    for (const document of vscode.workspace.textDocuments) this.refresh(document);
  }

  private refresh(document: vscode.TextDocument): void {
    if (!isConfigDocument(document)) return;
    this.debouncer.cancel(document.uri.toString());
    void this.publish(document);
  }

  private async publish(document: vscode.TextDocument): Promise<void> {
    const version = document.version;
    const analysis = await analyzeConfigFile(document.getText(), document.fileName, dataDirProbe(document.uri.fsPath));
    // A later edit, or closing, makes this result stale.
    if (this.disposed || document.isClosed || document.version !== version) return;
    this.collection.set(document.uri, analysis.diagnostics.map((i) => toDiagnostic(document, i)));
    if (analysis.usesDropout && !this.dropoutSeen) {
      this.dropoutSeen = true;
      void vscode.commands.executeCommand('setContext', USES_DROPOUT_CONTEXT, true);
    }
  }

  dispose(): void {
    this.disposed = true;
    this.debouncer.dispose();
    for (const d of this.disposables) d.dispose();
    this.collection.dispose();
  }
}

export function rangeOf(document: vscode.TextDocument, range: { offset: number; length: number } | undefined): vscode.Range {
  if (!range) return new vscode.Range(0, 0, 0, 0);
  return new vscode.Range(document.positionAt(range.offset), document.positionAt(range.offset + range.length));
}

function toDiagnostic(document: vscode.TextDocument, issue: ConfigIssue): vscode.Diagnostic {
  const severity = issue.severity === 'warning' ? vscode.DiagnosticSeverity.Warning : vscode.DiagnosticSeverity.Error;
  const diagnostic = new vscode.Diagnostic(rangeOf(document, issue.range), issue.message, severity);
  diagnostic.source = DIAGNOSTIC_SOURCE;
  if (issue.code) diagnostic.code = issue.code;
  return diagnostic;
}
