// The shape of mnist.config.json, its defaults and the tutorial's presets.
// The JSON schema (media/mnist.config.schema.json) carries the same defaults; a test keeps them equal.

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
  data?: { dir?: string | null; validationSplit?: number; augment?: null };
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
  };
  backend?: BackendName;
}

/** The config after defaults and presets: what a run records in its config.json. */
export interface MnistConfig {
  dataset: DatasetName;
  data: { dir: string | null; validationSplit: number; augment: null };
  model: { preset: PresetName | null; layers: LayerConfig[] };
  training: {
    epochs: number;
    batchSize: number;
    optimizer: OptimizerName;
    learningRate: number;
    loss: LossName;
    seed: number;
    shuffle: boolean;
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
      augment: null,
    },
    model: { preset: input.model?.layers ? null : preset, layers: copyLayers(layers) },
    training: { ...d.training, ...stripUndefined(input.training ?? {}) },
    backend: input.backend ?? d.backend,
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
