// Where a run's numbers come from: seed, backend, versions, the config's hash and the dataset's
// checksums, folded from its events; and whether a reproduction got the same numbers. Pure.
import type { MnistConfig } from './config';
import type { RunProvenance, TrainerEvent } from './protocol';
import type { RunRecord } from './run-record';

/** JSON with object keys sorted at every level: equal configs give equal text, whatever the key order. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    return `{${entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** The provenance recorded in a run's events (the first `ready` and the last `dataset`); fields an older trainer did not write are null. */
export function provenanceOf(config: MnistConfig | null, events: readonly TrainerEvent[]): RunProvenance {
  const ready = events.find((e) => e.type === 'ready');
  const dataset = [...events].reverse().find((e) => e.type === 'dataset');
  return {
    seed: (ready?.type === 'ready' ? ready.seed : undefined) ?? config?.training?.seed ?? null,
    backend: ready?.type === 'ready' ? ready.backend : null,
    threads: ready?.type === 'ready' ? ready.threads : null,
    tfjsVersion: ready?.type === 'ready' ? ready.versions.tfjs : null,
    nodeVersion: ready?.type === 'ready' ? ready.versions.node : null,
    configHash: (ready?.type === 'ready' ? ready.configHash : undefined) ?? null,
    dataset: dataset?.type === 'dataset' ? { name: dataset.name, source: dataset.source, checksums: dataset.checksums ?? null } : null,
  };
}

export interface ReproductionVerdict {
  /** Every metric equal within the tolerance. */
  match: boolean;
  /** Every metric bit for bit the same. */
  identical: boolean;
  /** One sentence for the notification. */
  summary: string;
  /** The metrics that differ, first difference first. */
  differences: string[];
  /** What differs in how the two runs were made: a likely reason when the metrics differ. */
  provenanceDifferences: string[];
}

const f = (x: number | null | undefined) => (x === null || x === undefined ? '—' : x.toFixed(6).replace(/0+$/, '').replace(/\.$/, ''));

/** Compares a reproduction with the run it reproduces: the test metrics and every epoch's history. */
export function compareReproduction(original: RunRecord, copy: RunRecord, tolerance = 1e-6): ReproductionVerdict {
  const differences: string[] = [];
  let identical = true;
  const close = (a: number, b: number) => Math.abs(a - b) <= tolerance * Math.max(1, Math.abs(a), Math.abs(b));
  const check = (what: string, a: number | null, b: number | null) => {
    if (a === b) return;
    identical = false;
    if (a === null || b === null || !close(a, b)) differences.push(`${what} ${f(a)} → ${f(b)}`);
  };
  if (original.epochsCompleted !== copy.epochsCompleted) {
    identical = false;
    differences.push(`epochs completed ${original.epochsCompleted} → ${copy.epochsCompleted}`);
  }
  const n = Math.min(original.history.valLoss.length, copy.history.valLoss.length);
  for (let e = 0; e < n; e++) {
    for (const k of ['loss', 'acc', 'valLoss', 'valAcc'] as const) check(`epoch ${e + 1} ${k}`, original.history[k][e] ?? null, copy.history[k][e] ?? null);
  }
  check('test accuracy', original.testAccuracy, copy.testAccuracy);
  check('test loss', original.testLoss, copy.testLoss);

  const a = original.provenance;
  const b = copy.provenance;
  const provenanceDifferences: string[] = [];
  const same = (what: string, x: unknown, y: unknown) => {
    if (x !== null && x !== undefined && y !== null && y !== undefined && canonicalJson(x) !== canonicalJson(y)) provenanceDifferences.push(`${what} ${String(x)} → ${String(y)}`);
  };
  same('backend', a?.backend, b?.backend);
  same('threads', a?.threads, b?.threads);
  same('tfjs', a?.tfjsVersion, b?.tfjsVersion);
  same('seed', a?.seed, b?.seed);
  same('config hash', a?.configHash?.slice(0, 12), b?.configHash?.slice(0, 12));
  if (a?.dataset?.checksums && b?.dataset?.checksums && canonicalJson(a.dataset.checksums) !== canonicalJson(b.dataset.checksums)) provenanceDifferences.push('the dataset files differ (checksums)');

  const match = differences.length === 0 && original.state === 'completed' && copy.state === 'completed';
  const acc = copy.testAccuracy !== null ? `test accuracy ${copy.testAccuracy.toFixed(4)}, ` : '';
  let summary: string;
  if (copy.state !== 'completed') summary = `the reproduction did not complete (${copy.state}${copy.message ? `: ${copy.message}` : ''})`;
  else if (identical) summary = `the metrics match exactly (${acc}${copy.epochsCompleted} epochs, every epoch's loss and accuracy)`;
  else if (match) summary = `the metrics match within ${tolerance} (${acc}${copy.epochsCompleted} epochs), though not bit for bit`;
  else summary = `the metrics differ: ${differences.slice(0, 3).join('; ')}${differences.length > 3 ? `; and ${differences.length - 3} more` : ''}`;
  if (!match && provenanceDifferences.length > 0) summary += `. How they were made differs: ${provenanceDifferences.join('; ')}`;
  return { match, identical: identical && match, summary, differences, provenanceDifferences };
}
