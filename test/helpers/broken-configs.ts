// A seeded generator of broken mnist.config.json files, for the bad-config tests: each case is a
// text a user could write (or paste, or point at by mistake) and what its message must name.
import { Mulberry32 } from '../../src/shared/prng';

export interface BrokenConfig {
  /** Family and what was broken, e.g. "wrong type: training.epochs = \"five\"". */
  name: string;
  family: Family;
  text: string;
  /**
   * What the first error must point at: a JSON path as formatPath writes it ("training.epochs",
   * "model.layers[2]"), matched as a prefix of the path; or 'position' for text that is not
   * a readable config at all (the message then names line and column).
   */
  names: string | 'position';
}

export type Family =
  | 'wrong-type'
  | 'unknown-key'
  | 'missing-field'
  | 'out-of-range'
  | 'impossible-stack'
  | 'huge-value'
  | 'invalid-json'
  | 'not-an-object'
  | 'jsonc'
  | 'size-and-depth';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Obj = { [k: string]: Json };

const TUTORIAL: Obj = {
  dataset: 'mnist-sample',
  data: { dir: null, validationSplit: 0.2 },
  model: {
    layers: [
      { type: 'flatten' },
      { type: 'dense', units: 128, activation: 'relu' },
      { type: 'dense', units: 64, activation: 'relu' },
      { type: 'dense', units: 10, activation: 'softmax' },
    ],
  },
  training: { epochs: 5, batchSize: 32, optimizer: 'adam', learningRate: 0.001, loss: 'categoricalCrossentropy', seed: 42, shuffle: true },
  backend: 'auto',
};

const CNN: Json[] = [
  { type: 'conv2d', filters: 32, kernelSize: 3, activation: 'relu' },
  { type: 'maxPooling2d', poolSize: 2 },
  { type: 'conv2d', filters: 64, kernelSize: 3, activation: 'relu' },
  { type: 'maxPooling2d', poolSize: 2 },
  { type: 'flatten' },
  { type: 'dropout', rate: 0.5 },
  { type: 'dense', units: 10, activation: 'softmax' },
];

type Path = (string | number)[];

function pathText(path: Path): string {
  let s = '';
  for (const p of path) s += typeof p === 'number' ? `[${p}]` : s ? `.${p}` : p;
  return s;
}

function clone<T>(v: T): T {
  return JSON.parse(JSON.stringify(v)) as T;
}

/** Sets `value` at `path`, creating objects on the way. */
function setAt(root: Obj, path: Path, value: Json): Obj {
  let node: Json = root;
  for (let i = 0; i < path.length - 1; i++) {
    const key = path[i];
    const container = node as Record<string | number, Json>;
    if (container[key] === undefined || container[key] === null || typeof container[key] !== 'object') container[key] = {};
    node = container[key];
  }
  (node as Record<string | number, Json>)[path[path.length - 1]] = value;
  return root;
}

function deleteAt(root: Obj, path: Path): Obj {
  let node: Json = root;
  for (const key of path.slice(0, -1)) node = (node as Record<string | number, Json>)[key];
  delete (node as Record<string | number, Json>)[path[path.length - 1]];
  return root;
}

class Rng {
  private readonly r: Mulberry32;
  constructor(seed: number) {
    this.r = new Mulberry32(seed);
  }
  int(n: number): number {
    return Math.floor(this.r.next() * n);
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }
  /** Pretty, compact or tab-indented, sometimes with CRLF: positions must hold in all of them. */
  format(value: Json): string {
    const style = this.int(4);
    const text = style === 0 ? JSON.stringify(value) : JSON.stringify(value, null, style === 1 ? 2 : style === 2 ? '\t' : 4);
    return this.int(5) === 0 ? text.replace(/\n/g, '\r\n') : text;
  }
}

/** A numeric or text field, a value of the wrong type for it, and a config with it set. */
const TYPED_FIELDS: { path: Path; wrong: Json[]; base?: () => Obj }[] = [
  { path: ['training', 'epochs'], wrong: ['five', '5', true, null, [5], { n: 5 }] },
  { path: ['training', 'batchSize'], wrong: ['32', false, null, [], {}] },
  { path: ['training', 'learningRate'], wrong: ['0.001', true, null, [0.001]] },
  { path: ['training', 'seed'], wrong: ['42', true, [42], { seed: 42 }] },
  { path: ['training', 'shuffle'], wrong: ['true', 1, 0, null, 'yes'] },
  { path: ['training', 'optimizer'], wrong: [1, true, null, ['adam']] },
  { path: ['dataset'], wrong: [1, true, null, ['mnist'], { name: 'mnist' }] },
  { path: ['backend'], wrong: [0, false, null, ['wasm']] },
  { path: ['data'], wrong: ['data', 1, true, [null, 0.2]] },
  { path: ['data', 'validationSplit'], wrong: ['0.2', null, true, [0.2]] },
  { path: ['data', 'dir'], wrong: [1, true, ['data'], { path: 'data' }] },
  { path: ['data', 'augment'], wrong: [true, 'on', 1, [10]] },
  { path: ['model'], wrong: ['cnn', 1, [], null] },
  { path: ['model', 'layers'], wrong: ['flatten', 4, true, { type: 'flatten' }] },
  { path: ['model', 'layers', 1, 'units'], wrong: ['128', true, null, [128]] },
  { path: ['model', 'layers', 1, 'activation'], wrong: [1, true, ['relu']] },
  { path: ['training'], wrong: ['fast', 5, true, [5]] },
  { path: ['training', 'earlyStopping'], wrong: [true, 3, 'valLoss'] },
  { path: ['training', 'lrSchedule'], wrong: ['cosine', 1, true, null] },
  { path: ['training', 'lrSchedule', 'type'], wrong: ['linear', 1, null] },
];

const KNOWN_TYPOS: { at: Path; key: string }[] = [
  { at: ['training'], key: 'epoch' },
  { at: ['training'], key: 'batch_size' },
  { at: ['training'], key: 'learning_rate' },
  { at: ['training'], key: 'lr' },
  { at: ['training'], key: 'optimiser' },
  { at: ['data'], key: 'validation_split' },
  { at: ['data'], key: 'directory' },
  { at: [], key: 'epochs' },
  { at: [], key: 'datset' },
  { at: [], key: 'layers' },
  { at: ['model'], key: 'layer' },
  { at: ['model'], key: 'presets' },
  { at: ['model', 'layers', 1], key: 'unit' },
  { at: ['model', 'layers', 1], key: 'kernel_size' },
  { at: ['model', 'layers', 0], key: 'inputShape' },
];

const RANGES: { path: Path; bad: number[]; base?: () => Obj }[] = [
  { path: ['training', 'epochs'], bad: [0, -1, 2.5, 10001, 1e6] },
  { path: ['training', 'batchSize'], bad: [0, -32, 0.5, 65537] },
  { path: ['training', 'learningRate'], bad: [0, -0.001] },
  { path: ['training', 'seed'], bad: [-1, 1.5, 4294967296] },
  { path: ['data', 'validationSplit'], bad: [0, 1, -0.2, 1.5] },
  { path: ['model', 'layers', 1, 'units'], bad: [0, -128, 1.5, 65537] },
  { path: ['model', 'layers', 2, 'rate'], bad: [-0.1, 1, 1.5], base: () => withLayers([{ type: 'flatten' }, { type: 'dense', units: 64, activation: 'relu' }, { type: 'dropout', rate: 0.2 }, { type: 'dense', units: 10, activation: 'softmax' }]) },
  { path: ['model', 'layers', 0, 'filters'], bad: [0, 4097, 2.5], base: () => withLayers(CNN) },
  { path: ['model', 'layers', 0, 'kernelSize'], bad: [0, 29, -3], base: () => withLayers(CNN) },
  { path: ['model', 'layers', 1, 'poolSize'], bad: [0, 29], base: () => withLayers(CNN) },
  { path: ['data', 'augment', 'rotation'], bad: [-1, 181] },
  { path: ['data', 'augment', 'zoom'], bad: [1, -0.5] },
  { path: ['training', 'earlyStopping', 'patience'], bad: [-1, 10001, 1.5] },
  { path: ['training', 'reduceLrOnPlateau', 'factor'], bad: [0, 1, 2] },
  { path: ['training', 'lrSchedule', 'gamma'], bad: [0, 1.5] },
];

function withLayers(layers: Json[]): Obj {
  const c = clone(TUTORIAL);
  (c.model as Obj).layers = clone(layers);
  return c;
}

/** Layer stacks no model can be built from, and the layer the message must point at. */
const STACKS: { layers: Json[]; at: Path; what: string }[] = [
  { what: 'conv2d after the flatten', layers: [{ type: 'flatten' }, { type: 'conv2d', filters: 8, kernelSize: 3 }, { type: 'dense', units: 10, activation: 'softmax' }], at: ['model', 'layers', 1] },
  { what: 'maxPooling2d after the flatten', layers: [{ type: 'flatten' }, { type: 'maxPooling2d' }, { type: 'dense', units: 10, activation: 'softmax' }], at: ['model', 'layers', 1] },
  { what: 'dense on the image', layers: [{ type: 'dense', units: 128, activation: 'relu' }, { type: 'dense', units: 10, activation: 'softmax' }], at: ['model', 'layers', 0] },
  { what: 'two flattens', layers: [{ type: 'flatten' }, { type: 'flatten' }, { type: 'dense', units: 10, activation: 'softmax' }], at: ['model', 'layers', 1] },
  { what: 'last layer 9 units', layers: [{ type: 'flatten' }, { type: 'dense', units: 9, activation: 'softmax' }], at: ['model', 'layers', 1, 'units'] },
  { what: 'last layer relu', layers: [{ type: 'flatten' }, { type: 'dense', units: 10, activation: 'relu' }], at: ['model', 'layers', 1, 'activation'] },
  { what: 'last layer without activation', layers: [{ type: 'flatten' }, { type: 'dense', units: 10 }], at: ['model', 'layers', 1, 'activation'] },
  { what: 'last layer dropout', layers: [{ type: 'flatten' }, { type: 'dense', units: 10, activation: 'softmax' }, { type: 'dropout', rate: 0.2 }], at: ['model', 'layers', 2] },
  { what: 'last layer flatten', layers: [{ type: 'flatten' }], at: ['model', 'layers', 0] },
  { what: 'no layers', layers: [], at: ['model', 'layers'] },
  { what: 'kernel larger than the image', layers: [{ type: 'conv2d', filters: 8, kernelSize: 28 }, { type: 'conv2d', filters: 8, kernelSize: 3 }, { type: 'flatten' }, { type: 'dense', units: 10, activation: 'softmax' }], at: ['model', 'layers', 1] },
  { what: 'pooling to nothing', layers: [{ type: 'maxPooling2d', poolSize: 16 }, { type: 'maxPooling2d', poolSize: 2 }, { type: 'flatten' }, { type: 'dense', units: 10, activation: 'softmax' }], at: ['model', 'layers', 1] },
  { what: 'conv stack shrinking to nothing', layers: [...Array.from({ length: 4 }, () => ({ type: 'conv2d', filters: 4, kernelSize: 10 })), { type: 'flatten' }, { type: 'dense', units: 10, activation: 'softmax' }], at: ['model', 'layers', 3] },
  { what: 'strides past the image', layers: [{ type: 'conv2d', filters: 4, kernelSize: 3, strides: 28 }, { type: 'conv2d', filters: 4, kernelSize: 3 }, { type: 'flatten' }, { type: 'dense', units: 10, activation: 'softmax' }], at: ['model', 'layers', 1] },
  { what: 'unknown layer type', layers: [{ type: 'flatten' }, { type: 'lstm', units: 10 }, { type: 'dense', units: 10, activation: 'softmax' }], at: ['model', 'layers', 1] },
  { what: 'a layer that is a string', layers: [{ type: 'flatten' }, 'dense', { type: 'dense', units: 10, activation: 'softmax' }], at: ['model', 'layers', 1] },
  { what: 'a layer that is null', layers: [{ type: 'flatten' }, null, { type: 'dense', units: 10, activation: 'softmax' }], at: ['model', 'layers', 1] },
  { what: '257 layers', layers: [{ type: 'flatten' }, ...Array.from({ length: 255 }, () => ({ type: 'dropout', rate: 0.1 })), { type: 'dense', units: 10, activation: 'softmax' }], at: ['model', 'layers'] },
];

/** Values far beyond any machine, valid JSON all: each refused with the field named, before any tensor. */
const HUGE: { what: string; config: () => Obj; at: Path }[] = [
  { what: '10⁹ epochs', config: () => setAt(clone(TUTORIAL), ['training', 'epochs'], 1e9), at: ['training', 'epochs'] },
  { what: '10⁹ units', config: () => setAt(clone(TUTORIAL), ['model', 'layers', 1, 'units'], 1e9), at: ['model', 'layers', 1, 'units'] },
  { what: '10⁹ batch size', config: () => setAt(clone(TUTORIAL), ['training', 'batchSize'], 1e9), at: ['training', 'batchSize'] },
  { what: '10⁹ filters', config: () => setAt(withLayers(CNN), ['model', 'layers', 0, 'filters'], 1e9), at: ['model', 'layers', 0, 'filters'] },
  { what: '10²⁰ seed', config: () => setAt(clone(TUTORIAL), ['training', 'seed'], 1e20), at: ['training', 'seed'] },
  { what: '1e308 epochs', config: () => setAt(clone(TUTORIAL), ['training', 'epochs'], 1e308), at: ['training', 'epochs'] },
  { what: '10⁹ patience', config: () => setAt(clone(TUTORIAL), ['training', 'earlyStopping'], { patience: 1e9 }), at: ['training', 'earlyStopping', 'patience'] },
  { what: '10⁹ step size', config: () => setAt(clone(TUTORIAL), ['training', 'lrSchedule'], { type: 'step', stepSize: 1e9 }), at: ['training', 'lrSchedule', 'stepSize'] },
  {
    what: 'units at the maximum, twice (4.3 billion weights)',
    config: () => withLayers([{ type: 'flatten' }, { type: 'dense', units: 65536 }, { type: 'dense', units: 65536 }, { type: 'dense', units: 10, activation: 'softmax' }]),
    at: ['model', 'layers'],
  },
  {
    what: '4096 filters of 28×28 twice (parameters)',
    config: () => withLayers([{ type: 'conv2d', filters: 4096, kernelSize: 3, padding: 'same' }, { type: 'conv2d', filters: 4096, kernelSize: 3, padding: 'same' }, { type: 'flatten' }, { type: 'dense', units: 10, activation: 'softmax' }]),
    at: ['model', 'layers'],
  },
  {
    what: '4096 filters kept at 28×28 (activations)',
    config: () => withLayers([{ type: 'conv2d', filters: 4096, kernelSize: 3, padding: 'same' }, { type: 'flatten' }, { type: 'dense', units: 10, activation: 'softmax' }]),
    at: ['model', 'layers', 0],
  },
  { what: 'the cnn on mnist with a batch of 65,536 (activations)', config: () => setAt(setAt(withLayers(CNN), ['training', 'batchSize'], 65536), ['dataset'], 'mnist'), at: ['training', 'batchSize'] },
  {
    what: '1024 filters, batch 4096 (activations)',
    config: () => setAt(withLayers([{ type: 'conv2d', filters: 1024, kernelSize: 3 }, { type: 'maxPooling2d' }, { type: 'flatten' }, { type: 'dense', units: 10, activation: 'softmax' }]), ['training', 'batchSize'], 4096),
    at: ['training', 'batchSize'],
  },
];

/** Text that is not JSON at all: what a hand edit, a paste or a JavaScript habit leaves. */
const TOKENS = ['NaN', 'Infinity', '-Infinity', 'undefined', "'adam'", '0x10', '+1', '.5', '1.', 'True', 'None', '[1,,2]', '{,}', '"\\x41"', '`adam`', '5 epochs'];

function invalidJson(rng: Rng, i: number): BrokenConfig {
  const base = rng.format(TUTORIAL);
  switch (i % 7) {
    case 0: {
      // Cut anywhere before the closing brace: an interrupted save, a partial paste.
      const at = 1 + rng.int(base.length - 2);
      return { family: 'invalid-json', name: `cut after ${at} of ${base.length} characters`, text: base.slice(0, at), names: 'position' };
    }
    case 1: {
      const token = TOKENS[Math.floor(i / 7) % TOKENS.length];
      const field = rng.pick(['"epochs": 5', '"learningRate": 0.001', '"optimizer": "adam"', '"units": 128', '"validationSplit": 0.2']);
      const [key] = field.split(':');
      const text = JSON.stringify(TUTORIAL, null, 2).replace(field, `${key}: ${token}`);
      return { family: 'invalid-json', name: `${key}: ${token}`, text, names: 'position' };
    }
    case 2: {
      // A missing comma between two fields.
      const commas = [...base.matchAll(/,/g)].map((m) => m.index ?? 0);
      const at = rng.pick(commas);
      return { family: 'invalid-json', name: `comma ${at} removed`, text: base.slice(0, at) + base.slice(at + 1), names: 'position' };
    }
    case 3: {
      const quotes = [...base.matchAll(/"(\w+)":/g)].map((m) => m.index ?? 0);
      const at = rng.pick(quotes);
      const text = base.slice(0, at) + base.slice(at + 1).replace('"', '');
      return { family: 'invalid-json', name: `field name unquoted at ${at}`, text, names: 'position' };
    }
    case 4: {
      const text = base.replace('"adam"', rng.pick(['"adam', "'adam'", '"ad\nam"', '"\\q"', '"\\u12"']));
      return { family: 'invalid-json', name: 'broken text value', text, names: 'position' };
    }
    case 5: {
      const text = rng.pick(['/* unclosed comment\n', '{} {}', '{"a": 1}}', '}', ']', '{"dataset": "mnist"', '{"dataset" "mnist"}', '{"dataset": }', '{"dataset":: "mnist"}', ':', '"', '{"training": {"epochs": 5}']) + (rng.int(2) ? '\n' : '');
      return { family: 'invalid-json', name: `fragment ${JSON.stringify(text.trim())}`, text, names: 'position' };
    }
    default: {
      // Junk before or after the object: a shell redirect, a stray paste.
      const junk = rng.pick(['mnist-train: command not found\n', 'export default ', '<?xml version="1.0"?>', 'module.exports = ', '\x00\x01\x02']);
      const text = rng.int(2) ? junk + base : base + '\n' + junk;
      return { family: 'invalid-json', name: `junk ${JSON.stringify(junk.slice(0, 20))}`, text, names: 'position' };
    }
  }
}

/**
 * At least `count` broken configs, deterministic for a seed: the families in turn, each drawing
 * its variant from the seeded generator, then the fixed cases (empty, BOM, sizes, depth).
 */
export function brokenConfigs(seed = 10, count = 240): BrokenConfig[] {
  const rng = new Rng(seed);
  const cases: BrokenConfig[] = [...fixedCases(rng)];
  const families: ((i: number) => BrokenConfig)[] = [
    (i) => {
      const f = TYPED_FIELDS[i % TYPED_FIELDS.length];
      const value = rng.pick(f.wrong);
      const config = setAt(clone(TUTORIAL), f.path, value);
      return { family: 'wrong-type', name: `${pathText(f.path)} = ${JSON.stringify(value)}`, text: rng.format(config), names: pathText(f.path) };
    },
    (i) => {
      const typo = i % 3 === 0 ? undefined : KNOWN_TYPOS[i % KNOWN_TYPOS.length];
      const at = typo?.at ?? rng.pick<Path>([[], ['training'], ['data'], ['model'], ['model', 'layers', 2]]);
      const key = typo?.key ?? `x${rng.int(1e6).toString(36)}`;
      const config = setAt(clone(TUTORIAL), [...at, key], rng.pick([1, 'x', true, null, [], {}]));
      return { family: 'unknown-key', name: `${pathText([...at, key])}`, text: rng.format(config), names: pathText([...at, key]) };
    },
    (i) => {
      const variants: { layers: Json[]; drop: Path; what: string }[] = [
        { layers: clone(TUTORIAL.model as Obj).layers as Json[], drop: [1, 'units'], what: 'dense without units' },
        { layers: clone(TUTORIAL.model as Obj).layers as Json[], drop: [2, 'type'], what: 'layer without type' },
        { layers: clone(CNN), drop: [0, 'filters'], what: 'conv2d without filters' },
        { layers: clone(CNN), drop: [2, 'kernelSize'], what: 'conv2d without kernelSize' },
        { layers: clone(CNN), drop: [5, 'rate'], what: 'dropout without rate' },
      ];
      const v = variants[i % variants.length];
      const config = withLayers(v.layers);
      deleteAt(config, ['model', 'layers', ...v.drop]);
      return { family: 'missing-field', name: v.what, text: rng.format(config), names: pathText(['model', 'layers', ...v.drop]) };
    },
    (i) => {
      const r = RANGES[i % RANGES.length];
      const value = rng.pick(r.bad);
      const config = setAt(r.base ? r.base() : clone(TUTORIAL), r.path, value);
      return { family: 'out-of-range', name: `${pathText(r.path)} = ${value}`, text: rng.format(config), names: pathText(r.path) };
    },
    (i) => {
      const s = STACKS[i % STACKS.length];
      return { family: 'impossible-stack', name: s.what, text: rng.format(withLayers(s.layers)), names: pathText(s.at) };
    },
    (i) => {
      const h = HUGE[i % HUGE.length];
      return { family: 'huge-value', name: h.what, text: rng.format(h.config()), names: pathText(h.at) };
    },
    (i) => invalidJson(rng, i),
  ];
  for (let i = 0; cases.length < count; i++) cases.push(families[i % families.length](Math.floor(i / families.length)));
  return cases;
}

function fixedCases(rng: Rng): BrokenConfig[] {
  const pretty = JSON.stringify(TUTORIAL, null, 2);
  const badEpochs = pretty.replace('"epochs": 5', '"epochs": "five"');
  const big = (filler: string) => `{\n  "dataset": "mnist-sample",\n  "notes": "${filler}"\n}\n`;
  const cases: BrokenConfig[] = [
    { family: 'not-an-object', name: 'empty file', text: '', names: 'position' },
    { family: 'not-an-object', name: 'only whitespace', text: ' \n\t\r\n ', names: 'position' },
    { family: 'not-an-object', name: 'only comments', text: '// my config\n/* later */\n', names: 'position' },
    { family: 'not-an-object', name: 'only a BOM', text: '\uFEFF', names: 'position' },
    { family: 'not-an-object', name: 'a list', text: '[]', names: '(config)' },
    { family: 'not-an-object', name: 'a list of configs', text: `[${pretty}]`, names: '(config)' },
    { family: 'not-an-object', name: 'null', text: 'null', names: '(config)' },
    { family: 'not-an-object', name: 'a number', text: '42', names: '(config)' },
    { family: 'not-an-object', name: 'a string', text: '"mnist"', names: '(config)' },
    { family: 'not-an-object', name: 'true', text: 'true', names: '(config)' },
    { family: 'jsonc', name: 'BOM, then a wrong type', text: '\uFEFF' + badEpochs, names: 'training.epochs' },
    { family: 'jsonc', name: 'BOM, then invalid JSON', text: '\uFEFF{"dataset": mnist}', names: 'position' },
    { family: 'jsonc', name: 'comments around a wrong type', text: `// tutorial\n${badEpochs.replace('"training": {', '"training": { /* fit */')}\n// end`, names: 'training.epochs' },
    { family: 'jsonc', name: 'trailing commas and an unknown field', text: '{\n  "dataset": "mnist-sample",\n  "trainig": { "epochs": 5, },\n}\n', names: 'trainig' },
    { family: 'jsonc', name: 'CRLF, tabs and a bad layer', text: '{\r\n\t"model": {\r\n\t\t"layers": [\r\n\t\t\t{ "type": "flatten" },\r\n\t\t\t{ "type": "dense", "units": 7, "activation": "softmax" }\r\n\t\t]\r\n\t}\r\n}\r\n', names: 'model.layers[1].units' },
    { family: 'jsonc', name: 'a duplicated field, the second wrong', text: '{ "training": { "epochs": 5, "epochs": -5 } }', names: 'training.epochs' },
    { family: 'jsonc', name: 'unicode escapes spelling an unknown dataset', text: '{ "dataset": "\\u006dnist-\\u0032" }', names: 'dataset' },
    { family: 'jsonc', name: 'a NUL inside a value', text: '{ "dataset": "mnist\\u0000" }', names: 'dataset' },
    { family: 'jsonc', name: 'a field named __proto__', text: '{ "__proto__": { "dataset": "mnist" } }', names: '__proto__' },
    { family: 'jsonc', name: 'a field named constructor', text: '{ "training": { "constructor": 1 } }', names: 'training.constructor' },
    { family: 'jsonc', name: '1e999 (Infinity) as the learning rate', text: '{ "training": { "learningRate": 1e999 } }', names: 'training.learningRate' },
    { family: 'jsonc', name: '-1e999 as the minimum delta', text: '{ "training": { "earlyStopping": { "minDelta": -1e999 } } }', names: 'training.earlyStopping.minDelta' },
    { family: 'jsonc', name: '1e999 epochs', text: '{ "training": { "epochs": 1e999 } }', names: 'training.epochs' },
    { family: 'size-and-depth', name: 'a 10 MB file: one long text value', text: big('x'.repeat(10 * 1024 * 1024)), names: 'position' },
    { family: 'size-and-depth', name: 'a 10 MB file: whitespace', text: '{' + ' \n'.repeat(5 * 1024 * 1024) + '"dataset": 1}', names: 'position' },
    { family: 'size-and-depth', name: 'a 10 MB file: 400,000 layers', text: `{"model":{"layers":[${Array(400_000).fill('{"type":"flatten"}').join(',')}]}}`, names: 'position' },
    { family: 'size-and-depth', name: 'a 10 MB file: 600,000 unknown fields', text: `{${Array.from({ length: 600_000 }, (_, i) => `"k${i}":1`).join(',')}}`, names: 'position' },
    { family: 'size-and-depth', name: 'just under the size limit: 200 KB of unknown fields', text: `{${Array.from({ length: 20_000 }, (_, i) => `"k${i}":1`).join(',')}}`, names: 'k0' },
    { family: 'size-and-depth', name: 'just under the size limit: 250 KB of whitespace, then a wrong type', text: `{${' '.repeat(250_000)}"dataset": 1}`, names: 'dataset' },
    { family: 'size-and-depth', name: 'just under the size limit: 10,000 layers', text: `{"model":{"layers":[${Array(10_000).fill('{"type":"flatten"}').join(',')}]}}`, names: 'model.layers' },
  ];
  for (const depth of [65, 100, 1000, 100_000]) {
    const open = rng.int(2) ? '[' : '{"a":';
    const close = open === '[' ? ']' : '}';
    cases.push({ family: 'size-and-depth', name: `nested ${depth} levels deep`, text: `{"model":${open.repeat(depth)}${close.repeat(depth)}}`, names: 'position' });
  }
  cases.push({ family: 'size-and-depth', name: 'nested 60 levels deep (parsed, then refused by the schema)', text: `{"model":{"layers":${'['.repeat(58)}${']'.repeat(58)}}}`, names: 'model.layers' });
  return cases;
}
