// Our wasm kernels (BatchMatMul, Slice, GatherV2 on axis 0, Sum over leading axes,
// MaxPoolGrad, fused Adam) against tfjs's cpu backend,
// on real digits: ../shared/datasets/mnist-10k where present, else the bundled mnist-sample.
import * as tf from '@tensorflow/tfjs';
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { initBackend } from '../../src/trainer/backend';
import { ADAM_KERNEL } from '../../src/trainer/kernels/adam';
import { registerWasmKernels } from '../../src/trainer/kernels/wasm';
import { PIXELS, seededValues, trainingDigits } from '../helpers/digits';

/** f on cpu and on wasm (our kernels registered); max |wasm − cpu| / max |cpu|, and the outputs' shapes must agree. */
async function compare(f: () => tf.Tensor): Promise<number> {
  await initBackend('cpu');
  const cpu = tf.tidy(f);
  const cpuValues = Float32Array.from(cpu.dataSync());
  const cpuShape = cpu.shape;
  cpu.dispose();
  await initBackend('wasm');
  const wasm = tf.tidy(f);
  assert.deepEqual(wasm.shape, cpuShape);
  const wasmValues = wasm.dataSync();
  wasm.dispose();
  let maxDiff = 0;
  let maxRef = 0;
  for (let i = 0; i < cpuValues.length; i++) {
    maxDiff = Math.max(maxDiff, Math.abs(cpuValues[i] - wasmValues[i]));
    maxRef = Math.max(maxRef, Math.abs(cpuValues[i]));
  }
  assert.ok(maxRef > 0, 'the reference is all zeros: the case tests nothing');
  return maxDiff / maxRef;
}

describe('wasm BatchMatMul, Slice, Sum, MaxPoolGrad and Adam kernels', () => {
  let digits: ReturnType<typeof trainingDigits>;
  before(() => {
    digits = trainingDigits(64);
  });

  test('are registered once wasm is chosen, and registering again changes nothing', async (t) => {
    t.diagnostic(`digits from ${digits.source}`);
    await initBackend('wasm');
    const names = ['BatchMatMul', 'Slice', 'GatherV2', 'Sum', 'Add', 'Identity', 'Cast', 'MaxPoolGrad', ADAM_KERNEL];
    const kernels = names.map((n) => tf.getKernel(n, 'wasm'));
    assert.ok(kernels[0]?.setupFunc && kernels[2]?.setupFunc && kernels[3]?.setupFunc, "wasm's own setup stays, for the fallback paths");
    registerWasmKernels();
    assert.deepEqual(names.map((n) => tf.getKernel(n, 'wasm')), kernels);
  });

  // The dense layers' products: x [32,784] (digits), W [784,128], dy [32,128].
  const x = () => tf.tensor2d(digits.images.subarray(0, 32 * PIXELS), [32, PIXELS]);
  const w = () => tf.tensor2d(seededValues(PIXELS * 128, 3, 0.05), [PIXELS, 128]);
  const dy = () => tf.tensor2d(seededValues(32 * 128, 5), [32, 128]);
  const products: [string, () => tf.Tensor][] = [
    ['x·W (untransposed: our conv4x8 loop as a 1×1 conv)', () => tf.matMul(x(), w())],
    ['xᵀ·dy (a dense kernel gradient)', () => tf.matMul(x(), dy(), true, false)],
    ['dy·Wᵀ (a dense input gradient)', () => tf.matMul(dy(), w(), false, true)],
    ['Wᵀ·xᵀ (both transposed)', () => tf.matMul(w(), x(), true, true)],
    ['rank 3 with batch 1, transposeA', () => tf.matMul(x().reshape([1, 32, PIXELS]), dy().reshape([1, 32, 128]), true, false)],
    ['rank 3 with batch 2, transposeB (fallback)', () => tf.matMul(x().reshape([2, 16, PIXELS]), w().transpose().reshape([1, 128, PIXELS]).tile([2, 1, 1]), false, true)],
  ];
  for (const [name, f] of products) {
    test(`matMul equals cpu within 1e-5: ${name}`, async () => {
      const err = await compare(f);
      assert.ok(err < 1e-5, `relative error ${err.toExponential(2)}`);
    });
  }

  const images = () => tf.tensor4d(digits.images, [64, 28, 28, 1]);
  const slices: [string, () => tf.Tensor][] = [
    ['a batch of rows (contiguous)', () => images().slice([32, 0, 0, 0], [16, -1, -1, -1])],
    ['a crop of every image (strided)', () => images().slice([3, 5, 4, 0], [10, 17, 19, 1])],
    ['columns of a matrix (short inner rows)', () => images().reshape([64, PIXELS]).slice([0, 300], [64, 5])],
    ['long inner rows', () => images().reshape([64 * 28, 28]).slice([100, 2], [300, 24])],
    ['int32 labels', () => tf.tensor1d(Array.from(digits.labels), 'int32').slice([10], [20]).cast('float32')],
    ['a small block of rank 5', () => images().reshape([4, 16, 28, 28, 1]).slice([1, 2, 12, 10, 0], [1, 1, 3, 5, 1])],
  ];
  for (const [name, f] of slices) {
    test(`slice equals cpu exactly: ${name}`, async () => {
      assert.equal(await compare(f), 0);
    });
  }

  // model.fit's batches: shuffled rows of the training images and their one-hot labels.
  const picks = [5, 0, 63, 17, 17, 42, 1, 30];
  const gathers: [string, () => tf.Tensor][] = [
    ['a batch of image rows (as fit takes them)', () => tf.gather(images(), tf.tensor1d(picks, 'int32'))],
    ['one-hot labels', () => tf.gather(tf.oneHot(tf.tensor1d(Array.from(digits.labels), 'int32'), 10), tf.tensor1d(picks, 'int32'))],
    ['int32 values, indices of rank 2', () => tf.gather(tf.tensor1d(Array.from(digits.labels), 'int32'), tf.tensor2d([[3, 1], [60, 2]], [2, 2], 'int32')).cast('float32')],
    ['axis 1 (wasm own path)', () => tf.gather(images().reshape([64, PIXELS]), tf.tensor1d([400, 3, 401], 'int32'), 1)],
  ];
  for (const [name, f] of gathers) {
    test(`gather equals cpu exactly: ${name}`, async () => {
      assert.equal(await compare(f), 0);
    });
  }

  test('gather refuses an index out of range, as wasm own kernel does', async () => {
    await initBackend('wasm');
    const x = tf.tensor2d(digits.images.subarray(0, 4 * PIXELS), [4, PIXELS]);
    const bad = tf.tensor1d([1, 4], 'int32');
    assert.throws(() => tf.gather(x, bad), /GatherV2: the index value 4 is not in \[0, 3\]/);
    const none = tf.gather(x, tf.tensor1d([], 'int32'));
    assert.deepEqual(none.shape, [0, PIXELS]);
    tf.dispose([x, bad, none]);
  });

  test('an empty slice is empty', async () => {
    await initBackend('wasm');
    const t = tf.tensor2d(digits.images.subarray(0, 4 * PIXELS), [4, PIXELS]);
    const empty = t.slice([2, 0], [0, PIXELS]);
    assert.deepEqual(empty.shape, [0, PIXELS]);
    tf.dispose([t, empty]);
  });

  // Ours adds in float64 in cpu's order, so it matches cpu to the last bit; wasm's own adds in float32.
  const sums: [string, number, () => tf.Tensor][] = [
    ['a conv bias gradient: all axes but channels', 0, () => tf.sum(images().mul(2).sub(1), [0, 1, 2])],
    ['keepDims', 0, () => tf.sum(images(), [0, 1], true)],
    ['a dense bias gradient: axis 0 of a matrix', 0, () => tf.sum(images().reshape([64, PIXELS]), 0)],
    ['inner axes (wasm own path)', 1e-4, () => tf.sum(images(), [1, 2])],
    ['everything (wasm own path)', 1e-4, () => tf.sum(images()).reshape([1])],
  ];
  for (const [name, tolerance, f] of sums) {
    test(`sum equals cpu${tolerance ? ` within ${tolerance}` : ' exactly'}: ${name}`, async () => {
      const err = await compare(f);
      assert.ok(err <= tolerance, `relative error ${err.toExponential(2)}`);
    });
  }

  // A float32 addition is the same on every backend: these must match to the bit.
  const bias = (n: number) => tf.tensor1d(seededValues(n, 23));
  const adds: [string, () => tf.Tensor][] = [
    ['a conv bias: [64,28,28,4] + [4] (SIMD)', () => images().tile([1, 1, 1, 4]).add(bias(4))],
    ['the bias first: [8] + [64,784,8] (SIMD)', () => bias(8).add(images().reshape([64, PIXELS, 1]).tile([1, 1, 8]))],
    ['a dense bias: [64,784] + [784] (SIMD)', () => images().reshape([64, PIXELS]).add(bias(PIXELS))],
    ['3 channels (wasm own path)', () => images().tile([1, 1, 1, 3]).add(bias(3))],
    ['same shapes (wasm own path)', () => images().add(images().mul(0.5))],
  ];
  for (const [name, f] of adds) {
    test(`add equals cpu exactly: ${name}`, async () => {
      const err = await compare(f);
      assert.equal(err, 0, `relative error ${err.toExponential(2)}`);
    });
  }

  test('identity and a cast to the same type share the data (no copy); each outlives the other', async () => {
    await initBackend('wasm');
    const x = tf.tensor4d(digits.images, [64, 28, 28, 1]);
    const buffers = tf.memory().numDataBuffers;
    const same = tf.clone(x); // the Identity kernel
    const cast = tf.cast(x, 'float32');
    assert.equal(tf.memory().numDataBuffers, buffers, 'no new data for identity or a float32 → float32 cast');
    x.dispose();
    assert.deepEqual(same.dataSync(), digits.images);
    same.dispose();
    assert.deepEqual(cast.dataSync(), digits.images);
    cast.dispose();
    const ints = tf.tidy(() => tf.cast(tf.tensor1d([0.5, 1, 2.7, -1.5]), 'int32'));
    assert.deepEqual([...ints.dataSync()], [0, 1, 2, -1], 'a cast to another type still converts');
    ints.dispose();
    assert.equal(tf.memory().numDataBuffers, buffers - 1, 'the data freed once all three are disposed');
  });

  // d(Σ maxPool(x)·w)/dx: where each window's gradient goes. Digits tie a lot (0 background,
  // saturated strokes), so these check the first-maximum rule as well as the arithmetic.
  const poolGradient = (x: () => tf.Tensor4D, size: number, stride: number, pad: 'valid' | 'same') => () => {
    const xs = x();
    const pooled = tf.maxPool(xs, size, stride, pad);
    const w = tf.tensor(seededValues(pooled.size, 17), pooled.shape);
    return tf.grad((v: tf.Tensor) => tf.maxPool(v as tf.Tensor4D, size, stride, pad).mul(w).sum())(xs);
  };
  const features = () =>
    tf.tidy(() => tf.conv2d(images(), tf.tensor4d(seededValues(9 * 8, 19, 0.5), [3, 3, 1, 8]), 1, 'valid').relu() as tf.Tensor4D);
  const pools: [string, () => tf.Tensor][] = [
    ['2×2 stride 2 on digits (ties at 0 and 1)', poolGradient(images, 2, 2, 'valid')],
    ['2×2 stride 2 on relu features, odd size 13 (the CNN)', poolGradient(() => features().slice([0, 0, 0, 0], [64, 25, 25, 8]), 2, 2, 'valid')],
    ['negative values', poolGradient(() => images().sub(0.75) as tf.Tensor4D, 2, 2, 'valid')],
    // Four channels (the wasm SIMD path) of tie-heavy variants of the digits, NaN and −∞ included.
    [
      '2×2 stride 2 on 4 channels with ties, NaN and −∞ (SIMD)',
      poolGradient(() => {
        const im = images();
        const nan = tf.fill(im.shape, NaN);
        const negInf = tf.fill(im.shape, -Infinity);
        const nanAndInf = tf.where(im.mul(255).mod(7).equal(3), nan, tf.where(im.equal(0), negInf, im));
        return tf.concat([im, tf.scalar(1).sub(im), im.round(), nanAndInf], 3) as tf.Tensor4D;
      }, 2, 2, 'valid'),
    ],
    ['3×3 stride 2 same (overlapping windows)', poolGradient(features, 3, 2, 'same')],
    ['2×2 stride 1 valid (overlapping windows)', poolGradient(images, 2, 1, 'valid')],
  ];
  for (const [name, f] of pools) {
    test(`maxPool gradient equals cpu within 1e-6: ${name}`, async () => {
      const err = await compare(f);
      assert.ok(err < 1e-6, `relative error ${err.toExponential(2)}`);
    });
  }

  test('dense-layer gradients through fit-like steps equal cpu within 1e-4', async () => {
    const gradients = () => {
      const xs = tf.tensor2d(digits.images.subarray(0, 32 * PIXELS), [32, PIXELS]);
      const ys = tf.oneHot(tf.tensor1d(Array.from(digits.labels.subarray(0, 32)), 'int32'), 10);
      const w1 = tf.variable(tf.tensor2d(seededValues(PIXELS * 64, 11, 0.05), [PIXELS, 64]));
      const w2 = tf.variable(tf.tensor2d(seededValues(64 * 10, 13, 0.2), [64, 10]));
      const { grads } = tf.variableGrads(() => tf.losses.softmaxCrossEntropy(ys, xs.matMul(w1).relu().matMul(w2)) as tf.Scalar, [w1, w2]);
      const out = tf.concat([grads[w1.name].flatten(), grads[w2.name].flatten()]);
      tf.dispose([w1, w2]);
      return out;
    };
    const err = await compare(gradients);
    assert.ok(err < 1e-4, `relative error ${err.toExponential(2)}`);
  });

  // Five Adam steps of a small dense model on digits: tfjs's own update on cpu, the fused kernel on wasm.
  const adamSteps = () => {
    const xs = tf.tensor2d(digits.images.subarray(0, 32 * PIXELS), [32, PIXELS]);
    const ys = tf.oneHot(tf.tensor1d(Array.from(digits.labels.subarray(0, 32)), 'int32'), 10);
    const w1 = tf.variable(tf.tensor2d(seededValues(PIXELS * 16, 23, 0.05), [PIXELS, 16]));
    const b1 = tf.variable(tf.zeros([16]));
    const w2 = tf.variable(tf.tensor2d(seededValues(16 * 10, 29, 0.3), [16, 10]));
    const optimizer = tf.train.adam(0.01);
    for (let step = 0; step < 5; step++) {
      optimizer.minimize(() => tf.losses.softmaxCrossEntropy(ys, xs.matMul(w1).add(b1).relu().matMul(w2)) as tf.Scalar);
    }
    assert.equal(optimizer.iterations, 5);
    const out = tf.concat([w1.flatten(), b1, w2.flatten()]);
    optimizer.dispose();
    tf.dispose([w1, b1, w2]);
    return out;
  };

  test('Adam on wasm (one fused kernel per variable) equals tfjs Adam within 1e-5 after 5 steps', async () => {
    // Against tfjs's own update on wasm (the fused kernel unregistered), so only the update differs...
    await initBackend('wasm');
    tf.unregisterKernel(ADAM_KERNEL, 'wasm');
    const own = tf.tidy(adamSteps);
    const ownValues = Float32Array.from(own.dataSync());
    own.dispose();
    registerWasmKernels();
    assert.ok(tf.getKernel(ADAM_KERNEL, 'wasm'));
    const fused = tf.tidy(adamSteps);
    const fusedValues = fused.dataSync();
    fused.dispose();
    let maxDiff = 0;
    for (let i = 0; i < ownValues.length; i++) maxDiff = Math.max(maxDiff, Math.abs(ownValues[i] - fusedValues[i]));
    const scale = Math.max(...ownValues.map(Math.abs));
    assert.ok(maxDiff / scale < 1e-5, `relative error ${(maxDiff / scale).toExponential(2)}`);
    // ...and against the cpu backend, where the matMuls and the loss differ in rounding too.
    const err = await compare(adamSteps);
    assert.ok(err < 1e-4, `relative error against cpu ${err.toExponential(2)}`);
  });

  test('Adam on wasm keeps tfjs state: moments named after the variables, bias corrections, iterations', async () => {
    await initBackend('wasm');
    const w = tf.variable(tf.tensor1d([1, -2, 3]), true, 'w');
    const optimizer = tf.train.adam(0.1);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) optimizer.minimize(() => w.square().sum() as tf.Scalar);
    const weights = await optimizer.getWeights();
    assert.deepEqual(weights.map((x) => x.name), ['iter', 'w/m', 'w/v']);
    assert.equal(weights[0].tensor.dataSync()[0], 3);
    weights[0].tensor.dispose(); // getWeights makes the iteration count a new tensor
    // Adam's first step moves every weight by about the learning rate, against the gradient's sign.
    assert.ok(Math.abs(w.dataSync()[0] - (1 - 0.3)) < 0.05, `w = ${w.dataSync()}`);
    // The two moments were created; nothing else stays behind.
    assert.equal(tf.memory().numTensors, before + 2);
    optimizer.dispose();
    w.dispose();
  });

  test('leak no tensors and no backend data', async () => {
    await initBackend('wasm');
    const a = tf.tensor2d(digits.images.subarray(0, 32 * PIXELS), [32, PIXELS]);
    const b = tf.tensor2d(seededValues(32 * 128, 5), [32, 128]);
    const x4 = a.reshape([32, 28, 28, 1]);
    const run = () =>
      tf.tidy(() => {
        tf.matMul(a, b, true, false);
        tf.matMul(b, a.slice([0, 0], [32, 128]), false, true);
        a.slice([1, 3], [7, 9]);
        tf.gather(x4, tf.tensor1d([3, 1, 3], 'int32'));
        tf.sum(x4, [0, 1, 2]);
        tf.grad((v: tf.Tensor) => tf.maxPool(v as tf.Tensor4D, 2, 2, 'valid').sum())(x4);
        tf.grad((v: tf.Tensor) => tf.maxPool(v as tf.Tensor4D, 3, 2, 'same').sum())(x4);
      });
    // One Adam step: its moments are made at the first step, so the warm-up below makes them.
    const w = tf.variable(tf.tensor2d(seededValues(PIXELS * 4, 31, 0.1), [PIXELS, 4]));
    const optimizer = tf.train.adam(0.01);
    const step = () => optimizer.minimize(() => a.matMul(w).square().mean() as tf.Scalar);
    const all = () => {
      run();
      step();
    };
    all();
    const before = tf.memory();
    // IS_TEST makes the engine check each kernel for data it left behind (and throw).
    tf.env().set('IS_TEST', true);
    try {
      all();
    } finally {
      tf.env().set('IS_TEST', false);
    }
    const after = tf.memory();
    assert.equal(after.numTensors, before.numTensors);
    assert.equal(after.numDataBuffers, before.numDataBuffers);
    optimizer.dispose();
    tf.dispose([a, b, x4, w]);
  });
});
