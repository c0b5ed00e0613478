// Writes a report into a folder (the workspace's reports/): the Markdown file and its SVG images.
// Node only; shared by `mnist-train report`, `mnist-train --sweep` and MNIST: Write Report.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { type Report, buildReport } from '../../shared/report';
import type { renderChartSvg } from '../../shared/report-svg';
import { type RunRecord, isPlainName } from '../../shared/run-record';
import { readRunRecord } from './run-listing';
import { writeFileAtomic } from './run-folder';

export interface WrittenReport {
  /** The Markdown file. */
  file: string;
  imagesDir: string;
  report: Report;
  runs: RunRecord[];
}

export class ReportError extends Error {}

function stamp(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}_${p(d.getHours())}-${p(d.getMinutes())}-${p(d.getSeconds())}`;
}

/** Reads each run folder (events too: dataset counts, provenance); a folder that is not a run is an error naming it. */
export function readRunsForReport(dirs: readonly string[]): RunRecord[] {
  const runs: RunRecord[] = [];
  const missing: string[] = [];
  for (const dir of dirs) {
    const r = readRunRecord(dir, { events: true });
    if (r) runs.push(r);
    else missing.push(dir);
  }
  if (missing.length > 0) throw new ReportError(`not a run folder (no config.json, events.jsonl or summary.json): ${missing.join(', ')}`);
  if (runs.length === 0) throw new ReportError('no runs to report on');
  return runs;
}

/**
 * Writes `<outDir>/<name>.md` and `<outDir>/images/<name>/*.svg`, never replacing an earlier
 * report: the name is the sweep id or the date, then "-report", with "-2", "-3"… if taken.
 */
export function writeReport(runs: readonly RunRecord[], outDir: string, opts: { date?: Date; sweepId?: string; runsLocation?: string } = {}): WrittenReport {
  const date = opts.date ?? new Date();
  if (opts.sweepId !== undefined && !isPlainName(opts.sweepId)) {
    throw new ReportError(`the sweep id "${opts.sweepId.slice(0, 100)}" is not a plain name (letters, digits, ".", "_", "-"); it names the report file, so it cannot hold a path`);
  }
  const base = `${opts.sweepId ?? stamp(date)}-report`;
  mkdirSync(outDir, { recursive: true });
  let name = base;
  for (let i = 2; existsSync(join(outDir, `${name}.md`)) || existsSync(join(outDir, 'images', name)); i++) name = `${base}-${i}`;
  const imagesPath = `images/${name}`;
  const report = buildReport({ runs, date, imagesPath, renderSvg: loadSvgRenderer(), ...(opts.sweepId ? { sweepId: opts.sweepId } : {}), ...(opts.runsLocation ? { runsLocation: opts.runsLocation } : {}) });
  const imagesDir = join(outDir, 'images', name);
  mkdirSync(imagesDir, { recursive: true });
  for (const img of report.images) writeFileSync(join(imagesDir, img.file), img.svg);
  const file = join(outDir, `${name}.md`);
  writeFileAtomic(file, report.markdown);
  return { file, imagesDir, report, runs: [...runs] };
}

/**
 * ECharts' SVG renderer (about 1.2 MB of code), loaded on the first report rather than when the
 * extension or the CLI starts. esbuild.mjs builds it as dist/report-svg.js and turns this require
 * into one of that file; from source (tests) it is the module itself.
 */
function loadSvgRenderer(): typeof renderChartSvg {
  return (require('../../shared/report-svg') as typeof import('../../shared/report-svg')).renderChartSvg;
}

/** "../.mnist/runs" style: where the runs are, seen from the report's folder. */
export function locationFrom(outDir: string, runsDir: string): string {
  return relative(outDir, runsDir).split('\\').join('/') || '.';
}
