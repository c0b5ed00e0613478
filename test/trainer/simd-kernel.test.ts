// The wasm SIMD module (src/trainer/kernels/simd.wat) that runs kernels on the tfjs heap.
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { test } from 'node:test';
import { initBackend } from '../../src/trainer/backend';
import { PLAIN, PLAIN_FMA, SHARED, SHARED_FMA, simdKernels } from '../../src/trainer/kernels/simd';
import { repoRoot } from '../helpers/paths';

const WAT = join(repoRoot, 'src', 'trainer', 'kernels', 'simd.wat');

function hasWat2wasm(): boolean {
  try {
    execFileSync('wat2wasm', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

test('the embedded modules are simd.wat assembled (plain and shared memory, each with and without FMA)', async (t) => {
  if (!hasWat2wasm()) {
    t.skip('wat2wasm is not installed (apt-get install -y wabt): the embedded bytes cannot be checked against simd.wat');
    return;
  }
  const { assembleVariants } = (await import(pathToFileURL(join(repoRoot, 'scripts', 'simd-assemble.mjs')).href)) as {
    assembleVariants(source: string): Record<'PLAIN' | 'SHARED' | 'PLAIN_FMA' | 'SHARED_FMA', string>;
  };
  const built = assembleVariants(readFileSync(WAT, 'utf8'));
  const message = 'simd.ts is out of date: run node scripts/simd-assemble.mjs';
  assert.equal(built.PLAIN, PLAIN, message);
  assert.equal(built.SHARED, SHARED, message);
  assert.equal(built.PLAIN_FMA, PLAIN_FMA, message);
  assert.equal(built.SHARED_FMA, SHARED_FMA, message);
  assert.notEqual(PLAIN_FMA, PLAIN, 'the FMA form fuses the multiply-adds');
});

test('adam on the heap equals the formula in float64 within float32 rounding, tail included', async () => {
  await initBackend('wasm');
  const backend = tf.backend() as BackendWasm;
  const simd = simdKernels(backend);
  assert.ok(simd, 'Node 20 runs wasm SIMD, so the module must load');
  assert.equal(simdKernels(backend), simd, 'one instance per heap');
  const n = 1003; // not a multiple of 4: the scalar tail runs too
  const wave = (k: number) => Float32Array.from({ length: n }, (_, i) => Math.sin(i * k) * (1 + (i % 7)));
  const [w0, m0, g] = [wave(0.37), wave(0.11).map((x) => x * 0.01), wave(0.73).map((x) => x * 0.1)];
  const v0 = wave(0.29).map((x) => x * x * 0.001);
  const inputs = [w0, m0, v0, g].map((a) => tf.tensor1d(a));
  const outputs = [0, 1, 2].map(() => tf.zeros([n]));
  const [b1, b2, eps, lr, c1, c2] = [0.9, 0.999, 1e-7, 0.001, 1 - 0.9 ** 3, 1 - 0.999 ** 3];
  const offsets = [...inputs, ...outputs].map((t) => backend.getMemoryOffset(t.dataId));
  simd.adam(offsets[0], offsets[1], offsets[2], offsets[3], offsets[4], offsets[5], offsets[6], n, b1, b2, 1 - b1, 1 - b2, lr / c1, 1 / c2, eps);
  const [w1, m1, v1] = outputs.map((t) => t.dataSync());
  for (let i = 0; i < n; i++) {
    const m = b1 * m0[i] + (1 - b1) * g[i];
    const v = b2 * v0[i] + (1 - b2) * g[i] * g[i];
    const w = w0[i] - (lr * (m / c1)) / (Math.sqrt(v / c2) + eps);
    // float32 arithmetic: within a few ulps of the terms added (they may cancel)
    const near = (got: number, want: number, scale: number) => Math.abs(got - want) <= 1e-6 * scale;
    assert.ok(near(m1[i], m, Math.abs(b1 * m0[i]) + Math.abs((1 - b1) * g[i])), `m at ${i}: ${m1[i]} vs ${m}`);
    assert.ok(near(v1[i], v, Math.abs(v)), `v at ${i}: ${v1[i]} vs ${v}`);
    assert.ok(near(w1[i], w, Math.abs(w0[i]) + Math.abs(w - w0[i])), `w at ${i}: ${w1[i]} vs ${w}`);
  }
  tf.dispose([...inputs, ...outputs]);
});
