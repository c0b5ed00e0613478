// The Runs tree view: every run folder in the workspace's runs folder, newest first, kept current
// by a file watcher (CLI runs) and the session's events (the window's own run).
import * as vscode from 'vscode';
import { formatDuration } from '../../shared/progress';
import { type RunRecord, durationSeconds } from '../../shared/run-record';
import { listRunRecords } from '../../node/runs/run-listing';

export const RUNS_VIEW_ID = 'mnist.runsView';

/** A run's short date: "2026-11-26 12:30", local time. */
export function formatRunDate(ms: number | null): string {
  if (ms === null) return '';
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
}

export function formatAccuracy(a: number | null): string | undefined {
  return a === null ? undefined : `${(a * 100).toFixed(2)}%`;
}

/** "mnist-sample · cnn · 97.15% · 0:42 · 2026-11-26 12:30" (and the sweep position, or live progress). */
export function runDescription(r: RunRecord, liveProgress?: string): string {
  if (r.state === 'damaged') return `damaged: ${r.message ?? 'cannot be read'}`;
  const parts = [r.dataset, r.model];
  if (r.state === 'running') parts.push(liveProgress ?? 'running');
  else {
    const acc = formatAccuracy(r.testAccuracy);
    if (acc) parts.push(acc);
    const d = durationSeconds(r);
    if (d !== null) parts.push(formatDuration(d));
  }
  parts.push(formatRunDate(r.startedAt ?? r.modified));
  if (r.meta.sweep) parts.push(`sweep ${r.meta.sweep.index}/${r.meta.sweep.total}`);
  return parts.filter(Boolean).join(' · ');
}

const STATE_WORDS: Record<RunRecord['state'], string> = {
  completed: 'Completed',
  cancelled: 'Cancelled',
  failed: 'Failed',
  running: 'Running',
  damaged: 'Damaged',
};

function mdEscape(s: string): string {
  return s.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, '\\$&');
}

/** The tooltip's Markdown: status, then a table of what the run was and what it got. */
export function runTooltip(r: RunRecord): string {
  const c = r.config;
  const rows: [string, string | undefined][] = [
    ['Dataset', r.dataset],
    ['Model', r.model],
    ['Epochs', `${r.epochsCompleted}${r.epochs !== null ? ` of ${r.epochs}` : ''}`],
    ['Batch size', c ? String(c.training.batchSize) : undefined],
    ['Optimizer', c ? `${c.training.optimizer}, learning rate ${c.training.learningRate}` : undefined],
    ['Seed', c ? String(c.training.seed) : undefined],
    ['Backend', r.backend ? `${r.backend}${r.provenance?.tfjsVersion ? `, tfjs ${r.provenance.tfjsVersion}` : ''}` : undefined],
    ['Config hash', r.provenance?.configHash?.slice(0, 12)],
    ['Test accuracy', r.testAccuracy !== null ? `${r.testAccuracy.toFixed(4)} (loss ${r.testLoss?.toFixed(4) ?? '?'})` : undefined],
    ['Best val. accuracy', r.history.valAcc.length ? Math.max(...r.history.valAcc).toFixed(4) : undefined],
    ['Training time', r.fitSeconds !== null ? `${formatDuration(r.fitSeconds)}${r.samplesPerSecond ? `, ${Math.round(r.samplesPerSecond).toLocaleString('en-US')} samples/s` : ''}` : undefined],
    ['Started', formatRunDate(r.startedAt) || undefined],
    ['Sweep', r.meta.sweep ? `${r.meta.sweep.id}, ${r.meta.sweep.index} of ${r.meta.sweep.total}` : undefined],
    ['Reproduces', r.meta.reproduces],
    ['Folder', r.id],
  ];
  const lines = [`**${mdEscape(r.label)}** — ${STATE_WORDS[r.state]}`];
  if (r.message) lines.push('', mdEscape(r.message));
  lines.push('', '| | |', '|---|---|');
  for (const [k, v] of rows) if (v !== undefined && v !== '') lines.push(`| ${k} | ${mdEscape(v)} |`);
  if (r.problems.length) lines.push('', ...r.problems.map((p) => `*${mdEscape(p)}*`));
  return lines.join('\n');
}

function iconOf(state: RunRecord['state']): vscode.ThemeIcon {
  switch (state) {
    case 'completed':
      return new vscode.ThemeIcon('pass', new vscode.ThemeColor('testing.iconPassed'));
    case 'failed':
      return new vscode.ThemeIcon('error', new vscode.ThemeColor('testing.iconFailed'));
    case 'cancelled':
      return new vscode.ThemeIcon('circle-slash', new vscode.ThemeColor('testing.iconSkipped'));
    case 'running':
      return new vscode.ThemeIcon('sync~spin');
    case 'damaged':
      return new vscode.ThemeIcon('warning', new vscode.ThemeColor('list.warningForeground'));
  }
}

export interface LiveSource {
  /** The folder of the run this window is training, if any. */
  liveDir(): string | undefined;
  /** "Epoch 2/5 · acc 0.9312 · ETA 0:41" while training. */
  liveProgress(): string | undefined;
}

export class RunsTreeProvider implements vscode.TreeDataProvider<RunRecord>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<RunRecord | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private records: RunRecord[] = [];
  private loaded = false;

  constructor(private root: string, private readonly live: LiveSource) {}

  get runsFolder(): string {
    return this.root;
  }

  setRoot(root: string): void {
    this.root = root;
    this.reload();
  }

  /** Reads the runs folder again and redraws the list. */
  reload(): void {
    const liveDir = this.live.liveDir();
    this.records = listRunRecords(this.root, { liveDirs: new Set(liveDir ? [liveDir] : []) });
    this.loaded = true;
    this.changed.fire(undefined);
  }

  /** Redraws the live run's row (its progress text) without reading the folder. */
  refreshLive(): void {
    const dir = this.live.liveDir();
    const r = dir ? this.records.find((x) => x.dir === dir) : undefined;
    if (r) this.changed.fire(r);
  }

  runs(): readonly RunRecord[] {
    if (!this.loaded) this.reload();
    return this.records;
  }

  find(dir: string): RunRecord | undefined {
    return this.runs().find((r) => r.dir === dir);
  }

  getChildren(element?: RunRecord): RunRecord[] {
    return element ? [] : [...this.runs()];
  }

  getTreeItem(r: RunRecord): vscode.TreeItem {
    const item = new vscode.TreeItem(r.label, vscode.TreeItemCollapsibleState.None);
    item.id = r.dir;
    item.description = runDescription(r, r.state === 'running' && r.dir === this.live.liveDir() ? this.live.liveProgress() : undefined);
    const tooltip = new vscode.MarkdownString(runTooltip(r));
    tooltip.supportThemeIcons = false;
    item.tooltip = tooltip;
    item.iconPath = iconOf(r.state);
    item.contextValue = `mnistRun:${r.state}`;
    item.accessibilityInformation = { label: `${r.label}, ${STATE_WORDS[r.state]}, ${runDescription(r)}` };
    return item;
  }

  dispose(): void {
    this.changed.dispose();
  }
}
