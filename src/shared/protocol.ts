// Every message that crosses a process boundary. A message not defined here does not exist.
import type { AugmentPreview } from './augment-preview';
import type { CompareCurves, CompareTable } from './compare';
import type { AugmentConfig, MnistConfig, Monitor } from './config';
import { type InspectCommand, type InspectionEvent, type LookInsideRequest, isInspectCommand } from './protocol/inspect';

// ---------------------------------------------------------------- host/CLI → trainer

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

// ---------------------------------------------------------------- trainer → host/CLI

/** Fields every event carries; `time` is ms since the epoch, stamped by the trainer. */
interface EventBase { time: number }

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

// ---------------------------------------------------------------- host ↔ predictor (dist/predictor.js)

/** host → predictor: load the model saved in this folder (model.json + weights), replacing any other. */
export interface LoadModelCommand { type: 'loadModel'; modelDir: string }
/** host → predictor: classify one 28×28 image (784 values in 0..1) with the loaded model. */
export interface PredictCommand { type: 'predict'; id: number; pixels: number[] }

export type PredictorCommand = LoadModelCommand | PredictCommand | InspectCommand;

/** predictor → host: the model in modelDir is loaded and warmed up, or `error` says why not. */
export interface ModelLoadedEvent extends EventBase {
  type: 'modelLoaded';
  modelDir: string;
  backend?: string;
  error?: string;
}

export type PredictorEvent = ModelLoadedEvent | PredictionEvent | LogEvent | InspectionEvent;

export function isPredictorCommand(m: unknown): m is PredictorCommand {
  if (typeof m !== 'object' || m === null) return false;
  const o = m as Record<string, unknown>;
  if (o.type === 'loadModel') return typeof o.modelDir === 'string';
  if (o.type === 'inspect') return isInspectCommand(o);
  return o.type === 'predict' && typeof o.id === 'number' && Array.isArray(o.pixels);
}

// ---------------------------------------------------------------- host ↔ webview

/** What the view shows about a run besides its events. */
export interface RunInfo {
  /** The run folder's name, e.g. "2026-11-26_12-30-05_cnn". */
  id: string;
  /** Plain words for the model: "cnn", "mlp-dropout", "Flatten → Dense 128 → Dense 10". */
  model: string;
  dataset: string;
  epochs: number;
  batchSize: number;
  /** True while the trainer is writing this run. */
  live: boolean;
  /** The run's data.augment (null: off) and seed, for the dataset explorer's augmentation preview; absent when unknown. */
  augment?: AugmentConfig | null;
  seed?: number;
}

/** host → webview: show this run from the start; `events` follow in `events` messages. */
export interface ShowRunMessage { type: 'showRun'; run: RunInfo | null }
/** host → webview: events of the shown run, in order (a replay or live ones). */
export interface EventsMessage { type: 'events'; runId: string; events: TrainerEvent[] }
/** host → webview: whether Train or Stop makes sense right now. */
export interface SessionMessage { type: 'session'; state: 'idle' | 'training' | 'stopping' }
/** host → webview: the answer to a PredictRequest; `error` (and no probabilities) when the run's model cannot answer. */
export interface PredictionMessage { type: 'prediction'; id: number; probabilities: number[]; error?: string }

export type ToWebview = ShowRunMessage | EventsMessage | SessionMessage | PredictionMessage;

/** webview → host: the view is loaded; answer with the current run and its events so far. */
export interface ViewReadyMessage { type: 'ready' }
/** webview → host: the user pressed Train. */
export interface TrainRequest { type: 'train' }
/** webview → host: the user pressed Stop. */
export interface StopRequest { type: 'stop' }
/** webview → host: the user wants to pick an old run (MNIST: Open Run…). */
export interface OpenRunRequest { type: 'openRun' }

/** webview → host: the user wants mnist.config.json created (MNIST: Create Config). */
export interface CreateConfigRequest { type: 'createConfig' }

/** webview → host: classify this drawn digit (784 values in 0..1, row-major 28×28) with the shown run's model. */
export interface PredictRequest { type: 'predict'; id: number; pixels: number[] }

export type ExportFormat = 'png' | 'svg' | 'csv';

/**
 * webview → host: save a chart (png: a data:image/png;base64 URL, svg: the markup) or its data
 * (csv: the text). The host asks where with a save dialog and writes only there.
 */
export interface ExportRequest { type: 'export'; format: ExportFormat; fileName: string; data: string }

export type FromWebview = ViewReadyMessage | TrainRequest | StopRequest | OpenRunRequest | CreateConfigRequest | PredictRequest | ExportRequest | LookInsideRequest;

/** Largest export the host accepts: a full-HD PNG at twice the pixel ratio stays well under it. */
export const MAX_EXPORT_CHARS = 16 * 1024 * 1024;

/**
 * A message's own fields when it is a plain object (what postMessage's structured clone makes),
 * else null: a field inherited through a prototype never counts as sent.
 */
export function plainMessage(m: unknown): Record<string, unknown> | null {
  if (typeof m !== 'object' || m === null || Array.isArray(m)) return null;
  const proto = Object.getPrototypeOf(m) as unknown;
  if (proto !== Object.prototype && proto !== null) return null;
  return Object.hasOwn(m, 'type') ? (m as Record<string, unknown>) : null;
}

/** Messages from a webview are untrusted: only these shapes are acted on. */
export function isFromWebview(m: unknown): m is FromWebview {
  if (plainMessage(m) === null) return false;
  const keys = Object.keys(m as object);
  const t = (m as { type?: unknown }).type;
  if (t === 'predict') return isPredictRequest(m as Record<string, unknown>, keys);
  if (t === 'export') return isExportRequest(m as Record<string, unknown>, keys);
  return keys.length === 1 && (t === 'ready' || t === 'train' || t === 'stop' || t === 'openRun' || t === 'createConfig' || t === 'lookInside');
}

function isPredictRequest(o: Record<string, unknown>, keys: string[]): boolean {
  if (keys.length !== 3 || !Number.isSafeInteger(o.id) || (o.id as number) < 0) return false;
  const p = o.pixels;
  if (!Array.isArray(p) || p.length !== 784) return false;
  for (const v of p) if (typeof v !== 'number' || !(v >= 0 && v <= 1)) return false;
  return true;
}

function isExportRequest(o: Record<string, unknown>, keys: string[]): boolean {
  if (keys.length !== 4 || typeof o.data !== 'string' || typeof o.fileName !== 'string') return false;
  const { format, fileName, data } = o as { format: unknown; fileName: string; data: string };
  if (format !== 'png' && format !== 'svg' && format !== 'csv') return false;
  // A suggested name only (the user picks the folder and may rename): no path, no dot files.
  if (!/^[A-Za-z0-9][A-Za-z0-9 ._-]{0,99}$/.test(fileName) || !fileName.toLowerCase().endsWith(`.${format}`)) return false;
  if (data.length === 0 || data.length > MAX_EXPORT_CHARS) return false;
  if (format === 'png') return /^data:image\/png;base64,[A-Za-z0-9+/]+={0,2}$/.test(data);
  if (format === 'svg') return /^(<\?xml[^>]*>\s*)?<svg[\s>]/.test(data);
  return !data.includes('\u0000');
}

/** summary.json in a run folder. */
export interface RunSummary {
  status: RunStatus;
  message?: string;
  dataset: string;
  backend: string;
  epochs: number;
  /** Epochs actually completed (fewer than `epochs` when cancelled). */
  epochsCompleted: number;
  testAccuracy: number | null;
  testLoss: number | null;
  /** Training samples per second of fit time (data loading and test evaluation excluded). */
  trainSamplesPerSecond: number | null;
  fitSeconds: number;
  history: { loss: number[]; acc: number[]; valLoss: number[]; valAcc: number[]; learningRate?: number[] };
  confusionMatrix: number[][] | null;
  perClassAccuracy: number[] | null;
  startedAt: string;
  endedAt: string;
  tfjsVersion: string;
  seed: number;
  /** The best epoch (1-based) by `bestMetric`: what model-best/ holds. */
  bestEpoch?: number | null;
  bestMetric?: { monitor: Monitor; value: number } | null;
  /** Set when early stopping ended the fit. */
  earlyStop?: { epoch: number; reason: string; restoredBestWeights: boolean } | null;
  /** How many times the run was resumed. */
  resumed?: number;
  /** Seed, backend, versions, config hash and dataset checksums (src/shared/provenance.ts). */
  provenance?: RunProvenance;
}

export type DatasetChecksums = Partial<Record<'trainImages' | 'trainLabels' | 'testImages' | 'testLabels', string>>;

/** How a run was made, from its `ready` and `dataset` events; null where an older trainer did not record it. */
export interface RunProvenance {
  seed: number | null;
  backend: string | null;
  threads: number | null;
  tfjsVersion: string | null;
  nodeVersion: string | null;
  configHash: string | null;
  dataset: { name: string; source: string; checksums: DatasetChecksums | null } | null;
}

export function isTrainerCommand(m: unknown): m is TrainerCommand {
  if (typeof m !== 'object' || m === null) return false;
  const t = (m as { type?: unknown }).type;
  return t === 'start' || t === 'stop';
}

// ---------------------------------------------------------------- host ↔ compare webview (dist/compare.js)

/** host → compare view: the runs to compare; the table is built by src/shared/compare.ts. */
export interface CompareDataMessage { type: 'compare'; table: CompareTable; curves: CompareCurves[] }

export type ToCompareView = CompareDataMessage;

/** compare view → host: loaded; answer with a CompareDataMessage. */
export interface CompareReadyMessage { type: 'ready' }
/** compare view → host: show this run (a folder id from the table) in the Dashboard. */
export interface CompareOpenRunMessage { type: 'openRun'; id: string }

export type FromCompareView = CompareReadyMessage | CompareOpenRunMessage;

/** Messages from a webview are untrusted: only these shapes are acted on. */
export function isFromCompareView(m: unknown): m is FromCompareView {
  const r = plainMessage(m);
  if (r === null) return false;
  const keys = Object.keys(r).sort().join(',');
  if (r.type === 'ready') return keys === 'type';
  return r.type === 'openRun' && keys === 'id,type' && typeof r.id === 'string' && r.id.length > 0 && r.id.length < 300;
}

// ---------------------------------------------------------------- host ↔ augmentation preview (dist/augment.js)

/** host → preview: real digits and their augmented versions (src/shared/augment-preview.ts); `configFile` is workspace-relative, null without one. */
export interface AugmentPreviewMessage { type: 'augmentPreview'; preview: AugmentPreview; configFile: string | null }

export type ToAugmentView = AugmentPreviewMessage;

/** preview → host: loaded; answer with the AugmentPreviewMessage. */
export interface AugmentReadyMessage { type: 'ready' }

export type FromAugmentView = AugmentReadyMessage;

/** Messages from a webview are untrusted: only these shapes are acted on. */
export function isFromAugmentView(m: unknown): m is FromAugmentView {
  const r = plainMessage(m);
  return r !== null && r.type === 'ready' && Object.keys(r).length === 1;
}
