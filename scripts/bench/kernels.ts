// Where a training step's time goes, kernel by kernel: trains a preset on real digits for a few
// warm-up steps, then profiles steps with tf.profile (wall time per kernel on wasm/cpu) and prints
// the kernels sorted by total time. A developer's tool for the wasm kernels in src/trainer/kernels.
//   node --import tsx scripts/bench/kernels.ts [--preset cnn] [--batch 128] [--backend wasm] [--steps 5] [--threads N]
import * as tf from '@tensorflow/tfjs';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { type PresetName, applyDefaults } from '../../src/shared/config';
import { defaultWasmDir, initBackend } from '../../src/trainer/backend';
import { registerThreadedWasm } from '../../src/trainer/kernels/threads';
import { buildModel } from '../../src/trainer/model';

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) args.set(process.argv[i].replace(/^--/, ''), process.argv[i + 1]);
const preset = (args.get('preset') ?? 'cnn') as PresetName;
const batch = Number(args.get('batch') ?? 128);
const backend = (args.get('backend') ?? 'wasm') as 'wasm' | 'cpu';
const steps = Number(args.get('steps') ?? 5);

const root = resolve(__dirname, '..', '..');
const dir = [resolve(root, '..', 'shared', 'datasets', 'mnist-10k'), join(root, 'dist', 'data', 'mnist-sample')].find((d) =>
  existsSync(join(d, 'train-images-idx3-ubyte.gz')),
);
if (!dir) throw new Error('no training digits: run npm run build (bundled sample) or provide ../shared/datasets/mnist-10k');

async function main(): Promise<void> {
  if (args.has('threads')) registerThreadedWasm(defaultWasmDir(), Number(args.get('threads')));
  const choice = await initBackend(backend);
  const images = gunzipSync(readFileSync(join(dir!, 'train-images-idx3-ubyte.gz'))).subarray(16, 16 + batch * 784);
  const labels = gunzipSync(readFileSync(join(dir!, 'train-labels-idx1-ubyte.gz'))).subarray(8, 8 + batch);
  const xs = tf.tensor4d(Float32Array.from(images, (b) => b / 255), [batch, 28, 28, 1]);
  const ys = tf.oneHot(tf.tensor1d(Array.from(labels), 'int32'), 10);
  const model = buildModel(applyDefaults({ model: { preset }, training: { batchSize: batch } }));
  for (let i = 0; i < 3; i++) await model.trainOnBatch(xs, ys);

  const totals = new Map<string, { ms: number; calls: number; shapes: string }>();
  let wall = 0;
  for (let s = 0; s < steps; s++) {
    const t0 = performance.now();
    const info = await tf.profile(async () => {
      await model.trainOnBatch(xs, ys);
    });
    wall += performance.now() - t0;
    for (const k of info.kernels) {
      const key = `${k.name} ${JSON.stringify(k.inputShapes)}`;
      const e = totals.get(key) ?? { ms: 0, calls: 0, shapes: `${JSON.stringify(k.inputShapes)} → ${JSON.stringify(k.outputShapes)}` };
      e.ms += typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
      e.calls++;
      totals.set(key, e);
    }
  }
  const rows = [...totals.entries()].sort((a, b) => b[1].ms - a[1].ms);
  const kernelMs = rows.reduce((s, [, e]) => s + e.ms, 0) / steps;
  console.log(`${preset} batch ${batch} on ${choice.reason}; ${steps} profiled steps`);
  console.log(`per step: ${(wall / steps).toFixed(1)} ms wall (under tf.profile), ${kernelMs.toFixed(1)} ms in kernels, ${(rows.reduce((s, [, e]) => s + e.calls, 0) / steps).toFixed(0)} kernel calls`);
  for (const [key, e] of rows.slice(0, Number(args.get('top') ?? 25))) {
    console.log(`${(e.ms / steps).toFixed(2).padStart(8)} ms  ${String(e.calls / steps).padStart(4)}×  ${key.split(' ')[0].padEnd(24)} ${e.shapes}`);
  }
  tf.dispose([xs, ys]);
}

void main();
