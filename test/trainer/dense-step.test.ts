// Issue #18: the MLP's whole training step as one kernel (src/trainer/kernels/dense-step.ts)
// against tfjs's own train function on the same model, weights and batches, on real digits
// (../shared/datasets/mnist-10k where present, else the bundled mnist-sample): the losses,
// accuracies and weights after two epochs, the tutorial's MLP and widths that are not multiples of
// 8, a linear hidden layer; that the step really runs as one kernel, and which models and batches
// keep tfjs's path. This process runs the plain SIMD form; a child with relaxed SIMD the FMA form.
import * as tf from '@tensorflow/tfjs';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, test } from 'node:test';
import { type LayerConfig, applyDefaults } from '../../src/shared/config';
import { RELAXED_SIMD_FLAG, relaxedSimdHere, relaxedSimdWithFlag } from '../../src/node/processes/wasm-features';
import { initBackend } from '../../src/trainer/backend';
import { DENSE_STEP, denseStepOptions } from '../../src/trainer/kernels/dense-step';
import { fmaOptions, simdFlavour } from '../../src/trainer/kernels/simd';
import { buildModel } from '../../src/trainer/model';
import { trainingDigits } from '../helpers/digits';

const CHILD = process.env.DENSE_STEP_CHILD;

/** The first `count` training digits as a batch and their one-hot labels. */
function loadDigits(count: number): { xs: tf.Tensor4D; ys: tf.Tensor2D; source: string } {
  const { images, labels, source } = trainingDigits(count);
  return { xs: tf.tensor4d(images, [count, 28, 28, 1]), ys: tf.oneHot(tf.tensor1d(Array.from(labels), 'int32'), 10) as tf.Tensor2D, source };
}

const MODELS: { name: string; layers?: LayerConfig[] }[] = [
  { name: "the tutorial's MLP (784-128-64-10)" },
  {
    name: 'widths 100 and 30 (padded to 104 and 32), a linear hidden layer',
    layers: [{ type: 'flatten' }, { type: 'dense', units: 100, activation: 'relu' }, { type: 'dense', units: 30 }, { type: 'dense', units: 10, activation: 'softmax' }],
  },
];

interface Outcome { name: string; lossStep: number[]; lossTape: number[]; accStep: number[]; accTape: number[]; relativeWeightDiff: number; stepKernels: number; tapeKernels: number }

/** Two epochs of one model from the same weights: the dense step, then tfjs's own function; batch 30 leaves a last batch of 10 rows. */
async function compareOne(layers: LayerConfig[] | undefined, xs: tf.Tensor, ys: tf.Tensor): Promise<Omit<Outcome, 'name'>> {
  const config = applyDefaults({ model: layers ? { layers } : { preset: 'mlp' }, training: { batchSize: 30 } });
  const [fused, tape] = [buildModel(config), buildModel(config)];
  tape.setWeights(fused.getWeights());
  const fit = async (model: tf.Sequential, on: boolean) => {
    denseStepOptions.enabled = on;
    const h = await model.fit(xs, ys, { batchSize: 30, epochs: 2, shuffle: false, verbose: 0 });
    return { loss: h.history.loss as number[], acc: h.history.acc as number[] };
  };
  const kernelsOf = async (model: tf.Sequential, on: boolean) => {
    denseStepOptions.enabled = on;
    const info = await tf.profile(() => model.trainOnBatch(xs.slice(0, 30), ys.slice(0, 30)));
    return info.kernels.filter((k) => k.name === DENSE_STEP).length;
  };
  const a = await fit(fused, true);
  const b = await fit(tape, false);
  let [diff, ref] = [0, 0];
  fused.getWeights().forEach((w, i) => {
    const [x, y] = [w.dataSync(), tape.getWeights()[i].dataSync()];
    for (let j = 0; j < x.length; j++) [diff, ref] = [Math.max(diff, Math.abs(x[j] - y[j])), Math.max(ref, Math.abs(y[j]))];
  });
  const stepKernels = await kernelsOf(fused, true);
  const tapeKernels = await kernelsOf(tape, false);
  denseStepOptions.enabled = true;
  tf.dispose([fused, tape].flatMap((m) => m.getWeights()));
  return { lossStep: a.loss, lossTape: b.loss, accStep: a.acc, accTape: b.acc, relativeWeightDiff: diff / ref, stepKernels, tapeKernels };
}

async function child(flavour: string): Promise<void> {
  await initBackend('wasm');
  fmaOptions.enabled = flavour === 'fma';
  const { xs, ys } = loadDigits(640);
  const outcomes: Outcome[] = [];
  for (const m of MODELS) outcomes.push({ name: m.name, ...(await compareOne(m.layers, xs, ys)) });
  process.stdout.write(JSON.stringify({ flavour: simdFlavour(), outcomes }) + '\n');
}

function check(outcomes: Outcome[]): void {
  for (const o of outcomes) {
    assert.equal(o.stepKernels, 1, `${o.name}: a step is one ${DENSE_STEP} kernel`);
    assert.equal(o.tapeKernels, 0, `${o.name}: switched off, tfjs's own function runs`);
    // Two epochs of Adam from equal weights: float rounding only (the orders of sums differ).
    assert.ok(o.relativeWeightDiff < 1e-4, `${o.name}: weights differ by ${o.relativeWeightDiff.toExponential(2)} of their largest`);
    o.lossStep.forEach((l, i) => assert.ok(Math.abs(l - o.lossTape[i]) < 1e-5 * Math.max(1, o.lossTape[i]), `${o.name}: epoch ${i + 1} loss ${l} against ${o.lossTape[i]}`));
    o.accStep.forEach((a, i) => assert.ok(Math.abs(a - o.accTape[i]) < 1e-6, `${o.name}: epoch ${i + 1} accuracy ${a} against ${o.accTape[i]}`));
    // It learns: the second epoch's loss is below the first's.
    assert.ok(o.lossStep[1] < o.lossStep[0], `${o.name}: loss ${o.lossStep}`);
  }
}

if (CHILD) {
  void child(CHILD);
} else {
  describe('the MLP training step as one kernel (MnistDenseTrainStep)', () => {
    test('equals tfjs’s own train function over two epochs, as one kernel a step (no FMA)', async (t) => {
      await initBackend('wasm');
      fmaOptions.enabled = false;
      const { xs, ys, source } = loadDigits(640);
      t.diagnostic(`digits from ${source}`);
      const outcomes: Outcome[] = [];
      for (const m of MODELS) outcomes.push({ name: m.name, ...(await compareOne(m.layers, xs, ys)) });
      fmaOptions.enabled = true;
      tf.dispose([xs, ys]);
      check(outcomes);
    });

    test('with FMA (relaxed SIMD, in a child) the same', (t) => {
      const flags = relaxedSimdHere() ? [] : relaxedSimdWithFlag() ? [RELAXED_SIMD_FLAG] : null;
      if (!flags) {
        t.skip('this Node has no relaxed SIMD, even with its flag');
        return;
      }
      const r = spawnSync(process.execPath, [...flags, '--import', 'tsx', __filename], { env: { ...process.env, DENSE_STEP_CHILD: 'fma' }, encoding: 'utf8', timeout: 180_000 });
      assert.equal(r.status, 0, r.stderr);
      const result = JSON.parse(r.stdout.trim().split('\n').pop()!) as { flavour: string; outcomes: Outcome[] };
      assert.equal(result.flavour, 'fma');
      check(result.outcomes);
    });

    test('other models, batches under 4 rows and other backends keep tfjs’s own function', async () => {
      await initBackend('wasm');
      const { xs, ys } = loadDigits(32);
      const steps = async (layers: LayerConfig[] | undefined, rows: number, preset: 'mlp' | 'mlp-dropout' = 'mlp') => {
        const model = buildModel(applyDefaults({ model: layers ? { layers } : { preset }, training: { batchSize: rows } }));
        const info = await tf.profile(() => model.trainOnBatch(xs.slice(0, rows), ys.slice(0, rows)));
        tf.dispose(model.getWeights());
        return info.kernels.filter((k) => k.name === DENSE_STEP).length;
      };
      assert.equal(await steps(undefined, 4), 1, 'four rows: the step');
      assert.equal(await steps(undefined, 3), 0, 'three rows: tfjs (our product loops hold 4 rows)');
      assert.equal(await steps(undefined, 32, 'mlp-dropout'), 0, 'dropout layers: tfjs');
      assert.equal(await steps([{ type: 'flatten' }, { type: 'dense', units: 64, activation: 'tanh' }, { type: 'dense', units: 10, activation: 'softmax' }], 32), 0, 'tanh: tfjs');
      await initBackend('cpu');
      assert.equal(await steps(undefined, 32), 0, 'the cpu backend: tfjs');
      tf.dispose([xs, ys]);
    });
  });
}
