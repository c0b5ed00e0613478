import * as tf from '@tensorflow/tfjs';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { applyDefaults } from '../../src/shared/config';
import { buildModel, summarizeModel } from '../../src/trainer/model';
import { loadModel, saveModel } from '../../src/trainer/model-io';

before(async () => {
  await tf.setBackend('cpu');
});

test("the tutorial's MLP has Keras' parameter count and output shapes", () => {
  const model = buildModel(applyDefaults({ model: { preset: 'mlp' } }));
  const s = summarizeModel(model);
  assert.deepEqual(s.layers.map((l) => l.type), ['Flatten', 'Dense', 'Dense', 'Dense']);
  assert.deepEqual(s.layers.map((l) => l.outputShape), [[null, 784], [null, 128], [null, 64], [null, 10]]);
  assert.equal(s.totalParams, 784 * 128 + 128 + 128 * 64 + 64 + 64 * 10 + 10);
  assert.equal(s.trainableParams, s.totalParams);
  model.dispose();
});

test('the CNN preset: conv32 → pool → conv64 → pool → flatten → dropout → dense10', () => {
  const model = buildModel(applyDefaults({ model: { preset: 'cnn' } }));
  const s = summarizeModel(model);
  assert.deepEqual(s.layers.map((l) => l.type), ['Conv2D', 'MaxPooling2D', 'Conv2D', 'MaxPooling2D', 'Flatten', 'Dropout', 'Dense']);
  assert.deepEqual(s.layers[3].outputShape, [null, 5, 5, 64]);
  assert.equal(s.totalParams, 320 + 18496 + 1600 * 10 + 10);
  model.dispose();
});

test('every layer type builds, and batch normalization has non-trainable parameters', () => {
  const model = buildModel(
    applyDefaults({
      model: {
        layers: [
          { type: 'conv2d', filters: 8, kernelSize: 3, padding: 'same', strides: 2, activation: 'relu' },
          { type: 'batchNormalization' },
          { type: 'maxPooling2d', poolSize: 2 },
          { type: 'flatten' },
          { type: 'dense', units: 16, activation: 'tanh' },
          { type: 'dropout', rate: 0.3 },
          { type: 'dense', units: 10, activation: 'softmax' },
        ],
      },
    }),
  );
  const s = summarizeModel(model);
  assert.deepEqual(s.layers[0].outputShape, [null, 14, 14, 8]);
  assert.deepEqual(s.layers[2].outputShape, [null, 7, 7, 8]);
  assert.equal(s.totalParams - s.trainableParams, 16, 'moving mean and variance of 8 channels');
  const out = tf.tidy(() => (model.predict(tf.zeros([2, 28, 28, 1])) as tf.Tensor).arraySync() as number[][]);
  assert.equal(out.length, 2);
  assert.ok(Math.abs(out[0].reduce((a, b) => a + b, 0) - 1) < 1e-5, 'softmax rows sum to 1');
  model.dispose();
});

test('optimizers from the config: adam, sgd, rmsprop with the given learning rate', () => {
  for (const optimizer of ['adam', 'sgd', 'rmsprop'] as const) {
    const model = buildModel(applyDefaults({ training: { optimizer, learningRate: 0.05 } }));
    const cfg = model.optimizer.getConfig() as { learningRate: number };
    assert.equal(cfg.learningRate, 0.05, optimizer);
    assert.match(model.optimizer.getClassName().toLowerCase(), new RegExp(optimizer === 'sgd' ? 'sgd' : optimizer));
    model.optimizer.dispose();
    model.dispose();
  }
});

test('a saved model loads back and predicts the same', async () => {
  const model = buildModel(applyDefaults({ model: { preset: 'cnn' } }));
  const dir = join(mkdtempSync(join(tmpdir(), 'model-')), 'model');
  await saveModel(model, dir);
  assert.deepEqual(readdirSync(dir).sort(), ['model.json', 'weights.bin']);
  const loaded = await loadModel(dir);
  const x = tf.randomUniform([3, 28, 28, 1], 0, 1, 'float32', 1);
  const a = tf.tidy(() => (model.predict(x) as tf.Tensor).arraySync());
  const b = tf.tidy(() => (loaded.predict(x) as tf.Tensor).arraySync());
  assert.deepEqual(b, a);
  assert.deepEqual(readdirSync(join(dir, '..')), ['model'], 'no temp folder left behind');
  x.dispose();
  model.dispose();
  loaded.dispose();
});
