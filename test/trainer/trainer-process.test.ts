// The real trainer bundle in a real child process, on the bundled real digits.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { type MnistConfigInput, applyDefaults } from '../../src/shared/config';
import type { RunSummary, TrainerEvent } from '../../src/shared/protocol';
import { TrainerProcess } from '../../src/node/processes/trainer-client';
import { loadModel } from '../../src/trainer/model-io';
import { createRunDir, readEvents } from '../../src/node/runs/run-folder';
import { trainerBundle } from '../helpers/paths';

function startRun(input: MnistConfigInput) {
  const config = applyDefaults({ dataset: 'mnist-sample', backend: 'wasm', ...input });
  const runDir = createRunDir(mkdtempSync(join(tmpdir(), 'runs-')), config);
  const trainer = new TrainerProcess(trainerBundle, { type: 'start', config, runDir, cacheDir: join(runDir, '..', 'cache') });
  const events: TrainerEvent[] = [];
  trainer.onEvent((e) => events.push(e));
  return { trainer, events, runDir, config };
}

function summaryOf(runDir: string): RunSummary {
  return JSON.parse(readFileSync(join(runDir, 'summary.json'), 'utf8')) as RunSummary;
}

test('a 2-epoch run: events in order, a complete run folder, a model that reads digits', async () => {
  const { trainer, events, runDir } = startRun({ training: { epochs: 2, batchSize: 64 } });
  const { done, code } = await trainer.exited;
  assert.equal(done.status, 'completed', done.message);
  assert.equal(code, 0, 'the trainer exits on its own when done');

  const kinds = events.filter((e) => e.type !== 'log' && e.type !== 'batch').map((e) => (e.type === 'samples' || e.type === 'epoch' ? `${e.type}${e.epoch}` : e.type));
  assert.deepEqual(kinds, ['ready', 'dataset', 'model', 'samples0', 'epoch1', 'samples1', 'epoch2', 'samples2', 'evaluation', 'done']);
  const batches = events.filter((e) => e.type === 'batch');
  assert.ok(batches.length >= 2, 'at least the last batch of each epoch is reported');
  assert.ok(batches.every((b) => b.type === 'batch' && b.batchesPerEpoch === Math.ceil(6400 / 64)));
  const ready = events.find((e) => e.type === 'ready');
  assert.equal(ready?.type === 'ready' && ready.backend, 'wasm');
  const dataset = events.find((e) => e.type === 'dataset');
  assert.ok(dataset?.type === 'dataset');
  assert.deepEqual([dataset.train, dataset.validation, dataset.test], [6400, 1600, 2000]);
  const samples0 = events.find((e) => e.type === 'samples');
  assert.ok(samples0?.type === 'samples' && samples0.images?.length === samples0.indices.length && samples0.indices.length >= 16);
  assert.equal(Buffer.from(samples0.images![0], 'base64').length, 784);
  assert.equal(done.numTensors, 0, 'no tensors left behind at the end of the run');

  // the run folder
  const onDisk = readEvents(runDir);
  const notLogs = (list: TrainerEvent[]) => list.filter((e) => e.type !== 'log');
  assert.deepEqual(notLogs(onDisk), notLogs(events), 'events.jsonl holds every event as it was sent');
  const summary = summaryOf(runDir);
  assert.equal(summary.status, 'completed');
  assert.equal(summary.dataset, 'mnist-sample');
  assert.equal(summary.backend, 'wasm');
  assert.equal(summary.history.valAcc.length, 2);
  assert.ok(summary.history.loss[1] < summary.history.loss[0], 'training loss falls');
  assert.ok(summary.testAccuracy! > 0.85, `test accuracy ${summary.testAccuracy} on the sample after 2 epochs`);
  assert.ok(summary.trainSamplesPerSecond! > 0);
  assert.equal(summary.confusionMatrix!.flat().reduce((a, b) => a + b, 0), 2000);

  // the saved model classifies the grid's digits as the last samples event said
  await tf.setBackend('cpu');
  const model = await loadModel(join(runDir, 'model'));
  const last = events.filter((e) => e.type === 'samples').at(-1)!;
  assert.ok(last.type === 'samples');
  const pixels = samples0.images!.map((b64) => Array.from(Buffer.from(b64, 'base64'), (v) => v / 255));
  const predicted = tf.tidy(() => Array.from((model.predict(tf.tensor4d(pixels.flat(), [pixels.length, 28, 28, 1])) as tf.Tensor).argMax(-1).dataSync()));
  assert.deepEqual(predicted, last.predicted);
  model.dispose();
});

test('stop mid-epoch ends the run as cancelled, with the model so far saved', async () => {
  const { trainer, events, runDir } = startRun({ training: { epochs: 3, batchSize: 16 } });
  let stopSentAt = -1;
  trainer.onEvent((e) => {
    if (e.type === 'batch' && stopSentAt < 0) {
      stopSentAt = events.length;
      trainer.stop();
    }
  });
  const { done, code } = await trainer.exited;
  assert.equal(done.status, 'cancelled');
  assert.equal(code, 0);
  assert.ok(!events.some((e) => e.type === 'epoch'), 'no epoch finished: it stopped inside the first (400 batches)');
  const afterStop = events.slice(stopSentAt).filter((e) => e.type === 'batch');
  assert.ok(afterStop.length <= 2, `${afterStop.length} batch reports after stop`);
  assert.equal(summaryOf(runDir).status, 'cancelled');
  assert.ok(existsSync(join(runDir, 'model', 'model.json')));
});

test('same seed, same backend: the same metrics', async () => {
  const histories: number[][] = [];
  for (let i = 0; i < 2; i++) {
    const { trainer, runDir } = startRun({ model: { preset: 'mlp-dropout' }, training: { epochs: 1, batchSize: 128, seed: 7 } });
    assert.equal((await trainer.exited).done.status, 'completed');
    const s = summaryOf(runDir);
    histories.push([s.history.loss[0], s.history.valAcc[0], s.testAccuracy!]);
  }
  assert.deepEqual(histories[1], histories[0]);
});

test('a trainer killed mid-run: the run is failed, says why, and keeps its events', async () => {
  const { trainer, runDir } = startRun({ training: { epochs: 3, batchSize: 16 } });
  trainer.onEvent((e) => {
    if (e.type === 'batch') trainer.kill('SIGKILL');
  });
  const { done, signal } = await trainer.exited;
  assert.equal(signal, 'SIGKILL');
  assert.equal(done.status, 'failed');
  assert.match(done.message ?? '', /killed \(SIGKILL\)/);
  const summary = summaryOf(runDir);
  assert.equal(summary.status, 'failed');
  assert.match(summary.message ?? '', /SIGKILL/);
  const types = readEvents(runDir).map((e) => e.type);
  assert.ok(types.includes('model') && types.includes('batch'), 'events written before the kill are kept');
  assert.equal(types.at(-1), 'done');
});

test('a backend that cannot load fails the run with the reason and what to do', async (t) => {
  let hasTfjsNode = true;
  try {
    require.resolve('@tensorflow/tfjs-node');
  } catch {
    hasTfjsNode = false;
  }
  if (hasTfjsNode) return t.skip('@tensorflow/tfjs-node is installed here, so backend "tensorflow" loads');
  const { trainer, runDir } = startRun({ backend: 'tensorflow', training: { epochs: 1 } });
  const { done, code } = await trainer.exited;
  assert.equal(code, 0);
  assert.equal(done.status, 'failed');
  assert.match(done.message ?? '', /@tensorflow\/tfjs-node is not installed/);
  assert.match(done.hint ?? '', /"backend": "auto"/);
  assert.equal(summaryOf(runDir).status, 'failed');
});
