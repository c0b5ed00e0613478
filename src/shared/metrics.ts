import type { EvaluationEvent } from './protocol';

export type Evaluation = Omit<EvaluationEvent, 'type' | 'time'>;

const EPSILON = 1e-7; // Keras' backend epsilon, which its crossentropy clips to

/**
 * Test metrics from the model's class probabilities (row-major, numClasses per sample) and the
 * true labels: the same loss Keras reports for categorical crossentropy, accuracy, the confusion
 * matrix (rows: true class, columns: predicted), per-class accuracy and the most confident mistakes.
 */
export function evaluatePredictions(
  probabilities: ArrayLike<number>,
  labels: ArrayLike<number>,
  numClasses = 10,
  maxMistakes = 100,
): Evaluation {
  const n = labels.length;
  if (probabilities.length !== n * numClasses) {
    throw new Error(`expected ${n * numClasses} probabilities for ${n} samples, got ${probabilities.length}`);
  }
  const confusionMatrix = Array.from({ length: numClasses }, () => new Array<number>(numClasses).fill(0));
  const mistakes: Evaluation['misclassified'] = [];
  let lossSum = 0;
  let correct = 0;
  for (let i = 0; i < n; i++) {
    const row = i * numClasses;
    let predicted = 0;
    for (let c = 1; c < numClasses; c++) if (probabilities[row + c] > probabilities[row + predicted]) predicted = c;
    const label = labels[i];
    const p = Math.min(Math.max(probabilities[row + label], EPSILON), 1 - EPSILON);
    lossSum -= Math.log(p);
    confusionMatrix[label][predicted]++;
    if (predicted === label) correct++;
    else mistakes.push({ index: i, label, predicted, confidence: probabilities[row + predicted] });
  }
  mistakes.sort((a, b) => b.confidence - a.confidence || a.index - b.index);
  const perClassAccuracy = confusionMatrix.map((row, c) => {
    const total = row.reduce((s, v) => s + v, 0);
    return total === 0 ? 0 : row[c] / total;
  });
  return {
    testLoss: n === 0 ? 0 : lossSum / n,
    testAccuracy: n === 0 ? 0 : correct / n,
    confusionMatrix,
    perClassAccuracy,
    misclassified: mistakes.slice(0, maxMistakes),
  };
}
