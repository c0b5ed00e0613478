// The last run's findings in the Problems panel, at the config field each is about: published for
// the config file a run trained when it ends, and on activation for the latest finished run of
// each config file; a finding is dropped as soon as a field it is about (or one its quick fixes
// change) is edited. Setting mnist.findings: "on" | "off".
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { MnistConfig } from '../../shared/config';
import { type ConfigPath, type RunFinding, readFindings, runFindings } from '../../shared/runs/findings';
import { readEvents, readRunConfig, readSummary } from '../../node/runs/run-folder';
import { listRunRecords } from '../../node/runs/run-listing';
import { validateConfig } from '../../shared/validate';
import { readSettings } from '../settings';
import { anchorRange, fieldValues, findingFields, resolvedFileConfig, sameSettings } from './findings-anchors';
import { FindingsCodeActions } from './findings-actions';
import { rangeOf } from './diagnostics';

export const FINDINGS_COLLECTION = 'mnist-findings';
/** Diagnostics' source: "MNIST: last run 2026-12-07_23-19-48_mlp". */
export const FINDINGS_SOURCE_PREFIX = 'MNIST: last run ';
const CONFIG_GLOB = '**/{mnist.config.json,*.mnist.config.json}';
const CONFIG_FILES: vscode.DocumentSelector = [
  { scheme: 'file', pattern: '**/mnist.config.json' },
  { scheme: 'file', pattern: '**/*.mnist.config.json' },
];

const SEVERITY: Record<RunFinding['severity'], vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  info: vscode.DiagnosticSeverity.Information,
  hint: vscode.DiagnosticSeverity.Hint,
};

interface Shown {
  finding: RunFinding;
  fields: ConfigPath[];
  /** The file's values at `fields` when the run's findings were published. */
  values: string[];
}

interface Published {
  uri: vscode.Uri;
  runId: string;
  runDir: string;
  runConfig: MnistConfig;
  shown: Shown[];
}

/** A finished run: its folder and resolved config. */
export interface FinishedRun {
  dir: string;
  config: MnistConfig;
}

/** The findings of a run folder: summary.json's when it has them (checked), else from its event log. */
export function findingsOfRunFolder(dir: string, config: MnistConfig, summary: unknown): RunFinding[] {
  const s = typeof summary === 'object' && summary !== null ? (summary as { findings?: unknown }) : {};
  if (Array.isArray(s.findings)) return readFindings(s.findings);
  return runFindings(config, readEvents(dir));
}

export class FindingsDiagnostics implements vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection(FINDINGS_COLLECTION);
  private readonly published = new Map<string, Published>();
  private readonly disposables: vscode.Disposable[] = [];
  private readonly publishedEmitter = new vscode.EventEmitter<vscode.Uri>();
  /** A config file's findings were published (tests wait for it). */
  readonly onDidPublish = this.publishedEmitter.event;
  /** Resolves when the activation scan is over (tests wait for it). */
  readonly ready: Promise<void>;

  constructor(
    private readonly globalStorage: vscode.Uri,
    onDidEndRun: vscode.Event<{ run: FinishedRun }>,
  ) {
    this.disposables.push(
      onDidEndRun(({ run }) => void this.showRun(run)),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.contentChanges.length > 0) this.edited(e.document);
      }),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (!e.affectsConfiguration('mnist.findings')) return;
        this.clear();
        if (this.enabled) void this.scan();
      }),
    );
    this.watchRunsFolders();
    this.ready = this.scan();
  }

  /** A run written by mnist-train in a terminal ends with its summary.json: its findings go up too. */
  private watchRunsFolders(): void {
    for (const folder of vscode.workspace.workspaceFolders ?? []) {
      let root: string;
      try {
        root = readSettings(folder, this.globalStorage).runsFolder;
      } catch {
        continue;
      }
      const rel = path.relative(folder.uri.fsPath, root);
      const inside = !rel.startsWith('..') && !path.isAbsolute(rel);
      const pattern = inside
        ? new vscode.RelativePattern(folder, `${rel ? rel.split(path.sep).join('/') + '/' : ''}*/summary.json`)
        : new vscode.RelativePattern(vscode.Uri.file(root), '*/summary.json');
      const watcher = vscode.workspace.createFileSystemWatcher(pattern, false, false, true);
      const written = (uri: vscode.Uri) => void this.showRunFolder(path.dirname(uri.fsPath));
      this.disposables.push(watcher, watcher.onDidCreate(written), watcher.onDidChange(written));
    }
  }

  private async showRunFolder(dir: string): Promise<void> {
    let config: MnistConfig | null;
    try {
      config = validateConfig(readRunConfig(dir)).config;
    } catch {
      config = null;
    }
    // Not a readable run: the Runs view says what is wrong with it.
    if (config) await this.showRun({ dir, config });
  }

  get enabled(): boolean {
    return vscode.workspace.getConfiguration('mnist').get<string>('findings', 'on') !== 'off';
  }

  /** For each config file in the workspace, the findings of its latest finished run. */
  async scan(): Promise<void> {
    if (!this.enabled) return;
    for (const folder of vscode.workspace.workspaceFolders ?? []) {
      let root: string;
      try {
        root = readSettings(folder, this.globalStorage).runsFolder;
      } catch {
        continue; // A wrong runs folder setting is reported where runs are listed.
      }
      const finished = listRunRecords(root).filter((r) => r.state !== 'running' && r.config !== null);
      if (finished.length === 0) continue;
      for (const uri of await this.configFiles(folder)) {
        const document = await vscode.workspace.openTextDocument(uri);
        const config = resolvedFileConfig(document.getText(), uri.fsPath);
        const run = config && finished.find((r) => sameSettings(config, r.config!));
        if (run) this.publish(document, { dir: run.dir, config: run.config! }, run.summary);
      }
    }
  }

  /** A run ended: its findings go to the config files that have its settings. */
  async showRun(run: FinishedRun): Promise<void> {
    if (!this.enabled) return;
    const folder = vscode.workspace.getWorkspaceFolder(vscode.Uri.file(run.dir)) ?? vscode.workspace.workspaceFolders?.[0];
    if (!folder) return;
    // None (a crashed trainer), or unreadable: the findings come from the event log.
    const summary = readSummary(run.dir);
    for (const uri of await this.configFiles(folder)) {
      const document = await vscode.workspace.openTextDocument(uri);
      const config = resolvedFileConfig(document.getText(), uri.fsPath);
      if (config && sameSettings(config, run.config)) this.publish(document, run, summary);
    }
  }

  private async configFiles(folder: vscode.WorkspaceFolder): Promise<vscode.Uri[]> {
    const found = await vscode.workspace.findFiles(new vscode.RelativePattern(folder, CONFIG_GLOB), '**/node_modules/**', 50);
    return found.filter((u) => u.scheme === 'file');
  }

  private publish(document: vscode.TextDocument, run: FinishedRun, summary: unknown): void {
    const text = document.getText();
    const shown = findingsOfRunFolder(run.dir, run.config, summary).map((finding) => {
      const fields = findingFields(finding);
      return { finding, fields, values: fieldValues(text, fields) };
    });
    const p: Published = { uri: document.uri, runId: path.basename(run.dir), runDir: run.dir, runConfig: run.config, shown };
    this.published.set(document.uri.toString(), p);
    this.render(document, p);
    this.publishedEmitter.fire(document.uri);
  }

  /** Drops the findings whose fields changed; the others move with the text. */
  private edited(document: vscode.TextDocument): void {
    const p = this.published.get(document.uri.toString());
    if (!p) return;
    const text = document.getText();
    p.shown = p.shown.filter((s) => JSON.stringify(fieldValues(text, s.fields)) === JSON.stringify(s.values));
    this.render(document, p);
  }

  private render(document: vscode.TextDocument, p: Published): void {
    if (p.shown.length === 0) {
      this.published.delete(p.uri.toString());
      this.collection.delete(p.uri);
      return;
    }
    const text = document.getText();
    const summaryUri = vscode.Uri.file(path.join(p.runDir, 'summary.json'));
    // Other settings changed (not the ones a finding is about): it is still shown, said to be from the earlier settings.
    const now = resolvedFileConfig(text, p.uri.fsPath);
    const stale = !now || !sameSettings(now, p.runConfig) ? ` (From run ${p.runId}; the config has changed since.)` : '';
    this.collection.set(
      p.uri,
      p.shown.map(({ finding }) => {
        const d = new vscode.Diagnostic(rangeOf(document, anchorRange(text, finding.path)), finding.message + stale, SEVERITY[finding.severity]);
        d.source = FINDINGS_SOURCE_PREFIX + p.runId;
        d.code = finding.id;
        d.relatedInformation = [new vscode.DiagnosticRelatedInformation(new vscode.Location(summaryUri, new vscode.Position(0, 0)), `the run these numbers are from: ${p.runId}`)];
        return d;
      }),
    );
  }

  /** The finding a diagnostic of ours shows (VS Code hands code actions copies, so it is found by id and place). */
  findingOf(document: vscode.TextDocument, d: vscode.Diagnostic): RunFinding | undefined {
    const p = this.published.get(document.uri.toString());
    if (!p || d.source !== FINDINGS_SOURCE_PREFIX + p.runId) return undefined;
    const text = document.getText();
    return p.shown.find(({ finding }) => finding.id === d.code && rangeOf(document, anchorRange(text, finding.path)).isEqual(d.range))?.finding;
  }

  private clear(): void {
    this.published.clear();
    this.collection.clear();
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
    this.publishedEmitter.dispose();
    this.collection.dispose();
  }
}

/** Wiring for extension.ts: the diagnostics and their quick fixes. */
export function registerFindingsDiagnostics(context: vscode.ExtensionContext, onDidEndRun: vscode.Event<{ run: FinishedRun }>): FindingsDiagnostics {
  const diagnostics = new FindingsDiagnostics(context.globalStorageUri, onDidEndRun);
  context.subscriptions.push(diagnostics, vscode.languages.registerCodeActionsProvider(CONFIG_FILES, new FindingsCodeActions(diagnostics), FindingsCodeActions.metadata));
  return diagnostics;
}
