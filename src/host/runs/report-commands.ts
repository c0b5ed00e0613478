// Reports on runs: MNIST: Write Report, and a sweep's report when it ends.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { RunRecord } from '../../shared/run-record';
import { trusted } from '../trust';
import type { RunHistoryContext } from './run-commands';
import { describeOutcome } from '../../shared/sweep';
import { locationFrom, readRunsForReport, writeReport } from '../../node/runs/report-files';
import { targetRuns } from './run-commands';

/** Reports go into the workspace, beside the code, so they can be committed. */
const REPORTS_FOLDER = 'reports';

/** MNIST: Run Sweep, then its report, then a notification with the outcome. */
export async function runSweep(h: RunHistoryContext, uri?: vscode.Uri): Promise<void> {
  const result = await h.sweeps.run(uri);
  if (!result) return;
  const runs = result.runDirs.map((d) => h.provider.find(d)).filter((r): r is RunRecord => r !== undefined);
  const report = runs.length > 0 ? writeReportFor(h, runs, result.id) : undefined;
  const actions = [...(report ? ['Open Report'] : []), ...(runs.length >= 2 ? ['Compare Runs'] : [])];
  const failed = result.outcome.results.some((r) => r.status === 'failed');
  const show = failed ? vscode.window.showWarningMessage : vscode.window.showInformationMessage;
  const choice = await show(`MNIST sweep ${result.id}: ${describeOutcome(result.outcome)}.${report ? ` Report: ${vscode.workspace.asRelativePath(report)}` : ''}`, ...actions);
  if (choice === 'Compare Runs') h.compare.show(runs);
  if (choice === 'Open Report' && report) await vscode.commands.executeCommand('markdown.showPreview', vscode.Uri.file(report));
}

/** Writes the report into <workspace>/reports/; returns its path, or undefined after telling the user why not. */
export function writeReportFor(h: RunHistoryContext, runs: readonly RunRecord[], sweepId?: string): string | undefined {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder || !trusted('Write Report')) return undefined;
  const outDir = path.join(folder.uri.fsPath, REPORTS_FOLDER);
  try {
    const records = readRunsForReport(runs.map((r) => r.dir));
    const written = writeReport(records, outDir, { ...(sweepId ? { sweepId } : {}), runsLocation: locationFrom(outDir, h.provider.runsFolder) });
    h.log.info(`Report on ${records.length} runs: ${written.file}`);
    return written.file;
  } catch (err) {
    h.log.error(`The report could not be written: ${(err as Error).stack ?? err}`);
    void vscode.window.showErrorMessage(`MNIST: the report could not be written: ${(err as Error).message}`);
    return undefined;
  }
}

/** MNIST: Write Report: for the selected runs, else the latest sweep, else the runs the user picks. */
export async function writeReportCommand(h: RunHistoryContext, item?: unknown, items?: unknown): Promise<void> {
  if (!trusted('Write Report')) return;
  const explicit = item !== undefined || (Array.isArray(items) && items.length > 0) || h.view.selection.length > 0;
  let runs: RunRecord[] = [];
  let sweepId: string | undefined;
  if (!explicit) {
    const latest = h.provider.runs().find((r) => r.meta.sweep)?.meta.sweep?.id;
    if (latest) {
      sweepId = latest;
      runs = h.provider.runs().filter((r) => r.meta.sweep?.id === latest).sort((a, b) => (a.meta.sweep?.index ?? 0) - (b.meta.sweep?.index ?? 0));
    }
  }
  if (runs.length === 0) runs = await targetRuns(h, item, items, { title: 'MNIST: Write Report — pick the runs to compare', many: true });
  if (runs.length === 0) return;
  // Runs that are exactly one sweep's are reported as that sweep.
  const ids = new Set(runs.map((r) => r.meta.sweep?.id));
  if (!sweepId && ids.size === 1) {
    const only = [...ids][0];
    if (only && h.provider.runs().filter((r) => r.meta.sweep?.id === only).length === runs.length) sweepId = only;
  }
  const file = writeReportFor(h, runs, sweepId);
  if (file) await vscode.commands.executeCommand('markdown.showPreview', vscode.Uri.file(file));
}

