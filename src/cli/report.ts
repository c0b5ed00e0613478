// mnist-train report RUN_DIR... | --sweep ID: writes a Markdown report with SVG curves into reports/.
import { resolve } from 'node:path';
import { locationFrom, readRunsForReport, ReportError, writeReport, type WrittenReport } from '../node/runs/report-files';
import { listRunRecords } from '../node/runs/run-listing';
import { UsageError } from './args';

export const REPORT_USAGE = `Usage: mnist-train report RUN_DIR... [--out DIR]
       mnist-train report --sweep ID [--runs DIR] [--out DIR]

Writes a Markdown report comparing the runs (configurations and results, validation curves as SVG,
the best run's confusion matrix, findings) into DIR (default ./reports), with its images in
DIR/images/, and prints the report's path.

  --sweep ID    every run of that sweep (its id is in each run's meta.json and in the sweep's output)
  --runs DIR    where to look for the sweep's runs (default ./.mnist/runs)
  --out DIR     where the report goes (default ./reports)`;

export interface ReportOptions {
  runDirs: string[];
  sweep?: string;
  runs: string;
  out: string;
  help: boolean;
}

export function parseReportArgs(argv: readonly string[]): ReportOptions {
  const o: ReportOptions = { runDirs: [], runs: '.mnist/runs', out: 'reports', help: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) throw new UsageError(`report: ${arg} needs a value`);
      return v;
    };
    if (arg === '-h' || arg === '--help') o.help = true;
    else if (arg === '--out') o.out = value();
    else if (arg === '--runs') o.runs = value();
    else if (arg === '--sweep') o.sweep = value();
    else if (arg.startsWith('-')) throw new UsageError(`report: unknown option ${arg} (see mnist-train report --help)`);
    else o.runDirs.push(arg);
  }
  if (!o.help && o.runDirs.length === 0 && !o.sweep) throw new UsageError('report: give one or more run folders, or --sweep ID (see mnist-train report --help)');
  if (o.sweep && o.runDirs.length > 0) throw new UsageError('report: give run folders or --sweep ID, not both');
  return o;
}

/** Writes the report for a sweep's run folders into outDir; the extension and the CLI's --sweep both call it. */
export function reportOnSweep(runDirs: readonly string[], outDir: string, sweepId: string): WrittenReport {
  const out = resolve(outDir);
  const runs = readRunsForReport(runDirs);
  return writeReport(runs, out, { sweepId, runsLocation: locationFrom(out, resolve(runDirs[0], '..')) });
}

export function reportCommand(argv: readonly string[]): number {
  const o = parseReportArgs(argv);
  if (o.help) {
    process.stdout.write(REPORT_USAGE + '\n');
    return 0;
  }
  const out = resolve(o.out);
  try {
    let dirs = o.runDirs.map((d) => resolve(d));
    if (o.sweep) {
      dirs = listRunRecords(resolve(o.runs))
        .filter((r) => r.meta.sweep?.id === o.sweep)
        .sort((a, b) => (a.meta.sweep?.index ?? 0) - (b.meta.sweep?.index ?? 0))
        .map((r) => r.dir);
      if (dirs.length === 0) throw new UsageError(`report: no runs of sweep ${o.sweep} in ${o.runs}`);
    }
    const runs = readRunsForReport(dirs);
    const written = writeReport(runs, out, { ...(o.sweep ? { sweepId: o.sweep } : {}), runsLocation: locationFrom(out, resolve(dirs[0], '..')) });
    process.stderr.write(`Report on ${runs.length} run${runs.length === 1 ? '' : 's'}, with ${written.report.images.length} SVG images in ${written.imagesDir}\n`);
    process.stdout.write(written.file + '\n');
    return 0;
  } catch (err) {
    if (err instanceof ReportError) throw new UsageError(`report: ${err.message}`);
    throw err;
  }
}
