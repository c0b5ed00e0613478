// What the numbers say about a set of runs: the best one, the effect of each varied setting on
// test accuracy, and where overfitting began. Pure, so the report's sentences are tested on recorded histories.
import { type CompareTable, bestOf, compareTable } from './compare';
import type { RunRecord } from './run-record';

export interface OverfittingOnset {
  /** 1-based: the last epoch before validation loss rose; overfitting began after it. */
  epoch: number;
  epochs: number;
  bestValLoss: number;
  finalValLoss: number;
  trainLossAtOnset: number;
  finalTrainLoss: number;
}

/**
 * The epoch after which validation loss rose while training loss fell: validation loss is lowest
 * there (so a rise that falls back below it is noise), higher at the next epoch and still higher
 * at the end, while training loss is lower at the end. null when the history shows none.
 */
export function overfittingOnset(h: { loss: readonly number[]; valLoss: readonly number[] }): OverfittingOnset | null {
  const n = Math.min(h.loss.length, h.valLoss.length);
  if (n < 2) return null;
  let m = 0;
  // The last of equal lowest values: a plateau ends where the rise begins.
  for (let i = 1; i < n; i++) if (h.valLoss[i] <= h.valLoss[m]) m = i;
  if (m === n - 1 || !(h.valLoss[m + 1] > h.valLoss[m]) || !(h.loss[n - 1] < h.loss[m])) return null;
  return { epoch: m + 1, epochs: n, bestValLoss: h.valLoss[m], finalValLoss: h.valLoss[n - 1], trainLossAtOnset: h.loss[m], finalTrainLoss: h.loss[n - 1] };
}

/** The run with the highest test accuracy (ties: best validation accuracy, then lower test loss); runs without one count by validation accuracy only when none has one. */
export function bestRun(runs: readonly RunRecord[]): RunRecord | null {
  const tested = runs.filter((r) => r.testAccuracy !== null);
  const pool = tested.length > 0 ? tested : runs.filter((r) => r.history.valAcc.length > 0);
  let best: RunRecord | null = null;
  const key = (r: RunRecord): [number, number, number] => [r.testAccuracy ?? -1, bestOf(r.history.valAcc)?.value ?? -1, -(r.testLoss ?? Infinity)];
  for (const r of pool) {
    if (!best) {
      best = r;
      continue;
    }
    const a = key(r);
    const b = key(best);
    if (a[0] > b[0] || (a[0] === b[0] && (a[1] > b[1] || (a[1] === b[1] && a[2] > b[2])))) best = r;
  }
  return best;
}

export interface ParameterEffect {
  /** The config path, as in the comparison table. */
  key: string;
  /** Mean test accuracy per value, best first. */
  groups: { value: string; meanTestAccuracy: number; runs: number }[];
  /** Best mean minus worst mean. */
  spread: number;
  /** False when other settings also differ in a way that is not a full grid: the effect is mixed with theirs. */
  isolated: boolean;
}

/** For each setting that differs between the runs: mean test accuracy per value. Runs without a test accuracy are left out. */
export function parameterEffects(runs: readonly RunRecord[], table: CompareTable = compareTable(runs)): ParameterEffect[] {
  const rows = table.rows.map((row, i) => ({ row, run: runs[i] })).filter((x) => x.run.testAccuracy !== null);
  const columns = table.configColumns.filter((k) => new Set(rows.map((x) => x.row.config[k])).size > 1);
  const combos = new Set(rows.map((x) => columns.map((k) => x.row.config[k]).join('\u0000')));
  const distinct = columns.map((k) => new Set(rows.map((x) => x.row.config[k])).size);
  const fullGrid = combos.size === distinct.reduce((a, b) => a * b, 1);
  return columns.map((key) => {
    const by = new Map<string, number[]>();
    for (const x of rows) by.set(x.row.config[key], [...(by.get(x.row.config[key]) ?? []), x.run.testAccuracy!]);
    const groups = [...by].map(([value, accs]) => ({ value, meanTestAccuracy: accs.reduce((a, b) => a + b, 0) / accs.length, runs: accs.length }));
    groups.sort((a, b) => b.meanTestAccuracy - a.meanTestAccuracy);
    return { key, groups, spread: groups[0].meanTestAccuracy - groups[groups.length - 1].meanTestAccuracy, isolated: columns.length === 1 || fullGrid };
  });
}

const f4 = (x: number) => x.toFixed(4);

/** The findings as Markdown bullet points, generated from the numbers. */
export function findings(runs: readonly RunRecord[], labels: readonly string[] = runs.map((r) => r.label)): string[] {
  const out: string[] = [];
  const label = (r: RunRecord) => labels[runs.indexOf(r)] ?? r.label;
  const table = compareTable(runs);
  const best = bestRun(runs);
  const tested = runs.filter((r) => r.testAccuracy !== null);
  if (best && best.testAccuracy !== null) {
    const settings = table.configColumns.map((k) => `${k} ${table.rows[runs.indexOf(best)].config[k]}`).join(', ');
    const worst = tested.reduce((w, r) => (r.testAccuracy! < w.testAccuracy! ? r : w));
    const margin = tested.length > 1 && worst !== best ? `, ${f4(best.testAccuracy - worst.testAccuracy!)} above the weakest (${label(worst)}, ${f4(worst.testAccuracy!)})` : '';
    out.push(`**Best configuration:** ${label(best)}${settings ? ` (${settings})` : ''}, with test accuracy ${f4(best.testAccuracy)}${margin}.`);
  } else if (best) {
    out.push(`**Best configuration:** ${label(best)} by validation accuracy (${f4(bestOf(best.history.valAcc)!.value)}); no run has a test accuracy.`);
  } else {
    out.push('No run has metrics yet: nothing to compare.');
  }
  for (const e of parameterEffects(runs, table)) {
    const values = e.groups.map((g) => `${g.value}: ${f4(g.meanTestAccuracy)}${g.runs > 1 ? ` (mean of ${g.runs})` : ''}`).join(' > ');
    const caveat = e.isolated ? '' : '; other settings differ between these runs too, so this mixes their effects';
    out.push(`**Effect of ${e.key}** on test accuracy: ${values}; ${f4(e.spread)} between the best and the worst value${caveat}.`);
  }
  const onsets: string[] = [];
  const none: string[] = [];
  for (const r of runs) {
    const h = r.history;
    if (h.valLoss.length < 2) continue;
    const o = overfittingOnset(h);
    if (o) {
      onsets.push(
        `${label(r)}: validation loss was lowest after epoch ${o.epoch} (${f4(o.bestValLoss)}) and ${f4(o.finalValLoss)} by epoch ${o.epochs}, ` +
          `while training loss fell from ${f4(o.trainLossAtOnset)} to ${f4(o.finalTrainLoss)}: overfitting began after epoch ${o.epoch}.`,
      );
    } else none.push(label(r));
  }
  for (const s of onsets) out.push(`**Overfitting** — ${s}`);
  if (none.length > 0) out.push(`**No overfitting seen** in ${none.join(', ')}: validation loss was still at its lowest at the last epoch, or training loss did not fall after it.`);
  const short = runs.filter((r) => r.history.valLoss.length === 1).map(label);
  if (short.length > 0) out.push(`${short.join(', ')} trained one epoch: too short to show where overfitting begins.`);
  for (const r of runs.filter((x) => x.state !== 'completed')) {
    out.push(`${label(r)} did not complete (${r.state}${r.message ? `: ${r.message}` : ''}); its numbers are from the epochs it finished.`);
  }
  return out;
}
