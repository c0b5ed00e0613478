// What happens between epochs, in-process on the cpu backend: early stopping on a recorded metric
// sequence restores the best weights; user stop, early stop and errors end the fit through the one
// stop reason; checkpoints restore weights, optimizer state and the random stream; augmentation
// trains on warped batches while validation stays clean. Real digits from the bundled mnist-sample.
import * as tf from '@tensorflow/tfjs';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { applyDefaults, type MnistConfigInput } from '../../src/shared/config';
import type { TrainerEventBody } from '../../src/shared/protocol';
import { learningRateAt } from '../../src/shared/schedule';
import { augmentedDataset } from '../../src/trainer/augment';
import { type Dataset, loadDataset } from '../../src/node/data/datasets';
import { FitControl } from '../../src/trainer/fit-control';
import { buildModel } from '../../src/trainer/model';
import { loadModel } from '../../src/trainer/model-io';
import { mathRandomState, seedMathRandom } from '../../src/trainer/random';
import { BEST_MODEL_DIR, latestCheckpoint } from '../../src/node/runs/resume';
import { makeTrainingData } from '../../src/trainer/run';
import { type EpochResult, train } from '../../src/trainer/train';
import { ensureSample } from '../helpers/datasets';

// Validation metrics of the tutorial's MLP on mnist-sample, 15 epochs (see test/unit/schedule.test.ts).
const VAL_LOSS = [0.3599, 0.2964, 0.273, 0.242, 0.2299, 0.2245, 0.2265, 0.2097, 0.2189, 0.2202, 0.2211, 0.2262, 0.2152, 0.2164, 0.2119];
const VAL_ACC = [0.8919, 0.9112, 0.9181, 0.9256, 0.9331, 0.9319, 0.9331, 0.9394, 0.9362, 0.9375, 0.9344, 0.9431, 0.9419, 0.9463, 0.9475];

let sample: Dataset;
before(async () => {
  await tf.setBackend('cpu');
  sample = await loadDataset({ dataset: 'mnist-sample', dir: null, cacheDir: '', sampleDir: ensureSample() });
});

function result(epoch: number, epochs = 15): EpochResult {
  return { epoch, epochs, loss: 0.1, acc: 0.97, valLoss: VAL_LOSS[epoch - 1], valAcc: VAL_ACC[epoch - 1], seconds: 1, samplesPerSecond: 6400 };
}

/** Every weight set to `value`: which epoch's weights the model holds is then plain to see. */
function mark(model: tf.LayersModel, value: number): void {
  const filled = model.weights.map((w) => tf.fill(w.shape as number[], value));
  model.setWeights(filled);
  tf.dispose(filled);
}

function marker(model: tf.LayersModel): number[] {
  return model.getWeights().map((w) => {
    const v = w.dataSync();
    assert.ok(v.every((x) => x === v[0]), 'one value throughout');
    return v[0];
  });
}

function setup(input: MnistConfigInput, userStop = () => false) {
  const config = applyDefaults({ dataset: 'mnist-sample', ...input, training: { epochs: 15, ...input.training } });
  const runDir = mkdtempSync(join(tmpdir(), 'fit-control-'));
  const model = buildModel(config);
  const emitted: TrainerEventBody[] = [];
  const logs: string[] = [];
  const o = { model, config, runDir, emit: (e: TrainerEventBody) => emitted.push(e), log: (m: string) => logs.push(m), userStop };
  return { config, runDir, model, emitted, logs, o };
}

function release(model: tf.LayersModel): void {
  model.optimizer.dispose();
  model.dispose();
}

describe('early stopping on the recorded sequence', () => {
  test('stops after epoch 11, goes back to epoch 8, keeps model-best/ and a checkpoint; no tensor leaks', async () => {
    const start = tf.memory().numTensors;
    const { model, emitted, runDir, o } = setup({ training: { earlyStopping: { patience: 3 } } });
    const control = await FitControl.start(o, null);
    const reported: number[] = [];
    for (let e = 1; e <= 15 && !control.shouldStop(); e++) {
      mark(model, e); // "training" epoch e leaves these weights
      await control.epochEnded(result(e), (body) => reported.push(body.epoch));
    }
    assert.deepEqual(reported, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], 'no epoch after the stop');
    assert.ok(control.shouldStop());
    const ending = control.finish();
    assert.deepEqual(ending, { status: 'completed', restoredEpoch: 8 });
    assert.ok(marker(model).every((v) => v === 8), 'the best epoch\'s weights are back');
    assert.deepEqual(emitted, [
      {
        type: 'earlyStop',
        epoch: 11,
        monitor: 'valLoss',
        best: 0.2097,
        bestEpoch: 8,
        reason: 'validation loss did not improve for 3 epochs; best 0.2097 at epoch 8',
        restoredBestWeights: true,
      },
    ]);
    const best = await loadModel(join(runDir, BEST_MODEL_DIR));
    assert.ok(marker(best).every((v) => v === 8), 'model-best/ holds epoch 8');
    best.dispose();
    const checkpoint = latestCheckpoint(runDir)!;
    assert.equal(checkpoint.state.epoch, 11);
    assert.deepEqual(checkpoint.state.history.map((h) => h.epoch), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    assert.deepEqual(checkpoint.state.best, { epoch: 8, monitor: 'valLoss', value: 0.2097 });
    control.dispose();
    release(model);
    assert.equal(tf.memory().numTensors, start);
  });

  test('restoreBestWeights false keeps the last weights (model-best/ still has the best)', async () => {
    const { model, emitted, runDir, o } = setup({ training: { earlyStopping: { patience: 3, restoreBestWeights: false } } });
    const control = await FitControl.start(o, null);
    for (let e = 1; e <= 15 && !control.shouldStop(); e++) {
      mark(model, e);
      await control.epochEnded(result(e), () => undefined);
    }
    assert.deepEqual(control.finish(), { status: 'completed', restoredEpoch: null });
    assert.ok(marker(model).every((v) => v === 11));
    assert.equal((emitted[0] as { restoredBestWeights: boolean }).restoredBestWeights, false);
    const best = await loadModel(join(runDir, BEST_MODEL_DIR));
    assert.ok(marker(best).every((v) => v === 8));
    best.dispose();
    control.dispose();
    release(model);
  });

  test('with ReduceLROnPlateau: the optimizer trains each epoch at the planned rate, and early stopping still ends it', async () => {
    const { model, emitted, logs, o } = setup({ training: { earlyStopping: { patience: 4 }, reduceLrOnPlateau: { patience: 2, factor: 0.5 } } });
    const control = await FitControl.start(o, null);
    const rates: number[] = [];
    for (let e = 1; e <= 15 && !control.shouldStop(); e++) {
      const optimizerRate = (model.optimizer as unknown as { learningRate: number }).learningRate;
      await control.epochEnded(result(e), (body) => {
        assert.equal(body.learningRate, optimizerRate, `epoch ${e} reports the rate it trained with`);
        rates.push(body.learningRate!);
      });
    }
    assert.deepEqual(rates, [...Array(10).fill(0.001), 0.0005, 0.0005], 'halved after epoch 10; stopped after 12 (4 epochs without a gain on epoch 8)');
    const history = { valLoss: VAL_LOSS, valAcc: VAL_ACC };
    rates.forEach((r, i) => assert.equal(r, learningRateAt(o.config.training, i + 1, history)));
    assert.ok(logs.some((l) => /learning rate 0\.001 → 0\.0005 from epoch 11 \(schedule and ReduceLROnPlateau\)/.test(l)), logs.join('\n'));
    control.finish();
    assert.equal((emitted[0] as { epoch: number }).epoch, 12);
    control.dispose();
    release(model);
  });

  test('sgd takes a new rate too (its rate lives in a scalar tensor)', async () => {
    const { model, o } = setup({ training: { optimizer: 'sgd', learningRate: 0.1, lrSchedule: { type: 'step', stepSize: 1, gamma: 0.5 } } });
    const control = await FitControl.start(o, null);
    await control.epochEnded(result(1), () => undefined);
    assert.equal((model.optimizer.getConfig() as { learningRate: number }).learningRate, 0.05);
    const c = (model.optimizer as unknown as { c: tf.Scalar }).c;
    assert.ok(Math.abs(c.dataSync()[0] + 0.05) < 1e-9, 'sgd steps by -0.05 now');
    control.dispose();
    release(model);
  });
});

describe('one way to stop', () => {
  test('a user stop ends the fit as cancelled, with no early stop; the checkpoint is there to resume', async () => {
    let stop = false;
    const { model, emitted, runDir, o } = setup({ training: { earlyStopping: { patience: 3 } } }, () => stop);
    const control = await FitControl.start(o, null);
    for (let e = 1; e <= 3; e++) await control.epochEnded(result(e), () => undefined);
    assert.equal(control.shouldStop(), false);
    stop = true;
    assert.equal(control.shouldStop(), true);
    assert.deepEqual(control.finish(), { status: 'cancelled', restoredEpoch: null });
    assert.deepEqual(emitted, []);
    assert.equal(latestCheckpoint(runDir)?.state.epoch, 3);
    control.dispose();
    release(model);
  });

  test('early stopping first, then a user stop: the early stop stands (completed, best weights back)', async () => {
    let stop = false;
    const { model, o } = setup({ training: { earlyStopping: { patience: 3 } } }, () => stop);
    const control = await FitControl.start(o, null);
    for (let e = 1; e <= 11; e++) {
      mark(model, e);
      await control.epochEnded(result(e), () => undefined);
    }
    stop = true;
    assert.ok(control.shouldStop());
    assert.deepEqual(control.finish(), { status: 'completed', restoredEpoch: 8 });
    control.dispose();
    release(model);
  });

  test('an error between epochs (the checkpoint cannot be written) stops the fit and is thrown by finish()', async () => {
    const { model, o } = setup({});
    const blocker = join(o.runDir, 'not-a-folder');
    writeFileSync(blocker, 'x');
    const control = await FitControl.start({ ...o, runDir: blocker }, null);
    const reported: number[] = [];
    await control.epochEnded(result(1), (b) => reported.push(b.epoch));
    assert.deepEqual(reported, [1], 'the epoch happened, so it is reported');
    assert.equal(control.shouldStop(), true);
    assert.throws(() => control.finish(), /ENOTDIR|EEXIST|not a directory/);
    control.dispose();
    release(model);
  });
});

describe('checkpoints', () => {
  test('a checkpoint brings back weights, Adam\'s moments and step count, the random stream and the history', async () => {
    const { config, model, runDir, o } = setup({ training: { epochs: 2, batchSize: 128, earlyStopping: { patience: 5 } } });
    seedMathRandom(7);
    const data = makeTrainingData({ ...sample, trainImages: sample.trainImages.subarray(0, 1000 * 784), trainLabels: sample.trainLabels.subarray(0, 1000) }, 0.2);
    const control = await FitControl.start(o, null);
    let rngAfterEpoch1: number | undefined;
    await train(model, data, { ...config.training, epochs: 1 }, {
      onEpoch: (r) => control.epochEnded(r, () => (rngAfterEpoch1 = mathRandomState())),
      shouldStop: () => control.shouldStop(),
    });
    const checkpoint = latestCheckpoint(runDir)!;
    assert.equal(checkpoint.state.epoch, 1);
    assert.equal(checkpoint.state.rngState, rngAfterEpoch1);

    seedMathRandom(999);
    const again = buildModel(config);
    const resumed = await FitControl.start({ ...o, model: again }, checkpoint);
    assert.equal(resumed.initialEpoch, 1);
    assert.deepEqual(resumed.history, checkpoint.state.history);
    assert.equal(mathRandomState(), rngAfterEpoch1, 'Math.random continues where the run was');
    const values = (m: tf.LayersModel) => m.getWeights().map((w) => Array.from(w.dataSync()));
    assert.deepEqual(values(again), values(model));
    const slots = async (m: tf.LayersModel) => {
      const named = await m.optimizer.getWeights();
      const out = named.map((n) => [n.name.replace(/^.*\//, ''), Array.from(n.tensor.dataSync())]);
      named.filter((n) => n.name === 'iter').forEach((n) => n.tensor.dispose());
      return out;
    };
    const [a, b] = [await slots(model), await slots(again)];
    assert.equal(a.length, 1 + 2 * model.trainableWeights.length, 'iterations, then m and v per weight');
    assert.deepEqual(b, a);
    assert.equal(a[0][1][0], 7, '800 images / 128 = 7 steps');
    tf.dispose([data.xTrain, data.yTrain, data.xVal, data.yVal]);
    control.dispose();
    resumed.dispose();
    release(model);
    release(again);
  });

  test('a checkpoint folder appears whole: an interrupted write leaves only a temp folder that is ignored', async () => {
    const { model, runDir, o } = setup({});
    const control = await FitControl.start(o, null);
    await control.epochEnded(result(1), () => undefined);
    await control.epochEnded(result(2), () => undefined);
    const root = join(runDir, 'checkpoints');
    // A crash mid-write of epoch 3.
    const tmp = join(root, '.tmp-epoch-3-12345');
    mkdirSync(tmp);
    writeFileSync(join(tmp, 'weights.bin'), 'half');
    assert.equal(latestCheckpoint(runDir)?.state.epoch, 2);
    assert.deepEqual(readdirSync(root).sort(), ['.tmp-epoch-3-12345', 'epoch-2'], 'older checkpoints are removed');
    JSON.parse(readFileSync(join(root, 'epoch-2', 'state.json'), 'utf8'));
    control.dispose();
    release(model);
  });
});

describe('augmentation in the fit', () => {
  test('training batches are warped, validation is not: the epoch\'s val metrics equal evaluate() on the clean images', async () => {
    const start = tf.memory().numTensors;
    const config = applyDefaults({ dataset: 'mnist-sample', data: { augment: {} }, training: { epochs: 1, batchSize: 128, seed: 3 } });
    const model = buildModel(config);
    const small = { ...sample, trainImages: sample.trainImages.subarray(0, 1000 * 784), trainLabels: sample.trainLabels.subarray(0, 1000) };
    const data = makeTrainingData(small, 0.2);
    const cleanVal = data.xVal.dataSync().slice();
    const batches = augmentedDataset(
      { images: small.trainImages, labels: small.trainLabels, count: 800, batchSize: 128, shuffle: true, seed: 3, augment: config.data.augment! },
      1,
    );
    const first = (await (await batches.iterator()).next()).value as { xs: tf.Tensor; ys: tf.Tensor };
    const firstPixels = first.xs.dataSync();
    assert.ok(firstPixels.every((v) => v >= 0 && v <= 1));
    const cleanTrain = data.xTrain.dataSync();
    const asClean = (i: number) => cleanTrain.subarray(i * 784, (i + 1) * 784);
    const unchanged = Array.from({ length: 128 }, (_, b) => firstPixels.subarray(b * 784, (b + 1) * 784)).filter((img) =>
      Array.from({ length: 800 }, (_, i) => i).some((i) => asClean(i).every((v, j) => Math.abs(v - img[j]) < 1e-6)),
    );
    assert.equal(unchanged.length, 0, 'no image of the first batch is a clean training image');
    assert.equal(tf.tidy(() => first.ys.sum().dataSync()[0]), 128, 'one-hot labels');
    tf.dispose([first.xs, first.ys]);

    let epoch: EpochResult | undefined;
    const outcome = await train(model, data, config.training, { onEpoch: (r) => void (epoch = r), shouldStop: () => false }, { trainingBatches: batches });
    assert.equal(outcome.epochsCompleted, 1);
    assert.ok(epoch && epoch.loss < Math.log(10) && epoch.valAcc > 0.2, `it learned something in 7 steps: ${JSON.stringify(epoch)}`);
    const [valLoss, valAcc] = (model.evaluate(data.xVal, data.yVal, { batchSize: 128 }) as tf.Scalar[]).map((t) => {
      const v = t.dataSync()[0];
      t.dispose();
      return v;
    });
    assert.ok(Math.abs(epoch!.valLoss - valLoss) < 1e-5, `val loss ${epoch!.valLoss} vs clean ${valLoss}`);
    assert.ok(Math.abs(epoch!.valAcc - valAcc) < 1e-6);
    assert.deepEqual(data.xVal.dataSync(), cleanVal, 'the validation images are untouched');
    tf.dispose([data.xTrain, data.yTrain, data.xVal, data.yVal]);
    release(model);
    assert.equal(tf.memory().numTensors, start, 'fitDataset disposed every augmented batch');
  });
});
