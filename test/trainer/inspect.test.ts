// Look Inside Model's math (src/trainer/inspect.ts) on models the real mnist-train trained on
// mnist-sample (a CNN and an MLP, one epoch each), asked about real test digits from their runs.
import * as tf from '@tensorflow/tfjs';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { PredictorClient } from '../../src/node/processes/predictor-client';
import type { SamplesEvent, TrainerEvent } from '../../src/shared/protocol';
import { decodeTensor, type Inspection, isInspection } from '../../src/shared/protocol/inspect';
import { initBackend } from '../../src/trainer/backend';
import { Inspector, modelLayers } from '../../src/trainer/inspect';
import { loadModel } from '../../src/trainer/model-io';
import { decodeLayers, layersCsv } from '../../webview/inside/layers-view';
import { cliBundle } from '../helpers/paths';
import { predictorBundle } from '../helpers/predictor-bundle';

interface Trained { runDir: string; digits: { label: number; pixels: number[] }[] }

function train(cwd: string, preset: string): Promise<Trained> {
  return new Promise((resolve, reject) => {
    const out = join(cwd, preset);
    const child = spawn(process.execPath, [cliBundle, '--dataset', 'mnist-sample', '--preset', preset, '--epochs', '1', '--backend', 'wasm', '--out', out], {
      cwd,
      env: { ...process.env, XDG_CACHE_HOME: join(cwd, 'cache') },
    });
    let stderr = '';
    child.stderr.on('data', (b) => (stderr += b));
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`mnist-train --preset ${preset} exited ${code}: ${stderr}`));
      const runDir = join(out, readdirSync(out)[0]);
      const events = readFileSync(join(runDir, 'events.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as TrainerEvent);
      const samples = events.find((e): e is SamplesEvent => e.type === 'samples' && e.images !== undefined)!;
      const digits = samples.images!.slice(0, 4).map((img, i) => ({ label: samples.labels[i], pixels: Array.from(Buffer.from(img, 'base64'), (v) => v / 255) }));
      resolve({ runDir, digits });
    });
  });
}

const values = (t: unknown): Float32Array => {
  const v = decodeTensor(t);
  assert.ok(v, 'the tensor decodes');
  return v;
};

function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  let worst = 0;
  for (let i = 0; i < actual.length; i++) worst = Math.max(worst, Math.abs(actual[i] - expected[i]));
  assert.ok(worst <= tol, `${what}: largest difference ${worst} > ${tol}`);
}

let cnn: Trained;
let mlp: Trained;
let cnnModel: tf.LayersModel;
let mlpModel: tf.LayersModel;

before(async () => {
  await initBackend('wasm');
  const cwd = mkdtempSync(join(tmpdir(), 'mnist-inspect-test-'));
  cnn = await train(cwd, 'cnn');
  mlp = await train(cwd, 'mlp');
  cnnModel = await loadModel(join(cnn.runDir, 'model'));
  mlpModel = await loadModel(join(mlp.runDir, 'model'));
});

after(() => {
  cnnModel?.dispose();
  mlpModel?.dispose();
});

/** Each layer's output as tf.model({ inputs, outputs: layer.output }) computes it on its own. */
function reference(model: tf.LayersModel, layer: tf.layers.Layer, pixels: number[]): Float32Array {
  return tf.tidy(() => {
    const sub = tf.model({ inputs: model.inputs, outputs: layer.output as tf.SymbolicTensor });
    return (sub.predict(tf.tensor4d(pixels, [1, 28, 28, 1])) as tf.Tensor).dataSync() as Float32Array;
  });
}

for (const which of ['cnn', 'mlp'] as const) {
  describe(`every layer's output (${which})`, () => {
    it('equals what a model ending at that layer computes, for four test digits', () => {
      const model = which === 'cnn' ? cnnModel : mlpModel;
      const inspector = new Inspector(model);
      for (const { pixels } of (which === 'cnn' ? cnn : mlp).digits) {
        const r = inspector.inspect(pixels);
        assert.ok(isInspection(r), 'the answer passes the panel’s structural check');
        const layers = modelLayers(model);
        assert.deepEqual(r.layers.map((l) => l.name), layers.map((l) => l.name), 'every layer, in model order');
        let previous: Float32Array = Float32Array.from(pixels);
        r.layers.forEach((l, i) => {
          const ref = reference(model, layers[i], pixels);
          assert.deepEqual(l.shape, (layers[i].outputShape as number[]).slice(1), `${l.name}: shape`);
          const got = l.kind === 'values' ? values(l.output) : previous;
          assertClose(got, ref, 1e-4, `${l.name} (${l.kind})`);
          previous = got;
        });
        assertClose(r.probabilities, previous, 1e-6, 'probabilities are the last layer');
        assert.equal(r.predicted, r.probabilities.indexOf(Math.max(...r.probabilities)));
      }
    });
  });
}

/** The predicted class's logit for many images at once: the layer before the softmax, times its kernel, plus its bias. */
function logits(model: tf.LayersModel, images: Float32Array, count: number, cls: number): Float32Array {
  return tf.tidy(() => {
    const layers = modelLayers(model);
    const top = layers[layers.length - 1];
    const sub = tf.model({ inputs: model.inputs, outputs: layers[layers.length - 2].output as tf.SymbolicTensor });
    const h = sub.predict(tf.tensor4d(images, [count, 28, 28, 1])) as tf.Tensor2D;
    const [kernel, bias] = top.getWeights();
    return tf.matMul(h, kernel as tf.Tensor2D).add(bias).slice([0, cls], [count, 1]).dataSync() as Float32Array;
  });
}

describe('saliency', () => {
  for (const which of ['cnn', 'mlp'] as const) {
    it(`matches a central finite difference of the predicted logit on the most salient pixels (${which})`, () => {
      const model = which === 'cnn' ? cnnModel : mlpModel;
      const { pixels } = (which === 'cnn' ? cnn : mlp).digits[0];
      const r = new Inspector(model).inspect(pixels);
      assert.equal(r.saliencyOf, 'logit');
      const saliency = values(r.saliency);
      // Every pixel nudged by ±h, in one batch of 2×784 images.
      const h = 1e-3;
      const batch = new Float32Array(2 * 784 * 784);
      for (let p = 0; p < 784; p++) {
        batch.set(pixels, 2 * p * 784);
        batch.set(pixels, (2 * p + 1) * 784);
        batch[2 * p * 784 + p] += h;
        batch[(2 * p + 1) * 784 + p] -= h;
      }
      const l = logits(model, batch, 2 * 784, r.predicted);
      const fd = Float32Array.from({ length: 784 }, (_, p) => Math.abs(l[2 * p] - l[2 * p + 1]) / (2 * h));
      const max = Math.max(...fd);
      assert.ok(max > 0, 'the logit depends on the pixels');
      const top = Array.from(saliency.keys()).sort((a, b) => saliency[b] - saliency[a]).slice(0, 8);
      assert.equal(saliency[top[0]], 1, 'normalised: the most salient pixel is 1');
      for (const p of top) assert.ok(Math.abs(saliency[p] - fd[p] / max) < 0.05, `pixel ${p}: saliency ${saliency[p]} vs finite difference ${fd[p] / max}`);
    });
  }
});

describe('filters and Grad-CAM', () => {
  it('the CNN: the 32 first-layer 3×3 kernels as trained, and a Grad-CAM of the last conv layer in 0..1', () => {
    const r = new Inspector(cnnModel).inspect(cnn.digits[0].pixels);
    assert.equal(r.filters?.kind, 'conv');
    const kernel = modelLayers(cnnModel)[0].getWeights()[0];
    assert.deepEqual(r.filters.kernel.shape, [3, 3, 1, 32]);
    assertClose(values(r.filters.kernel), kernel.dataSync(), 0, 'kernels');
    const conv = r.layers.filter((l) => l.className === 'Conv2D');
    assert.equal(r.gradCam?.layer, conv.at(-1)!.name);
    const cam = values(r.gradCam.map);
    assert.ok(cam.every((v) => v >= 0 && v <= 1) && Math.max(...cam) === 1, `Grad-CAM is normalised to 0..1: ${Math.min(...cam)}..${Math.max(...cam)}`);
    // Where it looked is on the digit: the map's weight falls on brighter pixels than the image's average.
    const { pixels } = cnn.digits[0];
    const onInk = cam.reduce((s, v, p) => s + v * pixels[p], 0) / cam.reduce((s, v) => s + v, 0);
    const mean = pixels.reduce((s, v) => s + v, 0) / pixels.length;
    assert.ok(onInk > 1.5 * mean, `Grad-CAM-weighted ink ${onInk} vs mean ink ${mean}`);
    assert.deepEqual(values(conv[1].kernel).length, 3 * 3 * 32 * 64, 'the second conv layer’s 3×3×32 filters, for the dot-product view');
    assert.ok(JSON.stringify(r).length < 1_000_000, `the answer is ${JSON.stringify(r).length} characters`);
  });

  it('the MLP: the first Dense layer’s weights of its 16 most active units, no Grad-CAM', () => {
    const { pixels } = mlp.digits[0];
    const r = new Inspector(mlpModel).inspect(pixels);
    assert.equal(r.filters?.kind, 'dense');
    assert.equal(r.gradCam, null);
    const dense = r.layers.find((l) => l.className === 'Dense')!;
    const act = values(dense.output);
    const sorted = [...act].sort((a, b) => b - a);
    assert.deepEqual(r.filters.activations, sorted.slice(0, 16));
    const kernel = modelLayers(mlpModel).find((l) => l.name === dense.name)!.getWeights()[0].arraySync() as number[][];
    const w = values(r.filters.weights);
    const u = r.filters.units[3];
    assertClose(w.subarray(3 * 784, 4 * 784), kernel.map((row) => row[u]), 0, `unit ${u}'s weights`);
  });
});

describe('what the panel draws from an answer (webview/inside/layers-view.ts)', () => {
  it('each layer with its values and its input; the CSV has a row per value of every computed layer', () => {
    const { pixels } = cnn.digits[2];
    const r = new Inspector(cnnModel).inspect(pixels);
    const layers = decodeLayers(r, Float32Array.from(pixels))!;
    assert.equal(layers.length, 7);
    assert.deepEqual(Array.from(layers[0].input.values), Array.from(Float32Array.from(pixels)), 'the first layer is given the image');
    assert.equal(layers[5].values, layers[4].values, 'Dropout shows Flatten’s values, which are the pooling’s');
    assert.equal(layers[4].values, layers[3].values);
    assert.equal(layers[2].input.values, layers[1].values, 'the second conv layer is given the first pooling’s output');
    assert.deepEqual(layers[2].kernel?.length, 3 * 3 * 32 * 64);
    assert.equal(layers[0].scale.kind, 'sequential', 'ReLU outputs: one 0..max scale');
    assert.ok(Math.abs(layers[0].scale.max - Math.max(...layers[0].values)) < 1e-9);
    const csv = layersCsv(layers).trim().split('\n');
    assert.equal(csv.length, 1 + 26 * 26 * 32 + 13 * 13 * 32 + 11 * 11 * 64 + 5 * 5 * 64 + 10);
    assert.match(csv.at(-1)!, /^dense_Dense\d+,Dense,,,9,[\d.e-]+$/);
  });
});

describe('tensor discipline', () => {
  it('tf.memory().numTensors is back where it started after inspecting (CNN and MLP)', () => {
    for (const model of [cnnModel, mlpModel]) {
      const inspector = new Inspector(model);
      const start = tf.memory().numTensors;
      for (let i = 0; i < 3; i++) inspector.inspect(cnn.digits[i].pixels);
      assert.equal(tf.memory().numTensors, start);
    }
  });
});

describe('through the predictor process', () => {
  it('answers inspect with the same probabilities as predict, and an error for a run without a model', async () => {
    const client = new PredictorClient(await predictorBundle());
    try {
      const dir = join(cnn.runDir, 'model');
      const { pixels, label } = cnn.digits[1];
      const [p, i] = await Promise.all([client.predict(dir, pixels), client.inspect(dir, pixels)]);
      assert.ok('probabilities' in p && 'inspection' in i, JSON.stringify('error' in i ? i : p));
      const inspection: Inspection = i.inspection;
      assert.ok(isInspection(inspection));
      assertClose(inspection.probabilities, p.probabilities, 1e-6, 'probabilities');
      assert.equal(inspection.layers.filter((l) => l.className === 'Conv2D' || l.className === 'MaxPooling2D').map((l) => l.shape.at(-1)).join(' '), '32 32 64 64');
      assert.ok(label >= 0);
      const missing = await client.inspect(join(cnn.runDir, 'no-such-model'), pixels);
      assert.ok('error' in missing && /could not load the model/.test(missing.error), JSON.stringify(missing).slice(0, 200));
    } finally {
      client.dispose();
    }
  });
});
