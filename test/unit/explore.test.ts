// What the trainer adds to the dataset and evaluation events for the dashboard: a compact digit
// encoding, class counts, explorer images and bounded evaluation examples, on real digits.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { decodeDigit, encodeDigit, fromBase64, pixelRange, toBase64 } from '../../src/shared/digits';
import { classCounts, datasetOverview, evaluationExamples, EXAMPLES_PER_CELL, MAX_EXAMPLES, topClasses } from '../../src/shared/explore';
import { evaluatePredictions } from '../../src/shared/metrics';
import { type Dataset, loadDataset } from '../../src/node/data/datasets';
import { ensureSample, hasMnist10k, MNIST_10K_DIR } from '../helpers/datasets';

let sample: Dataset;
before(async () => {
  sample = await loadDataset({ dataset: 'mnist-sample', dir: null, cacheDir: join(mkdtempSync(join(tmpdir(), 'mnist-explore-')), 'cache'), sampleDir: ensureSample(), mirrors: [] });
});

/** A small seeded PRNG, so the scripted mistakes are the same every run. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const digit = (ds: Dataset, i: number, test = true): Uint8Array => (test ? ds.testImages : ds.trainImages).subarray(i * 784, (i + 1) * 784);

/**
 * Probabilities a model might give: right with confidence c for most, and a scripted set of
 * mistakes. Rows of 10, like predictProbabilities.
 */
function scripted(labels: ArrayLike<number>, wrong: Map<number, { predicted: number; confidence: number }>): Float32Array {
  const p = new Float32Array(labels.length * 10);
  for (let i = 0; i < labels.length; i++) {
    const w = wrong.get(i);
    const top = w ? w.predicted : labels[i];
    const conf = w ? w.confidence : 0.6 + ((i * 37) % 40) / 100; // 0.60..0.99, varied
    for (let c = 0; c < 10; c++) p[i * 10 + c] = (1 - conf) / 9;
    p[i * 10 + top] = conf;
    if (w) p[i * 10 + labels[i]] = (1 - conf) * 0.6; // the true class second
  }
  return p;
}

describe('digit encoding', () => {
  it('round-trips real digits exactly, at about a third of raw base64', () => {
    let encoded = 0;
    for (let i = 0; i < sample.testLabels.length; i += 7) {
      const d = digit(sample, i);
      const text = encodeDigit(d);
      encoded += text.length;
      assert.deepEqual(decodeDigit(text), new Uint8Array(d), `test digit ${i}`);
    }
    const n = Math.ceil(sample.testLabels.length / 7);
    const perDigit = encoded / n;
    assert.ok(perDigit < 1048 / 2.5, `${perDigit.toFixed(0)} characters a digit vs 1,048 raw`);
  });

  it('handles blank, full and alternating images, and long zero runs', () => {
    for (const d of [new Uint8Array(784), new Uint8Array(784).fill(255), Uint8Array.from({ length: 784 }, (_, i) => (i % 2 ? 0 : 1 + (i % 255)))]) {
      assert.deepEqual(decodeDigit(encodeDigit(d)), d);
    }
  });

  it('base64 matches Buffer both ways', () => {
    for (const len of [0, 1, 2, 3, 4, 5, 100, 784]) {
      const bytes = Uint8Array.from({ length: len }, (_, i) => (i * 97 + 13) % 256);
      assert.equal(toBase64(bytes), Buffer.from(bytes).toString('base64'));
      assert.deepEqual(fromBase64(Buffer.from(bytes).toString('base64')), bytes);
    }
  });

  it('rejects what is not a digit: wrong sizes, bad base64, runs past the end', () => {
    assert.throws(() => encodeDigit(new Uint8Array(783)), /784 pixels/);
    for (const bad of [undefined, 42, '', 'abc', 'a=bc', '!!!!', toBase64([0, 255, 0, 255, 0, 255, 0, 255]), toBase64([5, 6, 7]), toBase64([0, 0])]) {
      assert.equal(decodeDigit(bad), null, String(bad));
    }
    assert.equal(decodeDigit(Buffer.from(digit(sample, 0)).toString('base64')), null, 'raw base64 is not this encoding');
  });

  it('pixel range', () => {
    assert.deepEqual(pixelRange(digit(sample, 0)), { min: 0, max: 255 });
    assert.deepEqual(pixelRange([3, 9, 4]), { min: 3, max: 9 });
  });
});

describe('dataset overview', () => {
  it('counts each class per split and picks the first 3 training digits of each class', () => {
    const n = sample.trainLabels.length;
    const trainCount = Math.floor(n * 0.8);
    const o = datasetOverview(sample.trainImages, sample.trainLabels, trainCount, sample.testLabels);
    assert.deepEqual(o.classCounts.train, classCounts(sample.trainLabels, 0, trainCount));
    assert.equal(o.classCounts.train.reduce((a, b) => a + b, 0), trainCount);
    assert.equal(o.classCounts.validation.reduce((a, b) => a + b, 0), n - trainCount);
    assert.equal(o.classCounts.test.reduce((a, b) => a + b, 0), sample.testLabels.length);
    assert.ok(o.classCounts.train.every((c) => c > 400), 'every class is there');
    assert.equal(o.examples.indices.length, 30);
    assert.deepEqual(o.examples.labels, [0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4, 5, 5, 5, 6, 6, 6, 7, 7, 7, 8, 8, 8, 9, 9, 9]);
    for (const [k, i] of o.examples.indices.entries()) {
      assert.ok(i < trainCount, 'from the training part');
      assert.equal(sample.trainLabels[i], o.examples.labels[k]);
      assert.deepEqual(decodeDigit(o.examples.images[k]), new Uint8Array(digit(sample, i, false)));
    }
    // The first of each class: no earlier training digit has that label.
    const firstOf = (c: number) => sample.trainLabels.indexOf(c);
    for (let c = 0; c < 10; c++) assert.equal(o.examples.indices[c * 3], firstOf(c));
    assert.ok(JSON.stringify(o).length < 12_000, `${JSON.stringify(o).length} characters in the dataset event`);
  });
});

describe('evaluation examples from known predictions', () => {
  it('confusion matrix, per-class accuracy and the examples agree with the scripted mistakes', () => {
    const labels = Uint8Array.from([7, 7, 7, 2, 2, 3, 3, 3, 9, 9, 0, 1]);
    const images = sample.testImages.subarray(0, labels.length * 784);
    const wrong = new Map([
      [0, { predicted: 9, confidence: 0.9 }],
      [2, { predicted: 9, confidence: 0.7 }],
      [3, { predicted: 8, confidence: 0.8 }],
      [6, { predicted: 5, confidence: 0.55 }],
    ]);
    const probs = scripted(labels, wrong);
    const ev = evaluatePredictions(probs, labels);
    assert.deepEqual(ev.confusionMatrix[7], [0, 0, 0, 0, 0, 0, 0, 1, 0, 2]);
    assert.deepEqual(ev.confusionMatrix[2], [0, 0, 1, 0, 0, 0, 0, 0, 1, 0]);
    assert.deepEqual(ev.confusionMatrix[3], [0, 0, 0, 2, 0, 1, 0, 0, 0, 0]);
    assert.deepEqual(ev.perClassAccuracy, [1, 1, 0.5, 2 / 3, 0, 0, 0, 1 / 3, 0, 1]);
    assert.equal(ev.testAccuracy, 8 / 12);
    assert.deepEqual(ev.misclassified.map((m) => m.index), [0, 3, 2, 6]);

    const ex = evaluationExamples(probs, labels, images);
    assert.deepEqual(ex.map((x) => x.index), [...labels.keys()], 'few enough: every image, sorted by index');
    const byIndex = new Map(ex.map((x) => [x.index, x]));
    assert.deepEqual(byIndex.get(0)!.top, [9, 7, 0]);
    assert.deepEqual(byIndex.get(0)!.topProbabilities, [0.9, 0.06, Number(((1 - 0.9) / 9).toFixed(4))]);
    assert.equal(byIndex.get(0)!.predicted, 9);
    assert.equal(byIndex.get(0)!.label, 7);
    for (const x of ex) assert.deepEqual(decodeDigit(x.image), new Uint8Array(digit(sample, x.index)));
    // Every mistake in each cell is there, and the cells add up to the matrix.
    for (const [i, w] of wrong) assert.equal(byIndex.get(i)?.predicted, w.predicted);
  });

  it('on 2,000 real test labels: at most 20 per cell, the misclassified list in full, a few right ones per class, bounded', () => {
    const labels = sample.testLabels;
    // A weak model: a third of the 4s taken for 9s, a fifth of the other digits for (label + 1) % 10 or
    // (label + 2) % 10, picked at random (the sample's labels cycle, so index rules would pick classes).
    const random = mulberry32(7);
    const wrong = new Map<number, { predicted: number; confidence: number }>();
    for (let i = 0; i < labels.length; i++) {
      const r = random();
      if (labels[i] === 4 && r < 1 / 3) wrong.set(i, { predicted: 9, confidence: 0.5 + random() / 2 });
      else if (labels[i] !== 4 && r < 0.2) wrong.set(i, { predicted: (labels[i] + (r < 0.1 ? 1 : 2)) % 10, confidence: 0.4 + random() * 0.6 });
    }
    const probs = scripted(labels, wrong);
    const ev = evaluatePredictions(probs, labels);
    const ex = evaluationExamples(probs, labels, sample.testImages);
    assert.ok(ex.length <= MAX_EXAMPLES, `${ex.length} examples`);
    const indices = new Set(ex.map((x) => x.index));
    for (const m of ev.misclassified) assert.ok(indices.has(m.index), `misclassified #${m.index} has its image`);
    const cells = new Map<string, number>();
    for (const x of ex) cells.set(`${x.label},${x.predicted}`, (cells.get(`${x.label},${x.predicted}`) ?? 0) + 1);
    for (let c = 0; c < 10; c++) assert.equal(cells.get(`${c},${c}`), 3, `3 right answers of class ${c}`);
    // Every off-diagonal cell with mistakes is represented; the cap shares the rest round-robin.
    for (let t = 0; t < 10; t++) {
      for (let p = 0; p < 10; p++) {
        if (t === p || ev.confusionMatrix[t][p] === 0) continue;
        const shown = cells.get(`${t},${p}`) ?? 0;
        assert.ok(shown >= 1, `cell ${t}→${p} has an image`);
        assert.ok(shown <= Math.max(EXAMPLES_PER_CELL, ev.misclassified.filter((m) => m.label === t && m.predicted === p).length));
      }
    }
    // Right answers are the least confident ones of their class.
    const right7 = ex.filter((x) => x.label === 7 && x.predicted === 7).map((x) => x.topProbabilities[0]);
    let minRight = 1;
    for (let i = 0; i < labels.length; i++) if (labels[i] === 7 && !wrong.has(i)) minRight = Math.min(minRight, probs[i * 10 + 7]);
    assert.equal(Math.min(...right7), Number(minRight.toFixed(4)));
    const size = JSON.stringify(ex).length;
    assert.ok(size < 100_000, `${size} characters of examples`);
  });

  it('top classes: most probable first, ties to the lower class', () => {
    assert.deepEqual(topClasses([0.1, 0.5, 0.1, 0.3]), [1, 3, 0]);
    assert.deepEqual(topClasses([0.25, 0.25, 0.25, 0.25], 2), [0, 1]);
  });

  it('on the official 10,000 test digits too (../shared/datasets/mnist-10k)', { skip: hasMnist10k() ? false : '../shared/datasets/mnist-10k is not present' }, async () => {
    const ds = await loadDataset({ dataset: 'mnist', dir: MNIST_10K_DIR, cacheDir: join(mkdtempSync(join(tmpdir(), 'mnist-explore-')), 'cache'), sampleDir: ensureSample(), mirrors: [] });
    assert.equal(ds.testLabels.length, 10_000);
    const wrong = new Map<number, { predicted: number; confidence: number }>();
    const random = mulberry32(11);
    for (let i = 0; i < 10_000; i++) if (random() < 0.08) wrong.set(i, { predicted: (ds.testLabels[i] + 3) % 10, confidence: 0.45 + random() / 2 });
    const ex = evaluationExamples(scripted(ds.testLabels, wrong), ds.testLabels, ds.testImages);
    assert.equal(ex.length, MAX_EXAMPLES);
    for (const x of ex.slice(0, 50)) assert.deepEqual(decodeDigit(x.image), new Uint8Array(digit(ds, x.index)));
    assert.ok(JSON.stringify(ex).length < 100_000);
  });
});
