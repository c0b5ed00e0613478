// What the window says when a run starts and ends: the Dashboard brought into view, and the
// CodeLens and status bar once it is over.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { lensItems } from '../../src/host/config-editing/lenses';
import { outcomeOf, revealsDashboard, statusBarAfterRun } from '../../src/host/session/run-outcome';
import type { DoneEvent, TrainerEvent } from '../../src/shared/protocol';

const epoch = (n: number, valAcc: number) => ({ type: 'epoch', time: 0, epoch: n, epochs: 2, loss: 0.3, acc: 0.9, valLoss: 0.3, valAcc, seconds: 1, samplesPerSecond: 1000 }) as TrainerEvent;
const evaluation = (testAccuracy: number) => ({ type: 'evaluation', time: 0, testAccuracy, testLoss: 0.3 }) as unknown as TrainerEvent;
const done = (status: DoneEvent['status']): DoneEvent => ({ type: 'done', time: 0, status, runDir: '/r' });

test('Train, Resume and Reproduce show the Dashboard; a sweep for its first run only; "never" never', () => {
  assert.equal(revealsDashboard('onTrain', undefined), true);
  assert.equal(revealsDashboard(undefined, undefined), true, 'the default');
  assert.equal(revealsDashboard('onTrain', 1), true);
  assert.equal(revealsDashboard('onTrain', 2), false);
  assert.equal(revealsDashboard('never', undefined), false);
  assert.equal(revealsDashboard('never', 1), false);
});

test('after a completed run the lens reads ▶ Train again and the status bar the test accuracy', () => {
  const outcome = outcomeOf([epoch(1, 0.85), epoch(2, 0.9), evaluation(0.9025)], done('completed'));
  assert.deepEqual(lensItems({ running: false, progress: undefined }, outcome).map((l) => [l.title, l.command]), [
    ['▶ Train again', 'mnist.train'],
    ['Last run completed · test accuracy 90.25%', ''],
  ]);
  assert.deepEqual(statusBarAfterRun(outcome), { text: '$(pass) MNIST 90.25%', tooltip: 'Last run completed · test accuracy 90.25%. Click to train again.' });
  // While the next run trains, the lens shows that run.
  assert.equal(lensItems({ running: true, progress: 'Epoch 1/2', state: 'training' }, outcome)[0].title, '■ Stop');
});

test('a cancelled or failed run: the last validation accuracy, or none before the first epoch', () => {
  const cancelled = outcomeOf([epoch(1, 0.934)], done('cancelled'));
  assert.equal(statusBarAfterRun(cancelled).text, '$(circle-slash) MNIST cancelled · 93.40%');
  assert.equal(lensItems({ running: false, progress: undefined }, cancelled)[1].title, 'Last run cancelled · validation accuracy 93.40%');
  const failed = outcomeOf([], done('failed'));
  assert.equal(statusBarAfterRun(failed).text, '$(error) MNIST failed');
  assert.equal(lensItems({ running: false, progress: undefined }, failed)[0].title, '▶ Train again');
});
