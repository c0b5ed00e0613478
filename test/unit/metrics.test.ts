import assert from 'node:assert/strict';
import { test } from 'node:test';
import { evaluatePredictions } from '../../src/shared/metrics';

function oneHotish(pred: number, conf: number): number[] {
  const row = new Array(10).fill((1 - conf) / 9);
  row[pred] = conf;
  return row;
}

test('confusion matrix, accuracy and per-class accuracy from known predictions', () => {
  // true labels and what the model said
  const labels = [0, 0, 1, 1, 1, 2, 7, 7];
  const predicted = [0, 6, 1, 1, 7, 2, 7, 1];
  const probs = predicted.flatMap((p, i) => oneHotish(p, 0.5 + i * 0.05));
  const ev = evaluatePredictions(probs, labels);
  assert.equal(ev.testAccuracy, 5 / 8);
  assert.equal(ev.confusionMatrix[0][0], 1);
  assert.equal(ev.confusionMatrix[0][6], 1);
  assert.equal(ev.confusionMatrix[1][7], 1);
  assert.equal(ev.confusionMatrix[7][1], 1);
  assert.equal(ev.confusionMatrix.flat().reduce((a, b) => a + b, 0), 8);
  assert.deepEqual(ev.perClassAccuracy.slice(0, 3), [0.5, 2 / 3, 1]);
  assert.equal(ev.perClassAccuracy[7], 0.5);
  assert.equal(ev.perClassAccuracy[5], 0, 'a class with no samples reads 0, not NaN');
  // most confident mistake first: index 7 (conf .85), then 4 (.70), then 1 (.55)
  assert.deepEqual(ev.misclassified.map((m) => m.index), [7, 4, 1]);
  assert.deepEqual(ev.misclassified[0], { index: 7, label: 7, predicted: 1, confidence: probs[7 * 10 + 1] });
});

test('test loss is the mean categorical crossentropy, clipped like Keras', () => {
  const labels = [3, 5];
  const probs = [...oneHotish(3, 0.9), ...oneHotish(5, 0)];
  probs[10 + 5] = 0; // the true class got probability 0: Keras clips to 1e-7 instead of Infinity
  const ev = evaluatePredictions(probs, labels);
  const expected = (-Math.log(0.9) - Math.log(1e-7)) / 2;
  assert.ok(Math.abs(ev.testLoss - expected) < 1e-9, `loss ${ev.testLoss} vs ${expected}`);
});

test('a probability array of the wrong length is refused', () => {
  assert.throws(() => evaluatePredictions([0.1, 0.9], [1]), /expected 10 probabilities for 1 samples/);
});
