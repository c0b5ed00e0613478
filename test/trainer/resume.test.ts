// The real trainer bundle (dist/trainer.js) in real child processes, on the bundled real digits:
// resume after SIGKILL, early stopping with ReduceLROnPlateau and with the stop command, and
// augmentation that never reaches validation or test images.
import * as tf from '@tensorflow/tfjs';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { type MnistConfig, type MnistConfigInput, applyDefaults } from '../../src/shared/config';
import type { EpochEvent, RunSummary, TrainerEvent } from '../../src/shared/protocol';
import { earlyStoppingState, learningRateAt } from '../../src/shared/schedule';
import { TrainerProcess } from '../../src/node/processes/trainer-client';
import { type Dataset, loadDataset } from '../../src/node/data/datasets';
import { loadModel } from '../../src/trainer/model-io';
import { latestCheckpoint, resumeProblem } from '../../src/node/runs/resume';
import { createRunDir, readEvents } from '../../src/node/runs/run-folder';
import { ensureSample } from '../helpers/datasets';
import { trainerBundle } from '../helpers/paths';

let sample: Dataset;
before(async () => {
  await tf.setBackend('cpu');
  sample = await loadDataset({ dataset: 'mnist-sample', dir: null, cacheDir: '', sampleDir: ensureSample() });
});

function newRun(input: MnistConfigInput): { config: MnistConfig; runDir: string } {
  const config = applyDefaults({ dataset: 'mnist-sample', backend: 'wasm', ...input });
  return { config, runDir: createRunDir(mkdtempSync(join(tmpdir(), 'resume-')), config) };
}

function start(config: MnistConfig, runDir: string, resume = false) {
  const trainer = new TrainerProcess(trainerBundle, { type: 'start', config, runDir, cacheDir: join(runDir, '..', 'cache'), ...(resume ? { resume: true } : {}) });
  const events: TrainerEvent[] = [];
  trainer.onEvent((e) => events.push(e));
  return { trainer, events };
}

/** Trains until the first batch of `epoch`, then SIGKILLs the trainer. */
async function killDuring(config: MnistConfig, runDir: string, epoch: number, resume: boolean): Promise<void> {
  const { trainer } = start(config, runDir, resume);
  trainer.onEvent((e) => {
    if (e.type === 'batch' && e.epoch === epoch) trainer.kill('SIGKILL');
  });
  const { done, signal } = await trainer.exited;
  assert.equal(signal, 'SIGKILL');
  assert.equal(done.status, 'failed');
}

const summaryOf = (runDir: string) => JSON.parse(readFileSync(join(runDir, 'summary.json'), 'utf8')) as RunSummary;
const epochsIn = (events: readonly TrainerEvent[]) => events.filter((e): e is EpochEvent => e.type === 'epoch');

test('SIGKILL mid-run, twice: each resume continues from the saved epoch, one history with no gap or duplicate, the same as an uninterrupted run', async () => {
  const input: MnistConfigInput = { training: { epochs: 3, batchSize: 64, seed: 11 } };
  const straight = newRun(input);
  const full = start(straight.config, straight.runDir);
  assert.equal((await full.trainer.exited).done.status, 'completed');

  const { config, runDir } = newRun(input);
  await killDuring(config, runDir, 2, false);
  assert.equal(latestCheckpoint(runDir)?.state.epoch, 1, 'killed in epoch 2: epoch 1 is saved');
  assert.equal(resumeProblem(runDir), null);
  await killDuring(config, runDir, 3, true);
  assert.equal(latestCheckpoint(runDir)?.state.epoch, 2);
  assert.equal(summaryOf(runDir).status, 'failed', 'the second kill is recorded too, after the resumed attempt');

  const last = start(config, runDir, true);
  const { done, code } = await last.trainer.exited;
  assert.equal(done.status, 'completed', done.message);
  assert.equal(code, 0);
  assert.deepEqual(
    last.events.filter((e) => ['resume', 'epoch', 'evaluation', 'done'].includes(e.type)).map((e) => (e.type === 'epoch' || e.type === 'resume' ? `${e.type}${e.epoch}` : e.type)),
    ['resume2', 'epoch3', 'evaluation', 'done'],
  );
  assert.equal(done.numTensors, 0);

  const log = readEvents(runDir);
  assert.deepEqual(epochsIn(log).map((e) => e.epoch), [1, 2, 3], 'events.jsonl: each epoch once, in order');
  assert.deepEqual(log.filter((e) => e.type === 'resume').map((e) => (e.type === 'resume' ? e.epoch : 0)), [1, 2]);
  const summary = summaryOf(runDir);
  assert.equal(summary.status, 'completed');
  assert.equal(summary.resumed, 2);
  assert.equal(summary.epochsCompleted, 3);
  assert.ok(!existsSync(join(runDir, 'checkpoints')), 'a completed run keeps no checkpoints');
  assert.ok(existsSync(join(runDir, 'model-best', 'model.json')) && existsSync(join(runDir, 'model', 'model.json')));

  // Weights, Adam's state, Math.random and the shuffle order all came back: the same numbers.
  const reference = summaryOf(straight.runDir);
  assert.deepEqual(summary.history, reference.history);
  assert.equal(summary.testAccuracy, reference.testAccuracy);
});

test('an augmented run (fitDataset) resumes exactly too: batch order and warps depend only on seed, epoch and batch', async () => {
  const input: MnistConfigInput = { data: { augment: {} }, training: { epochs: 2, batchSize: 128, seed: 3 } };
  const straight = newRun(input);
  assert.equal((await start(straight.config, straight.runDir).trainer.exited).done.status, 'completed');
  const { config, runDir } = newRun(input);
  await killDuring(config, runDir, 2, false);
  const { trainer } = start(config, runDir, true);
  assert.equal((await trainer.exited).done.status, 'completed');
  assert.deepEqual(epochsIn(readEvents(runDir)).map((e) => e.epoch), [1, 2]);
  assert.deepEqual(summaryOf(runDir).history, summaryOf(straight.runDir).history);
});

test('a completed run cannot be resumed, and its folder is left exactly as it was', async () => {
  const { config, runDir } = newRun({ training: { epochs: 1, batchSize: 256 } });
  assert.equal((await start(config, runDir).trainer.exited).done.status, 'completed');
  const before = [readFileSync(join(runDir, 'events.jsonl'), 'utf8'), readFileSync(join(runDir, 'summary.json'), 'utf8')];
  const again = start(config, runDir, true);
  const { done, code } = await again.trainer.exited;
  assert.equal(done.status, 'failed');
  assert.equal(code, 0);
  assert.match(done.message ?? '', /^Cannot resume .*: it completed; there is nothing to resume/);
  assert.deepEqual([readFileSync(join(runDir, 'events.jsonl'), 'utf8'), readFileSync(join(runDir, 'summary.json'), 'utf8')], before);
});

test('early stopping with ReduceLROnPlateau in the real trainer: stops where the rule says, rates as planned, best weights restored', async () => {
  const { config, runDir } = newRun({
    training: { epochs: 20, batchSize: 64, earlyStopping: { patience: 2 }, reduceLrOnPlateau: { patience: 1, factor: 0.5 } },
  });
  const { trainer, events } = start(config, runDir);
  const { done } = await trainer.exited;
  assert.equal(done.status, 'completed', done.message);
  const epochs = epochsIn(events);
  const history = { valLoss: epochs.map((e) => e.valLoss), valAcc: epochs.map((e) => e.valAcc) };
  const rule = earlyStoppingState(config.training.earlyStopping!, history);
  assert.ok(rule.stopEpoch !== null && rule.stopEpoch < 20, `stopped early, after ${epochs.length} epochs`);
  assert.equal(epochs.length, rule.stopEpoch, 'no epoch after the stop');
  epochs.forEach((e) => assert.equal(e.learningRate, learningRateAt(config.training, e.epoch, history), `rate of epoch ${e.epoch}`));
  assert.ok(epochs.some((e) => e.learningRate! < 0.001), 'ReduceLROnPlateau reduced the rate before the stop');

  const kinds = events.filter((e) => !['log', 'batch', 'samples', 'epoch'].includes(e.type)).map((e) => e.type);
  assert.deepEqual(kinds, ['ready', 'dataset', 'model', 'earlyStop', 'evaluation', 'done']);
  const stop = events.find((e) => e.type === 'earlyStop')!;
  assert.ok(stop.type === 'earlyStop');
  assert.deepEqual([stop.epoch, stop.bestEpoch, stop.best, stop.restoredBestWeights], [rule.stopEpoch, rule.bestEpoch, rule.best, true]);
  const samples = events.filter((e) => e.type === 'samples');
  assert.equal(samples.at(-1)?.type === 'samples' && samples.at(-1)!.epoch, rule.bestEpoch, 'the grid shows the restored model');
  assert.deepEqual(readFileSync(join(runDir, 'model', 'weights.bin')), readFileSync(join(runDir, 'model-best', 'weights.bin')), 'model/ is the best epoch');

  const summary = summaryOf(runDir);
  assert.equal(summary.bestEpoch, rule.bestEpoch);
  assert.deepEqual(summary.earlyStop, { epoch: rule.stopEpoch, reason: stop.reason, restoredBestWeights: true });
  assert.equal(summary.history.learningRate?.length, epochs.length);
  assert.equal(done.numTensors, 0);
});

test('the stop command with early stopping on: cancelled (no early stop), resumable, and the resumed run stops early on one history', async () => {
  const { config, runDir } = newRun({ training: { epochs: 8, batchSize: 128, earlyStopping: { patience: 1, minDelta: 0.02 } } });
  const first = start(config, runDir);
  let stopped = false;
  first.trainer.onEvent((e) => {
    if (e.type === 'batch' && e.epoch === 2 && !stopped) {
      stopped = true;
      first.trainer.stop();
    }
  });
  const { done } = await first.trainer.exited;
  assert.equal(done.status, 'cancelled');
  // The stop lands during epoch 2, or just after it where an epoch takes less than the trainer's
  // batch-event interval (the MLP on the bundled sample): the run resumes after the last whole epoch.
  const whole = first.events.filter((e) => e.type === 'epoch').length;
  assert.ok(whole >= 1 && whole <= 2, `${whole} epochs finished before the stop`);
  assert.equal(done.message, `Stopped by the user; the model learned so far is saved, and the run can be resumed after epoch ${whole}.`);
  assert.ok(!first.events.some((e) => e.type === 'earlyStop'));
  assert.equal(summaryOf(runDir).status, 'cancelled');

  const second = start(config, runDir, true);
  const end = await second.trainer.exited;
  assert.equal(end.done.status, 'completed', end.done.message);
  const epochs = epochsIn(readEvents(runDir));
  assert.deepEqual(epochs.map((e) => e.epoch), Array.from({ length: epochs.length }, (_, i) => i + 1));
  const rule = earlyStoppingState(config.training.earlyStopping!, { valLoss: epochs.map((e) => e.valLoss), valAcc: epochs.map((e) => e.valAcc) });
  const stop = second.events.find((e) => e.type === 'earlyStop');
  // minDelta 0.02 with patience 1 ends an 8-epoch run on the sample early; if it ever did not, the rule says so too.
  assert.equal(stop?.type === 'earlyStop' ? stop.epoch : null, rule.stopEpoch);
  const summary = summaryOf(runDir);
  assert.equal(summary.status, 'completed');
  assert.equal(summary.epochsCompleted, epochs.length);
  assert.equal(summary.resumed, 1);
});

test('augmentation: reproducible with the seed, and validation and test metrics are those of the clean images', async () => {
  const input: MnistConfigInput = { data: { augment: { elastic: {} } }, training: { epochs: 1, batchSize: 128, seed: 5 } };
  const runs = [newRun(input), newRun(input)];
  for (const r of runs) assert.equal((await start(r.config, r.runDir).trainer.exited).done.status, 'completed');
  const [a, b] = runs.map((r) => summaryOf(r.runDir));
  assert.deepEqual(b.history, a.history, 'same seed, same augmented batches, same metrics');
  const plain = newRun({ training: { epochs: 1, batchSize: 128, seed: 5 } });
  assert.equal((await start(plain.config, plain.runDir).trainer.exited).done.status, 'completed');
  assert.notDeepEqual(summaryOf(plain.runDir).history.loss, a.history.loss, 'augmentation changed what was trained on');

  // The saved model, on clean images, gives exactly the validation and test accuracy the run reported.
  const model = await loadModel(join(runs[0].runDir, 'model'));
  const accuracy = (images: Uint8Array, labels: Uint8Array) =>
    tf.tidy(() => {
      const x = tf.tensor4d(Float32Array.from(images, (v) => v / 255), [labels.length, 28, 28, 1]);
      const predicted = Array.from((model.predict(x) as tf.Tensor).argMax(-1).dataSync());
      return predicted.reduce((n, p, i) => n + (p === labels[i] ? 1 : 0), 0) / labels.length;
    });
  const valAcc = accuracy(sample.trainImages.subarray(6400 * 784), sample.trainLabels.subarray(6400));
  assert.ok(Math.abs(valAcc - a.history.valAcc[0]) < 1e-6, `validation: ${valAcc} vs reported ${a.history.valAcc[0]}`);
  const testAcc = accuracy(sample.testImages, sample.testLabels);
  assert.ok(Math.abs(testAcc - a.testAccuracy!) < 1e-6, `test: ${testAcc} vs reported ${a.testAccuracy}`);
  model.dispose();
});
