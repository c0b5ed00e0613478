// Editing mnist.config.json without VS Code: the checks the editor publishes (at their ranges, on real
// config text), the quick fixes' edits, the created config, the CodeLens items and the walkthrough.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { after, describe, test } from 'node:test';
import { applyEdits } from 'jsonc-parser';
import {
  DEFAULT_CONFIG,
  type LayerConfig,
  type MnistConfig,
  type MnistConfigInput,
  PRESET_LAYERS,
  PRESETS,
  tutorialConfig,
} from '../../src/shared/config';
import {
  checkModel,
  type ConfigIssue,
  type DataDirProbe,
  formatIssue,
  type IssueCode,
  trainingSetSize,
  validateConfigText,
} from '../../src/shared/validate';
import { type Analysis, analyzeConfigFile, analyzeConfigText, isConfigFileName } from '../../src/host/config-editing/analyze';
import { dataDirProbe } from '../../src/node/data/data-dir-probe';
import { KeyedDebouncer } from '../../src/host/config-editing/debounce';
import { DROPOUT_FIX_RATE, editBetween, type FixKind, quickFixes } from '../../src/host/config-editing/fixes';
import { lensItems } from '../../src/host/config-editing/lenses';
import { configFileText, createPlan, OPEN_EXISTING, OVERWRITE, printConfig } from '../../src/host/config-editing/scaffold';
import { MNIST_10K_DIR, REPO_ROOT, hasMnist10k } from '../helpers/datasets';

const FILE = 'mnist.config.json';
const OUTPUT: LayerConfig = { type: 'dense', units: 10, activation: 'softmax' };
const IDX_NAMES = ['train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte.gz', 't10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz'];

const scratch: string[] = [];
after(() => {
  for (const d of scratch) rmSync(d, { recursive: true, force: true });
});
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'mnist-config-editing-'));
  scratch.push(dir);
  return dir;
}

/** The tutorial's config as Create Config writes it, changed by `patch`. */
function configText(patch: (c: MnistConfigInput & Record<string, unknown>) => void = () => {}): string {
  const c = tutorialConfig() as MnistConfigInput & Record<string, unknown>;
  patch(c);
  return printConfig(c);
}

function withLayers(layers: unknown[]): string {
  return configText((c) => {
    c.model = { layers: layers as LayerConfig[] };
  });
}

/** What the issue's range covers in the text. */
function at(text: string, issue: ConfigIssue): string {
  assert.ok(issue.range, 'the issue has a range');
  return text.slice(issue.range.offset, issue.range.offset + issue.range.length);
}

/** The one issue with `code` (optionally at `path`); all issues are listed when there is not exactly one. */
function only(analysis: Analysis, code: IssueCode, path?: (string | number)[]): ConfigIssue {
  const found = analysis.issues.filter((i) => i.code === code && (!path || JSON.stringify(i.path) === JSON.stringify(path)));
  assert.equal(found.length, 1, `one ${code} issue, got:\n${analysis.issues.map((i) => `${i.code} ${formatIssue(i)}`).join('\n')}`);
  return found[0];
}

function published(analysis: Analysis, issue: ConfigIssue): boolean {
  return analysis.diagnostics.includes(issue);
}

// ---------------------------------------------------------------- checks

describe('config file names', () => {
  test('mnist.config.json and *.mnist.config.json, in any folder', () => {
    for (const yes of ['mnist.config.json', '/w/mnist.config.json', 'C:\\w\\exp\\mnist.config.json', '/w/dropout.mnist.config.json', '/w/MNIST.config.json']) {
      assert.ok(isConfigFileName(yes), yes);
    }
    for (const no of ['/w/mnist.config.jsonc', '/w/config.json', '/w/.mnist.config.json', '/w/mnist.config.json.bak', '/w/mymnist.config.json']) {
      assert.ok(!isConfigFileName(no), no);
    }
  });
});

describe('configs that pass', () => {
  test("Create Config's text, each preset, and each preset written out give no issue", () => {
    assert.deepEqual(analyzeConfigText(configFileText(), FILE).issues, []);
    for (const preset of PRESETS) {
      for (const dataset of ['mnist', 'fashion-mnist', 'mnist-sample'] as const) {
        const byName = configText((c) => {
          c.dataset = dataset;
          c.model = { preset };
        });
        assert.deepEqual(analyzeConfigText(byName, FILE).issues, [], `${preset} on ${dataset}`);
      }
      assert.deepEqual(analyzeConfigText(withLayers(PRESET_LAYERS[preset]), FILE).issues, [], `${preset} written out`);
    }
  });

  test('a hand-written JSONC config with comments and one-line layers', () => {
    const text = `// my first run
{
  "dataset": "mnist-sample", // offline
  "model": { "layers": [
    { "type": "conv2d", "filters": 32, "kernelSize": 3, "activation": "relu" },
    { "type": "maxPooling2d", "poolSize": 2 },
    { "type": "flatten" },
    { "type": "dropout", "rate": 0.5 },
    { "type": "dense", "units": 10, "activation": "softmax" },
  ] },
  "training": { "epochs": 3, "batchSize": 6400 }
}
`;
    assert.deepEqual(analyzeConfigText(text, FILE).issues, []);
  });
});

describe('semantic checks, at their ranges on real config text', () => {
  test('conv2d and maxPooling2d after the flatten', () => {
    const text = withLayers([{ type: 'flatten' }, { type: 'conv2d', filters: 8, kernelSize: 3 }, { type: 'maxPooling2d', poolSize: 2 }, OUTPUT]);
    const analysis = analyzeConfigText(text, FILE);
    const conv = only(analysis, 'image-layer-on-flat', ['model', 'layers', 1]);
    assert.equal(at(text, conv), '{ "type": "conv2d", "filters": 8, "kernelSize": 3 }');
    assert.match(conv.message, /^a conv2d layer needs an image .* move this layer before the flatten$/);
    const pool = only(analysis, 'image-layer-on-flat', ['model', 'layers', 2]);
    assert.equal(at(text, pool), '{ "type": "maxPooling2d", "poolSize": 2 }');
    assert.ok(published(analysis, conv) && published(analysis, pool));
  });

  test('a dense layer on the 28×28 image, with no flatten before it', () => {
    const text = withLayers([{ type: 'dense', units: 128, activation: 'relu' }, { type: 'dense', units: 64, activation: 'relu' }, OUTPUT]);
    const analysis = analyzeConfigText(text, FILE);
    const issue = only(analysis, 'dense-on-image');
    assert.equal(at(text, issue), '{ "type": "dense", "units": 128, "activation": "relu" }');
    assert.match(issue.message, /add \{ "type": "flatten" \} before it/);
    assert.deepEqual(analysis.diagnostics, [issue], 'said once, for the first dense');
  });

  test('the last layer: 10 units, softmax, dense', () => {
    const units = withLayers([{ type: 'flatten' }, { type: 'dense', units: 12, activation: 'softmax' }]);
    assert.equal(at(units, only(analyzeConfigText(units, FILE), 'output-units')), '12');
    const relu = withLayers([{ type: 'flatten' }, { type: 'dense', units: 10, activation: 'relu' }]);
    const activation = only(analyzeConfigText(relu, FILE), 'output-activation');
    assert.equal(at(relu, activation), '"relu"');
    assert.match(activation.message, /^the last layer's activation must be "softmax" for categoricalCrossentropy, not "relu"/);
    const missing = withLayers([{ type: 'flatten' }, { type: 'dense', units: 10 }]);
    assert.equal(at(missing, only(analyzeConfigText(missing, FILE), 'output-activation')), '{ "type": "dense", "units": 10 }');
    const dropout = withLayers([{ type: 'flatten' }, OUTPUT, { type: 'dropout', rate: 0.2 }]);
    const notDense = only(analyzeConfigText(dropout, FILE), 'output-not-dense');
    assert.equal(at(dropout, notDense), '{ "type": "dropout", "rate": 0.2 }');
  });

  test('a dropout rate outside [0, 1): found, and left to the JSON language service to show', () => {
    for (const rate of ['1.5', '1', '-0.1']) {
      const text = withLayers([{ type: 'flatten' }, { type: 'dropout', rate: Number(rate) }, OUTPUT]);
      const analysis = analyzeConfigText(text, FILE);
      const issue = only(analysis, 'schema', ['model', 'layers', 1, 'rate']);
      assert.equal(at(text, issue), rate);
      assert.match(issue.message, /^-?[\d.]+ is too (large|small); use a number of at least 0 and less than 1 \(the fraction of inputs dropped while training\)$/);
      assert.ok(!published(analysis, issue), 'the schema says it through jsonValidation already');
    }
  });

  test('an unknown dataset name: found, and left to the JSON language service to show', () => {
    const text = configText((c) => {
      c.dataset = 'emnist' as never;
    });
    const analysis = analyzeConfigText(text, FILE);
    const issue = only(analysis, 'schema', ['dataset']);
    assert.equal(at(text, issue), '"emnist"');
    assert.equal(issue.message, 'unknown dataset "emnist"; did you mean "mnist"? Use one of "mnist", "fashion-mnist", "mnist-sample"');
    assert.deepEqual(analysis.diagnostics, []);
  });

  test('a batch size larger than the training set: a warning on batchSize', () => {
    const cases: [MnistConfig['dataset'], number, number, string][] = [
      ['mnist', 0.2, 50_000, '48,000'],
      ['fashion-mnist', 0.1, 60_000, '54,000'],
      ['mnist-sample', 0.2, 6_401, '6,400'],
      ['mnist-sample', 0.5, 4_096, '4,000'],
    ];
    for (const [dataset, split, batchSize, size] of cases) {
      const text = configText((c) => {
        c.dataset = dataset;
        c.data = { dir: null, validationSplit: split };
        c.training = { ...c.training, batchSize };
      });
      const analysis = analyzeConfigText(text, FILE);
      const issue = only(analysis, 'batch-size-over-training-set', ['training', 'batchSize']);
      assert.equal(issue.severity, 'warning');
      assert.equal(at(text, issue), String(batchSize));
      assert.ok(issue.message.startsWith(`batchSize ${batchSize} is larger than the training set: ${dataset} has ${size} training images (`), issue.message);
      assert.ok(published(analysis, issue));
    }
    const exact = configText((c) => {
      c.training = { ...c.training, batchSize: 48_000 };
    });
    assert.deepEqual(analyzeConfigText(exact, FILE).issues, [], '48,000 of 48,000 is one full batch');
    const folder = configText((c) => {
      c.data = { dir: '/data/mnist', validationSplit: 0.2 };
      c.training = { ...c.training, batchSize: 65_536 };
    });
    assert.deepEqual(analyzeConfigText(folder, FILE).issues, [], 'a data.dir folder: its size is not known here');
  });

  test('training-set sizes: 60,000 × (1 − split) for mnist and fashion-mnist, 8,000 × (1 − split) for mnist-sample', () => {
    const size = (dataset: MnistConfig['dataset'], validationSplit: number, dir: string | null = null) =>
      trainingSetSize({ dataset, data: { dir, validationSplit, augment: null } });
    assert.equal(size('mnist', 0.2), 48_000);
    assert.equal(size('fashion-mnist', 0.2), 48_000);
    assert.equal(size('mnist-sample', 0.2), 6_400);
    assert.equal(size('mnist', 0.15), 51_000);
    assert.equal(size('mnist', 0.2, '/x'), null);
    assert.equal(size('emnist' as never, 0.2), null);
  });

  test('the trainer and the CLI say the same words (checkModel on the resolved config)', () => {
    const text = configText((c) => {
      c.training = { ...c.training, batchSize: 50_000 };
      c.model = { layers: [{ type: 'flatten' }, { type: 'dense', units: 12, activation: 'relu' }] };
    });
    const fromText = analyzeConfigText(text, FILE).issues.map((i) => formatIssue(i));
    const resolved: MnistConfig = { ...DEFAULT_CONFIG, training: { ...DEFAULT_CONFIG.training, batchSize: 50_000 }, model: { preset: null, layers: [{ type: 'flatten' }, { type: 'dense', units: 12, activation: 'relu' }] } };
    const fromTrainer = checkModel(resolved).map((i) => formatIssue(i));
    assert.deepEqual([...fromText].sort(), [...fromTrainer].sort());
    assert.equal(fromText.length, 3);
  });

  test('syntax errors are left to the JSON language service; nothing stale is published', () => {
    const text = configFileText().replace('"epochs": 5,', '"epochs": 5');
    const analysis = analyzeConfigText(text, FILE);
    assert.equal(analysis.issues.length, 1);
    assert.equal(analysis.issues[0].code, 'syntax');
    assert.deepEqual(analysis.diagnostics, []);
  });

  test('the preset-and-layers warning is published (the schema cannot say it)', () => {
    const text = configText((c) => {
      c.model = { preset: 'cnn', layers: PRESET_LAYERS.mlp };
    });
    const analysis = analyzeConfigText(text, FILE);
    const issue = only(analysis, 'preset-ignored');
    assert.equal(at(text, issue), '"cnn"');
    assert.ok(published(analysis, issue));
  });

  test('usesDropout: dropout layers or a preset with dropout, layers winning over a preset', () => {
    const uses = (patch: (c: MnistConfigInput) => void) => analyzeConfigText(configText(patch), FILE).usesDropout;
    assert.equal(analyzeConfigText(configFileText(), FILE).usesDropout, false);
    assert.equal(uses((c) => (c.model = { preset: 'mlp-dropout' })), true);
    assert.equal(uses((c) => (c.model = { preset: 'cnn' })), true);
    assert.equal(uses((c) => (c.model = { layers: PRESET_LAYERS['mlp-dropout'] })), true);
    assert.equal(uses((c) => (c.model = { preset: 'mlp-dropout', layers: PRESET_LAYERS.mlp })), false);
  });
});

describe('data.dir on disk', () => {
  const configIn = (folder: string, dir: string) => {
    const file = join(folder, 'mnist.config.json');
    const text = configText((c) => {
      c.data = { dir, validationSplit: 0.2 };
    });
    writeFileSync(file, text);
    return { file, text };
  };

  test('a folder that does not exist: an error on data.dir, resolved from the config file', async () => {
    const folder = tempDir();
    const { file, text } = configIn(folder, 'digits');
    const analysis = await analyzeConfigFile(text, file, dataDirProbe(file));
    const issue = only(analysis, 'data-dir', ['data', 'dir']);
    assert.equal(at(text, issue), '"digits"');
    assert.ok(issue.message.startsWith(`data.dir ${join(folder, 'digits')} does not exist or cannot be read (ENOENT); point data.dir at a folder holding`), issue.message);
    assert.ok(published(analysis, issue));
  });

  test('a file, not a folder', async () => {
    const folder = tempDir();
    writeFileSync(join(folder, 'digits'), 'x');
    const { file, text } = configIn(folder, './digits');
    const issue = only(await analyzeConfigFile(text, file, dataDirProbe(file)), 'data-dir');
    assert.match(issue.message, /digits is a file, not a folder; point data\.dir at/);
  });

  test('a folder lacking some of the four IDX files names the missing ones', async () => {
    const folder = tempDir();
    mkdirSync(join(folder, 'digits'));
    writeFileSync(join(folder, 'digits', 'train-images-idx3-ubyte.gz'), 'x');
    writeFileSync(join(folder, 'digits', 'train-labels-idx1-ubyte'), 'x');
    const { file, text } = configIn(folder, 'digits');
    const issue = only(await analyzeConfigFile(text, file, dataDirProbe(file)), 'data-dir');
    assert.equal(
      issue.message.split(';')[0],
      `data.dir ${join(folder, 'digits')} lacks t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz (the .gz suffix is optional)`,
    );
  });

  test('a folder with the four files (names only are checked here; the trainer reads them)', async () => {
    const folder = tempDir();
    mkdirSync(join(folder, 'digits'));
    for (const name of IDX_NAMES) writeFileSync(join(folder, 'digits', name), 'small');
    const { file, text } = configIn(folder, 'digits');
    assert.deepEqual((await analyzeConfigFile(text, file, dataDirProbe(file))).issues, []);
  });

  test('../shared/datasets/mnist-10k, by a relative path', async (t) => {
    if (!hasMnist10k()) {
      t.skip('../shared/datasets/mnist-10k not present');
      return;
    }
    const file = join(REPO_ROOT, 'mnist.config.json');
    const text = configText((c) => {
      c.data = { dir: relative(REPO_ROOT, MNIST_10K_DIR), validationSplit: 0.2 };
    });
    assert.deepEqual((await analyzeConfigFile(text, file, dataDirProbe(file))).issues, []);
    assert.deepEqual(await dataDirProbe(file)(MNIST_10K_DIR), { dir: resolve(MNIST_10K_DIR), missing: [] });
  });

  test('no probe for a null, empty or schema-broken data.dir, or broken JSON', async () => {
    const calls: string[] = [];
    const spy: DataDirProbe = async (dir) => {
      calls.push(dir);
      return { dir, missing: [] };
    };
    for (const dir of [null, '', 42]) {
      const text = configText((c) => {
        c.data = { dir: dir as never, validationSplit: 0.2 };
      });
      await analyzeConfigFile(text, FILE, spy);
    }
    await analyzeConfigFile('{ "data": { "dir": "x" ', FILE, spy);
    assert.deepEqual(calls, []);
    await analyzeConfigFile(configText((c) => (c.data = { dir: 'x', validationSplit: 0 })), FILE, spy);
    assert.deepEqual(calls, ['x'], 'a bad validationSplit does not stop the folder check');
  });
});

// ---------------------------------------------------------------- quick fixes

/** Applies the one fix of `kind` offered at the issue with `code`, and returns the new text. */
function applyFix(text: string, code: IssueCode, kind: FixKind): { after: string; title: string } {
  const issue = only(analyzeConfigText(text, FILE), code);
  const fixes = quickFixes(text, FILE, issue.range);
  const fix = fixes.find((f) => f.kind === kind);
  assert.ok(fix, `a ${kind} fix at the ${code} issue; got ${JSON.stringify(fixes.map((f) => f.kind))}`);
  assert.equal(fixes.filter((f) => f.kind === kind).length, 1);
  return { after: applyEdits(text, [fix.edit]), title: fix.title };
}

function assertClean(text: string): void {
  const { issues } = validateConfigText(text, FILE);
  assert.deepEqual(issues.map((i) => formatIssue(i)), [], text);
}

describe('quick fixes', () => {
  test('the last layer: 10 units and softmax, only what is wrong, in one fix', () => {
    const both = withLayers([{ type: 'flatten' }, { type: 'dense', units: 12, activation: 'relu' }]);
    const fixed = applyFix(both, 'output-units', 'output-layer');
    assert.equal(fixed.title, 'Set the last layer to 10 units with softmax');
    assertClean(fixed.after);
    assert.equal(quickFixes(both, FILE).length, 1, 'one fix for the two issues');

    const units = withLayers([{ type: 'flatten' }, { type: 'dense', units: 12, activation: 'softmax' }]);
    const onlyUnits = applyFix(units, 'output-units', 'output-layer');
    assert.equal(onlyUnits.title, "Set the last layer's units to 10");
    assert.equal(onlyUnits.after, units.replace('"units": 12', '"units": 10'));

    const missing = withLayers([{ type: 'flatten' }, { type: 'dense', units: 10 }]);
    const added = applyFix(missing, 'output-activation', 'output-layer');
    assert.equal(added.title, 'Set the last layer\'s activation to "softmax"');
    assert.ok(added.after.includes('{ "type": "dense", "units": 10, "activation": "softmax" }'), 'a one-line layer stays one line');
    assertClean(added.after);
  });

  test('the last layer not dense: add the output layer at the end', () => {
    const text = withLayers([{ type: 'flatten' }, { type: 'dense', units: 64, activation: 'relu' }, { type: 'dropout', rate: 0.2 }]);
    const { after, title } = applyFix(text, 'output-not-dense', 'append-output-layer');
    assert.equal(title, 'Add { "type": "dense", "units": 10, "activation": "softmax" } at the end');
    assert.ok(after.includes('      { "type": "dropout", "rate": 0.2 },\n      { "type": "dense", "units": 10, "activation": "softmax" }\n    ]'), after);
    assertClean(after);
  });

  test('insert a flatten before the first dense: one-line layers, multi-line layers, comments, CRLF', () => {
    const layers = [{ type: 'dense', units: 128, activation: 'relu' }, { type: 'dense', units: 64, activation: 'relu' }, OUTPUT];
    const compact = withLayers(layers);
    const a = applyFix(compact, 'dense-on-image', 'insert-flatten');
    assert.equal(a.title, 'Insert { "type": "flatten" } before this layer');
    assert.equal(a.after, compact.replace('      { "type": "dense", "units": 128', '      { "type": "flatten" },\n      { "type": "dense", "units": 128'));
    assertClean(a.after);

    const pretty = JSON.stringify({ model: { layers } }, null, 4);
    const b = applyFix(pretty, 'dense-on-image', 'insert-flatten');
    assertClean(b.after);
    assert.deepEqual(JSON.parse(b.after).model.layers, [{ type: 'flatten' }, ...layers]);
    assert.match(b.after, /\n {16}"type": "flatten"\n {12}},\n/, 'formatted like the file: 4 spaces');

    const jsonc = '{\r\n  // layers by hand\r\n  "model": { "layers": [\r\n    /* hidden */ { "type": "dense", "units": 32 },\r\n    { "type": "dense", "units": 10, "activation": "softmax" }, // out\r\n  ] }\r\n}\r\n';
    const c = applyFix(jsonc, 'dense-on-image', 'insert-flatten');
    assertClean(c.after);
    assert.ok(c.after.includes('// layers by hand') && c.after.includes('/* hidden */') && c.after.includes('// out'), 'comments kept');
    assert.ok(!/[^\r]\n/.test(c.after), 'CRLF kept');

    const afterConv = withLayers([{ type: 'conv2d', filters: 8, kernelSize: 3, activation: 'relu' }, OUTPUT]);
    const d = applyFix(afterConv, 'dense-on-image', 'insert-flatten');
    assertClean(d.after);
    assert.deepEqual(JSON.parse(d.after).model.layers.map((l: LayerConfig) => l.type), ['conv2d', 'flatten', 'dense']);
  });

  test('a second flatten is removed', () => {
    const middle = withLayers([{ type: 'flatten' }, { type: 'flatten' }, { type: 'dense', units: 64, activation: 'relu' }, OUTPUT]);
    const a = applyFix(middle, 'flatten-twice', 'remove-flatten');
    assert.equal(a.after, withLayers([{ type: 'flatten' }, { type: 'dense', units: 64, activation: 'relu' }, OUTPUT]));
    const oneLine = '{"model":{"layers":[{"type":"flatten"},{"type":"dense","units":10,"activation":"softmax"},{"type":"flatten"}]}}';
    const issues = analyzeConfigText(oneLine, FILE).issues.map((i) => i.code);
    assert.ok(issues.includes('flatten-twice'), String(issues));
  });

  test(`a dropout rate of 1 or more becomes ${DROPOUT_FIX_RATE}, a negative one 0`, () => {
    for (const [rate, to] of [[1.5, DROPOUT_FIX_RATE], [1, DROPOUT_FIX_RATE], [20, DROPOUT_FIX_RATE], [-0.1, 0]] as const) {
      const text = withLayers([{ type: 'flatten' }, { type: 'dense', units: 128, activation: 'relu' }, { type: 'dropout', rate }, OUTPUT]);
      const { after, title } = applyFix(text, 'schema', 'dropout-rate');
      assert.equal(title, `Set the dropout rate to ${to}`);
      assert.equal(after, text.replace(`"rate": ${rate}`, `"rate": ${to}`));
      assertClean(after);
    }
    const text = withLayers([{ type: 'flatten' }, { type: 'dropout', rate: '0.2' }, OUTPUT]);
    assert.deepEqual(quickFixes(text, FILE), [], 'a rate in quotes: not this fix');
  });

  test('no fix where it is not obvious (a conv2d after the flatten), none away from the issue', () => {
    const conv = withLayers([{ type: 'flatten' }, { type: 'conv2d', filters: 8, kernelSize: 3 }, OUTPUT]);
    assert.deepEqual(quickFixes(conv, FILE), []);
    const units = withLayers([{ type: 'flatten' }, { type: 'dense', units: 12, activation: 'softmax' }]);
    assert.deepEqual(quickFixes(units, FILE, { offset: units.indexOf('"dataset"'), length: 0 }), []);
    assert.equal(quickFixes(units, FILE, { offset: units.indexOf('12') + 1, length: 0 }).length, 1, 'a cursor inside the value');
  });

  test('editBetween: one edit, the common start and end kept', () => {
    assert.deepEqual(editBetween('abcXYdef', 'abcZdef'), { offset: 3, length: 2, content: 'Z' });
    assert.deepEqual(editBetween('aaa', 'aaaa'), { offset: 3, length: 0, content: 'a' });
    assert.deepEqual(editBetween('same', 'same'), { offset: 4, length: 0, content: '' });
    for (const [x, y] of [['{"a":1}', '{"a":1,"b":2}'], ['abab', 'ab'], ['', 'x']]) assert.equal(applyEdits(x, [editBetween(x, y)]), y);
  });
});

// ---------------------------------------------------------------- Create Config, CodeLens, walkthrough

describe('Create Config', () => {
  test("the written text: the tutorial's config, valid, comment-free, no $schema, 2-space indent", () => {
    const text = configFileText();
    assert.deepEqual(JSON.parse(text), tutorialConfig());
    assert.deepEqual(validateConfigText(text, FILE), { config: DEFAULT_CONFIG, issues: [] });
    assert.ok(!text.includes('//') && !text.includes('/*') && !text.includes('$schema'));
    assert.ok(text.endsWith('}\n') && !text.includes('\t'));
    for (const line of text.split('\n')) assert.equal((/^ */.exec(line)?.[0].length ?? 0) % 2, 0, line);
    assert.ok(text.includes('\n  "dataset": "mnist",\n'));
  });

  test('an existing file is only overwritten after the modal says so', () => {
    assert.equal(createPlan(false, undefined), 'write');
    assert.equal(createPlan(true, undefined), 'cancel', 'Escape or closing the dialog');
    assert.equal(createPlan(true, OVERWRITE), 'write');
    assert.equal(createPlan(true, OPEN_EXISTING), 'open');
  });

  test("the walkthrough shows the same text Create Config writes", () => {
    const md = readFileSync(join(REPO_ROOT, 'media/walkthrough/create-config.md'), 'utf8');
    assert.equal(/```json\n([\s\S]*?)```/.exec(md)?.[1], configFileText());
  });
});

describe('CodeLens', () => {
  test('idle: ▶ Train with the config; training: ■ Stop and the progress; stopping', () => {
    assert.deepEqual(
      lensItems({ running: false, progress: undefined }).map((l) => [l.title, l.command, l.withConfig]),
      [['▶ Train', 'mnist.train', true]],
    );
    assert.deepEqual(
      lensItems({ running: true, progress: 'Epoch 2/5 · acc 0.9312', state: 'training' }).map((l) => [l.title, l.command]),
      [['■ Stop', 'mnist.stop'], ['Epoch 2/5 · acc 0.9312', '']],
    );
    assert.deepEqual(lensItems({ running: true, progress: undefined }).map((l) => l.title), ['■ Stop', 'Starting…']);
    assert.deepEqual(lensItems({ running: true, progress: 'Epoch 3/5', state: 'stopping' }).map((l) => [l.title, l.command]), [
      ['Stopping after the current batch…', ''],
      ['Epoch 3/5', ''],
    ]);
  });
});

describe('typing debounce', () => {
  test('a new change for the same document replaces the waiting one; other documents keep theirs', async () => {
    const d = new KeyedDebouncer<string>(5);
    const ran: string[] = [];
    const done = new Promise<void>((resolveDone) => {
      d.schedule('a', () => ran.push('a1'));
      d.schedule('b', () => ran.push('b1'));
      d.schedule('a', () => {
        ran.push('a2');
        resolveDone();
      });
    });
    await done;
    await new Promise<void>((r) => d.schedule('c', r));
    assert.deepEqual(ran, ['b1', 'a2']);
    d.schedule('x', () => ran.push('x'));
    d.cancel('x');
    d.schedule('y', () => ran.push('y'));
    d.dispose();
    assert.equal(d.pending, 0);
  });
});

describe('walkthrough', () => {
  test("package.json's steps point at existing markdown and at contributed commands", (t) => {
    const manifest = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8'));
    const walkthroughs = manifest.contributes?.walkthroughs as
      | { steps: { id: string; description: string; media: { markdown?: string }; completionEvents?: string[] }[] }[]
      | undefined;
    if (!walkthroughs) {
      t.skip('package.json has no contributes.walkthroughs yet');
      return;
    }
    const commands = new Set((manifest.contributes.commands as { command: string }[]).map((c) => c.command));
    const views = new Set(Object.values(manifest.contributes.views ?? {}).flatMap((v) => (v as { id: string }[]).map((x) => x.id)));
    const known = (id: string) => commands.has(id) || (id.endsWith('.focus') && views.has(id.slice(0, -'.focus'.length)));
    for (const step of walkthroughs.flatMap((w) => w.steps)) {
      assert.ok(step.media.markdown && existsSync(join(REPO_ROOT, step.media.markdown)), `${step.id}: ${step.media.markdown}`);
      for (const [, id] of step.description.matchAll(/\(command:([\w.]+)\)/g)) assert.ok(known(id), `${step.id}: command ${id}`);
      for (const event of step.completionEvents ?? []) {
        const [kind, id] = event.split(/:(.*)/s);
        if (kind === 'onCommand') assert.ok(commands.has(id), `${step.id}: ${event}`);
        if (kind === 'onView') assert.ok(views.has(id), `${step.id}: ${event}`);
      }
    }
  });
});
