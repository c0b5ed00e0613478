// The shape of mnist.config.json, its defaults and the tutorial's presets.
// The JSON schema (media/mnist.config.schema.json) carries the same defaults; a test keeps them equal.
import type { ExperimentsInput } from './sweep';

export const DATASETS = ['mnist', 'fashion-mnist', 'mnist-sample'] as const;
export type DatasetName = (typeof DATASETS)[number];

export const BACKENDS = ['auto', 'tensorflow', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKENDS)[number];

export const OPTIMIZERS = ['adam', 'sgd', 'rmsprop'] as const;
export type OptimizerName = (typeof OPTIMIZERS)[number];

export const LOSSES = ['categoricalCrossentropy'] as const;
export type LossName = (typeof LOSSES)[number];

export const ACTIVATIONS = ['relu', 'softmax', 'sigmoid', 'tanh', 'elu', 'selu', 'linear'] as const;
export type Activation = (typeof ACTIVATIONS)[number];

export const PRESETS = ['mlp', 'mlp-dropout', 'cnn'] as const;
export type PresetName = (typeof PRESETS)[number];

export const LAYER_TYPES = ['flatten', 'dense', 'dropout', 'conv2d', 'maxPooling2d', 'batchNormalization'] as const;
export type LayerType = (typeof LAYER_TYPES)[number];

/** The validation metric early stopping, ReduceLROnPlateau and the best checkpoint watch. */
export const MONITORS = ['valLoss', 'valAcc'] as const;
export type Monitor = (typeof MONITORS)[number];

export const LR_SCHEDULES = ['constant', 'step', 'exponential', 'cosine'] as const;
export type LrScheduleType = (typeof LR_SCHEDULES)[number];

/** data.augment: random transforms of each training image, drawn anew every batch. */
export interface AugmentConfig {
  /** Largest rotation either way, in degrees. */
  rotation: number;
  /** Largest shift along each axis, in pixels. */
  shift: number;
  /** Largest zoom in or out, as a fraction (0.1: 90 % to 110 %). */
  zoom: number;
  /** Simard's elastic distortion; null is off. */
  elastic: { alpha: number; sigma: number } | null;
}
export interface EarlyStoppingConfig { monitor: Monitor; minDelta: number; patience: number; restoreBestWeights: boolean }
export interface ReduceLrOnPlateauConfig { monitor: Monitor; factor: number; patience: number; minLr: number; minDelta: number }
/** Each type reads only its own fields: step → stepSize, gamma; exponential → gamma; cosine → minLr. */
export interface LrScheduleConfig { type: LrScheduleType; stepSize: number; gamma: number; minLr: number }

export const AUGMENT_DEFAULTS: Omit<AugmentConfig, 'elastic'> = { rotation: 10, shift: 2, zoom: 0.1 };
export const ELASTIC_DEFAULTS: NonNullable<AugmentConfig['elastic']> = { alpha: 34, sigma: 4 };
export const EARLY_STOPPING_DEFAULTS: EarlyStoppingConfig = { monitor: 'valLoss', minDelta: 0, patience: 3, restoreBestWeights: true };
export const REDUCE_LR_DEFAULTS: ReduceLrOnPlateauConfig = { monitor: 'valLoss', factor: 0.5, patience: 2, minLr: 0, minDelta: 0.0001 };
export const LR_SCHEDULE_DEFAULTS: LrScheduleConfig = { type: 'constant', stepSize: 5, gamma: 0.5, minLr: 0 };

/** An object field written by a user: every inner field optional. */
type Partial1<T> = { [K in keyof T]?: T[K] };

export interface FlattenLayer { type: 'flatten' }
export interface DenseLayer { type: 'dense'; units: number; activation?: Activation }
export interface DropoutLayer { type: 'dropout'; rate: number }
export interface Conv2dLayer {
  type: 'conv2d';
  filters: number;
  kernelSize: number;
  strides?: number;
  padding?: 'valid' | 'same';
  activation?: Activation;
}
export interface MaxPooling2dLayer { type: 'maxPooling2d'; poolSize?: number; strides?: number }
export interface BatchNormalizationLayer { type: 'batchNormalization' }
export type LayerConfig =
  | FlattenLayer
  | DenseLayer
  | DropoutLayer
  | Conv2dLayer
  | MaxPooling2dLayer
  | BatchNormalizationLayer;

/** The config as written by a user: every field optional. */
export interface MnistConfigInput {
  dataset?: DatasetName;
  data?: {
    dir?: string | null;
    validationSplit?: number;
    augment?: (Partial1<Omit<AugmentConfig, 'elastic'>> & { elastic?: Partial1<NonNullable<AugmentConfig['elastic']>> | null }) | null;
  };
  /** A null preset is what a run's resolved config.json holds; it means "no preset". */
  model?: { preset?: PresetName | null; layers?: LayerConfig[] };
  training?: {
    epochs?: number;
    batchSize?: number;
    optimizer?: OptimizerName;
    learningRate?: number;
    loss?: LossName;
    seed?: number;
    shuffle?: boolean;
    earlyStopping?: Partial1<EarlyStoppingConfig> | null;
    reduceLrOnPlateau?: Partial1<ReduceLrOnPlateauConfig> | null;
    lrSchedule?: Partial1<LrScheduleConfig>;
  };
  backend?: BackendName;
  /** A sweep (src/shared/sweep.ts): runs of this config with values changed. Not part of the resolved config. */
  experiments?: ExperimentsInput | null;
}

/** The config after defaults and presets: what a run records in its config.json. */
export interface MnistConfig {
  dataset: DatasetName;
  data: { dir: string | null; validationSplit: number; augment: AugmentConfig | null };
  model: { preset: PresetName | null; layers: LayerConfig[] };
  training: {
    epochs: number;
    batchSize: number;
    optimizer: OptimizerName;
    learningRate: number;
    loss: LossName;
    seed: number;
    shuffle: boolean;
    /** null: off. */
    earlyStopping: EarlyStoppingConfig | null;
    /** null: off. */
    reduceLrOnPlateau: ReduceLrOnPlateauConfig | null;
    lrSchedule: LrScheduleConfig;
  };
  backend: BackendName;
}

/** Every model sees 28×28 grayscale images (height, width, channels) and predicts one of 10 classes. */
export const IMAGE_SHAPE: readonly [number, number, number] = [28, 28, 1];
export const NUM_CLASSES = 10;

export const PRESET_LAYERS: Record<PresetName, LayerConfig[]> = {
  // The Keras tutorial's model.
  mlp: [
    { type: 'flatten' },
    { type: 'dense', units: 128, activation: 'relu' },
    { type: 'dense', units: 64, activation: 'relu' },
    { type: 'dense', units: 10, activation: 'softmax' },
  ],
  // The tutorial's suggested improvement: dropout after each hidden layer.
  'mlp-dropout': [
    { type: 'flatten' },
    { type: 'dense', units: 128, activation: 'relu' },
    { type: 'dropout', rate: 0.2 },
    { type: 'dense', units: 64, activation: 'relu' },
    { type: 'dropout', rate: 0.2 },
    { type: 'dense', units: 10, activation: 'softmax' },
  ],
  // Keras' "Simple MNIST convnet".
  cnn: [
    { type: 'conv2d', filters: 32, kernelSize: 3, activation: 'relu' },
    { type: 'maxPooling2d', poolSize: 2 },
    { type: 'conv2d', filters: 64, kernelSize: 3, activation: 'relu' },
    { type: 'maxPooling2d', poolSize: 2 },
    { type: 'flatten' },
    { type: 'dropout', rate: 0.5 },
    { type: 'dense', units: 10, activation: 'softmax' },
  ],
};

export const DEFAULT_CONFIG: MnistConfig = {
  dataset: 'mnist',
  data: { dir: null, validationSplit: 0.2, augment: null },
  model: { preset: null, layers: PRESET_LAYERS.mlp },
  training: {
    epochs: 5,
    batchSize: 32,
    optimizer: 'adam',
    learningRate: 0.001,
    loss: 'categoricalCrossentropy',
    seed: 42,
    shuffle: true,
    earlyStopping: null,
    reduceLrOnPlateau: null,
    lrSchedule: { ...LR_SCHEDULE_DEFAULTS },
  },
  backend: 'auto',
};

/** The config `MNIST: Create Config` writes and the CLI uses when none exists: the tutorial's. */
export function tutorialConfig(): MnistConfigInput {
  return {
    dataset: 'mnist',
    data: { dir: null, validationSplit: 0.2 },
    model: { layers: copyLayers(PRESET_LAYERS.mlp) },
    training: { epochs: 5, batchSize: 32, optimizer: 'adam', learningRate: 0.001, seed: 42 },
    backend: 'auto',
  };
}

/** Fills defaults and expands a preset. The input must already have passed validation. */
export function applyDefaults(input: MnistConfigInput): MnistConfig {
  const d = DEFAULT_CONFIG;
  const preset = input.model?.preset ?? null;
  const layers = input.model?.layers ?? (preset ? PRESET_LAYERS[preset] : d.model.layers);
  return {
    dataset: input.dataset ?? d.dataset,
    data: {
      dir: input.data?.dir ?? d.data.dir,
      validationSplit: input.data?.validationSplit ?? d.data.validationSplit,
      augment: augmentWithDefaults(input.data?.augment),
    },
    model: { preset: input.model?.layers ? null : preset, layers: copyLayers(layers) },
    training: trainingWithDefaults(input.training ?? {}),
    backend: input.backend ?? d.backend,
  };
}

function augmentWithDefaults(a: NonNullable<MnistConfigInput['data']>['augment']): AugmentConfig | null {
  if (!a) return null;
  const { elastic, ...rest } = a;
  return { ...AUGMENT_DEFAULTS, ...stripUndefined(rest), elastic: elastic ? { ...ELASTIC_DEFAULTS, ...stripUndefined(elastic) } : null };
}

function trainingWithDefaults(t: NonNullable<MnistConfigInput['training']>): MnistConfig['training'] {
  const { earlyStopping, reduceLrOnPlateau, lrSchedule, ...rest } = t;
  return {
    ...DEFAULT_CONFIG.training,
    ...stripUndefined(rest),
    earlyStopping: earlyStopping ? { ...EARLY_STOPPING_DEFAULTS, ...stripUndefined(earlyStopping) } : null,
    reduceLrOnPlateau: reduceLrOnPlateau ? { ...REDUCE_LR_DEFAULTS, ...stripUndefined(reduceLrOnPlateau) } : null,
    lrSchedule: { ...LR_SCHEDULE_DEFAULTS, ...stripUndefined(lrSchedule ?? {}) },
  };
}

// Layers are flat objects, so copying each is a deep copy; structuredClone is in neither ES2022 nor this folder's libs.
function copyLayers(layers: readonly LayerConfig[]): LayerConfig[] {
  return layers.map((l) => ({ ...l }));
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** "model.layers[2].units" for ['model', 'layers', 2, 'units']. */
export function formatPath(path: readonly (string | number)[]): string {
  let s = '';
  for (const p of path) s += typeof p === 'number' ? `[${p}]` : s ? `.${p}` : p;
  return s || '(config)';
}

/** The preset a config uses, by name or by having exactly its layers (the tutorial's config spells mlp out). */
export function presetOf(config: Pick<MnistConfig, 'model'>): PresetName | null {
  if (config.model.preset) return config.model.preset;
  const layers = JSON.stringify(config.model.layers);
  return PRESETS.find((p) => JSON.stringify(PRESET_LAYERS[p]) === layers) ?? null;
}
