// A run's saved model from a cloned workspace: only plain file names inside the model folder, only
// regular files, only as many bytes as the weight specs need. A real model, saved by saveModel.
import * as tf from '@tensorflow/tfjs';
import assert from 'node:assert/strict';
import { appendFileSync, cpSync, mkdtempSync, readFileSync, renameSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { applyDefaults } from '../../src/shared/config';
import { buildModel } from '../../src/trainer/model';
import { loadModel, saveModel } from '../../src/trainer/model-io';
import { isPlainFileName } from '../../src/trainer/model-files';
import { Predictor } from '../../src/trainer/predictor';

let saved = '';
before(async () => {
  await tf.setBackend('cpu');
  const model = buildModel(applyDefaults({ model: { preset: 'mlp' } }));
  saved = join(mkdtempSync(join(tmpdir(), 'model-files-')), 'model');
  await saveModel(model, saved);
  model.dispose();
});

/** A copy of the saved model folder, changed by `edit`. */
function variant(edit: (dir: string, json: { weightsManifest: { paths: string[] }[] }) => void): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'model-variant-')), 'model');
  cpSync(saved, dir, { recursive: true });
  const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
  edit(dir, json);
  writeFileSync(join(dir, 'model.json'), JSON.stringify(json));
  return dir;
}

async function refused(dir: string, message: RegExp): Promise<void> {
  await assert.rejects(loadModel(dir), (err: unknown) => {
    assert.ok(err instanceof Error && message.test(err.message), `got: ${String(err)}`);
    return true;
  });
}

test('the saved model loads and predicts', async () => {
  const model = await loadModel(saved);
  assert.deepEqual(model.outputs[0].shape, [null, 10]);
  model.dispose();
});

test('a weight path with ../.. or an absolute path is refused; no file outside the folder is read', async () => {
  const outside = join(mkdtempSync(join(tmpdir(), 'outside-')), 'weights.bin');
  cpSync(join(saved, 'weights.bin'), outside);
  for (const p of ['../../weights.bin', outside, '/dev/zero', 'sub/weights.bin', '..', '']) {
    await refused(variant((_, j) => (j.weightsManifest[0].paths = [p])), /weight path .* is not a file name inside the model folder/);
  }
  assert.equal(isPlainFileName('weights.bin'), true);
  assert.equal(isPlainFileName('group1-shard1of2.bin'), true);
  assert.equal(isPlainFileName('a\\b.bin'), false);
});

test('a weights file that is a symlink (even to the real weights) or to /dev/zero is refused', async () => {
  await refused(
    variant((dir) => {
      renameSync(join(dir, 'weights.bin'), join(dir, 'real.bin'));
      symlinkSync(join(dir, 'real.bin'), join(dir, 'weights.bin'));
    }),
    /weights\.bin is a symbolic link, which is not followed/,
  );
  await refused(
    variant((dir) => {
      renameSync(join(dir, 'weights.bin'), join(dir, 'real.bin'));
      symlinkSync('/dev/zero', join(dir, 'weights.bin'));
    }),
    /weights\.bin is a symbolic link/,
  );
  await refused(
    variant((dir) => {
      renameSync(join(dir, 'model.json'), join(dir, 'real.json'));
      symlinkSync('/dev/zero', join(dir, 'model.json'));
    }),
    /model\.json is a symbolic link/,
  );
});

test('weights larger than the specs need are refused before they are read; shorter ones say the model is not whole', async () => {
  const size = readFileSync(join(saved, 'weights.bin')).length;
  await refused(variant((dir) => appendFileSync(join(dir, 'weights.bin'), Buffer.alloc(4))), new RegExp(`weights\\.bin is ${size + 4} bytes, more than the ${size} expected at most`));
  await refused(variant((dir) => truncateSync(join(dir, 'weights.bin'), size - 4)), new RegExp(`the weight files hold ${size - 4} bytes, but model\\.json's weights need ${size}; the model was not saved whole`));
  // The same file listed twice: the second one is more than the specs need.
  await refused(variant((_, j) => (j.weightsManifest[0].paths = ['weights.bin', 'weights.bin'])), /more than the 0 expected at most/);
});

test('model.json that is not a model, and a predictor asked to load any of these: a message, no crash', async () => {
  for (const text of ['[]', 'null', '{"modelTopology":{}}', '{"modelTopology":{},"weightsManifest":[{"paths":"weights.bin"}]}']) {
    const dir = join(mkdtempSync(join(tmpdir(), 'model-json-')), 'model');
    cpSync(saved, dir, { recursive: true });
    writeFileSync(join(dir, 'model.json'), text);
    await refused(dir, /is not a tfjs layers model|needs "paths" and "weights" lists/);
  }
  const predictor = new Predictor();
  await assert.rejects(predictor.load(variant((_, j) => (j.weightsManifest[0].paths = ['../../etc/passwd']))), (err: unknown) => {
    assert.match((err as Error).message, /^could not load the model in .*: .*weight path "\.\.\/\.\.\/etc\/passwd" is not a file name inside the model folder/);
    return true;
  });
  assert.throws(() => predictor.predict(new Array(784).fill(0)), /could not load the model/);
  predictor.dispose();
});
