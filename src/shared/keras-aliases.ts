// The Keras tutorial's spellings of config names and values, and the one step that turns a written
// config into this project's spelling before it is checked. Pure; runs wherever a config is read,
// so the trainer, the CLI and the editor accept the same words. Anything not in the tables is left
// as written, for the validator to refuse with its own message.
import type { ConfigIssue } from './validate/issues';

type JsonPath = (string | number)[];

/** Where in a config a value or a field name may be written the Keras way. */
export type AliasPlace = 'data' | 'training' | 'earlyStopping' | 'reduceLrOnPlateau' | 'layer';

/** Keras field name → this project's, per object the field belongs to. */
export const FIELD_ALIASES: Readonly<Record<AliasPlace, Readonly<Record<string, string>>>> = {
  data: { validation_split: 'validationSplit' },
  training: { batch_size: 'batchSize', learning_rate: 'learningRate', lr: 'learningRate' },
  earlyStopping: { min_delta: 'minDelta', restore_best_weights: 'restoreBestWeights' },
  reduceLrOnPlateau: { min_delta: 'minDelta', min_lr: 'minLr' },
  layer: { kernel_size: 'kernelSize', pool_size: 'poolSize' },
};

/** The fields whose values have Keras spellings. */
export type ValueField = 'monitor' | 'optimizer' | 'loss' | 'layerType';

/** Keras value → this project's, per field. Keras' activation names are already this project's. */
export const VALUE_ALIASES: Readonly<Record<ValueField, Readonly<Record<string, string>>>> = {
  monitor: { val_loss: 'valLoss', val_accuracy: 'valAcc', val_acc: 'valAcc' },
  optimizer: { Adam: 'adam', SGD: 'sgd', RMSprop: 'rmsprop' },
  // Keras' sparse loss takes integer labels, the other one-hot ones; for one softmax output both are
  // -log p(true class), and this trainer one-hot encodes the labels itself.
  loss: {
    categorical_crossentropy: 'categoricalCrossentropy',
    CategoricalCrossentropy: 'categoricalCrossentropy',
    sparse_categorical_crossentropy: 'categoricalCrossentropy',
    SparseCategoricalCrossentropy: 'categoricalCrossentropy',
  },
  layerType: {
    Flatten: 'flatten',
    Dense: 'dense',
    Dropout: 'dropout',
    Conv2D: 'conv2d',
    Convolution2D: 'conv2d',
    MaxPooling2D: 'maxPooling2d',
    MaxPool2D: 'maxPooling2d',
    BatchNormalization: 'batchNormalization',
  },
};

/** Keras values that name something this trainer does not do, with what to write instead. */
export const REFUSED_VALUES: Readonly<Partial<Record<ValueField, Readonly<Record<string, string>>>>> = {
  monitor: {
    loss: 'watches the training loss; early stopping and ReduceLROnPlateau here watch the validation metrics: use "valLoss" (Keras val_loss)',
    accuracy: 'watches the training accuracy; early stopping and ReduceLROnPlateau here watch the validation metrics: use "valAcc" (Keras val_accuracy)',
    acc: 'watches the training accuracy; early stopping and ReduceLROnPlateau here watch the validation metrics: use "valAcc" (Keras val_accuracy)',
  },
};

/** A one-line note for hover text and the README: what the Keras spelling stands for. */
export function kerasNote(kerasName: string, projectName: string): string {
  if (kerasName.startsWith('sparse_') || kerasName.startsWith('Sparse')) {
    return `Keras name for \`${projectName}\` with integer labels: the trainer one-hot encodes the labels, so it trains \`"${projectName}"\`, the same loss`;
  }
  return `Keras name for \`${projectName}\`; this file's own spelling is \`${projectName}\``;
}

export interface KerasNormalised {
  /** The config in this project's spelling; the input is not changed. */
  value: unknown;
  /** Keras words that cannot be taken as written: a field given in both spellings, a training metric as monitor. */
  issues: ConfigIssue[];
  /** A path in `value` back to the path as written (for squiggles and messages on the user's words). */
  writtenPath(path: readonly (string | number)[]): (string | number)[];
}

/** Renames the Keras spellings in a parsed mnist.config.json to this project's. */
export function normaliseKerasNames(config: unknown): KerasNormalised {
  const renamed = new Map<string, string>();
  const issues: ConfigIssue[] = [];
  const writtenPath = (path: readonly (string | number)[]) =>
    path.map((segment, i) => renamed.get(JSON.stringify(path.slice(0, i + 1))) ?? segment);
  if (!isRecord(config)) return { value: config, issues, writtenPath };

  const fields = (value: unknown, place: AliasPlace, at: JsonPath): unknown => {
    if (!isRecord(value)) return value;
    const aliases = FIELD_ALIASES[place];
    const entries: [string, unknown][] = [];
    for (const [key, inner] of Object.entries(value)) {
      const own = Object.hasOwn(aliases, key) ? aliases[key] : undefined;
      if (own === undefined) {
        entries.push([key, inner]);
      } else if (Object.hasOwn(value, own) || entries.some(([k]) => k === own)) {
        issues.push({ path: [...at, key], severity: 'error', code: 'keras-duplicate', message: `"${key}" is the Keras spelling of "${own}", which is also given; keep one of the two` });
      } else {
        entries.push([own, place === 'layer' ? squareWindow(inner, key, [...at, key]) : inner]);
        renamed.set(JSON.stringify([...at, own]), key);
      }
    }
    return Object.fromEntries(entries);
  };
  // Keras writes windows as pairs, kernel_size=(3, 3); this trainer's are square, one number.
  const squareWindow = (value: unknown, key: string, at: JsonPath): unknown => {
    if (!Array.isArray(value) || value.length !== 2 || typeof value[0] !== 'number' || typeof value[1] !== 'number') return value;
    if (value[0] === value[1]) return value[0];
    issues.push({ path: at, severity: 'error', code: 'out-of-range', message: `${key} ${JSON.stringify(value)} is not square; this trainer's windows are square: write one number, e.g. ${value[0]}` });
    return value;
  };
  const valueAt = (object: unknown, key: string, field: ValueField, at: JsonPath): unknown => {
    if (!isRecord(object) || !Object.hasOwn(object, key)) return object;
    const written = object[key];
    if (typeof written !== 'string') return object;
    const refused = REFUSED_VALUES[field]?.[written];
    if (refused !== undefined) {
      // VS Code's JSON language service refuses it too, from the schema.
      issues.push({ path: [...at, key], severity: 'error', code: 'schema', message: `${key} "${written}" ${refused}` });
      return object;
    }
    const own = Object.hasOwn(VALUE_ALIASES[field], written) ? VALUE_ALIASES[field][written] : undefined;
    return own === undefined ? object : { ...object, [key]: own };
  };

  const out: Record<string, unknown> = { ...config };
  if (Object.hasOwn(config, 'data')) out.data = fields(config.data, 'data', ['data']);
  if (Object.hasOwn(config, 'training')) {
    let training = fields(config.training, 'training', ['training']);
    training = valueAt(training, 'optimizer', 'optimizer', ['training']);
    training = valueAt(training, 'loss', 'loss', ['training']);
    if (isRecord(training)) {
      const copy: Record<string, unknown> = { ...training };
      for (const place of ['earlyStopping', 'reduceLrOnPlateau'] as const) {
        if (!Object.hasOwn(copy, place)) continue;
        const at = ['training', place];
        copy[place] = valueAt(fields(copy[place], place, at), 'monitor', 'monitor', at);
      }
      training = copy;
    }
    out.training = training;
  }
  const model = config.model;
  if (isRecord(model) && Array.isArray(model.layers)) {
    const layers = model.layers.map((layer: unknown, i) => fields(valueAt(layer, 'type', 'layerType', ['model', 'layers', i]), 'layer', ['model', 'layers', i]));
    out.model = { ...model, layers };
  }
  return { value: out, issues, writtenPath };
}

/**
 * Checks a written config with `validate` after renaming its Keras spellings: issues point at the
 * words as written, and a Keras word refused here is said once (not again as an unknown value).
 */
export function withKerasNames<C>(config: unknown, validate: (value: unknown) => { config: C | null; issues: ConfigIssue[] }): { config: C | null; issues: ConfigIssue[] } {
  const normalised = normaliseKerasNames(config);
  const result = validate(normalised.value);
  const said = new Set(normalised.issues.map((i) => JSON.stringify(i.path)));
  // In place: the validator keys how it marks an issue on the issue object itself.
  for (const issue of result.issues) issue.path = normalised.writtenPath(issue.path);
  const issues = [...normalised.issues, ...result.issues.filter((i) => !said.has(JSON.stringify(i.path)))];
  return { config: normalised.issues.length > 0 ? null : result.config, issues };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
