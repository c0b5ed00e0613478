import assert from 'node:assert/strict';
import { test } from 'node:test';
import { UsageError, parseArgs } from '../../src/cli/args';
import { formatBatchLine } from '../../src/cli/progress';
import { EtaTracker, etaSeconds, formatDuration } from '../../src/shared/progress';
import type { TrainerEvent } from '../../src/shared/protocol';

test('parses every documented option', () => {
  const o = parseArgs(['my.json', '--dataset', 'mnist-sample', '--data-dir=/d', '--preset', 'cnn', '--epochs', '3', '--batch-size', '128', '--backend', 'wasm', '--seed', '7', '--out', 'runs', '--cache-dir', 'c', '--mirror', 'http://a/', '--mirror', 'http://b/', '--trainer-timeout', '45']);
  assert.deepEqual(o, {
    config: 'my.json', dataset: 'mnist-sample', dataDir: '/d', preset: 'cnn', epochs: 3, batchSize: 128, backend: 'wasm',
    seed: 7, out: 'runs', cacheDir: 'c', mirrors: ['http://a/', 'http://b/'], trainerTimeoutSeconds: 45, help: false, version: false,
  });
});

test('bad values name the flag and what is allowed', () => {
  assert.throws(() => parseArgs(['--epochs', '0']), (e: Error) => e instanceof UsageError && /--epochs must be a positive whole number, got "0"/.test(e.message));
  assert.throws(() => parseArgs(['--batch-size', '1.5']), /--batch-size must be a positive whole number/);
  assert.throws(() => parseArgs(['--dataset', 'cifar']), /--dataset must be one of mnist, fashion-mnist, mnist-sample; got "cifar"/);
  assert.throws(() => parseArgs(['--backend', 'webgl']), /--backend must be one of auto, tensorflow, wasm, cpu/);
  assert.throws(() => parseArgs(['--epochs']), /--epochs needs a value/);
  assert.throws(() => parseArgs(['--frobnicate']), /unknown option --frobnicate/);
  assert.throws(() => parseArgs(['a.json', 'b.json']), /only one config file/);
  assert.throws(() => parseArgs(['--trainer-timeout', '-1']), /--trainer-timeout must be a number of seconds \(0 for never\), got "-1"/);
  assert.equal(parseArgs([]).trainerTimeoutSeconds, 300, 'the same default as mnist.trainerTimeout');
});

test('progress line shows epoch, batch, metrics, speed and ETA', () => {
  const b = { type: 'batch' as const, time: 0, epoch: 2, epochs: 5, batch: 125, batchesPerEpoch: 250, loss: 0.23456, acc: 0.93123, samplesPerSecond: 4512.4 };
  const line = formatBatchLine(b, 75);
  assert.match(line, /^Epoch 2\/5 /);
  assert.match(line, /125\/250/);
  assert.match(line, /loss 0\.2346 {2}acc 0\.9312 {2}4,512 samples\/s {2}ETA 1:15$/);
});

test('ETA comes from finished epochs, or from the pace so far in the first', () => {
  const b = { type: 'batch' as const, time: 0, epoch: 1, epochs: 5, batch: 50, batchesPerEpoch: 100, loss: 1, acc: 0.5, samplesPerSecond: 1000 };
  // 5 s for half an epoch: 5 s left in this one, 4 epochs of 10 s after it
  assert.equal(etaSeconds(b, 5, null), 45);
  // finished epochs took 8 s each
  assert.equal(etaSeconds({ ...b, epoch: 3 }, 5, 8), 4 + 16);
  // the tracker follows the event stream: the epoch starts at the samples event before it
  const eta = new EtaTracker();
  const samples = (time: number) => ({ type: 'samples', time, epoch: 0, indices: [], labels: [], predicted: [], confidence: [] }) as TrainerEvent;
  assert.equal(eta.update(samples(1000)), null);
  assert.equal(eta.update({ ...b, time: 6000 }), 45);
  eta.update({ type: 'epoch', time: 11000, epoch: 2, epochs: 5, loss: 1, acc: 0.5, valLoss: 1, valAcc: 0.5, seconds: 8, samplesPerSecond: 1 });
  eta.update(samples(11000));
  assert.equal(eta.update({ ...b, epoch: 3, time: 15000 }), 4 + 16);
  assert.equal(formatDuration(3725), '1:02:05');
  assert.equal(formatDuration(NaN), '--:--');
});
