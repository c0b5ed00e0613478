// Each chart's data as CSV, from the view state. Pure, so tests pin the columns.
import { rowRates } from './insights';
import type { ViewState } from './state';

export type ChartId = 'accuracy' | 'loss' | 'learning-rate' | 'confusion' | 'per-class' | 'class-counts';

function cell(v: string | number | null | undefined): string {
  if (v === null || v === undefined) return '';
  const s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function toCsv(rows: readonly (readonly (string | number | null | undefined)[])[]): string {
  return rows.map((r) => r.map(cell).join(',')).join('\r\n') + '\r\n';
}

/**
 * One row per point on the curve chart's x axis (the fractional epoch): the epoch ends carry
 * train and validation, the throttled batches carry the raw and smoothed training metric.
 */
function curveCsv(s: ViewState, metric: 'accuracy' | 'loss'): string {
  const h = s.history;
  const b = s.batches;
  const train = metric === 'loss' ? h.loss : h.acc;
  const validation = metric === 'loss' ? h.valLoss : h.valAcc;
  const raw = metric === 'loss' ? b.loss : b.acc;
  const smooth = metric === 'loss' ? b.smoothedLoss : b.smoothedAcc;
  const prefix = metric === 'loss' ? 'loss' : 'acc';
  const rows: { x: number; cols: (number | null)[] }[] = [];
  h.epoch.forEach((e, i) => rows.push({ x: e, cols: [train[i], validation[i], null, null] }));
  b.x.forEach((x, i) => rows.push({ x, cols: [null, null, raw[i], smooth[i]] }));
  rows.sort((a, c) => a.x - c.x || (a.cols[0] === null ? 1 : -1));
  return toCsv([['epoch', prefix, `val_${prefix}`, `batch_${prefix}`, `batch_${prefix}_smoothed`], ...rows.map((r) => [r.x, ...r.cols])]);
}

/** The data behind a chart, or null when the state has none yet. */
export function chartCsv(s: ViewState, chart: ChartId): string | null {
  const classes = (n: number): string[] => Array.from({ length: n }, (_, c) => s.dataset?.classNames[c] ?? String(c));
  switch (chart) {
    case 'accuracy':
    case 'loss':
      return s.history.epoch.length || s.batches.x.length ? curveCsv(s, chart) : null;
    case 'learning-rate': {
      const h = s.history;
      if (!h.learningRate.some((r) => r !== null)) return null;
      return toCsv([['epoch', 'learning_rate'], ...h.epoch.map((e, i) => [e, h.learningRate[i]])]);
    }
    case 'confusion': {
      const ev = s.evaluation;
      if (!ev) return null;
      const names = classes(ev.confusionMatrix.length);
      const rates = rowRates(ev.confusionMatrix);
      return toCsv([
        ['true', 'predicted', 'count', 'rate_of_true_class'],
        ...ev.confusionMatrix.flatMap((row, t) => row.map((count, p) => [names[t], names[p], count, Number(rates[t][p].toFixed(6))])),
      ]);
    }
    case 'per-class': {
      const ev = s.evaluation;
      if (!ev) return null;
      const names = classes(ev.perClassAccuracy.length);
      return toCsv([
        ['class', 'accuracy', 'right', 'test_images'],
        ...ev.perClassAccuracy.map((acc, c) => {
          const row = ev.confusionMatrix[c] ?? [];
          return [names[c], acc, row[c] ?? 0, row.reduce((a, v) => a + v, 0)];
        }),
      ]);
    }
    case 'class-counts': {
      const counts = s.dataset?.classCounts;
      if (!counts) return null;
      const names = classes(counts.train.length);
      return toCsv([['class', 'train', 'validation', 'test'], ...names.map((n, c) => [n, counts.train[c], counts.validation[c], counts.test[c]])]);
    }
  }
}

/** A file name the host accepts: "<run id>-<chart>.<ext>", other characters made dashes. */
export function exportFileName(runId: string | undefined, chart: ChartId, ext: 'png' | 'svg' | 'csv'): string {
  const base = `${runId ? `${runId}-` : ''}${chart}`.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[^A-Za-z0-9]+/, '').slice(0, 90) || 'chart';
  return `${base}.${ext}`;
}
