// wasm's threaded build in Node (src/trainer/kernels/threads.ts). Each start runs in its own child
// process with a time limit, so a pool that kept Node alive would fail here instead of hanging.
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { applyDefaults } from '../../src/shared/config';
import type { TrainerEvent } from '../../src/shared/protocol';
import { defaultWasmDir, initBackend } from '../../src/trainer/backend';
import { TrainerProcess } from '../../src/node/processes/trainer-client';
import { simdHelper } from '../../src/trainer/kernels/simd';
import { prepareWasmThreads, registerThreadedWasm, threadedWasmStatus, wasmThreadsWanted } from '../../src/trainer/kernels/threads';
import { createRunDir } from '../../src/node/runs/run-folder';
import { distDir, repoRoot, trainerBundle } from '../helpers/paths';

const CHILD = process.env.THREADS_KERNEL_CHILD;

/** d(sum(conv(x, w)²))/d(x, w) and 3 Adam steps, flattened: the kernels the CNN trains with. */
function convAndAdam(): Float32Array {
  return tf.tidy(() => {
    // 32 images: enough work (32×26×26×16 values) that the 2×2 pool and its gradient split too.
    const x = tf.tensor4d(Float32Array.from({ length: 32 * 28 * 28 }, (_, i) => Math.abs(Math.sin(i * 0.013))), [32, 28, 28, 1]);
    const w = tf.variable(tf.tensor4d(Float32Array.from({ length: 9 * 16 }, (_, i) => Math.cos(i * 0.7) * 0.3), [3, 3, 1, 16]));
    const grads = tf.grads((a, b) => tf.maxPool(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, 'valid').relu() as tf.Tensor4D, 2, 2, 'valid').square().sum());
    const [dx, dw] = grads([x, w]);
    // A second layer's shapes (32 → 16 channels): our direct SIMD conv kernels, split across threads.
    const features = tf.tensor4d(Float32Array.from({ length: 8 * 13 * 13 * 32 }, (_, i) => Math.abs(Math.sin(i * 0.007))), [8, 13, 13, 32]);
    const w2 = tf.tensor4d(Float32Array.from({ length: 9 * 32 * 16 }, (_, i) => Math.cos(i * 0.3) * 0.1), [3, 3, 32, 16]);
    const [dx2, dw2] = tf.grads((a, b) => tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, 'same').relu().square().sum())([features, w2]);
    const optimizer = tf.train.adam(0.01);
    for (let i = 0; i < 3; i++) optimizer.minimize(() => tf.conv2d(x, w as tf.Tensor4D, 1, 'valid').square().mean() as tf.Scalar);
    optimizer.dispose();
    const out = tf.concat([dx.flatten(), dw.flatten(), w.flatten(), dx2.flatten(), dw2.flatten()]);
    w.dispose();
    return Float32Array.from(out.dataSync());
  });
}

async function child(mode: string): Promise<void> {
  registerThreadedWasm(mode === 'missing' ? join(tmpdir(), 'no-such-wasm-dir') : defaultWasmDir(), 2);
  const choice = await initBackend('wasm');
  const values = convAndAdam();
  const splits = simdHelper(tf.backend() as BackendWasm)?.splits ?? 0;
  await initBackend('cpu');
  const reference = convAndAdam();
  let maxDiff = 0;
  let maxRef = 0;
  for (let i = 0; i < reference.length; i++) {
    maxDiff = Math.max(maxDiff, Math.abs(values[i] - reference[i]));
    maxRef = Math.max(maxRef, Math.abs(reference[i]));
  }
  process.stdout.write(JSON.stringify({ threads: choice.threads, reason: choice.reason, status: threadedWasmStatus(), splits, relativeError: maxDiff / maxRef }) + '\n');
  // No process.exit: the test checks that Node ends by itself once the work is done.
}

interface ChildResult { threads: number; reason: string; status: { started: boolean; why?: string }; splits: number; relativeError: number }

function runChild(mode: string): ChildResult {
  const r = spawnSync(process.execPath, ['--import', 'tsx', __filename], {
    env: { ...process.env, THREADS_KERNEL_CHILD: mode },
    encoding: 'utf8',
    timeout: 120_000,
  });
  assert.equal(r.signal, null, `the child was killed (${r.signal}): did the thread pool keep Node alive?\n${r.stderr}`);
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as ChildResult;
}

if (CHILD) {
  void child(CHILD);
} else {
  test('the threaded build runs on 2 threads in Node, equals cpu, and lets Node exit', () => {
    const r = runChild('threads');
    assert.equal(r.threads, 2, r.reason);
    assert.deepEqual(r.status, { requested: 2, started: true });
    assert.match(r.reason, /2 threads \(our kernels split across 2\)/);
    // Split across the threads: the first layer's forward and dW, its 2×2 pool forward and
    // gradient, forward and dW again in each of the 3 Adam steps, and the second layer's forward,
    // dx and dW.
    assert.equal(r.splits, 2 + 2 + 3 * 2 + 3, 'our conv and pool kernels ran half the batch on the helper thread');
    assert.ok(r.relativeError < 1e-4, `relative error ${r.relativeError}`);
  });

  test('without its .wasm file the threaded start falls back to one thread and says why', () => {
    const r = runChild('missing');
    assert.equal(r.threads, 1);
    assert.equal(r.status.started, false);
    assert.match(r.status.why ?? '', /tfjs-backend-wasm-threaded-simd\.wasm/);
    assert.equal(r.splits, 0, 'no helper thread on the single-threaded build');
    assert.ok(r.relativeError < 1e-4, `relative error ${r.relativeError}`);
  });

  test('two threads by default where there are two cores (MNIST_WASM_THREADS overrides), for models with convolutions on wasm or auto', () => {
    const threaded = () => (tf.findBackendFactory('wasm') as { threaded?: boolean } | null)?.threaded === true;
    assert.equal(wasmThreadsWanted({}, 2), 2);
    assert.equal(wasmThreadsWanted({}, 16), 2);
    assert.equal(wasmThreadsWanted({}, 1), 1);
    assert.equal(wasmThreadsWanted({ MNIST_WASM_THREADS: '1' }, 2), 1);
    assert.equal(wasmThreadsWanted({ MNIST_WASM_THREADS: '3' }, 2), 3);
    assert.equal(wasmThreadsWanted({ MNIST_WASM_THREADS: 'many' }, 2), 2);
    const cnn = applyDefaults({ model: { preset: 'cnn' }, backend: 'auto' });
    prepareWasmThreads(cnn, defaultWasmDir(), 1);
    assert.equal(threaded(), false, 'one thread asked for');
    prepareWasmThreads(applyDefaults({ model: { preset: 'mlp' }, backend: 'auto' }), defaultWasmDir(), 2);
    assert.equal(threaded(), false, 'dense-only');
    prepareWasmThreads(applyDefaults({ model: { preset: 'cnn' }, backend: 'cpu' }), defaultWasmDir(), 2);
    assert.equal(threaded(), false, 'backend cpu');
    prepareWasmThreads(cnn, defaultWasmDir(), 2);
    assert.equal(threaded(), true, 'a CNN on auto, two threads asked for');
  });

  /** One epoch of a small conv model on the bundled digits, through the trainer bundle. */
  async function trainConv(env: Record<string, string>, bundle = trainerBundle) {
    const config = applyDefaults({
      dataset: 'mnist-sample',
      backend: 'wasm',
      model: {
        layers: [
          { type: 'conv2d', filters: 8, kernelSize: 3, activation: 'relu' },
          { type: 'maxPooling2d', poolSize: 2 },
          { type: 'flatten' },
          { type: 'dense', units: 10, activation: 'softmax' },
        ],
      },
      training: { epochs: 1, batchSize: 128 },
    });
    const runDir = createRunDir(mkdtempSync(join(tmpdir(), 'runs-')), config);
    const saved = { ...process.env };
    Object.assign(process.env, env); // fork hands process.env to the trainer
    let trainer: TrainerProcess;
    try {
      trainer = new TrainerProcess(bundle, { type: 'start', config, runDir, cacheDir: join(runDir, '..', 'cache') });
    } finally {
      for (const k of Object.keys(env)) if (saved[k] === undefined) delete process.env[k];
      Object.assign(process.env, saved);
    }
    const events: TrainerEvent[] = [];
    trainer.onEvent((e) => events.push(e));
    const { done, code } = await trainer.exited;
    assert.equal(done.status, 'completed', done.message);
    assert.equal(code, 0);
    assert.equal(done.numTensors, 0);
    const ready = events.find((e) => e.type === 'ready');
    assert.ok(ready?.type === 'ready');
    const evaluation = events.find((e) => e.type === 'evaluation');
    assert.ok(evaluation?.type === 'evaluation' && evaluation.testAccuracy > 0.5, `it learned: ${evaluation?.type === 'evaluation' && evaluation.testAccuracy}`);
    return ready;
  }

  test('the minified trainer bundle (as npm run package ships it) trains a conv model on two threads', async (t) => {
    if (availableParallelism() < 2) {
      t.skip('one core: no second thread to start');
      return;
    }
    // The helper thread's worker is JavaScript source built at run time; a minified build renames
    // identifiers, so it must not depend on them.
    const out = mkdtempSync(join(tmpdir(), 'trainer-min-'));
    const r = spawnSync(process.execPath, [join(repoRoot, 'scripts', 'bench', 'build-at.mjs'), 'worktree', out, '--production'], { encoding: 'utf8', timeout: 120_000 });
    assert.equal(r.status, 0, r.stderr);
    cpSync(join(distDir, 'data'), join(out, 'data'), { recursive: true }); // the bundled sample sits next to the bundle
    const minified = await trainConv({}, join(out, 'trainer.js'));
    assert.equal(minified.threads, 2, minified.reason);
    assert.match(minified.reason, /our kernels split across 2/);
  });

  test('the trainer bundle trains a conv model on two threads by default (two cores), on one with MNIST_WASM_THREADS=1', async () => {
    const byDefault = await trainConv({});
    assert.equal(byDefault.threads, Math.min(2, availableParallelism()), byDefault.reason);
    const single = await trainConv({ MNIST_WASM_THREADS: '1' });
    assert.equal(single.threads, 1, single.reason);
  });
}
