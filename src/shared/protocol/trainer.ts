// host/CLI ↔ trainer (dist/trainer.js): the commands it obeys and the events it emits, which are also
// the lines of a run's events.jsonl.
import type { MnistConfig, Monitor } from '../config';
import type { DatasetChecksums } from './run-files';

/** host → trainer: train this resolved config into runDir. */
export interface StartCommand {
  type: 'start';
  config: MnistConfig;
  runDir: string;
  /** Where downloaded datasets are kept between runs. */
  cacheDir: string;
  /** Mirror base URLs tried in order for `mnist`/`fashion-mnist` downloads; defaults when omitted. */
  mirrors?: string[];
  /**
   * Continue the cancelled or failed run in runDir from its last checkpoint, appending to its
   * events.jsonl; `config` must be that run's config.json.
   */
  resume?: boolean;
  /**
   * The folder MNIST: Install Native Backend installs tfjs-node into (npm --prefix); the `auto`
   * and `tensorflow` backends load it from there when it holds one.
   */
  nativeBackendDir?: string;
}
/** host → trainer: end the fit after the current batch; the run ends as `cancelled`. */
export interface StopCommand { type: 'stop' }
export type TrainerCommand = StartCommand | StopCommand;

/** Fields every event carries; `time` is ms since the epoch, stamped by the trainer. */
export interface EventBase { time: number }

/** trainer → host: the backend is initialised. */
export interface ReadyEvent extends EventBase {
  type: 'ready';
  backend: 'tensorflow' | 'wasm' | 'cpu';
  /** Why this backend: e.g. "tfjs-node is not installed; using wasm (SIMD)". */
  reason: string;
  versions: { tfjs: string; node: string };
  threads: number;
  /** SHA-256 of the config as trained (keys sorted). Absent in logs written before it existed. */
  configHash?: string;
  /** The seed the run was seeded with. Absent in logs written before it existed. */
  seed?: number;
}

/** trainer → host: a line for the log (output channel, CLI stderr with --verbose). */
export interface LogEvent extends EventBase { type: 'log'; level: 'info' | 'warn' | 'error'; message: string }

/** trainer → host: bytes arriving for one dataset file. */
export interface DownloadEvent extends EventBase {
  type: 'download';
  file: string;
  url: string;
  receivedBytes: number;
  /** null when the server does not say. */
  totalBytes: number | null;
}

/** trainer → host: the dataset is loaded and split. */
export interface DatasetEvent extends EventBase {
  type: 'dataset';
  name: string;
  /** Human words for where it came from: "cache ~/.cache/…", "bundled", "/usr/share/datasets/…". */
  source: string;
  train: number;
  validation: number;
  test: number;
  imageShape: [number, number, number];
  classNames: string[];
  /** SHA-256 of each IDX file's decoded contents. Absent in logs written before it existed. */
  checksums?: DatasetChecksums;
  /** Images per class (index = class) in each split. Absent in logs written before it existed. */
  classCounts?: { train: number[]; validation: number[]; test: number[] };
  /** A few training images for the dataset explorer (the first of each class), in encodeDigit form. */
  examples?: DatasetExamples;
}

/** Training images shown by the dataset explorer; parallel arrays. */
export interface DatasetExamples {
  split: 'train';
  /** Indices into the training images. */
  indices: number[];
  labels: number[];
  /** 28×28 bytes per image, as src/shared/digits.ts encodeDigit writes them. */
  images: string[];
}

export interface LayerSummary {
  name: string;
  type: string;
  outputShape: (number | null)[];
  params: number;
}

/** trainer → host: the model is built (Keras' model.summary()). */
export interface ModelEvent extends EventBase {
  type: 'model';
  layers: LayerSummary[];
  totalParams: number;
  trainableParams: number;
  /** Weights no optimizer updates (batch normalisation's moving statistics); older logs: total − trainable. */
  nonTrainableParams?: number;
}

/** trainer → host: training progress inside an epoch; throttled to about 10 a second. */
export interface BatchEvent extends EventBase {
  type: 'batch';
  /** 1-based. */
  epoch: number;
  epochs: number;
  /** 1-based, within the epoch. */
  batch: number;
  batchesPerEpoch: number;
  loss: number;
  acc: number;
  /** Training samples per second over the epoch so far. */
  samplesPerSecond: number;
}

/** trainer → host: an epoch ended (Keras' History entry). */
export interface EpochEvent extends EventBase {
  type: 'epoch';
  /** 1-based. */
  epoch: number;
  epochs: number;
  loss: number;
  acc: number;
  valLoss: number;
  valAcc: number;
  /** Seconds of fit time this epoch, validation included. */
  seconds: number;
  samplesPerSecond: number;
  /** The learning rate this epoch trained with (schedule and ReduceLROnPlateau applied). */
  learningRate?: number;
}

/** trainer → host: early stopping ended the fit after `epoch`; the run goes on to the test evaluation. */
export interface EarlyStopEvent extends EventBase {
  type: 'earlyStop';
  /** 1-based: the last epoch trained. */
  epoch: number;
  monitor: Monitor;
  /** The best value of the monitored metric, and its 1-based epoch. */
  best: number;
  bestEpoch: number;
  /** Plain words, e.g. "validation loss did not improve for 3 epochs; best 0.0412 at epoch 4". */
  reason: string;
  /** True when the model went back to the weights of bestEpoch (restoreBestWeights). */
  restoredBestWeights: boolean;
}

/**
 * trainer → host: a cancelled or failed run continues from its checkpoint after `epoch` finished
 * epochs. Everything before this event up to that epoch stands; the `done` before it does not,
 * and any epoch after `epoch` logged before it (none, normally) is superseded.
 */
export interface ResumeEvent extends EventBase {
  type: 'resume';
  /** Epochs already done; training continues with epoch + 1. */
  epoch: number;
  epochs: number;
}

/** trainer → host: predictions on the fixed sample of test images, after each epoch. */
export interface SamplesEvent extends EventBase {
  type: 'samples';
  /** 0 before training, else the epoch just ended. */
  epoch: number;
  /** Indices into the test set. */
  indices: number[];
  labels: number[];
  predicted: number[];
  confidence: number[];
  /** 28×28 bytes per image, base64; sent once (epoch 0) since the images never change. */
  images?: string[];
}

/** trainer → host: test-set results after fit. */
export interface EvaluationEvent extends EventBase {
  type: 'evaluation';
  testLoss: number;
  testAccuracy: number;
  /** confusionMatrix[true][predicted] = count. */
  confusionMatrix: number[][];
  perClassAccuracy: number[];
  /** Test indices of wrong predictions, most confident first (at most 100). */
  misclassified: { index: number; label: number; predicted: number; confidence: number }[];
  /**
   * Test images behind the confusion matrix and the misclassified list, bounded: those in
   * `misclassified`, the most confident mistakes of each off-diagonal cell, the least confident
   * right ones of each class. Absent in logs written before it existed.
   */
  examples?: EvaluationExample[];
}

/** One test image with the model's three most probable classes. */
export interface EvaluationExample {
  /** Index into the test set. */
  index: number;
  label: number;
  predicted: number;
  /** The three most probable classes, most probable first, and their probabilities. */
  top: number[];
  topProbabilities: number[];
  /** 28×28 bytes, as src/shared/digits.ts encodeDigit writes them. */
  image: string;
}

/** trainer/predictor → host: the answer to a PredictCommand; `error` (and no probabilities) when there is no model to ask. */
export interface PredictionEvent extends EventBase { type: 'prediction'; id: number; probabilities: number[]; error?: string }

/**
 * trainer → host: still at work on a long step that has no event of its own (the test-set
 * evaluation), so the host's hang watchdog can tell slow from stuck. Not kept in events.jsonl.
 */
export interface HeartbeatEvent extends EventBase { type: 'heartbeat'; phase: 'evaluating' }

export type RunStatus = 'completed' | 'cancelled' | 'failed';

/** trainer → host: the run is over; the trainer exits after this. */
export interface DoneEvent extends EventBase {
  type: 'done';
  status: RunStatus;
  /** For cancelled/failed: what happened, in plain words. */
  message?: string;
  /** For failed: what the user can do about it. */
  hint?: string;
  runDir: string;
  /** tf.memory().numTensors after the run's tensors are released: 0 unless something leaked. */
  numTensors?: number;
}

export type TrainerEvent =
  | ReadyEvent
  | LogEvent
  | DownloadEvent
  | DatasetEvent
  | ModelEvent
  | BatchEvent
  | EpochEvent
  | SamplesEvent
  | EvaluationEvent
  | PredictionEvent
  | DoneEvent
  | EarlyStopEvent
  | ResumeEvent
  | HeartbeatEvent;

export type TrainerEventType = TrainerEvent['type'];

/** An event before the trainer stamps it. */
export type TrainerEventBody = TrainerEvent extends infer E ? (E extends TrainerEvent ? Omit<E, 'time'> : never) : never;

export function isTrainerCommand(m: unknown): m is TrainerCommand {
  if (typeof m !== 'object' || m === null) return false;
  const t = (m as { type?: unknown }).type;
  return t === 'start' || t === 'stop';
}
