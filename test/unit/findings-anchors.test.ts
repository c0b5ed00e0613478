// Where a finding goes in a config file as written, and which file a run trained.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { anchorRange, fieldValues, findingFields, resolvedFileConfig, sameSettings } from '../../src/host/config-editing/findings-anchors';
import { runFindings } from '../../src/shared/runs/findings';
import { recordedRun } from '../helpers/recorded-runs';

const TEXT = `{
  "model": { "preset": "mlp" }, // the tutorial's
  "training": { "epochs": 25, "earlyStopping": { "patience": 5 } }
}`;
const at = (path: (string | number)[]) => {
  const r = anchorRange(TEXT, path);
  return TEXT.slice(r.offset, r.offset + r.length);
};

test('a value is marked itself, an object by its name, a field the file leaves out by the nearest one it has', () => {
  assert.equal(at(['training', 'epochs']), '25');
  assert.equal(at(['training', 'earlyStopping', 'patience']), '5');
  assert.equal(at(['model']), '"model"');
  assert.equal(at(['training', 'learningRate']), '"training"');
  assert.equal(at(['data', 'augment']), '', 'nothing of it in the file: the start of the file');
  assert.equal(anchorRange('{ not json', ['training', 'epochs']).offset, 0);
});

test("a finding's fields are its own and what its fixes change; their values tell an edit", () => {
  const { config, events } = recordedRun('mnist10k-overfitting-25-epochs');
  const over = runFindings(config, events)[0];
  assert.deepEqual(findingFields(over), [['training', 'epochs'], ['training', 'earlyStopping'], ['model', 'layers'], ['data', 'augment']]);
  assert.deepEqual(fieldValues(TEXT, [['training', 'epochs'], ['data', 'augment']]), ['25', '']);
});

test('the run of a file: the same resolved settings, the backend left aside, data.dir relative to the file', () => {
  const { config } = recordedRun('mnist10k-overfitting-25-epochs');
  const dir = config.data.dir!;
  const file = resolvedFileConfig(`{ "data": { "dir": "mnist-10k" }, "training": { "epochs": 25 } }`, dir.replace(/mnist-10k$/, 'mnist.config.json'))!;
  assert.equal(file.data.dir, dir);
  assert.ok(sameSettings(file, config));
  assert.ok(!sameSettings({ ...file, training: { ...file.training, epochs: 24 } }, config));
  assert.equal(resolvedFileConfig('{ "training": { "epochs": 0 } }', '/w/mnist.config.json'), null, 'a file with errors matches no run');
});
