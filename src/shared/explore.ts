// What the dashboard needs to explore a dataset and a model's mistakes, chosen from the full data
// by the trainer and bounded in size so events.jsonl stays small. Pure: arrays in, event fields out.
import { DIGIT_PIXELS, encodeDigit } from './digits';
import type { DatasetEvent, EvaluationExample } from './protocol';

/** Training images per class in the dataset explorer. */
export const EXAMPLES_PER_CLASS = 3;
/** Mistakes kept per off-diagonal confusion cell, most confident first. */
export const EXAMPLES_PER_CELL = 20;
/** Right answers kept per class, least confident first: the digits the model nearly got wrong. */
export const RIGHT_EXAMPLES_PER_CLASS = 3;
/** Upper bound on evaluation examples, so a poor model on 10,000 test digits still writes a small log. */
export const MAX_EXAMPLES = 200;

/** How many of each class in labels[start..end). */
export function classCounts(labels: ArrayLike<number>, start = 0, end = labels.length, numClasses = 10): number[] {
  const counts = new Array<number>(numClasses).fill(0);
  for (let i = start; i < end; i++) counts[labels[i]]++;
  return counts;
}

function digitAt(images: ArrayLike<number>, index: number): number[] {
  const out = new Array<number>(DIGIT_PIXELS);
  for (let i = 0; i < DIGIT_PIXELS; i++) out[i] = images[index * DIGIT_PIXELS + i];
  return out;
}

/**
 * The dataset event's class counts per split and its explorer images: the first `perClass` of
 * each class among the training images (validation is the last part of the training set, as in Keras).
 */
export function datasetOverview(
  trainImages: ArrayLike<number>,
  trainLabels: ArrayLike<number>,
  trainCount: number,
  testLabels: ArrayLike<number>,
  perClass = EXAMPLES_PER_CLASS,
  numClasses = 10,
): Required<Pick<DatasetEvent, 'classCounts' | 'examples'>> {
  const picked: number[] = [];
  const seen = new Array<number>(numClasses).fill(0);
  for (let i = 0; i < trainCount && picked.length < perClass * numClasses; i++) {
    if (seen[trainLabels[i]] < perClass) {
      seen[trainLabels[i]]++;
      picked.push(i);
    }
  }
  picked.sort((a, b) => trainLabels[a] - trainLabels[b] || a - b);
  return {
    classCounts: {
      train: classCounts(trainLabels, 0, trainCount, numClasses),
      validation: classCounts(trainLabels, trainCount, trainLabels.length, numClasses),
      test: classCounts(testLabels, 0, testLabels.length, numClasses),
    },
    examples: {
      split: 'train',
      indices: picked,
      labels: picked.map((i) => trainLabels[i]),
      images: picked.map((i) => encodeDigit(digitAt(trainImages, i))),
    },
  };
}

/** The k most probable classes of one row, most probable first (ties: the lower class). */
export function topClasses(row: ArrayLike<number>, k = 3): number[] {
  const order = Array.from({ length: row.length }, (_, c) => c);
  order.sort((a, b) => row[b] - row[a] || a - b);
  return order.slice(0, k);
}

function round4(p: number): number {
  return Math.round(p * 10000) / 10000;
}

/**
 * The test images the evaluation views show, each with its top-3 probabilities. Taken in this
 * order until `max`: each class's least confident right answers (up to `rightPerClass`), the
 * `maxMistakes` most confident mistakes overall (the misclassified list), then round-robin over
 * the off-diagonal cells (each cell's most confident mistakes first, up to `perCell`). Sorted by
 * test index.
 */
export function evaluationExamples(
  probabilities: ArrayLike<number>,
  labels: ArrayLike<number>,
  images: ArrayLike<number>,
  opts: { perCell?: number; rightPerClass?: number; max?: number; maxMistakes?: number; numClasses?: number } = {},
): EvaluationExample[] {
  const { perCell = EXAMPLES_PER_CELL, rightPerClass = RIGHT_EXAMPLES_PER_CLASS, max = MAX_EXAMPLES, maxMistakes = 100, numClasses = 10 } = opts;
  const n = labels.length;
  const predicted = new Int32Array(n);
  const confidence = new Float64Array(n);
  const cells = new Map<number, number[]>(); // label * numClasses + predicted → test indices
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let c = 1; c < numClasses; c++) if (probabilities[i * numClasses + c] > probabilities[i * numClasses + best]) best = c;
    predicted[i] = best;
    confidence[i] = probabilities[i * numClasses + best];
    const key = labels[i] * numClasses + best;
    let list = cells.get(key);
    if (!list) cells.set(key, (list = []));
    list.push(i);
  }
  const byConfidence = (a: number, b: number): number => confidence[b] - confidence[a] || a - b;
  const chosen = new Set<number>();
  const take = (i: number): void => {
    if (chosen.size < max) chosen.add(i);
  };

  for (let c = 0; c < numClasses; c++) {
    const right = cells.get(c * numClasses + c) ?? [];
    right.sort((a, b) => confidence[a] - confidence[b] || a - b);
    for (const i of right.slice(0, rightPerClass)) take(i);
  }

  const mistakes: number[] = [];
  for (let i = 0; i < n; i++) if (predicted[i] !== labels[i]) mistakes.push(i);
  mistakes.sort(byConfidence);
  for (const i of mistakes.slice(0, maxMistakes)) take(i);

  const offDiagonal = [...cells].filter(([key]) => Math.floor(key / numClasses) !== key % numClasses).sort(([a], [b]) => a - b);
  for (const [, list] of offDiagonal) list.sort(byConfidence);
  for (let rank = 0; rank < perCell && chosen.size < max; rank++) {
    for (const [, list] of offDiagonal) if (rank < list.length) take(list[rank]);
  }

  return [...chosen]
    .sort((a, b) => a - b)
    .map((i) => {
      const row = Array.from({ length: numClasses }, (_, c) => probabilities[i * numClasses + c]);
      const top = topClasses(row, 3);
      return {
        index: i,
        label: labels[i],
        predicted: predicted[i],
        top,
        topProbabilities: top.map((c) => round4(row[c])),
        image: encodeDigit(digitAt(images, i)),
      };
    });
}
