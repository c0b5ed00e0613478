// What mnist-train says about a finished run: the findings block after the test accuracy, and
// --json's summary on stdout.
import { readSummary } from '../node/runs/run-folder';
import { formatPath } from '../shared/config';
import { type RunFinding, readFindings } from '../shared/runs/findings';

const LABEL: Record<RunFinding['severity'], string> = { error: 'error', warning: 'warning', info: 'info', hint: 'hint' };

/** "Findings:" and one entry per finding (severity, the config field, the sentence, its quick fixes); nothing when there are none. */
export function findingsBlock(findings: readonly RunFinding[]): string[] {
  if (findings.length === 0) return [];
  const lines = ['Findings:'];
  for (const f of findings) {
    lines.push(`  ${LABEL[f.severity]} (${formatPath(f.path)}): ${f.message}`);
    for (const fix of f.fixes) lines.push(`      try: ${fix.title}`);
  }
  return lines;
}

/** Prints the findings in the run's summary.json (checked: the file is read back from disk); nothing without one. */
export function printFindings(runDir: string, print: (line: string) => void): void {
  for (const line of findingsBlock(readFindings(readSummary(runDir)?.findings))) print(line);
}

/** --json: the run's summary.json (status, metrics, history, findings) and its folder, as one JSON document on stdout. */
export function printJsonSummary(runDir: string): void {
  // No (readable) summary.json: a trainer that died before writing it. The document says so with a null status.
  const body = readSummary(runDir) ?? { status: null };
  process.stdout.write(JSON.stringify({ runDir, ...body }, null, 2) + '\n');
}
