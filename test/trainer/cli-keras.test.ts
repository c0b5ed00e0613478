// mnist-train on a config written with Keras' words, as someone coming from the tutorial writes it.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { RunSummary } from '../../src/shared/protocol';
import { runCli } from '../helpers/cli';

test('an early-stopping config written the Keras way (val_loss, min_delta, restore_best_weights) stops early and reports the best epoch', async () => {
  const cwd = mkdtempSync(join(tmpdir(), 'cli-keras-'));
  // No epoch after the first can lower the validation loss by min_delta = 0.5 (the first ends
  // near 0.3), so with patience 1 training stops after epoch 2 and epoch 1 stays the best.
  const config = {
    dataset: 'mnist-sample',
    data: { validation_split: 0.2 },
    model: { layers: [{ type: 'Flatten' }, { type: 'Dense', units: 64, activation: 'relu' }, { type: 'Dropout', rate: 0.2 }, { type: 'Dense', units: 10, activation: 'softmax' }] },
    training: {
      epochs: 10,
      batch_size: 64,
      optimizer: 'Adam',
      learning_rate: 0.001,
      loss: 'sparse_categorical_crossentropy',
      earlyStopping: { monitor: 'val_loss', min_delta: 0.5, patience: 1, restore_best_weights: true },
    },
    backend: 'wasm',
  };
  writeFileSync(join(cwd, 'mnist.config.json'), JSON.stringify(config, null, 2));
  const r = await runCli([], cwd);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /Early stop after epoch 2: .*; back to the weights of epoch 1/);
  assert.doesNotMatch(r.stderr, /Epoch 3\/10/);

  const runs = join(cwd, '.mnist', 'runs');
  const [id] = readdirSync(runs);
  const summary = JSON.parse(readFileSync(join(runs, id, 'summary.json'), 'utf8')) as RunSummary;
  assert.equal(summary.status, 'completed');
  assert.equal(summary.earlyStop?.epoch, 2);
  assert.equal(summary.earlyStop?.restoredBestWeights, true);
  // The run folder keeps one spelling: this project's.
  const saved = JSON.parse(readFileSync(join(runs, id, 'config.json'), 'utf8'));
  assert.deepEqual(saved.training.earlyStopping, { monitor: 'valLoss', minDelta: 0.5, patience: 1, restoreBestWeights: true });
  assert.equal(saved.training.loss, 'categoricalCrossentropy');
  assert.deepEqual(saved.model.layers.map((l: { type: string }) => l.type), ['flatten', 'dense', 'dropout', 'dense']);
  assert.doesNotMatch(JSON.stringify(saved), /_size|_split|_delta|_weights|val_loss|Dense|Adam/);
});
