// The findings' quick fixes as edits on config files as people write them: comments and layout
// kept, the result a valid config that says what the fix's title says.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parse } from 'jsonc-parser';
import { FIX_KINDS, applyJsonEdits, quickFix } from '../../src/shared/runs/findings';
import { validateConfigText } from '../../src/shared/validate';

const WRITTEN = `{
  // my first run
  "data": { "dir": "../shared/datasets/mnist-10k" },
  "model": {
    "layers": [
      { "type": "flatten" },
      { "type": "dense", "units": 128, "activation": "relu" }, // wide
      { "type": "dense", "units": 64, "activation": "relu" },
      { "type": "dense", "units": 10, "activation": "softmax" }
    ]
  },
  "training": { "epochs": 25, "optimizer": "sgd", "learningRate": 20 }
}
`;

function fixed(kind: (typeof FIX_KINDS)[number], text = WRITTEN) {
  const fix = quickFix(kind, parse(text));
  assert.ok(fix, `${kind} applies`);
  const out = applyJsonEdits(text, fix.edits);
  const { config, issues } = validateConfigText(out, 'mnist.config.json');
  assert.deepEqual(issues.filter((i) => i.severity === 'error'), [], `${kind} leaves a valid config:\n${out}`);
  assert.ok(out.includes('// my first run') && out.includes('// wide'), `${kind} keeps the comments`);
  return { fix, out, config: config! };
}

test('add early stopping: training.earlyStopping {valLoss, patience 2, best weights}', () => {
  const { config, fix } = fixed('addEarlyStopping');
  assert.match(fix.title, /patience 2/);
  assert.deepEqual(config.training.earlyStopping, { monitor: 'valLoss', minDelta: 0, patience: 2, restoreBestWeights: true });
  assert.equal(config.training.epochs, 25, 'the rest stays');
});

test('add dropout: Dropout(0.2) after each hidden Dense of written layers, none after the output layer', () => {
  const { config } = fixed('addDropout');
  assert.deepEqual(config.model.layers.map((l) => (l.type === 'dropout' ? `dropout ${l.rate}` : l.type)), ['flatten', 'dense', 'dropout 0.2', 'dense', 'dropout 0.2', 'dense']);
  const again = applyJsonEdits(WRITTEN, quickFix('addDropout', parse(WRITTEN))!.edits);
  assert.equal(quickFix('addDropout', parse(again)), null, 'offered no more once every hidden Dense has one');
  const preset = fixed('addDropout', '{\n  // preset\n  "model": { "preset": "mlp" } // wide\n}\n'.replace('// preset', '// my first run'));
  assert.equal(preset.config.model.preset, 'mlp-dropout');
  assert.equal(quickFix('addDropout', { model: { preset: 'cnn' } }), null);
});

test('augmentation on, learning rate ÷10 and ÷100, adam at 0.001, epochs ×2', () => {
  assert.deepEqual(fixed('turnOnAugment').config.data.augment, { rotation: 10, shift: 2, zoom: 0.1, elastic: null });
  assert.equal(quickFix('turnOnAugment', { data: { augment: { rotation: 5 } } }), null);
  assert.equal(fixed('learningRateDiv10').config.training.learningRate, 2);
  assert.equal(fixed('learningRateDiv100').config.training.learningRate, 0.2);
  assert.equal(quickFix('learningRateDiv10', {})!.edits[0].value, 0.0001, 'from the default 0.001, without float noise');
  const adam = fixed('useAdam').config.training;
  assert.deepEqual([adam.optimizer, adam.learningRate], ['adam', 0.001]);
  assert.equal(fixed('doubleEpochs').config.training.epochs, 50);
  assert.equal(quickFix('doubleEpochs', {})!.title, 'Train 10 epochs instead of 5', 'the default epochs when the file leaves them out');
});

test('fixes on a file that leaves the fields out create them; tab-indented files stay tab-indented', () => {
  const out = applyJsonEdits('{\n\t"dataset": "mnist-sample"\n}\n', quickFix('addEarlyStopping', {})!.edits);
  assert.match(out, /\n\t"training": \{\n\t\t"earlyStopping": \{\n\t\t\t"monitor": "valLoss"/);
  assert.equal(validateConfigText(out, 'mnist.config.json').config?.training.earlyStopping?.patience, 2);
});
