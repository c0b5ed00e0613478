import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import schema from '../../media/mnist.config.schema.json';
import {
  ACTIVATIONS,
  BACKENDS,
  DATASETS,
  DEFAULT_CONFIG,
  LAYER_TYPES,
  type LayerConfig,
  LOSSES,
  type MnistConfig,
  OPTIMIZERS,
  PRESET_LAYERS,
  PRESETS,
  tutorialConfig,
} from '../../src/shared/config';
import {
  checkModel,
  type ConfigIssue,
  formatIssue,
  inferShapes,
  parseConfigText,
  validateConfig,
  validateConfigText,
} from '../../src/shared/validate';

const FILE = 'mnist.config.json';
const OUTPUT: LayerConfig = { type: 'dense', units: 10, activation: 'softmax' };

type Json = Record<string, unknown>;

function withConfig(patch: (c: MnistConfig) => void): MnistConfig {
  const c = JSON.parse(JSON.stringify(DEFAULT_CONFIG)) as MnistConfig;
  patch(c);
  return c;
}

/** Validates text and returns the only issue at `path`, after checking it reads like advice, not like ajv. */
function issueAt(text: string, path: (string | number)[]): ConfigIssue {
  const { issues } = validateConfigText(text, FILE);
  const found = issues.filter((i) => JSON.stringify(i.path) === JSON.stringify(path));
  assert.equal(found.length, 1, `one issue at ${JSON.stringify(path)}, got:\n${issues.map((i) => formatIssue(i)).join('\n')}`);
  assertPlainWords(found[0]);
  return found[0];
}

function assertPlainWords(issue: ConfigIssue): void {
  assert.doesNotMatch(issue.message, /must NOT|must be equal to one of|must have required property|must match|must be (<|>)=?/);
}

/** What the issue's range covers in the text. */
function at(text: string, issue: ConfigIssue): string {
  assert.ok(issue.range, 'issue has a range');
  return text.slice(issue.range.offset, issue.range.offset + issue.range.length);
}

function json(value: unknown): string {
  return JSON.stringify(value, null, 2);
}

function layersText(layers: unknown[], extra: Json = {}): string {
  return json({ ...extra, model: { layers } });
}

// ---------------------------------------------------------------- valid configs

describe('configs that must pass', () => {
  test('DEFAULT_CONFIG, the tutorial config, each preset and {} give no issues', () => {
    assert.deepEqual(validateConfig(DEFAULT_CONFIG).issues, [], 'a run records the resolved config, preset: null included');
    assert.deepEqual(validateConfig(DEFAULT_CONFIG).config, DEFAULT_CONFIG);
    assert.deepEqual(checkModel(DEFAULT_CONFIG), []);
    const tutorial = validateConfig(tutorialConfig());
    assert.deepEqual(tutorial.issues, []);
    assert.deepEqual(tutorial.config, DEFAULT_CONFIG);
    for (const preset of PRESETS) {
      const { config, issues } = validateConfig({ model: { preset } });
      assert.deepEqual(issues, [], preset);
      assert.deepEqual(config?.model, { preset, layers: PRESET_LAYERS[preset] });
      assert.deepEqual(validateConfig({ model: { layers: PRESET_LAYERS[preset] } }).issues, [], `${preset} written out`);
    }
    assert.deepEqual(validateConfigText('{}', FILE), { config: DEFAULT_CONFIG, issues: [] });
  });

  test('JSONC: comments and trailing commas are accepted silently, a UTF-8 BOM too', () => {
    const text = '\uFEFF// my run\n{\n  /* small */ "dataset": "mnist-sample",\n  "training": { "epochs": 2, },\n}\n';
    const { config, issues } = validateConfigText(text, FILE);
    assert.deepEqual(issues, []);
    assert.equal(config?.dataset, 'mnist-sample');
    assert.equal(config?.training.epochs, 2);
    assert.deepEqual(parseConfigText('\uFEFF{"backend":"cpu"}', FILE), { value: { backend: 'cpu' }, issues: [] });
  });

  test('a BOM does not shift ranges', () => {
    const text = '\uFEFF{"training": {"epochs": 0}}';
    assert.equal(at(text, issueAt(text, ['training', 'epochs'])), '0');
  });
});

// ---------------------------------------------------------------- the schema is the one source

type SchemaNode = {
  default?: unknown;
  description?: string;
  enum?: unknown[];
  const?: unknown;
  properties?: Record<string, SchemaNode>;
  items?: SchemaNode;
  definitions?: Record<string, SchemaNode>;
  defaultSnippets?: { label: string; body: unknown }[];
  allOf?: { if?: SchemaNode; then?: { $ref: string } }[];
};
const root = schema as unknown as SchemaNode;
const defs = root.definitions as Record<string, SchemaNode>;

describe('schema', () => {
  test("its defaults equal DEFAULT_CONFIG, field by field and section by section", () => {
    const walk = (node: SchemaNode, value: unknown, path: string) => {
      if (path) assert.deepEqual(node.default, value, `default of ${path}`);
      if (value && typeof value === 'object' && !Array.isArray(value)) {
        // `experiments` describes a sweep, not a run: the resolved config (a run's config.json) has none.
        const fields = Object.keys(node.properties ?? {}).filter((k) => k !== '$schema' && !(path === '' && k === 'experiments'));
        assert.deepEqual(fields.sort(), Object.keys(value).sort(), `fields of ${path || 'the config'}`);
        for (const [k, v] of Object.entries(value)) walk(node.properties![k], v, path ? `${path}.${k}` : k);
      }
    };
    walk(root, DEFAULT_CONFIG, '');
    assert.deepEqual(root.properties!.model.properties!.layers.default, PRESET_LAYERS.mlp);
  });

  test('every field has a description and a default (but a discriminator, $schema and poolSize-dependent strides)', () => {
    const noDefault = new Set(['$schema', 'maxPooling2d.strides']);
    const walk = (node: SchemaNode, where: string) => {
      for (const [k, p] of Object.entries(node.properties ?? {})) {
        if (k === 'type' && where !== '') continue; // layer discriminator: described once on definitions.layer
        const name = where ? `${where}.${k}` : k;
        assert.ok(p.description, `${name} has a description`);
        if (!noDefault.has(name)) assert.ok('default' in p, `${name} has a default`);
        walk(p, name);
      }
    };
    walk(root, '');
    for (const t of LAYER_TYPES) walk(defs[t], t);
    assert.ok(defs.layer.properties!.type.description);
  });

  test('its enums are the TypeScript constants', () => {
    const p = root.properties!;
    assert.deepEqual(p.dataset.enum, [...DATASETS]);
    assert.deepEqual(p.backend.enum, [...BACKENDS]);
    assert.deepEqual(p.training.properties!.optimizer.enum, [...OPTIMIZERS]);
    assert.deepEqual(p.training.properties!.loss.enum, [...LOSSES]);
    assert.deepEqual(p.model.properties!.preset.enum, [...PRESETS, null]);
    assert.deepEqual(defs.activation.enum, [...ACTIVATIONS]);
    assert.deepEqual(defs.layer.properties!.type.enum, [...LAYER_TYPES]);
    const branches = defs.layer.allOf!.map((b) => [b.if!.properties!.type.const, b.then!.$ref]);
    assert.deepEqual(branches, LAYER_TYPES.map((t) => [t, `#/definitions/${t}`]));
    for (const t of LAYER_TYPES) assert.equal(defs[t].properties!.type.const, t);
  });

  // VS Code snippet syntax: "^" inserts the rest as raw JSON; ${1:x} → x, ${1|a,b|} → a.
  function fill(body: unknown): unknown {
    const sub = (s: string) => s.replace(/\$\{\d+:([^}]*)\}/g, '$1').replace(/\$\{\d+\|([^,|]*)[^}]*\|\}/g, '$1').replace(/\$\{?\d+\}?/g, '');
    if (typeof body === 'string') return body.startsWith('^') ? JSON.parse(sub(body.slice(1))) : sub(body);
    if (Array.isArray(body)) return body.map(fill);
    if (body && typeof body === 'object') return Object.fromEntries(Object.entries(body).map(([k, v]) => [k, fill(v)]));
    return body;
  }

  test('every defaultSnippet, filled in, passes validation', () => {
    const snippets = (node: SchemaNode) => (node.defaultSnippets ?? []).map((s) => ({ label: s.label, body: fill(s.body) }));
    const pass = (config: unknown, label: string) => assert.deepEqual(validateConfig(config).issues, [], label);

    const rootSnippets = snippets(root);
    assert.ok(rootSnippets.length > 0);
    for (const s of rootSnippets) pass(s.body, s.label);

    const model = snippets(root.properties!.model);
    assert.deepEqual(model.map((s) => (s.body as Json).preset), [...PRESETS], 'a snippet per preset');
    for (const s of model) pass({ model: s.body }, s.label);

    const layerLists = snippets(root.properties!.model.properties!.layers);
    assert.deepEqual(layerLists.map((s) => s.body), PRESETS.map((p) => PRESET_LAYERS[p]), 'each preset written out, equal to PRESET_LAYERS');
    for (const s of layerLists) pass({ model: { layers: s.body } }, s.label);

    const layers = snippets(defs.layer);
    assert.deepEqual(new Set(layers.map((s) => (s.body as Json).type)), new Set(LAYER_TYPES), 'a snippet per layer type');
    for (const s of layers) {
      const layer = s.body as LayerConfig;
      const spatial = ['conv2d', 'maxPooling2d', 'batchNormalization', 'dropout'].includes(layer.type);
      const stack = layer.type === 'flatten' ? [layer, OUTPUT] : spatial ? [layer, { type: 'flatten' }, OUTPUT] : [{ type: 'flatten' }, layer, OUTPUT];
      pass({ model: { layers: stack } }, s.label);
    }
  });
});

// ---------------------------------------------------------------- text: syntax

describe('syntax', () => {
  test('an empty file, or one with only comments, says so at line 1, column 1', () => {
    for (const text of ['', '  \n', '// nothing yet\n']) {
      const { config, issues } = validateConfigText(text, FILE);
      assert.equal(config, null);
      assert.equal(issues.length, 1);
      assert.match(issues[0].message, /mnist\.config\.json is empty; write a JSON object such as \{\}/);
      assert.match(issues[0].message, /\(line 1, column 1\)$/);
    }
  });

  test('invalid JSON names line and column, points at the spot, and says it once when formatted', () => {
    const text = '{\n  "dataset": "mnist",\n  "training": { "epochs": 5 "batchSize": 32 }\n}\n';
    const { config, issues } = validateConfigText(text, FILE);
    assert.equal(config, null);
    assert.equal(issues.length, 1, 'only the first syntax error');
    assert.match(issues[0].message, /^invalid JSON: expected a comma .* \(line 3, column 29\)$/);
    assert.equal(at(text, issues[0]), '"batchSize"');
    assert.equal(formatIssue(issues[0], FILE, text), 'mnist.config.json:3:29: invalid JSON: expected a comma between two values or fields');
    assert.equal(parseConfigText(text, FILE).value, undefined, 'no half-parsed config');
  });

  test('single quotes and Windows backslashes get advice', () => {
    const quotes = validateConfigText("{'dataset': 'mnist'}", FILE).issues[0];
    assert.match(quotes.message, /double quotes.*\(line 1, column 2\)/);
    const text = '{"data": {"dir": "C:\\data\\mnist"}}';
    const slash = validateConfigText(text, FILE).issues[0];
    assert.match(slash.message, /backslash is written \\\\ \(or use \/ in folder paths\)/);
    assert.equal(at(text, slash), '"C:\\data\\mnist"');
  });

  test('an unclosed object', () => {
    const text = '{\n  "dataset": "mnist"\n';
    const issue = validateConfigText(text, FILE).issues[0];
    assert.match(issue.message, /closing \}.*\(line 3, column 1\)/);
  });
});

// ---------------------------------------------------------------- schema errors, in plain words

describe('schema errors', () => {
  test('an unknown field suggests the near name and points at the name', () => {
    const text = json({ training: { lerningRate: 0.01 } });
    const issue = issueAt(text, ['training', 'lerningRate']);
    assert.equal(formatIssue(issue, FILE), 'mnist.config.json: training.lerningRate: unknown field "lerningRate"; did you mean "learningRate"?');
    assert.equal(at(text, issue), '"lerningRate"');
    assert.equal(validateConfigText(text, FILE).config, null);
  });

  test('a snake_case name with no Keras meaning here still suggests the camelCase one', () => {
    const text = json({ training: { batch_sise: 64 }, model: { layers: [{ type: 'conv2d', filters: 8, kernel_sise: 3 }, { type: 'flatten' }, OUTPUT] } });
    assert.match(issueAt(text, ['training', 'batch_sise']).message, /did you mean "batchSize"\?/);
    const kernel = issueAt(text, ['model', 'layers', 0, 'kernel_sise']);
    assert.match(kernel.message, /did you mean "kernelSize"\?/);
    assert.equal(at(text, kernel), '"kernel_sise"');
  });

  test('a field in the wrong section says where it belongs', () => {
    const text = json({ epochs: 3, training: { validationSplit: 0.1 } });
    assert.match(formatIssue(issueAt(text, ['epochs'])), /^epochs: unknown field "epochs" here; it belongs in "training\.epochs", so move it there$/);
    assert.match(issueAt(text, ['training', 'validationSplit']).message, /belongs in "data\.validationSplit"/);
  });

  test('an unknown field with no near name lists the fields', () => {
    const text = layersText([{ type: 'flatten' }, { type: 'dense', units: 10, activation: 'softmax', kernelInitializer: 'zeros' }]);
    const issue = issueAt(text, ['model', 'layers', 1, 'kernelInitializer']);
    assert.equal(issue.message, 'unknown field "kernelInitializer"; remove it (a dense layer has "type", "units", "activation")');
  });

  test('an unknown dataset, optimizer or layer type lists the allowed values', () => {
    const text = json({ dataset: 'cifar10', training: { optimizer: 'Adamw' }, model: { layers: [{ type: 'Conv2d_', filters: 8, kernelSize: 3 }] } });
    const dataset = issueAt(text, ['dataset']);
    assert.equal(formatIssue(dataset), 'dataset: unknown dataset "cifar10"; use one of "mnist", "fashion-mnist", "mnist-sample"');
    assert.equal(at(text, dataset), '"cifar10"');
    assert.match(issueAt(text, ['training', 'optimizer']).message, /^unknown optimizer "Adamw"; did you mean "adam"\? Use one of "adam", "sgd", "rmsprop"$/);
    const type = issueAt(text, ['model', 'layers', 0, 'type']);
    assert.match(type.message, /unknown layer type "Conv2d_"; did you mean "conv2d"\?/);
    assert.equal(at(text, type), '"Conv2d_"');
  });

  test('a wrong type says what is expected, and drops quotes around numbers and booleans', () => {
    const text = json({ training: { epochs: '5', shuffle: 'false' }, data: { augment: true } });
    const epochs = issueAt(text, ['training', 'epochs']);
    assert.equal(epochs.message, 'must be a whole number from 1 to 10000, not "5"; write 5 without quotes');
    assert.equal(at(text, epochs), '"5"');
    assert.match(issueAt(text, ['training', 'shuffle']).message, /must be true or false, not "false"; write false without quotes/);
    assert.match(issueAt(text, ['data', 'augment']).message, /^must be an object \{ … \} or null, not true \(null turns augmentation off; \{\} turns it on with the defaults\)$/);
  });

  test('the config must be an object', () => {
    const issue = validateConfigText('[1, 2]', FILE).issues[0];
    assert.equal(formatIssue(issue, FILE), 'mnist.config.json: the config must be an object { … }, not a list');
  });

  test('a missing required field points at its layer', () => {
    const text = layersText([{ type: 'flatten' }, { type: 'dense', activation: 'relu' }, { units: 3 }, OUTPUT]);
    const units = issueAt(text, ['model', 'layers', 1, 'units']);
    assert.equal(units.message, 'a dense layer needs "units"; add it, for example "units": 128');
    assert.equal(at(text, units), json({ type: 'dense', activation: 'relu' }).replace(/\n/g, '\n      '));
    assert.match(issueAt(text, ['model', 'layers', 2, 'type']).message, /^a layer needs "type"; add "type" with one of "flatten", "dense"/);
  });

  test('out-of-range numbers state the range', () => {
    const text = json({ data: { validationSplit: 1 }, training: { epochs: 0, learningRate: 0 } });
    assert.equal(
      issueAt(text, ['data', 'validationSplit']).message,
      '1 is too large; use a number greater than 0 and less than 1 (the fraction of training images held out for validation)',
    );
    assert.equal(issueAt(text, ['training', 'epochs']).message, '0 is too small; use a whole number from 1 to 10000');
    assert.equal(issueAt(text, ['training', 'learningRate']).message, '0 is too small; use a number greater than 0');
    assert.match(issueAt(json({ training: { batchSize: 2.5 } }), ['training', 'batchSize']).message, /^2\.5 is not a whole number; use a whole number from 1 to 65536$/);
  });

  test('huge values (1e9) are rejected with the maximum stated, before any training', () => {
    const text = `{
  "training": { "epochs": 1e9, "batchSize": 1e9 },
  "model": { "layers": [
    { "type": "conv2d", "filters": 1e9, "kernelSize": 1e9 },
    { "type": "flatten" },
    { "type": "dense", "units": 1e9 },
    { "type": "dense", "units": 10, "activation": "softmax" } ] }
}`;
    const expect = (path: (string | number)[], max: number) => {
      const issue = issueAt(text, path);
      assert.match(issue.message, new RegExp(`^1000000000 is too large; use a whole number from 1 to ${max}$`));
      assert.equal(at(text, issue), '1e9');
    };
    expect(['training', 'epochs'], 10000);
    expect(['training', 'batchSize'], 65536);
    expect(['model', 'layers', 0, 'filters'], 4096);
    expect(['model', 'layers', 0, 'kernelSize'], 28);
    expect(['model', 'layers', 2, 'units'], 65536);
  });

  test('dropout rate outside [0, 1) and an empty data.dir', () => {
    const text = json({ data: { dir: '' }, model: { layers: [{ type: 'flatten' }, { type: 'dropout', rate: 1 }, OUTPUT] } });
    const rate = issueAt(text, ['model', 'layers', 1, 'rate']);
    assert.equal(rate.message, '1 is too large; use a number of at least 0 and less than 1 (the fraction of inputs dropped while training)');
    assert.equal(at(text, rate), '1');
    assert.match(issueAt(text, ['data', 'dir']).message, /must not be empty; give the folder with the IDX files, or null/);
  });

  test('a typo in one section does not hide a model mistake in another', () => {
    const text = json({ training: { epoch: 3 }, model: { layers: [{ type: 'flatten' }, { type: 'dense', units: 12, activation: 'softmax' }] } });
    const { config, issues } = validateConfigText(text, FILE);
    assert.equal(config, null);
    assert.deepEqual(issues.map((i) => i.path), [['training', 'epoch'], ['model', 'layers', 1, 'units']]);
  });
});

// ---------------------------------------------------------------- semantic checks

describe('model checks', () => {
  test('the last layer must have 10 units', () => {
    const text = layersText([{ type: 'flatten' }, { type: 'dense', units: 128, activation: 'relu' }, { type: 'dense', units: 64, activation: 'relu' }, { type: 'dense', units: 12, activation: 'softmax' }]);
    const issue = issueAt(text, ['model', 'layers', 3, 'units']);
    assert.equal(
      formatIssue(issue, FILE),
      'mnist.config.json: model.layers[3].units: the last layer must have 10 units (one per class) for categoricalCrossentropy; set "units": 10',
    );
    assert.equal(at(text, issue), '12');
    const line = text.split('\n').findIndex((l) => l.includes('"units": 12,')) + 1;
    assert.match(formatIssue(issue, FILE, text), new RegExp(`^mnist\\.config\\.json:${line}:\\d+: model\\.layers\\[3\\]\\.units: the last layer`));
  });

  test("the last layer's activation must be softmax", () => {
    const relu = layersText([{ type: 'flatten' }, { type: 'dense', units: 10, activation: 'relu' }]);
    const issue = issueAt(relu, ['model', 'layers', 1, 'activation']);
    assert.match(issue.message, /^the last layer's activation must be "softmax" for categoricalCrossentropy, not "relu": .*; set "activation": "softmax"$/);
    assert.equal(at(relu, issue), '"relu"');
    const none = layersText([{ type: 'flatten' }, { type: 'dense', units: 10 }]);
    const missing = issueAt(none, ['model', 'layers', 1, 'activation']);
    assert.match(missing.message, /\(none given means "linear"\)/);
    assert.equal(at(none, missing).replace(/\s/g, ''), '{"type":"dense","units":10}', 'a missing field points at its layer');
  });

  test('the last layer must be dense', () => {
    const text = layersText([{ type: 'flatten' }, OUTPUT, { type: 'dropout', rate: 0.2 }]);
    const issue = issueAt(text, ['model', 'layers', 2]);
    assert.match(issue.message, /^the last layer must be a dense layer with 10 units .* but this is a dropout layer; add \{ "type": "dense", "units": 10, "activation": "softmax" \} at the end$/);
  });

  test('no layers', () => {
    const text = json({ model: { layers: [] } });
    const issue = issueAt(text, ['model', 'layers']);
    assert.match(formatIssue(issue), /^model\.layers: the model has no layers; add some, ending with .*or remove "layers" to train the tutorial's model$/);
    assert.equal(at(text, issue), '[]');
  });

  test('dense on the 28×28 image needs a flatten first (said once)', () => {
    const text = layersText([{ type: 'dense', units: 128, activation: 'relu' }, { type: 'dense', units: 64, activation: 'relu' }, OUTPUT]);
    const { issues } = validateConfigText(text, FILE);
    assert.equal(issues.length, 1);
    assert.deepEqual(issues[0].path, ['model', 'layers', 0]);
    assert.match(issues[0].message, /^a dense layer needs flat input, but here the data is still a 28×28×1 image; add \{ "type": "flatten" \} before it/);
    assert.equal(JSON.parse(at(text, issues[0])).units, 128);
  });

  test('conv2d and maxPooling2d after the flatten (or after a dense on flat data)', () => {
    const text = layersText([{ type: 'flatten' }, { type: 'conv2d', filters: 8, kernelSize: 3 }, { type: 'dense', units: 32 }, { type: 'maxPooling2d' }, OUTPUT]);
    const conv = issueAt(text, ['model', 'layers', 1]);
    assert.equal(conv.message, 'a conv2d layer needs an image (height×width×channels), but here the data is already flat (784 values, since the flatten at model.layers[0]); move this layer before the flatten');
    assert.equal(JSON.parse(at(text, conv)).type, 'conv2d');
    assert.match(issueAt(text, ['model', 'layers', 3]).message, /^a maxPooling2d layer needs an image .*already flat \(32 values, since the flatten at model\.layers\[0\]\)/);
  });

  test('a second flatten', () => {
    const text = layersText([{ type: 'flatten' }, { type: 'flatten' }, OUTPUT]);
    assert.equal(issueAt(text, ['model', 'layers', 1]).message, 'the data is already flat (784 values, since the flatten at model.layers[0]); remove this flatten');
  });

  test('conv/pool stacks that shrink the image to nothing name the layer and the shape', () => {
    const conv = { type: 'conv2d', filters: 16, kernelSize: 5, activation: 'relu' };
    const text = layersText([conv, { type: 'maxPooling2d' }, conv, { type: 'maxPooling2d' }, conv, { type: 'flatten' }, OUTPUT]);
    assert.deepEqual(inferShapes(JSON.parse(text).model.layers).slice(0, 5), [[24, 24, 16], [12, 12, 16], [8, 8, 16], [4, 4, 16], null]);
    const issue = issueAt(text, ['model', 'layers', 4]);
    assert.equal(
      formatIssue(issue),
      'model.layers[4]: this conv2d would shrink the image to 0×0×16 (its input is 4×4×16, kernelSize 5); use a smaller kernelSize, "padding": "same", or fewer pooling layers before it',
    );
    const pools = layersText([{ type: 'maxPooling2d', poolSize: 7 }, { type: 'maxPooling2d', poolSize: 7 }, { type: 'flatten' }, OUTPUT]);
    assert.match(issueAt(pools, ['model', 'layers', 1]).message, /^this maxPooling2d would shrink the image to 0×0×1 \(its input is 4×4×1, poolSize 7\); remove it/);
  });

  test('a model too big for memory is refused', () => {
    const text = layersText([{ type: 'flatten' }, { type: 'dense', units: 65536 }, { type: 'dense', units: 65536 }, OUTPUT]);
    assert.match(issueAt(text, ['model', 'layers']).message, /^the model would have 4,347,133,962 parameters \(about 17\.4 GB of weights\), too many to train; use fewer units or filters/);
  });

  test('preset and layers together: a warning, and the layers win', () => {
    const text = json({ model: { preset: 'cnn', layers: PRESET_LAYERS['mlp-dropout'] } });
    const { config, issues } = validateConfigText(text, FILE);
    assert.equal(issues.length, 1);
    assert.equal(issues[0].severity, 'warning');
    assert.equal(
      formatIssue(issues[0], FILE),
      'mnist.config.json: warning: model.preset: "preset": "cnn" is ignored because "layers" is also given (layers win); remove "preset", or remove "layers" to train the cnn preset',
    );
    assert.equal(at(text, issues[0]), '"cnn"');
    assert.deepEqual(config?.model, { preset: null, layers: PRESET_LAYERS['mlp-dropout'] });
  });

  test('checkModel repeats the range checks for configs that skipped the schema (a run folder, IPC)', () => {
    const messages = (c: MnistConfig) => checkModel(c).map((i) => formatIssue(i));
    assert.deepEqual(messages(withConfig((c) => { c.dataset = 'emnist' as never; })), [
      'dataset: unknown dataset "emnist"; did you mean "mnist"? Use one of "mnist", "fashion-mnist", "mnist-sample"',
    ]);
    assert.deepEqual(messages(withConfig((c) => { c.data.validationSplit = 0; })), [
      'data.validationSplit: 0 is too small; use a number greater than 0 and less than 1 (the fraction of training images held out for validation)',
    ]);
    assert.deepEqual(messages(withConfig((c) => { c.training.epochs = 0; c.training.batchSize = 2.5; })), [
      'training.epochs: 0 is too small; use a whole number from 1 to 10000',
      'training.batchSize: 2.5 is not a whole number; use a whole number from 1 to 65536',
    ]);
    assert.deepEqual(messages(withConfig((c) => { c.training.epochs = 1e9; })), ['training.epochs: 1000000000 is too large; use a whole number from 1 to 10000']);
    assert.deepEqual(messages(withConfig((c) => { c.model.layers = [{ type: 'flatten' }, { type: 'dropout', rate: 1.5 }, OUTPUT]; })), [
      'model.layers[1].rate: 1.5 is too large; use a number of at least 0 and less than 1 (the fraction of inputs dropped while training)',
    ]);
    assert.deepEqual(messages(withConfig((c) => { c.model.layers = [{ type: 'reshape' } as never, { type: 'flatten' }, OUTPUT]; })).length, 1);
  });

  test('the same words in the schema path and in checkModel', () => {
    const fromSchema = validateConfig({ data: { validationSplit: 0 } }).issues.map((i) => formatIssue(i));
    const fromCheck = checkModel(withConfig((c) => { c.data.validationSplit = 0; })).map((i) => formatIssue(i));
    assert.deepEqual(fromSchema, fromCheck);
  });
});

describe('inferShapes', () => {
  test("the presets' output shapes, as Keras' model.summary() shows them", () => {
    assert.deepEqual(inferShapes(PRESET_LAYERS.mlp), [[784], [128], [64], [10]]);
    assert.deepEqual(inferShapes(PRESET_LAYERS['mlp-dropout']), [[784], [128], [128], [64], [64], [10]]);
    assert.deepEqual(inferShapes(PRESET_LAYERS.cnn), [[26, 26, 32], [13, 13, 32], [11, 11, 64], [5, 5, 64], [1600], [1600], [10]]);
  });

  test('padding, strides and pooling strides', () => {
    const layers: LayerConfig[] = [
      { type: 'conv2d', filters: 8, kernelSize: 3, padding: 'same' },
      { type: 'conv2d', filters: 4, kernelSize: 3, strides: 2, padding: 'same' },
      { type: 'conv2d', filters: 4, kernelSize: 3, strides: 2 },
      { type: 'maxPooling2d', poolSize: 2, strides: 1 },
      { type: 'batchNormalization' },
      { type: 'dense', units: 5 },
    ];
    assert.deepEqual(inferShapes(layers), [[28, 28, 8], [14, 14, 4], [6, 6, 4], [5, 5, 4], [5, 5, 4], [5, 5, 5]]);
  });
});
