// Learning-rate schedules, ReduceLROnPlateau and early stopping as pure functions, replayed on a
// recorded metric sequence: the tutorial's MLP on the bundled mnist-sample (6,400 training digits),
// 15 epochs, batch 64, wasm, seed 42 — it overfits after about 8 epochs, so validation loss turns.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { applyDefaults, type LrScheduleConfig } from '../../src/shared/config';
import {
  bestEpochOf,
  earlyStopReason,
  earlyStoppingState,
  isImprovement,
  learningRateAt,
  plateauState,
  scheduledLearningRate,
} from '../../src/shared/schedule';

const RECORDED = {
  valLoss: [0.3599, 0.2964, 0.273, 0.242, 0.2299, 0.2245, 0.2265, 0.2097, 0.2189, 0.2202, 0.2211, 0.2262, 0.2152, 0.2164, 0.2119],
  valAcc: [0.8919, 0.9112, 0.9181, 0.9256, 0.9331, 0.9319, 0.9331, 0.9394, 0.9362, 0.9375, 0.9344, 0.9431, 0.9419, 0.9463, 0.9475],
};

const close = (a: number, b: number, what: string) => assert.ok(Math.abs(a - b) < 1e-12, `${what}: ${a} ≠ ${b}`);
const schedule = (s: Partial<LrScheduleConfig>): LrScheduleConfig => ({ type: 'constant', stepSize: 5, gamma: 0.5, minLr: 0, ...s });

describe('learning-rate schedules', () => {
  test('constant', () => {
    for (const e of [1, 2, 50]) assert.equal(scheduledLearningRate(0.001, schedule({}), e, 50), 0.001);
  });

  test('step: × gamma every stepSize epochs', () => {
    const s = schedule({ type: 'step', stepSize: 3, gamma: 0.1 });
    const rates = [1, 2, 3, 4, 5, 6, 7, 10].map((e) => scheduledLearningRate(0.01, s, e, 10));
    [0.01, 0.01, 0.01, 0.001, 0.001, 0.001, 0.0001, 0.00001].forEach((want, i) => close(rates[i], want, `epoch index ${i}`));
  });

  test('exponential: × gamma every epoch', () => {
    const s = schedule({ type: 'exponential', gamma: 0.9 });
    close(scheduledLearningRate(0.001, s, 1, 10), 0.001, 'epoch 1');
    close(scheduledLearningRate(0.001, s, 2, 10), 0.0009, 'epoch 2');
    close(scheduledLearningRate(0.001, s, 4, 10), 0.001 * 0.729, 'epoch 4');
  });

  test('cosine: from the base rate down towards minLr over the epochs (PyTorch CosineAnnealingLR)', () => {
    const s = schedule({ type: 'cosine', minLr: 0.0001 });
    close(scheduledLearningRate(0.001, s, 1, 4), 0.001, 'first epoch trains at the base rate');
    close(scheduledLearningRate(0.001, s, 3, 4), 0.00055, 'half way: the midpoint');
    close(scheduledLearningRate(0.001, s, 2, 4), 0.0001 + 0.0009 * (1 + Math.SQRT1_2) / 2, 'a quarter');
    close(scheduledLearningRate(0.001, s, 5, 4), 0.0001, 'after the last epoch: minLr');
    const rates = Array.from({ length: 10 }, (_, i) => scheduledLearningRate(0.01, schedule({ type: 'cosine' }), i + 1, 10));
    assert.ok(rates.every((r, i) => i === 0 || r < rates[i - 1]), 'falls every epoch');
    assert.ok(rates[9] > 0);
  });

  test('a config.json from before schedules existed trains at a constant rate', () => {
    assert.equal(scheduledLearningRate(0.002, undefined, 7, 10), 0.002);
  });
});

describe('early stopping on the recorded sequence', () => {
  test('valLoss, patience 3: stops after epoch 11, best epoch 8 (Keras EarlyStopping)', () => {
    const s = earlyStoppingState({ monitor: 'valLoss', minDelta: 0, patience: 3 }, RECORDED);
    assert.deepEqual({ stop: s.stopEpoch, bestEpoch: s.bestEpoch, best: s.best }, { stop: 11, bestEpoch: 8, best: 0.2097 });
    assert.equal(earlyStopReason(s, 3, 0), 'validation loss did not improve for 3 epochs; best 0.2097 at epoch 8');
  });

  test('patience 2 stops at 10; patience 0 at the first epoch that does not improve (7)', () => {
    assert.equal(earlyStoppingState({ monitor: 'valLoss', minDelta: 0, patience: 2 }, RECORDED).stopEpoch, 10);
    assert.equal(earlyStoppingState({ monitor: 'valLoss', minDelta: 0, patience: 0 }, RECORDED).stopEpoch, 7);
  });

  test('minDelta: small gains do not count (epoch 6 gains 0.0054 < 0.01), so patience 2 stops at 7', () => {
    const s = earlyStoppingState({ monitor: 'valLoss', minDelta: 0.01, patience: 2 }, RECORDED);
    assert.deepEqual([s.stopEpoch, s.bestEpoch, s.best], [7, 5, 0.2299]);
    assert.match(earlyStopReason(s, 2, 0.01), /did not improve by more than 0\.01 for 2 epochs; best 0\.2299 at epoch 5/);
  });

  test('valAcc is maximised; an equal value is not an improvement', () => {
    const s = earlyStoppingState({ monitor: 'valAcc', minDelta: 0, patience: 3 }, RECORDED);
    assert.deepEqual([s.stopEpoch, s.bestEpoch, s.best], [11, 8, 0.9394], 'epoch 7 equals epoch 5 (0.9331): no improvement');
  });

  test('a history that keeps improving never stops; epochs after the stop are ignored', () => {
    const falling = { valLoss: [0.5, 0.4, 0.3, 0.2], valAcc: [0.8, 0.85, 0.9, 0.95] };
    assert.equal(earlyStoppingState({ monitor: 'valLoss', minDelta: 0, patience: 1 }, falling).stopEpoch, null);
    const s = earlyStoppingState({ monitor: 'valLoss', minDelta: 0, patience: 1 }, { valLoss: [0.5, 0.6, 0.1], valAcc: [0, 0, 0] });
    assert.deepEqual([s.stopEpoch, s.bestEpoch], [2, 1]);
  });

  test('NaN (a diverged epoch) is never an improvement', () => {
    assert.equal(isImprovement('valLoss', NaN, 0.3, 0), false);
    assert.equal(isImprovement('valLoss', 0.3, NaN, 0), true, 'anything beats no best yet');
    const s = earlyStoppingState({ monitor: 'valLoss', minDelta: 0, patience: 2 }, { valLoss: [0.4, NaN, NaN], valAcc: [0, 0, 0] });
    assert.deepEqual([s.stopEpoch, s.bestEpoch], [3, 1]);
  });

  test('the best checkpoint follows early stopping\'s rule, else the lowest validation loss', () => {
    const training = applyDefaults({}).training;
    assert.deepEqual(bestEpochOf(training, RECORDED), { epoch: 8, monitor: 'valLoss', value: 0.2097 });
    const byAcc = applyDefaults({ training: { earlyStopping: { monitor: 'valAcc' } } }).training;
    assert.deepEqual(bestEpochOf(byAcc, RECORDED), { epoch: 15, monitor: 'valAcc', value: 0.9475 });
    assert.equal(bestEpochOf(training, { valLoss: [], valAcc: [] }), null);
  });
});

describe('ReduceLROnPlateau on the recorded sequence', () => {
  const training = applyDefaults({ training: { learningRate: 0.001, epochs: 15, reduceLrOnPlateau: { factor: 0.5, patience: 2 } } }).training;

  test('halves after epochs 10, 12 and 14 (two epochs each without a 0.0001 gain on 0.2097)', () => {
    const s = plateauState(training.reduceLrOnPlateau!, RECORDED, () => 0.001);
    assert.deepEqual(s.reducedAfter, [10, 12, 14]);
    const rates = Array.from({ length: 15 }, (_, i) => learningRateAt(training, i + 1, RECORDED));
    assert.deepEqual(rates, [...Array(10).fill(0.001), 0.0005, 0.0005, 0.00025, 0.00025, 0.000125]);
  });

  test('the rate for an epoch depends only on the epochs before it', () => {
    const partial = { valLoss: RECORDED.valLoss.slice(0, 10), valAcc: RECORDED.valAcc.slice(0, 10) };
    assert.equal(learningRateAt(training, 11, partial), learningRateAt(training, 11, RECORDED));
    assert.equal(learningRateAt(training, 10, RECORDED), 0.001, 'the reduction after epoch 10 applies from epoch 11');
  });

  test('never below minLr, and no reduction once there', () => {
    const floor = applyDefaults({ training: { learningRate: 0.001, reduceLrOnPlateau: { factor: 0.1, patience: 1, minLr: 0.00005 } } }).training;
    const flat = { valLoss: Array(8).fill(0.3), valAcc: Array(8).fill(0.9) };
    const rates = Array.from({ length: 8 }, (_, i) => learningRateAt(floor, i + 1, flat));
    assert.deepEqual(rates.map((r) => Number(r.toPrecision(6))), [0.001, 0.001, 0.0001, 0.00005, 0.00005, 0.00005, 0.00005, 0.00005]);
  });

  test('works on top of a schedule: step decay times the plateau factor', () => {
    const both = applyDefaults({
      training: { learningRate: 0.01, epochs: 15, lrSchedule: { type: 'step', stepSize: 12, gamma: 0.1 }, reduceLrOnPlateau: { factor: 0.5, patience: 2 } },
    }).training;
    close(learningRateAt(both, 11, RECORDED), 0.005, 'plateau only');
    close(learningRateAt(both, 13, RECORDED), 0.01 * 0.1 * 0.25, 'step and two reductions');
  });

  test('valAcc is watched for a rise', () => {
    const acc = applyDefaults({ training: { learningRate: 0.001, reduceLrOnPlateau: { monitor: 'valAcc', patience: 3 } } }).training;
    assert.deepEqual(plateauState(acc.reduceLrOnPlateau!, RECORDED, () => 1).reducedAfter, [11]);
  });
});
