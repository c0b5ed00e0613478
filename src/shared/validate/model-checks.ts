// What the schema cannot say: layer order, shapes, the output layer, sizes that cannot train. Pure.
import schema from '../../../media/mnist.config.schema.json';
import { checkTrainingOptions } from '../validate-options';
import { BACKENDS, DATASETS, type DatasetName, formatPath, IMAGE_SHAPE, type LayerConfig, LOSSES, type MnistConfig, NUM_CLASSES, OPTIMIZERS } from '../config';
import { type ConfigIssue, type IssueCode, type JsonPath, type Shape } from './issues';
import { type FieldSchema, enumMessage, isRecord, lastKey, numberProblem, show } from './schema-words';

// ---------------------------------------------------------------- semantic checks

const FIELDS = {
  validationSplit: schema.properties.data.properties.validationSplit,
  epochs: schema.properties.training.properties.epochs,
  batchSize: schema.properties.training.properties.batchSize,
  learningRate: schema.properties.training.properties.learningRate,
  seed: schema.properties.training.properties.seed,
  units: schema.definitions.dense.properties.units,
  rate: schema.definitions.dropout.properties.rate,
  filters: schema.definitions.conv2d.properties.filters,
  kernelSize: schema.definitions.conv2d.properties.kernelSize,
  strides: schema.definitions.conv2d.properties.strides,
  poolSize: schema.definitions.maxPooling2d.properties.poolSize,
} satisfies Record<string, FieldSchema>;

/** Beyond this the weights alone need over 400 MB (more with Adam's state): the trainer would stall, not learn. */
const MAX_PARAMETERS = 100_000_000;

/**
 * The checks a schema cannot express, on a resolved config: the layer stack against 28×28×1 input
 * and the 10-class categoricalCrossentropy output, plus the ranges again for configs that did not
 * come through validateConfig (a run's config.json, an IPC message).
 */
export function checkModel(config: MnistConfig): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  // A config that came over IPC or from a run folder may be anything.
  if (!isRecord(config)) return [{ path: [], severity: 'error', code: 'schema', message: `the config must be an object { … }, not ${show(config)}` }];
  const error = (path: JsonPath, code: IssueCode, message: string) => issues.push({ path, severity: 'error', code, message });
  const enumCheck = (path: JsonPath, value: unknown, allowed: readonly string[]) => {
    if (!allowed.includes(value as string)) error(path, 'unknown-value', enumMessage(path, value, allowed));
  };
  const numberCheck = (path: JsonPath, value: unknown, s: FieldSchema) => {
    const problem = numberProblem(value, s, lastKey(path));
    if (problem) error(path, 'out-of-range', problem);
    return !problem;
  };

  enumCheck(['dataset'], config.dataset, DATASETS);
  enumCheck(['backend'], config.backend, BACKENDS);
  const splitOk = numberCheck(['data', 'validationSplit'], config.data?.validationSplit, FIELDS.validationSplit);
  numberCheck(['training', 'epochs'], config.training?.epochs, FIELDS.epochs);
  const batchOk = numberCheck(['training', 'batchSize'], config.training?.batchSize, FIELDS.batchSize);
  numberCheck(['training', 'learningRate'], config.training?.learningRate, FIELDS.learningRate);
  enumCheck(['training', 'optimizer'], config.training?.optimizer, OPTIMIZERS);
  enumCheck(['training', 'loss'], config.training?.loss, LOSSES);
  if (splitOk && batchOk) issues.push(...checkBatchSize(config));
  issues.push(...checkTrainingOptions(config, numberProblem, enumMessage));

  const layers: readonly LayerConfig[] = Array.isArray(config.model?.layers) ? config.model.layers : [];
  if (layers.length === 0) {
    error(
      ['model', 'layers'],
      'no-layers',
      'the model has no layers; add some, ending with { "type": "dense", "units": 10, "activation": "softmax" }, or remove "layers" to train the tutorial\'s model',
    );
    return issues;
  }
  const walk = walkModel(layers);
  issues.push(...walk.issues);
  issues.push(...checkOutputLayer(layers, config.training?.loss ?? 'categoricalCrossentropy'));
  if (walk.parameters > MAX_PARAMETERS) {
    const gb = (walk.parameters * 4) / 1e9;
    error(
      ['model', 'layers'],
      'too-many-parameters',
      `the model would have ${walk.parameters.toLocaleString('en-US')} parameters (about ${gb >= 1 ? `${gb.toFixed(1)} GB` : `${Math.round(gb * 1000)} MB`} of weights), too many to train; use fewer units or filters (the tutorial's model has 109,386)`,
    );
  } else if (walk.issues.length === 0 && splitOk && batchOk) {
    issues.push(...checkActivationMemory(config, walk.shapes));
  }
  return issues;
}

/**
 * The most memory one step may take for the layers' outputs: all the wasm backend can address (wasm32),
 * and more than most laptops spare. Beyond it a run would stall or die out of memory after the data
 * was loaded; refused here, before any tensor exists.
 */
export const MAX_ACTIVATION_BYTES = 4 * 1024 ** 3;
/** Images per prediction step in the trainer's evaluation (train.ts predictProbabilities). */
const PREDICT_BATCH = 500;
/** A training step holds each layer's output, its gradient and about one temporary of the same size. */
const TRAINING_COPIES = 3;

function checkActivationMemory(config: MnistConfig, shapes: readonly (Shape | null)[]): ConfigIssue[] {
  const perImage = [[...IMAGE_SHAPE], ...shapes].reduce((sum, s) => sum + (s ? product(s) : 0), 0);
  const size = trainingSetSize(config);
  const batch = size === null ? config.training.batchSize : Math.min(config.training.batchSize, Math.max(size, 1));
  const bytes = 4 * perImage * Math.max(batch * TRAINING_COPIES, PREDICT_BATCH);
  if (bytes <= MAX_ACTIVATION_BYTES) return [];
  const widest = shapes.reduce<number>((best, s, i) => (s && product(s) > product(shapes[best] ?? [0]) ? i : best), 0);
  const maxBatch = Math.floor(MAX_ACTIVATION_BYTES / (4 * perImage * TRAINING_COPIES));
  const where = `${fmt(perImage)} values per image; the largest, ${formatShape(shapes[widest] ?? [0])}, at ${formatPath(['model', 'layers', widest])}`;
  const limit = `more than the ${formatBytes(MAX_ACTIVATION_BYTES)} a run may use`;
  if (maxBatch * TRAINING_COPIES >= PREDICT_BATCH) {
    return [
      {
        path: ['training', 'batchSize'],
        severity: 'error',
        code: 'too-much-memory',
        message: `one training step on ${fmt(batch)} images would need about ${formatBytes(bytes)} for the layers' outputs (${where}), ${limit}; use a batchSize of at most ${fmt(maxBatch)}, or fewer units or filters`,
      },
    ];
  }
  return [
    {
      path: ['model', 'layers', widest],
      severity: 'error',
      code: 'too-much-memory',
      message: `this model's layer outputs are too large even for small batches: predicting the test set ${PREDICT_BATCH} images at a time would need about ${formatBytes(4 * perImage * PREDICT_BATCH)} (${where}), ${limit}; use fewer units or filters, or pool before this layer`,
    },
  ];
}

function formatBytes(bytes: number): string {
  return bytes >= 1024 ** 3 ? `${(bytes / 1024 ** 3).toFixed(1)} GB` : `${Math.round(bytes / 1024 ** 2)} MB`;
}

/** Training images before the validation split; mnist-sample keeps the last 2,000 of its 10,000 as the test set. */
const TRAINING_IMAGES: Readonly<Record<DatasetName, number>> = { mnist: 60_000, 'fashion-mnist': 60_000, 'mnist-sample': 8_000 };

/**
 * The images left to fit on after the validation split, as the trainer splits them (the first
 * ⌊n × (1 − validationSplit)⌋); null when unknown: a data.dir folder, or an unknown dataset.
 */
export function trainingSetSize(config: Pick<MnistConfig, 'dataset' | 'data'>): number | null {
  const split = config.data?.validationSplit;
  if ((config.data?.dir ?? null) !== null || typeof split !== 'number') return null;
  const total = (TRAINING_IMAGES as Record<string, number | undefined>)[config.dataset];
  return total === undefined ? null : Math.floor(total * (1 - split));
}

// A warning, not an error: fit takes one batch of every image, so it trains, one step per epoch.
function checkBatchSize(config: MnistConfig): ConfigIssue[] {
  const size = trainingSetSize(config);
  const batchSize = config.training.batchSize;
  if (size === null || batchSize <= size) return [];
  const total = TRAINING_IMAGES[config.dataset];
  return [
    {
      path: ['training', 'batchSize'],
      severity: 'warning',
      code: 'batch-size-over-training-set',
      message: `batchSize ${batchSize} is larger than the training set: ${config.dataset} has ${fmt(size)} training images (${fmt(total)} × (1 − ${config.data.validationSplit}) after the validation split), so each epoch would be a single step; use at most ${fmt(size)} (the tutorial uses 32)`,
    },
  ];
}

function fmt(n: number): string {
  return n.toLocaleString('en-US');
}

/** What a look into a data.dir folder found; `dir` is the folder looked at, resolved. */
export type DataDirFinding = { dir: string; missing: string[] } | { dir: string; error: string };
/** Looks into the folder a config's data.dir names (relative to the config file's folder). Injected: this module has no file system. */
export type DataDirProbe = (dir: string) => Promise<DataDirFinding>;

const DATA_DIR_HINT =
  'point data.dir at a folder holding train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz and t10k-labels-idx1-ubyte.gz (gzip or not), or set it to null to download the dataset';

/** data.dir must name a folder holding the four IDX files; the trainer's words for what is wrong. */
export async function checkDataDir(dir: unknown, probe: DataDirProbe): Promise<ConfigIssue[]> {
  if (typeof dir !== 'string' || dir.trim() === '') return [];
  const found = await probe(dir);
  const issue = (message: string): ConfigIssue[] => [{ path: ['data', 'dir'], severity: 'error', code: 'data-dir', message: `${message}; ${DATA_DIR_HINT}` }];
  if ('error' in found) return issue(found.error);
  if (found.missing.length > 0) return issue(`data.dir ${found.dir} lacks ${found.missing.join(', ')} (the .gz suffix is optional)`);
  return [];
}

function checkOutputLayer(layers: readonly LayerConfig[], loss: string): ConfigIssue[] {
  const i = layers.length - 1;
  const last: unknown = layers[i];
  const at = (...rest: JsonPath): JsonPath => ['model', 'layers', i, ...rest];
  const output = `{ "type": "dense", "units": ${NUM_CLASSES}, "activation": "softmax" }`;
  if (!isRecord(last) || last.type !== 'dense') {
    const what = isRecord(last) && typeof last.type === 'string' ? `a ${last.type} layer` : 'not a layer';
    return [
      {
        path: at(),
        severity: 'error',
        code: 'output-not-dense',
        message: `the last layer must be a dense layer with ${NUM_CLASSES} units (one per class) and softmax for ${loss}, but this is ${what}; add ${output} at the end`,
      },
    ];
  }
  const issues: ConfigIssue[] = [];
  if (last.units !== NUM_CLASSES) {
    issues.push({
      path: at('units'),
      severity: 'error',
      code: 'output-units',
      message: `the last layer must have ${NUM_CLASSES} units (one per class) for ${loss}; set "units": ${NUM_CLASSES}`,
    });
  }
  if (last.activation !== 'softmax') {
    const now = last.activation === undefined ? ' (none given means "linear")' : `, not ${show(last.activation)}`;
    issues.push({
      path: at('activation'),
      severity: 'error',
      code: 'output-activation',
      message: `the last layer's activation must be "softmax" for ${loss}${now}: it turns the ${NUM_CLASSES} outputs into class probabilities; set "activation": "softmax"`,
    });
  }
  return issues;
}

/**
 * Each layer's output shape from a 28×28×1 image, as tfjs would compute it (dense on an image acts
 * on the last axis, as in Keras). A layer that cannot take its input gets null, and the next layer
 * sees the last good shape, as if that layer were removed: one mistake, one message.
 */
export function inferShapes(layers: readonly LayerConfig[]): (Shape | null)[] {
  return walkModel(layers).shapes;
}

interface ModelWalk {
  shapes: (Shape | null)[];
  issues: ConfigIssue[];
  parameters: number;
}

function walkModel(layers: readonly LayerConfig[]): ModelWalk {
  const shapes: (Shape | null)[] = [];
  const issues: ConfigIssue[] = [];
  let parameters = 0;
  let shape: Shape = [...IMAGE_SHAPE];
  let flattenedAt: number | null = null;
  let denseOnImageReported = false;

  layers.forEach((layer, i) => {
    const at = (...rest: JsonPath): JsonPath => ['model', 'layers', i, ...rest];
    const error = (code: IssueCode, message: string, path: JsonPath = at()) => issues.push({ path, severity: 'error', code, message });
    const field = (name: keyof typeof FIELDS, fallback?: number): number | null => {
      const value = (layer as unknown as Record<string, unknown>)[name] ?? fallback;
      const problem = numberProblem(value, FIELDS[name], name);
      if (problem) error('out-of-range', problem, at(name));
      return problem ? null : (value as number);
    };
    const input = shape;
    const flatSince = flattenedAt === null ? '' : `, since the flatten at ${formatPath(['model', 'layers', flattenedAt])}`;
    let output: Shape | null = null;

    switch (layer?.type) {
      case 'flatten':
        if (input.length === 1) {
          error('flatten-twice', `the data is already flat (${formatShape(input)}${flatSince}); remove this flatten`);
        } else {
          output = [product(input)];
          flattenedAt = i;
        }
        break;
      case 'dense': {
        const units = field('units');
        if (input.length > 1 && !denseOnImageReported) {
          denseOnImageReported = true;
          error(
            'dense-on-image',
            `a dense layer needs flat input, but here the data is still a ${formatShape(input)} image; add { "type": "flatten" } before it (Flatten turns ${formatShape(input)} into ${product(input)} values)`,
          );
        }
        if (units !== null) {
          output = [...input.slice(0, -1), units];
          parameters += input[input.length - 1] * units + units;
        }
        break;
      }
      case 'dropout':
        if (field('rate') !== null) output = input;
        break;
      case 'batchNormalization':
        output = input;
        parameters += 4 * input[input.length - 1];
        break;
      case 'conv2d':
      case 'maxPooling2d': {
        const conv = layer.type === 'conv2d';
        const window = conv ? field('kernelSize') : field('poolSize', 2);
        const strides = field('strides', conv ? 1 : window ?? 2);
        const filters = conv ? field('filters') : input[input.length - 1];
        const padding = conv ? (layer.padding ?? 'valid') : 'valid';
        if (window === null || strides === null || filters === null) break;
        if (input.length !== 3) {
          error(
            'image-layer-on-flat',
            `a ${layer.type} layer needs an image (height×width×channels), but here the data is already flat (${formatShape(input)}${flatSince}); move this layer before the flatten`,
          );
          break;
        }
        const [h, w, channels] = input;
        const side = (n: number) => (padding === 'same' ? Math.ceil(n / strides) : Math.floor((n - window) / strides) + 1);
        const would: Shape = [side(h), side(w), filters];
        if (would[0] <= 0 || would[1] <= 0) {
          const setting = conv ? `kernelSize ${window}` : `poolSize ${window}`;
          const advice = conv
            ? 'use a smaller kernelSize, "padding": "same", or fewer pooling layers before it'
            : 'remove it, use a smaller poolSize, or pool less before it';
          error('image-too-small', `this ${layer.type} would shrink the image to ${formatShape(would)} (its input is ${formatShape(input)}, ${setting}${strides !== (conv ? 1 : window) ? `, strides ${strides}` : ''}); ${advice}`);
          break;
        }
        output = would;
        if (conv) parameters += window * window * channels * filters + filters;
        break;
      }
      default: {
        const type = (layer as { type?: unknown } | undefined)?.type;
        error('unknown-value', enumMessage(at('type'), type, ['flatten', 'dense', 'dropout', 'conv2d', 'maxPooling2d', 'batchNormalization']), at('type'));
      }
    }
    shapes.push(output);
    if (output) shape = output;
  });
  return { shapes, issues, parameters };
}

function product(shape: Shape): number {
  return shape.reduce((a, b) => a * b, 1);
}

function formatShape(shape: Shape): string {
  return shape.length === 1 ? `${shape[0]} values` : shape.join('×');
}
