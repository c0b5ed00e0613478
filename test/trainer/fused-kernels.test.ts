// Issue #18: the fused layers' kernels against tfjs's cpu backend (the loss against tfjs-layers'
// own ops), on real digits (../shared/datasets/mnist-10k where present, else the bundled
// mnist-sample) and random shapes: MnistReluBiasGrad, the dense products on our loops and their
// fallbacks, Conv2D/Dense layers with ReLU trained through FusedConv2D/_FusedMatMul, and the
// cross-entropy pair. This process runs the plain SIMD form; a child with relaxed SIMD the FMA
// form, and one on the threaded build the helper thread's splits in both.
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, test } from 'node:test';
import { applyDefaults } from '../../src/shared/config';
import { RELAXED_SIMD_FLAG, relaxedSimdHere, relaxedSimdWithFlag } from '../../src/node/processes/wasm-features';
import { defaultWasmDir, initBackend } from '../../src/trainer/backend';
import { CROSS_ENTROPY, CROSS_ENTROPY_GRAD, categoricalCrossentropy } from '../../src/trainer/kernels/cross-entropy';
import { RELU_BIAS_GRAD } from '../../src/trainer/kernels/relu-bias-grad';
import { fmaOptions, relaxedSimdSupported, simdFlavour, simdHelper } from '../../src/trainer/kernels/simd';
import { registerThreadedWasm } from '../../src/trainer/kernels/threads';
import { buildModel } from '../../src/trainer/model';
import { PIXELS, seededValues, trainingDigits } from '../helpers/digits';

/** float32's unit roundoff: one rounding moves a value by at most this much of itself. */
const U = 2 ** -24;
const CHILD = process.env.FUSED_KERNELS_CHILD;

let loaded: ReturnType<typeof trainingDigits> | undefined;
const digits = () => (loaded ??= trainingDigits(64));


/** A kernel input as data, so that both backends get the very same values. */
interface Operand {
  shape: number[];
  data: Float32Array;
}
const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);
const operand = (shape: number[], seed: number, scale = 1): Operand => ({ shape, data: seededValues(size(shape), seed, scale) });
const tensor = (o: Operand) => tf.tensor(o.data, o.shape);
const images = (count: number): Operand => ({ shape: [count, PIXELS], data: digits().images.subarray(0, count * PIXELS) });

/** Computes an input once, on cpu, the first time a reference asks for it (wasm's conv rounds differently). */
function onCpu(f: () => tf.Tensor): () => Operand {
  let kept: Operand | undefined;
  return () => {
    if (!kept) {
      assert.equal(tf.getBackend(), 'cpu', 'inputs are computed on cpu');
      kept = tf.tidy(() => {
        const t = f();
        return { shape: t.shape, data: Float32Array.from(t.dataSync()) };
      });
    }
    return kept;
  };
}

/** The CNN's first layer on `batch` digits: 3×3 conv + bias + ReLU, [batch, 26, 26, filters]. */
const convActivations = (batch: number, filters: number) =>
  onCpu(() => {
    const x = tf.tensor4d(digits().images.subarray(0, batch * PIXELS), [batch, 28, 28, 1]);
    const w = tf.tensor4d(seededValues(9 * filters, 3, 0.5), [3, 3, 1, filters]);
    return tf.conv2d(x, w, 1, 'valid').add(tf.tensor1d(seededValues(filters, 4, 0.2))).relu();
  });

/** A dense layer with ReLU on 32 digits: relu(x·W + b), [32, 128]. */
const denseActivations = onCpu(() =>
  tf.relu(tf.tensor2d(images(32).data, [32, PIXELS]).matMul(tf.tensor2d(seededValues(PIXELS * 128, 6, 0.05), [PIXELS, 128])).add(tf.tensor1d(seededValues(128, 8, 0.1)))),
);

/** One check: a reference on cpu, ours on wasm, and how far apart each value may be. */
interface Case {
  name: string;
  /** The reference, on the cpu backend. */
  cpu(): tf.Tensor[];
  /** Ours, on wasm; the same function as cpu where we replace the kernels behind tfjs's ops. */
  wasm?(): tf.Tensor[];
  /** Per output, on cpu: the largest |wasm − cpu| allowed, per value (a tensor of the output's shape) or 0 (exact). */
  allowed(): (tf.Tensor | 0)[];
  /** Helper-thread splits the wasm run makes on the threaded build. */
  splits?: number;
  /** No multiply-add of ours runs (wasm's own kernel, or none to fuse): the FMA form gives the plain one's bits. */
  fmaFree?: boolean;
  /** The kernel the wasm run must run (tf.profile): what the case is about. */
  kernel?: string;
}

interface Outcome {
  name: string;
  /** The largest |wasm − cpu| / allowed over all values: at most 1 passes (Infinity: an exact value differs, or a NaN). */
  worst: number;
  at: string;
  shapes: { cpu: number[][]; wasm: number[][] };
  /** Whether the reference has a value other than 0 (an all-zero reference tests nothing). */
  nonzero: boolean;
  /** Tensors and backend data the wasm run left behind. */
  leaked: [number, number];
  splits: number;
  expectedSplits?: number;
  /** Values that differ bitwise from the plain kernels' (measured in the FMA child only). */
  differsFromPlain?: number;
  fmaFree?: boolean;
  /** Case.kernel, where the wasm run did not run it. */
  missing?: string;
  count: number;
}

interface Values {
  shape: number[];
  data: Float32Array;
}
/** f's result, every tensor it made disposed (tf.tidy itself returns only tensors). */
function scoped<T>(f: () => T): T {
  let out: T | undefined;
  tf.tidy(() => {
    out = f();
  });
  return out as T;
}

/**
 * Tensors the engine counts, and data the backend holds: our kernels' temporary outputs
 * (makeOutput, disposeData) pass the engine by, so tf.memory() would not see one left behind.
 */
const held = (): [number, number] => [tf.memory().numTensors, tf.backend().numDataIds()];
const since = (start: [number, number]): [number, number] => held().map((n, i) => n - start[i]) as [number, number];

const read = (ts: tf.Tensor[]): Values[] => ts.map((t) => ({ shape: t.shape, data: Float32Array.from(t.dataSync()) }));

function compare(name: string, want: Values[], got: Values[], allowed: (Float32Array | number)[]): Omit<Outcome, 'leaked' | 'splits'> {
  let worst = 0;
  let at = 'nowhere';
  let nonzero = false;
  let count = 0;
  want.forEach((w, i) => {
    const g = got[i]?.data ?? new Float32Array(0);
    const limit = allowed[i];
    for (let j = 0; j < w.data.length; j++) {
      const lim = typeof limit === 'number' ? limit : limit[j];
      const [a, b] = [g[j], w.data[j]];
      // NaN on one side only (or a value missing), or an exact value that differs: Infinity.
      let ratio = 0;
      if (Number.isNaN(a) !== Number.isNaN(b)) ratio = Infinity;
      else if (a !== b && !Number.isNaN(a)) ratio = lim > 0 ? Math.abs(a - b) / lim : Infinity;
      nonzero ||= b !== 0;
      count++;
      if (ratio > worst) {
        worst = ratio;
        at = `output ${i} [${j}]: wasm ${g[j]}, cpu ${w.data[j]}, allowed ±${lim.toExponential(2)}`;
      }
    }
  });
  return { name, worst, at, nonzero, count, shapes: { cpu: want.map((v) => v.shape), wasm: got.map((v) => v.shape) } };
}

/** Runs a case on cpu and on wasm (the form fmaOptions and the build give) and compares. */
async function measure(c: Case, { againPlain = false } = {}): Promise<Outcome> {
  await initBackend('cpu');
  const [want, allowed] = scoped(() => [read(c.cpu()), c.allowed().map((t) => (t === 0 ? 0 : Float32Array.from(t.dataSync())))] as const);
  await initBackend('wasm');
  const backend = tf.backend() as BackendWasm;
  const splitsBefore = simdHelper(backend)?.splits ?? 0;
  const start = held();
  let got: Values[] = [];
  const { kernelNames } = await tf.profile(() => {
    got = scoped(() => read((c.wasm ?? c.cpu)()));
  });
  const leaked = since(start);
  const missing = c.kernel && !kernelNames.includes(c.kernel) ? c.kernel : undefined;
  const splits = (simdHelper(backend)?.splits ?? 0) - splitsBefore;
  let differsFromPlain: number | undefined;
  if (againPlain) {
    fmaOptions.enabled = false;
    const plain = scoped(() => read((c.wasm ?? c.cpu)()));
    fmaOptions.enabled = true;
    differsFromPlain = got.reduce((n, v, i) => n + v.data.filter((x, j) => x !== plain[i].data[j]).length, 0);
  }
  return { ...compare(c.name, want, got, allowed), leaked, splits, expectedSplits: c.splits, differsFromPlain, fmaFree: c.fmaFree, missing };
}

function check(o: Outcome, { splits = false, diagnostic }: { splits?: boolean; diagnostic?: (s: string) => void } = {}): void {
  diagnostic?.(`worst: ${o.worst.toPrecision(2)} of the allowed error, over ${o.count} values (${o.at})`);
  assert.deepEqual(o.shapes.wasm, o.shapes.cpu, `${o.name}: output shapes`);
  assert.ok(o.nonzero, `${o.name}: the reference is all zeros, so the case tests nothing`);
  assert.ok(o.worst <= 1, `${o.name}: ${o.worst === Infinity ? 'an exact value differs' : `${o.worst.toFixed(2)}× the allowed error`} at ${o.at}`);
  assert.deepEqual(o.leaked, [0, 0], `${o.name}: tensors and backend data left behind`);
  assert.equal(o.missing, undefined, `${o.name}: ${o.missing} did not run`);
  if (splits) assert.equal(o.splits, o.expectedSplits ?? 0, `${o.name}: helper-thread splits`);
}

// ---- MnistReluBiasGrad ----

/**
 * Column sums of rows × c values added in float32 in row order, as the kernel adds them (the SIMD
 * lanes and the JS loop both run down the rows); with `splitAt`, the rows before and from it are
 * summed apart and then added, as the helper-thread split does.
 */
function rowOrderSums(dx: Float32Array, c: number, splitAt?: number): Float32Array {
  const rows = dx.length / c;
  const part = (from: number, to: number) => {
    const s = new Float32Array(c);
    for (let r = from; r < to; r++) for (let k = 0; k < c; k++) s[k] += dx[r * c + k];
    return s;
  };
  if (splitAt === undefined) return part(0, rows);
  const second = part(splitAt, rows);
  return part(0, splitAt).map((v, k) => v + second[k]);
}

/**
 * dx = dy·step(y) exactly, db = Σ dx over all axes but the last within the bound of float32
 * summation ((rows + 1)·u·Σ|dx|: cpu adds in float64), and db bit for bit the row-order float32
 * sums (a lost or doubled row can hide inside that bound, not here).
 */
function reluBiasGradCase(name: string, y: () => Operand, dy: () => Operand, split?: { at: number }): Case {
  const axes = () => [...Array(y().shape.length - 1).keys()];
  const c = () => y().shape[y().shape.length - 1];
  return {
    name,
    cpu: () => {
      const dx = tf.mul(tensor(dy()), tf.step(tensor(y())));
      return [dx, tf.sum(dx, axes()), tf.tensor1d(rowOrderSums(dx.dataSync() as Float32Array, c(), split?.at))];
    },
    wasm: () => {
      const [dx, db] = tf.engine().runKernel(RELU_BIAS_GRAD, { dy: tensor(dy()), y: tensor(y()) }, {}) as tf.Tensor[];
      return [dx, db, db];
    },
    allowed: () => {
      const dx = tf.mul(tensor(dy()), tf.step(tensor(y())));
      const rows = size(y().shape) / c();
      return [0, tf.sum(tf.abs(dx), axes()).mul((rows + 1) * U), 0];
    },
    splits: split ? 1 : 0,
    fmaFree: true,
    kernel: RELU_BIAS_GRAD,
  };
}

const reluBiasGradCases = (): Case[] => [
  reluBiasGradCase("the CNN's first layer on 8 digits: [8,26,26,32] (SIMD)", convActivations(8, 32), () => operand([8, 26, 26, 32], 21)),
  reluBiasGradCase('a dense layer on 32 digits: [32,128] (SIMD)', denseActivations, () => operand([32, 128], 22)),
  reluBiasGradCase('6 filters on 4 digits, c not a multiple of 4: [4,26,26,6] (JS loop)', convActivations(4, 6), () => operand([4, 26, 26, 6], 23)),
  reluBiasGradCase('c = 10, the softmax layer’s width: [64,10] (JS loop)', () => operand([64, 10], 24), () => operand([64, 10], 25)),
  reluBiasGradCase('one row: [1,8] (SIMD)', () => operand([1, 8], 26), () => operand([1, 8], 27)),
  reluBiasGradCase('one row of 3: [1,1,3] (JS loop)', () => operand([1, 1, 3], 28), () => operand([1, 1, 3], 29)),
  reluBiasGradCase('3 rows of 4: [3,4] (SIMD)', () => operand([3, 4], 30), () => operand([3, 4], 31)),
  reluBiasGradCase('rank 3: [2,7,12] (SIMD)', () => operand([2, 7, 12], 32), () => operand([2, 7, 12], 33)),
];

// ---- the dense products ----

interface Product {
  name: string;
  a: () => Operand;
  b: () => Operand;
  transposeA?: boolean;
  transposeB?: boolean;
  /** Runs tf.fused.matMul (outside a gradient tape: the _FusedMatMul kernel) with this bias. */
  bias?: () => Operand;
  relu?: boolean;
  splits?: number;
  /** Our loops do not apply: wasm's own kernel runs. */
  fallback?: boolean;
}

/**
 * op(a)·op(b) [+ bias] [ReLU], the same op on both backends. Allowed per value: 2(k + 2)·u·(|a|·|b| + |bias|),
 * the float32 bound for a k-term dot product plus the bias, summed in any order, for each side
 * (ReLU moves no two values further apart).
 */
function productCase(p: Product): Case {
  const run = (abs: boolean) => {
    const f = (t: tf.Tensor) => (abs ? tf.abs(t) : t);
    const [a, b] = [f(tensor(p.a())), f(tensor(p.b()))];
    if (!p.bias) return tf.matMul(a, b, p.transposeA, p.transposeB);
    const bias = f(tensor(p.bias()));
    if (abs) return tf.matMul(a, b, p.transposeA, p.transposeB).add(bias);
    return tf.fused.matMul({ a, b, transposeA: p.transposeA, transposeB: p.transposeB, bias, activation: p.relu ? 'relu' : 'linear' });
  };
  const k = () => {
    const s = p.a().shape;
    return p.transposeA ? s[s.length - 2] : s[s.length - 1];
  };
  return { name: p.name, cpu: () => [run(false)], allowed: () => [run(true).mul(2 * (k() + 2) * U)], splits: p.splits ?? 0, fmaFree: p.fallback, kernel: p.bias ? '_FusedMatMul' : 'BatchMatMul' };
}

const x32 = () => images(32);
const W = () => operand([PIXELS, 128], 3, 0.05);
const dy32 = () => operand([32, 128], 5);
const bias = (n: number) => () => operand([n], 11, 0.5);
const rank3 = (o: () => Operand) => () => ({ ...o(), shape: [1, ...o().shape] });

/** Random geometries our loops take: m ≥ 4 rows, n a multiple of 8, each way round. */
function randomProducts(): Product[] {
  const pick = seededValues(32, 77).map((v) => (v + 1) / 2);
  let i = 0;
  const int = (lo: number, hi: number) => lo + Math.floor(pick[i++] * (hi - lo + 1));
  return [0, 1, 2, 3].map((r) => {
    const [m, k, n, form] = [int(4, 40), int(1, 300), 8 * int(1, 6), r % 3];
    const [ta, tb] = [form === 1, form === 2];
    const [aShape, bShape] = [ta ? [k, m] : [m, k], tb ? [n, k] : [k, n]];
    const withBias = !ta && r !== 2;
    return {
      name: `random ${r}: ${aShape.join('×')}${ta ? 'ᵀ' : ''} · ${bShape.join('×')}${tb ? 'ᵀ' : ''}${withBias ? ' + bias, ReLU' : ''}`,
      a: () => operand(aShape, 40 + r),
      b: () => operand(bShape, 50 + r),
      transposeA: ta,
      transposeB: tb,
      ...(withBias ? { bias: () => operand([n], 60 + r, 0.5), relu: true } : {}),
    };
  });
}

const products = (): Product[] => [
  { name: 'x·W + bias, ReLU (a dense layer forward, conv4x8): digits [32,784]·[784,128]', a: x32, b: W, bias: bias(128), relu: true },
  { name: 'x·W + bias, linear: [32,784]·[784,128]', a: x32, b: W, bias: bias(128) },
  { name: 'xᵀ·dy (dense dW, convFilterGrad4x8): [32,784]ᵀ·[32,128]', a: x32, b: dy32, transposeA: true },
  { name: 'xᵀ·dy with 30 columns (convFilterGrad1x16): [32,30]ᵀ·[32,64]', a: () => operand([32, 30], 12), b: () => operand([32, 64], 13), transposeA: true },
  { name: 'dy·Wᵀ (dense dx, W transposed then conv4x8): [32,128]·[784,128]ᵀ', a: dy32, b: () => operand([PIXELS, 128], 14, 0.05), transposeB: true },
  { name: 'dy·Wᵀ + bias, ReLU: [32,128]·[784,128]ᵀ', a: dy32, b: () => operand([PIXELS, 128], 14, 0.05), transposeB: true, bias: bias(PIXELS), relu: true },
  { name: 'm = 13, not a multiple of 4 (overlapping blocks), + bias, ReLU: [13,50]·[50,24]', a: () => operand([13, 50], 15), b: () => operand([50, 24], 16), bias: bias(24), relu: true },
  { name: 'm = 4, one block of rows, + bias: [4,64]·[64,16]', a: () => operand([4, 64], 17), b: () => operand([64, 16], 18), bias: bias(16) },
  { name: 'k = 1: [32,1]·[1,8]', a: () => operand([32, 1], 19), b: () => operand([1, 8], 20) },
  { name: 'm = 3 < 4 (fallback: wasm own), + bias, ReLU: digits [3,784]·[784,128]', a: () => images(3), b: W, bias: bias(128), relu: true, fallback: true },
  { name: 'n = 10, not a multiple of 8 (fallback), + bias (the softmax layer): [32,128]·[128,10]', a: dy32, b: () => operand([128, 10], 34), bias: bias(10), fallback: true },
  { name: 'aᵀ·b with m = 30, n = 10 (fallback: neither convFilterGrad): [32,30]ᵀ·[32,10]', a: () => operand([32, 30], 12), b: () => operand([32, 10], 35), transposeA: true, fallback: true },
  { name: 'aᵀ·b + bias (fallback: transposeA with a bias): [32,784]ᵀ·[32,128] + bias', a: x32, b: dy32, transposeA: true, bias: bias(128), fallback: true },
  { name: 'rank 3 batch 1 · rank 2: [1,32,784]·[784,128] → [1,32,128]', a: rank3(x32), b: W },
  { name: 'rank 2 · rank 3 batch 1: [32,784]·[1,784,128] → [1,32,128]', a: x32, b: rank3(W) },
  { name: 'rank 3 both, + bias, ReLU: [1,32,784]·[1,784,128]', a: rank3(x32), b: rank3(W), bias: bias(128), relu: true },
  { name: 'rank 3 transposeA: [1,32,784]ᵀ·[1,32,128] → [1,784,128]', a: rank3(x32), b: rank3(dy32), transposeA: true },
  { name: 'rank 3 transposeB with rank 2: [1,32,128]·[784,128]ᵀ', a: rank3(dy32), b: () => operand([PIXELS, 128], 14, 0.05), transposeB: true },
  ...randomProducts(),
];

/** The shapes that split with the helper thread on the threaded build (≥ 200k multiply-adds or values, and the rows to halve), and some that must not. */
const threadedCases = (): Case[] => [
  reluBiasGradCase("the CNN's first layer on 16 digits: [16,26,26,32]", convActivations(16, 32), () => operand([16, 26, 26, 32], 36), { at: (16 * 26 * 26) / 2 }),
  reluBiasGradCase('10001 rows (halves of 5001 and 5000): [10001,20]', () => operand([10001, 20], 37), () => operand([10001, 20], 38), { at: 5001 }),
  reluBiasGradCase('c = 10 (JS loop, no split): [20001,10]', () => operand([20001, 10], 39), () => operand([20001, 10], 40)),
  reluBiasGradCase('192k values, below the split: [6000,32]', () => operand([6000, 32], 41), () => operand([6000, 32], 42)),
  ...[
    { name: 'x·W + bias, ReLU: [32,784]·[784,128]', a: x32, b: W, bias: bias(128), relu: true, splits: 1 },
    { name: 'm = 9 (halves of 5 and 4 rows): [9,784]·[784,128]', a: () => images(9), b: W, splits: 1 },
    { name: 'm = 7 (no halves of 4 rows): [7,784]·[784,128]', a: () => images(7), b: W, splits: 0 },
    { name: 'xᵀ·dy: [32,784]ᵀ·[32,128]', a: x32, b: dy32, transposeA: true, splits: 1 },
    { name: 'xᵀ·dy, 33 rows, convFilterGrad1x16: [33,30]ᵀ·[33,6400]', a: () => operand([33, 30], 43), b: () => operand([33, 6400], 44), transposeA: true, splits: 1 },
    { name: 'dy·Wᵀ: [32,128]·[784,128]ᵀ', a: dy32, b: () => operand([PIXELS, 128], 14, 0.05), transposeB: true, splits: 1 },
    { name: 'rank 3 transposeA: [1,32,784]ᵀ·[1,32,128]', a: rank3(x32), b: rank3(dy32), transposeA: true, splits: 1 },
    { name: 'n = 10 (fallback, no split): [64,784]·[784,10]', a: () => images(64), b: () => operand([PIXELS, 10], 45, 0.05), splits: 0 },
    { name: '8k multiply-adds, below the split: [8,64]·[64,16]', a: () => operand([8, 64], 46), b: () => operand([64, 16], 47), splits: 0 },
  ].map(productCase),
];

// ---- layers in training ----

/** Fixed starting weights: kernels uniform within Glorot's limit, biases ±0.1 (non-zero, so the bias gradients count). */
function fixedWeights(model: tf.LayersModel): void {
  // In a tidy: the variables keep their own reference to the new values' data.
  tf.tidy(() =>
    model.setWeights(
      model.getWeights().map((w, i) => {
        const fanIn = size(w.shape.slice(0, -1));
        const scale = w.rank === 1 ? 0.1 : Math.sqrt(6 / (fanIn + w.shape[w.rank - 1]));
        return tf.tensor(seededValues(w.size, 100 + i, scale), w.shape);
      }),
    ),
  );
}

type Layers = () => tf.layers.Layer[];

/** conv2d relu → maxPool → flatten → dense relu → dense softmax: each ReLU layer has a bias, so both fuse on wasm. */
const fusedStack: Layers = () => [
  tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 16, kernelSize: 3, activation: 'relu' }),
  tf.layers.maxPooling2d({ poolSize: 2 }),
  tf.layers.flatten(),
  tf.layers.dense({ units: 32, activation: 'relu' }),
  tf.layers.dense({ units: 10, activation: 'softmax' }),
];

/** The same with tanh in the conv layer and no bias in the ReLU dense one: neither fuses. */
const unfusedStack: Layers = () => [
  tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 16, kernelSize: 3, activation: 'tanh' }),
  tf.layers.maxPooling2d({ poolSize: 2 }),
  tf.layers.flatten(),
  tf.layers.dense({ units: 32, activation: 'relu', useBias: false }),
  tf.layers.dense({ units: 10, activation: 'softmax' }),
];

/** Same padding, stride 2, 12 filters (wasm's own FusedConv2D forward), then 8 filters padded (ours). */
const paddedStack: Layers = () => [
  tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 12, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' }),
  tf.layers.conv2d({ filters: 8, kernelSize: 3, padding: 'same', activation: 'relu' }),
  tf.layers.flatten(),
  tf.layers.dense({ units: 10, activation: 'softmax' }),
];

const BATCH = 16;
const STEPS = 3;

interface Trained {
  weights: Values[];
  /** The last step's kernels on wasm: name and input shapes. */
  kernels: { name: string; inputs: string }[];
  leaked: [number, number];
}

/**
 * STEPS of model.trainOnBatch with SGD on BATCH real digits, on the active backend, from fixed
 * weights, with the loss the trainer compiles with; the last step under tf.profile.
 */
async function train(layers: Layers): Promise<Trained> {
  const model = tf.sequential({ layers: layers() });
  fixedWeights(model);
  const optimizer = tf.train.sgd(0.1);
  model.compile({ optimizer, loss: categoricalCrossentropy });
  const { images: pixels, labels } = digits();
  const x = tf.tensor4d(pixels.subarray(0, BATCH * PIXELS), [BATCH, 28, 28, 1]);
  const y = tf.oneHot(tf.tensor1d(Array.from(labels.subarray(0, BATCH)), 'int32'), 10);
  const start = held(); // SGD keeps no state beyond its learning-rate scalar, made with it
  for (let i = 1; i < STEPS; i++) await model.trainOnBatch(x, y);
  const profile = await tf.profile(() => model.trainOnBatch(x, y));
  const leaked = since(start);
  const weights = read(model.getWeights());
  tf.dispose([x, y]);
  model.dispose();
  optimizer.dispose();
  const kernels = profile.kernels.map((k) => ({ name: k.name, inputs: k.inputShapes.map((s) => `[${s?.join(',') ?? ''}]`).join(' ') }));
  return { weights, kernels, leaked };
}

/**
 * Trains on cpu and on wasm and compares the weights. Allowed: 1e-4 of each weight tensor's
 * largest change. SGD moves a weight by lr·gradient, so the changes differ as the gradients do:
 * float32 sums of up to 2704 products in another order, measured ~1e-6 of the largest after 3
 * steps; a wrong ReLU mask or a lost bias row moves a gradient by percents.
 */
async function compareTraining(name: string, layers: Layers): Promise<Outcome & { kernels: Trained['kernels'] }> {
  await initBackend('cpu');
  const start = scoped(() => {
    const model = tf.sequential({ layers: layers() });
    fixedWeights(model);
    return read(model.getWeights());
  });
  const cpu = await train(layers);
  await initBackend('wasm');
  const backend = tf.backend() as BackendWasm;
  const splitsBefore = simdHelper(backend)?.splits ?? 0;
  const wasm = await train(layers);
  const allowed = cpu.weights.map((w, i) => 1e-4 * w.data.reduce((m, v, j) => Math.max(m, Math.abs(v - start[i].data[j])), 0));
  const changes = (t: Trained) => t.weights.map((w, i) => ({ shape: w.shape, data: w.data.map((v, j) => v - start[i].data[j]) }));
  const splits = (simdHelper(backend)?.splits ?? 0) - splitsBefore;
  return { ...compare(name, changes(cpu), changes(wasm), allowed), leaked: wasm.leaked, splits, kernels: wasm.kernels };
}

const trainings: [string, Layers][] = [
  ['conv relu → pool → dense relu → softmax (fused)', fusedStack],
  ['conv tanh, dense relu without bias (tfjs own path)', unfusedStack],
  ['same padding, stride 2, 12 and 8 filters (fused)', paddedStack],
];

// ---- children: with FMA, and on the threaded build ----

interface ChildResult {
  flavour: string;
  reason: string;
  source: string;
  outcomes: (Outcome & { form: string })[];
}

async function child(mode: string): Promise<void> {
  if (mode === 'threads') registerThreadedWasm(defaultWasmDir(), 2);
  const choice = await initBackend('wasm');
  const outcomes: ChildResult['outcomes'] = [];
  if (mode === 'fma') {
    for (const c of [...reluBiasGradCases(), ...products().map(productCase)]) outcomes.push({ ...(await measure(c, { againPlain: true })), form: simdFlavour() });
    for (const [name, layers] of trainings) {
      const { kernels: _kernels, ...trained } = await compareTraining(name, layers);
      outcomes.push({ ...trained, form: simdFlavour() });
    }
  } else {
    // The helper holds both forms where the runtime has relaxed SIMD; each split runs the form this thread runs.
    for (const fma of relaxedSimdSupported() ? [true, false] : [false]) {
      fmaOptions.enabled = fma;
      for (const c of threadedCases()) outcomes.push({ ...(await measure(c)), form: simdFlavour() });
      const { kernels: _kernels, ...trained } = await compareTraining(trainings[0][0], trainings[0][1]);
      outcomes.push({ ...trained, form: simdFlavour() });
    }
  }
  process.stdout.write(JSON.stringify({ flavour: simdFlavour(), reason: choice.reason, source: digits().source, outcomes } satisfies ChildResult) + '\n');
}

function runChild(mode: 'fma' | 'threads', execArgv: string[]): ChildResult {
  const r = spawnSync(process.execPath, [...execArgv, '--import', 'tsx', __filename], {
    env: { ...process.env, FUSED_KERNELS_CHILD: mode },
    encoding: 'utf8',
    timeout: 120_000,
  });
  assert.equal(r.signal, null, `the child was killed (${r.signal})\n${r.stderr}`);
  assert.equal(r.status, 0, r.stderr);
  const result = JSON.parse(r.stdout.trim().split('\n').pop()!) as ChildResult;
  // JSON has no Infinity: it comes back as null.
  for (const o of result.outcomes) o.worst ??= Infinity;
  return result;
}

if (CHILD) {
  void child(CHILD);
} else {
  // This process checks the plain form (whatever flags Node runs with); the FMA child below the fused one.
  fmaOptions.enabled = false;

  describe('MnistReluBiasGrad equals cpu: dx = dy·step(y) exactly, db = Σ dx within float32 summation (no FMA)', () => {
    for (const c of reluBiasGradCases()) {
      test(c.name, async (t) => check(await measure(c), { diagnostic: (s) => t.diagnostic(s) }));
    }
  });

  describe('dense products on our loops and their fallbacks equal cpu, shapes included (no FMA)', () => {
    for (const p of products()) {
      test(p.name, async (t) => check(await measure(productCase(p)), { diagnostic: (s) => t.diagnostic(s) }));
    }
  });

  describe('Conv2D and Dense layers with ReLU and a bias train through the fused kernels', () => {
    const kernelsOf = (k: Trained['kernels'], name: string) => k.filter((e) => e.name === name).map((e) => e.inputs);

    test(`a conv relu → pool → dense relu → softmax model: weights after ${STEPS} SGD steps on wasm equal cpu within 1e-4 of their change`, async (t) => {
      t.diagnostic(`digits from ${digits().source}`);
      const r = await compareTraining(trainings[0][0], fusedStack);
      check(r, { diagnostic: (s) => t.diagnostic(s) });
      // The fusion really happens: one kernel forward for each ReLU layer, one back through ReLU and bias.
      assert.deepEqual(kernelsOf(r.kernels, 'FusedConv2D'), [`[${BATCH},28,28,1] [3,3,1,16] [16]`]);
      assert.ok(kernelsOf(r.kernels, '_FusedMatMul').includes(`[${BATCH},2704] [2704,32] [32]`), 'the dense ReLU layer as _FusedMatMul');
      assert.deepEqual(kernelsOf(r.kernels, RELU_BIAS_GRAD), [`[${BATCH},32] [${BATCH},32]`, `[${BATCH},26,26,16] [${BATCH},26,26,16]`]);
      for (const unfused of ['Relu', 'Step', 'Conv2D']) assert.deepEqual(kernelsOf(r.kernels, unfused), [], `no ${unfused} kernel`);
    });

    test("a conv layer with tanh and a ReLU dense layer without bias train through tfjs's own kernels, equal to cpu", async (t) => {
      const r = await compareTraining(trainings[1][0], unfusedStack);
      check(r, { diagnostic: (s) => t.diagnostic(s) });
      const names = new Set(r.kernels.map((k) => k.name));
      for (const own of ['Tanh', 'Relu', 'Step']) assert.ok(names.has(own), `tfjs's own ${own}`);
      assert.ok(!names.has(RELU_BIAS_GRAD), `no ${RELU_BIAS_GRAD}`);
    });

    test("conv layers with same padding, stride 2 and 12 filters (wasm's own FusedConv2D forward) train equal to cpu", async (t) => {
      const r = await compareTraining(trainings[2][0], paddedStack);
      check(r, { diagnostic: (s) => t.diagnostic(s) });
      assert.equal(kernelsOf(r.kernels, 'FusedConv2D').length, 2);
      assert.equal(kernelsOf(r.kernels, RELU_BIAS_GRAD).length, 2);
    });
  });

  describe('categoricalCrossentropy', () => {
    /**
     * Per sample, of 10 classes: q = p/Σp is a float32 quotient on both sides (Σp in float64
     * here, float32 in tfjs), so each log q agrees within a few roundings, 4u per unit of y. tfjs
     * then rounds each log, each product and each of its float32 partial sums, all terms of one
     * sign, so each within u of |loss|: 14u·|loss| with ours' own last rounding. A loss near 0
     * (q near 1) is close absolutely, not relatively.
     */
    const lossTolerance = (sumY: number | tf.Tensor, loss: number | tf.Tensor) => tf.mul(sumY, 4 * U).add(tf.abs(loss).mul(14 * U));

    /** Logits of 32 digits through a random dense layer, then rows forced to saturate. */
    const logits = () => {
      const l = tf.tensor2d(images(32).data, [32, PIXELS]).matMul(tf.tensor2d(seededValues(PIXELS * 10, 9, 0.3), [PIXELS, 10])).arraySync() as number[][];
      const { labels } = digits();
      const at = (i: number, k: number, v: number) => l[i].map((_, j) => (j === k ? v : 0));
      // A margin of 100 underflows the others' softmax to 0; one of 20 leaves them e^-20 ≈ 2e-9 < ε,
      // where a gradient let through the clip would show (through softmax it is p·∂/∂p).
      l[0] = at(0, labels[0], 100); // q = 1: clipped at 1 − ε
      l[1] = at(1, (labels[1] + 1) % 10, 100); // the label's q = 0: clipped at ε
      l[2] = at(2, labels[2], 14); // q = 1 − 1e-6, just inside the clip
      l[3] = l[3].map((v, j) => (j === labels[3] ? v - 120 : v)); // the label far below the rest
      l[4] = at(4, labels[4], 20); // q rounds to 1 (clipped at 1 − ε), the others' q < ε
      l[5] = at(5, (labels[5] + 1) % 10, 20); // the label's q = 2e-9: clipped at ε
      return tf.tensor2d(l);
    };
    const labels = () => tf.oneHot(tf.tensor1d(Array.from(digits().labels.subarray(0, 32)), 'int32'), 10);
    // Label smoothing: every class counts, so the clip at ε masks some terms of a row and not others.
    const smoothed = () => labels().cast('float32').mul(0.9).add(0.01);

    const lossCase = (name: string, y: () => tf.Tensor, p: (logits: tf.Tensor) => tf.Tensor): Case => {
      const both = (f: (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Tensor) => {
        const l = logits();
        const loss = f(y(), p(l));
        const grad = tf.grad((v: tf.Tensor) => f(y(), p(v)).mean())(l);
        return [loss, grad];
      };
      return {
        name,
        cpu: () => both(tf.metrics.categoricalCrossentropy),
        wasm: () => both(categoricalCrossentropy),
        // The gradient: within 1e-6 of its largest value (the chain is ~6 float32 ops a side, each u = 6e-8).
        allowed: () => {
          const [loss, grad] = both(tf.metrics.categoricalCrossentropy);
          return [lossTolerance(y().sum(-1), loss), tf.onesLike(grad).mul(grad.abs().max().mul(1e-6))];
        },
      };
    };

    /** On wasm both ways (ours against tfjs-layers' own ops), as measure() does across backends. */
    async function onWasm(c: Case): Promise<Outcome> {
      await initBackend('wasm');
      const [want, allowed] = scoped(() => [read(c.cpu()), c.allowed().map((t) => (t === 0 ? 0 : Float32Array.from(t.dataSync())))] as const);
      const start = held();
      const got = scoped(() => read(c.wasm!()));
      const leaked = since(start);
      return { ...compare(c.name, want, got, allowed), leaked, splits: 0 };
    }

    test("loss and gradient w.r.t. logits through softmax equal tf.metrics.categoricalCrossentropy on wasm, saturated rows included", async (t) => {
      const c = lossCase('one-hot labels', labels, (l) => tf.softmax(l));
      const r = await onWasm(c);
      check(r, { diagnostic: (s) => t.diagnostic(s) });
      const profile = await tf.profile(() => tf.tidy(() => c.wasm!()));
      for (const k of [CROSS_ENTROPY, CROSS_ENTROPY_GRAD]) assert.ok(profile.kernelNames.includes(k), `${k} ran`);
      // Where the clip takes the label's q, its gradient stops there, as tfjs defines the clip's.
      const [loss, grad] = scoped(() => c.wasm!().map((t) => t.arraySync())) as [number[], number[][]];
      for (const i of [1, 3, 5]) assert.ok(Math.abs(loss[i] + Math.log(1e-7)) < 1e-5, `−log ε for a label clipped at ε: ${loss[i]}`);
      for (const i of [0, 1, 3, 4, 5]) assert.deepEqual(grad[i].filter((v) => v !== 0), [], `no gradient through the clipped q of row ${i}`);
      assert.ok(grad[2].some((v) => v !== 0), 'q = 1 − 1e-6 is inside the clip');
    });

    test('with label smoothing (some terms of a row clipped at ε, others not) both equal tfjs-layers on wasm', async (t) => {
      check(await onWasm(lossCase('smoothed labels', smoothed, (l) => tf.softmax(l))), { diagnostic: (s) => t.diagnostic(s) });
    });

    test('on probabilities that do not sum to 1 (the division by Σp and its gradient) both equal tfjs-layers on wasm', async (t) => {
      check(await onWasm(lossCase('sigmoid outputs', smoothed, (l) => tf.sigmoid(l))), { diagnostic: (s) => t.diagnostic(s) });
    });

    test("a model as buildModel compiles it (the function) evaluates to the same loss as one compiled with the name 'categoricalCrossentropy'", async () => {
      await initBackend('wasm');
      const config = applyDefaults({
        model: { layers: [{ type: 'conv2d', filters: 8, kernelSize: 3, activation: 'relu' }, { type: 'flatten' }, { type: 'dense', units: 10, activation: 'softmax' }] },
      });
      const ours = buildModel(config);
      const named = tf.sequential({ layers: [tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 8, kernelSize: 3, activation: 'relu' }), tf.layers.flatten(), tf.layers.dense({ units: 10, activation: 'softmax' })] });
      named.setWeights(ours.getWeights());
      named.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
      const x = tf.tensor4d(digits().images, [64, 28, 28, 1]);
      const y = tf.oneHot(tf.tensor1d(Array.from(digits().labels), 'int32'), 10);
      const evaluate = async (m: tf.LayersModel) => {
        const profile = await tf.profile(() => tf.tidy(() => (m.evaluate(x, y, { batchSize: 32 }) as tf.Scalar[])[0].dataSync()[0]));
        return { loss: profile.result as number, fused: profile.kernelNames.includes(CROSS_ENTROPY) };
      };
      const [a, b] = [await evaluate(ours), await evaluate(named)];
      assert.ok(a.fused && !b.fused, 'buildModel compiles our loss; the name runs tfjs-layers’ ops');
      // The mean of 64 such losses.
      const tolerance = tf.tidy(() => lossTolerance(1, b.loss).dataSync()[0]);
      assert.ok(Math.abs(a.loss - b.loss) <= tolerance, `loss ${a.loss} against ${b.loss} (±${tolerance})`);
      tf.dispose([x, y]);
      ours.dispose();
      named.dispose();
    });
  });

  test('a training step on wasm (Adam, as the trainer) leaves no tensors or heap data behind', async () => {
    await initBackend('wasm');
    const model = tf.sequential({ layers: fusedStack() });
    fixedWeights(model);
    const optimizer = tf.train.adam(0.001);
    model.compile({ optimizer, loss: categoricalCrossentropy });
    const x = tf.tensor4d(digits().images.subarray(0, BATCH * PIXELS), [BATCH, 28, 28, 1]);
    const y = tf.oneHot(tf.tensor1d(Array.from(digits().labels.subarray(0, BATCH)), 'int32'), 10);
    await model.trainOnBatch(x, y); // Adam makes its moments on the first step
    const start = held();
    for (let i = 0; i < 2; i++) await model.trainOnBatch(x, y);
    assert.deepEqual(since(start), [0, 0], 'tensors, and data on the wasm heap, left behind');
    tf.dispose([x, y]);
    model.dispose();
    optimizer.dispose();
  });

  const fmaArgv = relaxedSimdHere() ? [] : relaxedSimdWithFlag() ? [RELAXED_SIMD_FLAG] : null;

  test('with FMA (relaxed SIMD, in a child) the MnistReluBiasGrad and product cases and the three trainings equal cpu', (t) => {
    if (!fmaArgv) return t.skip(`${process.version} has no relaxed SIMD, not even with ${RELAXED_SIMD_FLAG}`);
    const r = runChild('fma', fmaArgv);
    assert.equal(r.flavour, 'fma');
    assert.match(r.reason, /SIMD\+FMA/);
    assert.equal(r.outcomes.length, reluBiasGradCases().length + products().length + trainings.length);
    for (const o of r.outcomes) {
      assert.equal(o.form, 'fma', o.name);
      if (o.fmaFree) assert.equal(o.differsFromPlain, 0, `${o.name}: no loop of ours with multiply-adds runs, so FMA changes nothing`);
      check(o, { diagnostic: (s) => t.diagnostic(`${o.form} ${o.name}: ${s}`) });
    }
    // Where the CPU fuses (x86 with FMA3, ARM), some sums round differently from the plain loop.
    const kernelCases = r.outcomes.filter((o) => o.differsFromPlain !== undefined);
    t.diagnostic(`${kernelCases.filter((o) => o.differsFromPlain! > 0).length} of ${kernelCases.length} kernel cases differ bitwise from the plain kernels`);
  });

  test('on the threaded build the helper thread splits MnistReluBiasGrad and the dense products, and they equal cpu, with and without FMA', (t) => {
    const r = runChild('threads', fmaArgv ?? []);
    t.diagnostic(r.reason);
    assert.match(r.reason, /2 threads \(our kernels split across 2\)/);
    const forms = [...new Set(r.outcomes.map((o) => o.form))];
    assert.deepEqual(forms, fmaArgv ? ['fma', 'plain'] : ['plain']);
    for (const o of r.outcomes) {
      if (o.expectedSplits === undefined) {
        check(o, { diagnostic: (s) => t.diagnostic(`${o.form} ${o.name}: ${s}`) });
        assert.ok(o.splits > 0, `${o.form} training: the conv and dense kernels split`);
      } else {
        check(o, { splits: true, diagnostic: (s) => t.diagnostic(`${o.form} ${o.name}: ${s}`) });
      }
    }
  });
}
