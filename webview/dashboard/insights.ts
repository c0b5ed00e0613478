// What the evaluation, misclassified and dataset views show, computed from the view state. Pure.
import { type AugmentPreview, buildAugmentPreview } from '../../src/shared/augment-preview';
import { DIGIT_PIXELS } from '../../src/shared/digits';
import type { DatasetExample, DatasetInfo, Evaluation, TestExample, ViewState } from './state';

/** Each row divided by its total (a class with no test images stays all zeros). */
export function rowRates(matrix: readonly (readonly number[])[]): number[][] {
  return matrix.map((row) => {
    const total = row.reduce((s, v) => s + v, 0);
    return row.map((v) => (total === 0 ? 0 : v / total));
  });
}

export interface CellSelection {
  /** True class: the matrix row. */
  label: number;
  /** Predicted class: the matrix column. */
  predicted: number;
}

export interface CellDetail extends CellSelection {
  count: number;
  /** Test images of the true class. */
  rowTotal: number;
  /** count / rowTotal. */
  rate: number;
  /** The cell's images the log carries: mistakes most confident first, right answers least confident first. */
  examples: TestExample[];
}

export function cellDetail(ev: Evaluation, sel: CellSelection): CellDetail {
  const row = ev.confusionMatrix[sel.label] ?? [];
  const count = row[sel.predicted] ?? 0;
  const rowTotal = row.reduce((s, v) => s + v, 0);
  const right = sel.label === sel.predicted;
  const examples = ev.examples
    .filter((x) => x.label === sel.label && x.predicted === sel.predicted)
    .sort((a, b) => (right ? 1 : -1) * (a.topProbabilities[0] - b.topProbabilities[0]) || a.index - b.index);
  return { ...sel, count, rowTotal, rate: rowTotal === 0 ? 0 : count / rowTotal, examples };
}

export interface Mistake {
  index: number;
  label: number;
  predicted: number;
  confidence: number;
  /** The image and top-3, when the log carries them. */
  example: TestExample | null;
}

/** The misclassified list (most confident first, as the trainer sorted it), with images where known. */
export function worstMistakes(ev: Evaluation): Mistake[] {
  const byIndex = new Map(ev.examples.map((x) => [x.index, x]));
  return ev.misclassified.map((m) => ({ ...m, example: byIndex.get(m.index) ?? null }));
}

/** Cells worth a look first: the off-diagonal ones with the most mistakes. */
export function topConfusions(ev: Evaluation, limit = 3): (CellSelection & { count: number })[] {
  const cells: (CellSelection & { count: number })[] = [];
  ev.confusionMatrix.forEach((row, label) =>
    row.forEach((count, predicted) => {
      if (label !== predicted && count > 0) cells.push({ label, predicted, count });
    }),
  );
  return cells.sort((a, b) => b.count - a.count || a.label - b.label || a.predicted - b.predicted).slice(0, limit);
}

/** "(6400, 28, 28, 1)" */
export function formatShape(dims: readonly (number | null)[]): string {
  return `(${dims.map((d) => (d === null ? 'None' : String(d))).join(', ')})`;
}

export interface SplitShape {
  split: 'train' | 'validation' | 'test';
  count: number;
  /** Images as the model is given them, and labels one-hot. */
  x: string;
  y: string;
}

/** The tensors the tutorial prints: x_train.shape, y_train.shape, and so on. */
export function datasetShapes(d: DatasetInfo): SplitShape[] {
  const classes = d.classNames.length || 10;
  return (['train', 'validation', 'test'] as const).map((split) => ({
    split,
    count: d[split],
    x: formatShape([d[split], ...d.imageShape]),
    y: formatShape([d[split], classes]),
  }));
}

/** Classes ordered by probability, most probable first (ties: the lower class). */
export function rankClasses(probabilities: readonly number[]): number[] {
  return probabilities.map((_, c) => c).sort((a, b) => probabilities[b] - probabilities[a] || a - b);
}

/** Mean pixel value and how much of the image is ink (> 0), for the large view of a digit. */
export function pixelStats(pixels: Uint8Array): { min: number; max: number; mean: number; inked: number } {
  let min = 255;
  let max = 0;
  let sum = 0;
  let inked = 0;
  for (const v of pixels) {
    if (v < min) min = v;
    if (v > max) max = v;
    sum += v;
    if (v > 0) inked++;
  }
  return { min, max, mean: pixels.length ? sum / pixels.length : 0, inked };
}

/**
 * The dataset explorer's augmentation rows: the run's data.augment, drawn with its seed on the
 * training digits its log carries (the first of each class); null when the run did not augment,
 * the host did not say, or the log has no digits.
 */
export function runAugmentPreview(s: ViewState, versions = 4): AugmentPreview | null {
  const augment = s.run?.augment;
  const d = s.dataset;
  if (!augment || !d) return null;
  const examples = d.examples.filter((x): x is DatasetExample & { pixels: Uint8Array } => x.pixels !== null);
  if (examples.length === 0) return null;
  const images = new Uint8Array(examples.length * DIGIT_PIXELS);
  examples.forEach((x, i) => images.set(x.pixels, i * DIGIT_PIXELS));
  const p = buildAugmentPreview({ images, labels: examples.map((x) => x.label), classNames: d.classNames, source: 'this run\u2019s log' }, augment, s.run?.seed ?? 42, versions);
  if (!p.enabled) return null;
  // Positions among the examples back to training-set indices.
  return { ...p, digits: p.digits.map((x) => ({ ...x, index: examples[x.index].index })) };
}
