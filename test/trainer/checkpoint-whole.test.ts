// A checkpoint counts only when it is whole: after a power cut (or a planted folder) a weights.bin
// shorter than its state.json says, or a symlink, sends the resume to the checkpoint before it.
import * as tf from '@tensorflow/tfjs';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, renameSync, symlinkSync, truncateSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { applyDefaults } from '../../src/shared/config';
import { latestCheckpoint } from '../../src/node/runs/resume';
import { saveCheckpoint } from '../../src/trainer/checkpoint';
import { buildModel } from '../../src/trainer/model';

let runDir = '';
before(async () => {
  await tf.setBackend('cpu');
  const model = buildModel(applyDefaults({ model: { preset: 'mlp' } }));
  runDir = mkdtempSync(join(tmpdir(), 'ckpt-whole-'));
  const input = { epochs: 3, history: [], rngState: null, best: null, bestWeights: null, fitOrder: null };
  await saveCheckpoint(runDir, model, { ...input, epoch: 1 });
  const keep = join(runDir, 'epoch-1-copy');
  cpSync(join(runDir, 'checkpoints', 'epoch-1'), keep, { recursive: true });
  await saveCheckpoint(runDir, model, { ...input, epoch: 2 });
  renameSync(keep, join(runDir, 'checkpoints', 'epoch-1'));
  model.optimizer.dispose();
  model.dispose();
});

test('a whole checkpoint is the latest', () => {
  assert.equal(latestCheckpoint(runDir)?.state.epoch, 2);
});

test('weights.bin cut short: the one before is used', () => {
  const file = join(runDir, 'checkpoints', 'epoch-2', 'weights.bin');
  const size = statSync(file).size;
  truncateSync(file, size - 1);
  assert.equal(latestCheckpoint(runDir)?.state.epoch, 1);
  truncateSync(file, size); // zero-filled back to length: as long as its specs, so it counts again
  assert.equal(latestCheckpoint(runDir)?.state.epoch, 2);
});

test('weights.bin as a symlink (to the real file): not a checkpoint', () => {
  const dir = join(runDir, 'checkpoints', 'epoch-2');
  renameSync(join(dir, 'weights.bin'), join(dir, 'real.bin'));
  symlinkSync(join(dir, 'real.bin'), join(dir, 'weights.bin'));
  assert.equal(latestCheckpoint(runDir)?.state.epoch, 1);
});
