import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import Ajv from 'ajv';
import schema from '../../media/mnist.config.schema.json';
import { ACTIVATIONS, LAYER_TYPES, LOSSES, MONITORS, OPTIMIZERS, PRESET_LAYERS } from '../../src/shared/config';
import { FIELD_ALIASES, normaliseKerasNames, VALUE_ALIASES } from '../../src/shared/keras-aliases';
import { withKerasSpellings } from '../../src/shared/keras-schema';
import { planSweep } from '../../src/shared/sweep';
import { formatIssue, validateConfig, validateConfigText } from '../../src/shared/validate';

const FILE = 'mnist.config.json';
type Json = Record<string, unknown>;

/** Keras' "Simple MNIST convnet" and its fit/callback arguments, written the way its docs spell them. */
const KERAS_WRITTEN = {
  data: { validation_split: 0.1 },
  model: {
    layers: [
      { type: 'Conv2D', filters: 32, kernel_size: [3, 3], activation: 'relu' },
      { type: 'MaxPooling2D', pool_size: [2, 2] },
      { type: 'Conv2D', filters: 64, kernel_size: 3, activation: 'relu' },
      { type: 'MaxPool2D', pool_size: 2 },
      { type: 'Flatten' },
      { type: 'Dropout', rate: 0.5 },
      { type: 'Dense', units: 10, activation: 'softmax' },
    ],
  },
  training: {
    epochs: 15,
    batch_size: 128,
    optimizer: 'Adam',
    learning_rate: 0.001,
    loss: 'categorical_crossentropy',
    earlyStopping: { monitor: 'val_loss', min_delta: 0.001, patience: 2, restore_best_weights: true },
    reduceLrOnPlateau: { monitor: 'val_accuracy', min_lr: 0.0001, min_delta: 0.01 },
  },
};
const PROJECT_WRITTEN = {
  data: { validationSplit: 0.1 },
  model: { layers: PRESET_LAYERS.cnn },
  training: {
    epochs: 15,
    batchSize: 128,
    optimizer: 'adam',
    learningRate: 0.001,
    loss: 'categoricalCrossentropy',
    earlyStopping: { monitor: 'valLoss', minDelta: 0.001, patience: 2, restoreBestWeights: true },
    reduceLrOnPlateau: { monitor: 'valAcc', minLr: 0.0001, minDelta: 0.01 },
  },
};

function resolved(value: unknown) {
  const { config, issues } = validateConfig(value);
  assert.deepEqual(issues.map((i) => formatIssue(i)), []);
  assert.ok(config);
  return config;
}

describe('Keras spellings in mnist.config.json', () => {
  test("the Keras convnet, written with Keras' names, resolves to the same config as written with this project's", () => {
    const before = JSON.stringify(KERAS_WRITTEN);
    const config = resolved(KERAS_WRITTEN);
    assert.deepEqual(config, resolved(PROJECT_WRITTEN));
    assert.equal(JSON.stringify(KERAS_WRITTEN), before, 'the written config is not changed');
    // What a run's config.json records: one spelling.
    assert.doesNotMatch(JSON.stringify(config), /_|Adam|Conv2D|Dense|val_/);
  });

  for (const [place, aliases] of Object.entries(FIELD_ALIASES)) {
    for (const [keras, own] of Object.entries(aliases)) {
      test(`${place}: "${keras}" is read as "${own}"`, () => {
        const where = (name: string, value: unknown): Json => {
          switch (place) {
            case 'data':
              return { data: { [name]: value } };
            case 'training':
              return { training: { [name]: value } };
            case 'earlyStopping':
            case 'reduceLrOnPlateau':
              return { training: { [place]: { [name]: value } } };
            default: {
              const layer = name.startsWith('kernel') ? { type: 'conv2d', filters: 4, [name]: value } : { type: 'maxPooling2d', [name]: value };
              return { model: { layers: [layer, { type: 'flatten' }, { type: 'dense', units: 10, activation: 'softmax' }] } };
            }
          }
        };
        const value = own === 'restoreBestWeights' ? false : own === 'batchSize' ? 16 : own.startsWith('kernel') || own.startsWith('pool') ? 2 : 0.05;
        assert.deepEqual(resolved(where(keras, value)), resolved(where(own, value)));
        assert.notDeepEqual(resolved(where(keras, value)), resolved({}), `${keras} changed something`);
      });
    }
  }

  const valueCases: [string, (v: string) => Json, (c: ReturnType<typeof resolved>) => unknown][] = [
    ['monitor', (v) => ({ training: { earlyStopping: { monitor: v }, reduceLrOnPlateau: { monitor: v } } }), (c) => [c.training.earlyStopping?.monitor, c.training.reduceLrOnPlateau?.monitor].join()],
    ['optimizer', (v) => ({ training: { optimizer: v } }), (c) => c.training.optimizer],
    ['loss', (v) => ({ training: { loss: v } }), (c) => c.training.loss],
  ];
  for (const [field, write, read] of valueCases) {
    for (const [keras, own] of Object.entries(VALUE_ALIASES[field as keyof typeof VALUE_ALIASES])) {
      test(`${field}: "${keras}" is read as "${own}"`, () => {
        assert.equal(read(resolved(write(keras))), field === 'monitor' ? `${own},${own}` : own);
      });
    }
  }

  const OUT = { type: 'dense', units: 10, activation: 'softmax' };
  for (const [keras, own] of Object.entries(VALUE_ALIASES.layerType)) {
    test(`layer type "${keras}" is read as "${own}"`, () => {
      const layer: Json = { type: keras, ...(own === 'conv2d' ? { filters: 4, kernelSize: 3 } : own === 'dense' ? { units: 8 } : own === 'dropout' ? { rate: 0.1 } : {}) };
      const layers = own === 'flatten' ? [layer, OUT] : own === 'conv2d' || own === 'maxPooling2d' ? [layer, { type: 'flatten' }, OUT] : [{ type: 'flatten' }, layer, OUT];
      const at = layers.indexOf(layer);
      assert.deepEqual(resolved({ model: { layers } }).model.layers[at], { ...layer, type: own });
    });
  }

  test('sparse_categorical_crossentropy, the Keras tutorial\'s loss, trains as categoricalCrossentropy: the same loss on one-hot labels', () => {
    assert.equal(resolved({ training: { loss: 'sparse_categorical_crossentropy' } }).training.loss, 'categoricalCrossentropy');
  });

  test('every alias names a value or field this project has', () => {
    const own = new Set<string>([...MONITORS, ...OPTIMIZERS, ...LOSSES, ...LAYER_TYPES, ...ACTIVATIONS]);
    for (const aliases of Object.values(VALUE_ALIASES)) for (const v of Object.values(aliases)) assert.ok(own.has(v), v);
    const fields = JSON.stringify(schema);
    for (const aliases of Object.values(FIELD_ALIASES)) for (const f of Object.values(aliases)) assert.ok(fields.includes(`"${f}":`), f);
  });

  test('a training metric as monitor is refused once, saying to watch the validation metric', () => {
    const text = JSON.stringify({ training: { earlyStopping: { monitor: 'loss' }, reduceLrOnPlateau: { monitor: 'accuracy' } } }, null, 2);
    const { config, issues } = validateConfigText(text, FILE);
    assert.equal(config, null);
    assert.deepEqual(issues.map((i) => formatIssue(i)), [
      'training.earlyStopping.monitor: monitor "loss" watches the training loss; early stopping and ReduceLROnPlateau here watch the validation metrics: use "valLoss" (Keras val_loss)',
      'training.reduceLrOnPlateau.monitor: monitor "accuracy" watches the training accuracy; early stopping and ReduceLROnPlateau here watch the validation metrics: use "valAcc" (Keras val_accuracy)',
    ]);
    assert.equal(text.slice(issues[0].range!.offset, issues[0].range!.offset + issues[0].range!.length), '"loss"');
  });

  test('a field in both spellings is refused at the Keras one; an unknown Keras word is left to the usual message', () => {
    const both = validateConfig({ training: { batchSize: 32, batch_size: 64 } });
    assert.equal(both.config, null);
    assert.deepEqual(both.issues.map((i) => formatIssue(i)), ['training.batch_size: "batch_size" is the Keras spelling of "batchSize", which is also given; keep one of the two']);
    const unknown = validateConfig({ training: { optimizer: 'Adagrad' } });
    assert.deepEqual(unknown.issues.map((i) => formatIssue(i)), ['training.optimizer: unknown optimizer "Adagrad"; use one of "adam", "sgd", "rmsprop"']);
  });

  test('a window written as a pair, kernel_size=(3, 3), is read as its side; a pair that is not square is refused once', () => {
    const layers = (kernel: unknown) => ({ model: { layers: [{ type: 'Conv2D', filters: 8, kernel_size: kernel }, { type: 'Flatten' }, { type: 'Dense', units: 10, activation: 'softmax' }] } });
    assert.equal((resolved(layers([5, 5])).model.layers[0] as { kernelSize: number }).kernelSize, 5);
    const { config, issues } = validateConfig(layers([3, 5]));
    assert.equal(config, null);
    assert.deepEqual(issues.map((i) => formatIssue(i)), ["model.layers[0].kernel_size: kernel_size [3,5] is not square; this trainer's windows are square: write one number, e.g. 3"]);
  });

  test('a mistake under a Keras name points at the name as written', () => {
    const text = JSON.stringify({ model: { layers: [{ type: 'Conv2D', filters: 8, kernel_size: 0 }, { type: 'Flatten' }, { type: 'Dense', units: 10, activation: 'softmax' }] } }, null, 2);
    const { issues } = validateConfigText(text, FILE);
    assert.equal(issues.length, 1, issues.map((i) => formatIssue(i)).join('\n'));
    assert.deepEqual(issues[0].path, ['model', 'layers', 0, 'kernel_size']);
    assert.equal(text.slice(issues[0].range!.offset, issues[0].range!.offset + issues[0].range!.length), '0');
  });

  test('a config with no Keras words comes back as it was; non-objects pass through for the validator', () => {
    const plain = { training: { epochs: 2 }, model: { preset: 'cnn' } };
    assert.deepEqual(normaliseKerasNames(plain).value, plain);
    for (const v of [null, 3, 'x', []]) assert.equal(normaliseKerasNames(v).value, v);
    assert.deepEqual(normaliseKerasNames({ model: { layers: 'Dense' } }).value, { model: { layers: 'Dense' } });
  });
});

describe("the editor's schema (dist/mnist.config.schema.json)", () => {
  const editor = withKerasSpellings(schema);
  const ajv = new Ajv({ allErrors: true, strict: false });
  const check = ajv.compile(editor);

  test('accepts the Keras-written convnet and refuses what the config refuses', () => {
    assert.ok(check(KERAS_WRITTEN), JSON.stringify(check.errors));
    assert.ok(check(PROJECT_WRITTEN), JSON.stringify(check.errors));
    for (const bad of [
      { training: { optimizer: 'Adagrad' } },
      { training: { earlyStopping: { monitor: 'loss' } } },
      { training: { earlyStopping: { min_delta: -1 } } },
      { model: { layers: [{ type: 'Conv2D', filters: 8 }] } },
      { model: { layers: [{ type: 'Conv2D', filters: 8, kernel_size: 0 }] } },
      { model: { layers: [{ type: 'Dense', units: 10, kernel_size: 3 }] } },
      { data: { validation_split: 1 } },
      { model: { layers: [{ type: 'Conv2D', filters: 8, kernel_size: [3, 3, 3] }] } },
    ]) {
      assert.equal(check(bad), false, JSON.stringify(bad));
    }
  });

  test("completion offers only this project's values: Keras names sit where VS Code's JSON service never proposes from", () => {
    // vscode-json-languageservice proposes a value from a property schema's enum/const and those of
    // its allOf/anyOf/oneOf branches (not `if`), and a field name from `properties` (not patternProperties).
    const keras = new Set<unknown>([...Object.values(VALUE_ALIASES).flatMap((a) => Object.keys(a)), ...Object.values(FIELD_ALIASES).flatMap((a) => Object.keys(a))]);
    const offered: unknown[] = [];
    const values = (s: unknown): void => {
      if (typeof s !== 'object' || s === null) return;
      const o = s as Json;
      if (Array.isArray(o.enum)) offered.push(...o.enum);
      if ('const' in o) offered.push(o.const);
      for (const k of ['allOf', 'anyOf', 'oneOf']) if (Array.isArray(o[k])) (o[k] as unknown[]).forEach(values);
    };
    const walk = (s: unknown): void => {
      if (typeof s !== 'object' || s === null) return;
      const o = s as Json;
      for (const [name, p] of Object.entries((o.properties ?? {}) as Json)) {
        offered.push(name);
        values(p);
      }
      for (const v of Object.values(o)) walk(v);
    };
    walk(editor);
    assert.deepEqual(offered.filter((v) => keras.has(v) && !['rate'].includes(v as string)), []);
    assert.ok(offered.includes('adam') && offered.includes('valLoss') && offered.includes('conv2d'));
  });

  test('hover on a Keras value or field name says which name it stands for', () => {
    const optimizer = (editor.properties as Json as { training: { properties: { optimizer: { anyOf: Json[] } } } }).training.properties.optimizer;
    const hidden = optimizer.anyOf[1].if as { enum: string[]; markdownEnumDescriptions: string[] };
    assert.equal(hidden.markdownEnumDescriptions[hidden.enum.indexOf('Adam')], "Keras name for `adam`; this file's own spelling is `adam`");
    const conv = (editor.definitions as Json as { conv2d: { patternProperties: Record<string, { allOf: Json[] }> } }).conv2d;
    assert.match(String(conv.patternProperties['^kernel_size$'].allOf[0].markdownDescription), /^Keras name for `kernelSize`/);
  });
});

describe('Keras spellings in a sweep', () => {
  test("an experiment's config path replaces the value written under its Keras name", () => {
    const { runs, errors } = planSweep({ dataset: 'mnist-sample', training: { learning_rate: 0.01, optimizer: 'Adam' }, experiments: { grid: { 'training.learningRate': [0.1, 0.001] } } });
    assert.deepEqual(errors, []);
    assert.deepEqual(runs.map((r) => [r.config.training.learningRate, r.config.training.optimizer]), [[0.1, 'adam'], [0.001, 'adam']]);
  });
});
