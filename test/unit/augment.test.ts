// Data augmentation on real digits (the bundled mnist-sample): the pure warp, the preview and the
// trainer's batch source. Never on random tensors alone.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { AugmentScratch, augmentBatch, isIdentity, previewAugmentation } from '../../src/shared/augment';
import { AUGMENT_DEFAULTS, type AugmentConfig, ELASTIC_DEFAULTS } from '../../src/shared/config';
import { Mulberry32 } from '../../src/shared/prng';
import { augmentedBatchData, epochOrder } from '../../src/trainer/augment';
import { type Dataset, loadDataset } from '../../src/node/data/datasets';
import { ensureSample } from '../helpers/datasets';

const PIXELS = 784;
const DEFAULTS: AugmentConfig = { ...AUGMENT_DEFAULTS, elastic: null };
const ELASTIC: AugmentConfig = { ...AUGMENT_DEFAULTS, elastic: { ...ELASTIC_DEFAULTS } };
const NONE: AugmentConfig = { rotation: 0, shift: 0, zoom: 0, elastic: null };

let data: Dataset;
before(async () => {
  data = await loadDataset({ dataset: 'mnist-sample', dir: null, cacheDir: '', sampleDir: ensureSample() });
});

function run(config: AugmentConfig, indices: number[], seed: number): Float32Array {
  const out = new Float32Array(indices.length * PIXELS);
  const rng = new Mulberry32(seed);
  augmentBatch(data.trainImages, indices, config, () => rng.next(), out);
  return out;
}

function original(indices: number[]): Float32Array {
  const out = new Float32Array(indices.length * PIXELS);
  indices.forEach((idx, b) => {
    for (let i = 0; i < PIXELS; i++) out[b * PIXELS + i] = data.trainImages[idx * PIXELS + i] / 255;
  });
  return out;
}

/** Ink-weighted centre (x, y) of one image. */
function centre(pixels: Float32Array, b: number): [number, number] {
  let sum = 0;
  let x = 0;
  let y = 0;
  for (let i = 0; i < PIXELS; i++) {
    const v = pixels[b * PIXELS + i];
    sum += v;
    x += v * (i % 28);
    y += v * Math.floor(i / 28);
  }
  return [x / sum, y / sum];
}

const FIRST_64 = Array.from({ length: 64 }, (_, i) => i);

describe('the warp', () => {
  test('keeps every pixel in [0, 1], changes the digits, and keeps their ink roughly', () => {
    for (const config of [DEFAULTS, ELASTIC, { rotation: 45, shift: 6, zoom: 0.5, elastic: { alpha: 200, sigma: 2 } }]) {
      const out = run(config, FIRST_64, 1);
      assert.ok(out.every((v) => v >= 0 && v <= 1), 'pixel range');
      const before = original(FIRST_64);
      let changed = 0;
      for (let b = 0; b < 64; b++) {
        let diff = 0;
        for (let i = 0; i < PIXELS; i++) diff += Math.abs(out[b * PIXELS + i] - before[b * PIXELS + i]);
        if (diff > 1) changed++;
      }
      assert.ok(changed >= 60, `${changed} of 64 digits visibly changed`);
    }
    const out = run(DEFAULTS, FIRST_64, 1);
    const ink = (p: Float32Array) => p.reduce((a, v) => a + v, 0);
    const ratio = ink(out) / ink(original(FIRST_64));
    assert.ok(ratio > 0.8 && ratio < 1.25, `ink ratio ${ratio}: ±10 % zoom and bilinear smoothing only`);
  });

  test('a shift-only config moves each digit by at most the shift', () => {
    const out = run({ rotation: 0, shift: 3, zoom: 0, elastic: null }, FIRST_64, 5);
    const before = original(FIRST_64);
    let moved = 0;
    for (let b = 0; b < 64; b++) {
      const [x0, y0] = centre(before, b);
      const [x1, y1] = centre(out, b);
      // Ink pushed past the border is lost, which shifts the centre a little less.
      assert.ok(Math.abs(x1 - x0) <= 3.01 && Math.abs(y1 - y0) <= 3.01, `digit ${b} moved (${x1 - x0}, ${y1 - y0})`);
      if (Math.hypot(x1 - x0, y1 - y0) > 0.5) moved++;
    }
    assert.ok(moved > 40, `${moved} of 64 moved more than half a pixel`);
  });

  test('the identity config only scales bytes to [0, 1]', () => {
    assert.ok(isIdentity(NONE));
    assert.ok(!isIdentity(DEFAULTS));
    assert.deepEqual(run(NONE, FIRST_64, 1), original(FIRST_64));
  });

  test('the same seed gives the same pixels; another seed other pixels', () => {
    for (const config of [DEFAULTS, ELASTIC]) {
      assert.deepEqual(run(config, FIRST_64, 42), run(config, FIRST_64, 42));
      assert.notDeepEqual(run(config, FIRST_64, 42), run(config, FIRST_64, 43));
    }
  });

  test('a reused scratch gives the same result as a fresh one (no state leaks between images)', () => {
    const scratch = new AugmentScratch();
    const a = new Float32Array(8 * PIXELS);
    const rng1 = new Mulberry32(9);
    augmentBatch(data.trainImages, [0, 1, 2, 3, 4, 5, 6, 7], ELASTIC, () => rng1.next(), a, scratch);
    const b = new Float32Array(8 * PIXELS);
    const rng2 = new Mulberry32(9);
    augmentBatch(data.trainImages, [0, 1, 2, 3, 4, 5, 6, 7], ELASTIC, () => rng2.next(), b);
    assert.deepEqual(a, b);
  });
});

describe('previewAugmentation', () => {
  test('count versions of each digit, as bytes, the same for the same seed', () => {
    const images = [0, 1, 2].map((i) => data.trainImages.slice(i * PIXELS, (i + 1) * PIXELS));
    const p = previewAugmentation(images, DEFAULTS, 7, 4);
    assert.equal(p.length, 3);
    assert.ok(p.every((versions) => versions.length === 4 && versions.every((v) => v instanceof Uint8Array && v.length === PIXELS)));
    assert.deepEqual(previewAugmentation(images, DEFAULTS, 7, 4), p);
    assert.notDeepEqual(p[0][0], p[0][1], 'the versions differ');
    assert.notDeepEqual(previewAugmentation(images, DEFAULTS, 8, 4), p);
    assert.deepEqual(previewAugmentation([images[0]], NONE, 7, 1)[0][0], images[0], 'identity gives the digit back');
  });

  test('a wrong image size is a clear error', () => {
    assert.throws(() => previewAugmentation([new Uint8Array(100)], DEFAULTS, 1, 1), /image 0 has 100 bytes; a 28×28 image has 784/);
  });
});

describe("the trainer's batch source", () => {
  const options = (over: Partial<Parameters<typeof augmentedBatchData>[0]> = {}) => ({
    images: data.trainImages,
    labels: data.trainLabels,
    count: 6400,
    batchSize: 128,
    shuffle: true,
    seed: 42,
    augment: DEFAULTS,
    ...over,
  });

  test('each epoch visits every training image once, in an order fixed by (seed, epoch), never a validation one', () => {
    const order = epochOrder(6400, 3, 42, true);
    assert.deepEqual([...order].sort((a, b) => a - b), Array.from({ length: 6400 }, (_, i) => i));
    assert.deepEqual(epochOrder(6400, 3, 42, true), order);
    assert.notDeepEqual(epochOrder(6400, 4, 42, true), order);
    assert.deepEqual([...epochOrder(10, 1, 42, false)], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const o = options();
    const seen = new Set<number>();
    for (let b = 0; b < 50; b++) for (const i of epochOrder(o.count, 1, o.seed, true).subarray(b * 128, (b + 1) * 128)) seen.add(i);
    assert.equal(seen.size, 6400);
    assert.ok(Math.max(...seen) < 6400, 'indices 6400… are the validation split: never drawn');
  });

  test('labels travel with their images; pixels are augmented and in [0, 1]; the last batch is short', () => {
    const o = options();
    const order = epochOrder(o.count, 2, o.seed, true);
    const { pixels, labels } = augmentedBatchData(o, 2, 5, order);
    const indices = [...order.subarray(5 * 128, 6 * 128)];
    assert.deepEqual([...labels], indices.map((i) => data.trainLabels[i]));
    assert.ok(pixels.every((v) => v >= 0 && v <= 1));
    assert.notDeepEqual(pixels, original(indices));
    const last = augmentedBatchData(o, 2, 49, order);
    assert.equal(last.labels.length, 6400 - 49 * 128);
    const odd = augmentedBatchData(options({ count: 1000, batchSize: 300 }), 1, 3);
    assert.equal(odd.labels.length, 100);
  });

  test('reproducible per (seed, epoch, batch), whatever came before', () => {
    const o = options({ augment: ELASTIC });
    const a = augmentedBatchData(o, 4, 7);
    augmentedBatchData(o, 4, 6);
    augmentedBatchData(o, 1, 0);
    assert.deepEqual(augmentedBatchData(o, 4, 7), a);
    assert.notDeepEqual(augmentedBatchData(options({ augment: ELASTIC, seed: 43 }), 4, 7).pixels, a.pixels);
  });
});
