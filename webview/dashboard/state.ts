// The view's state: a pure fold over host messages and trainer events. No DOM here, so node tests run it.
// This file has the state's shape and the messages' fold; event-fold.ts has what each trainer event
// does, selectors.ts what the view derives from the state. The view imports all of it from here.
import type { LayerSummary, RunInfo, TrainerEvent, ToWebview } from '../../src/shared/protocol';
import { step } from './event-fold';

export { decodePixels, SMOOTHING, smoothNext } from './event-fold';
export { displayStatus, plannedEpochs } from './selectors';

export type StatusKind = 'idle' | 'preparing' | 'downloading' | 'training' | 'completed' | 'cancelled' | 'failed';
export type SessionState = 'idle' | 'training' | 'stopping';

export interface ViewStatus {
  kind: StatusKind;
  /** What is happening, or for cancelled/failed what happened, in plain words. */
  message?: string;
  /** For failed: what the user can do about it. */
  hint?: string;
}

export interface Progress {
  /** 1-based epoch being trained (or last finished); 0 before the first batch. */
  epoch: number;
  epochs: number;
  /** 1-based batch within the epoch; 0 before the first batch. */
  batch: number;
  batchesPerEpoch: number;
  samplesPerSecond: number | null;
  /** Seconds left, estimated from event times; null when unknown or not training. */
  etaSeconds: number | null;
  /** Share of the planned training done, 0..1. */
  fraction: number;
}

export interface History {
  epoch: number[];
  loss: number[];
  acc: number[];
  valLoss: number[];
  valAcc: number[];
  seconds: number[];
  /** The rate each epoch trained with; null where the log does not say (written before it was recorded). */
  learningRate: (number | null)[];
}

/** Early stopping ended the fit: from the `earlyStop` event. */
export interface EarlyStopInfo {
  /** The last epoch trained. */
  epoch: number;
  monitor: 'valLoss' | 'valAcc';
  best: number;
  bestEpoch: number;
  reason: string;
  restoredBestWeights: boolean;
}

/** Throttled per-batch metrics; x is the fractional epoch (epoch 1 spans 0..1), smoothed by a debiased EMA. */
export interface BatchSeries {
  x: number[];
  loss: number[];
  acc: number[];
  smoothedLoss: number[];
  smoothedAcc: number[];
}

export interface SampleCell {
  /** Index into the test set. */
  index: number;
  label: number;
  /** 28×28 bytes, decoded once from the epoch-0 samples event; null if that event had no images. */
  pixels: Uint8Array | null;
  predicted: number | null;
  confidence: number | null;
  correct: boolean | null;
}

export interface SampleGrid {
  /** The epoch the predictions are from: 0 is before training. */
  epoch: number;
  cells: SampleCell[];
}

export interface Evaluation {
  testLoss: number;
  testAccuracy: number;
  confusionMatrix: number[][];
  perClassAccuracy: number[];
  misclassified: { index: number; label: number; predicted: number; confidence: number }[];
  /** Test images with their top-3 classes, sorted by index; empty for logs written before they were sent. */
  examples: TestExample[];
}

/** A test image from the evaluation event, decoded. */
export interface TestExample {
  index: number;
  label: number;
  predicted: number;
  top: number[];
  topProbabilities: number[];
  /** 28×28 bytes; null when the log's image is unreadable. */
  pixels: Uint8Array | null;
}

/** A training image from the dataset event, decoded. */
export interface DatasetExample {
  index: number;
  label: number;
  pixels: Uint8Array | null;
}

export interface DatasetInfo {
  name: string;
  source: string;
  train: number;
  validation: number;
  test: number;
  classNames: string[];
  imageShape: number[];
  /** Per class; null for logs written before the trainer sent them. */
  classCounts: { train: number[]; validation: number[]; test: number[] } | null;
  examples: DatasetExample[];
}

export interface ModelInfo {
  layers: LayerSummary[];
  totalParams: number;
  trainableParams: number;
  nonTrainableParams: number;
}

export interface DownloadProgress {
  file: string;
  receivedBytes: number;
  totalBytes: number | null;
}

export interface ViewState {
  run: RunInfo | null;
  session: SessionState;
  status: ViewStatus;
  backend: { name: string; reason: string; threads: number; tfjs: string } | null;
  dataset: DatasetInfo | null;
  model: ModelInfo | null;
  progress: Progress;
  history: History;
  batches: BatchSeries;
  samples: SampleGrid | null;
  evaluation: Evaluation | null;
  download: DownloadProgress | null;
  /** Time of the first event and of the latest one (ms since the epoch, trainer clock). */
  startedAt: number | null;
  lastEventAt: number | null;
  /** When fit began: the epoch-0 samples event (sent just before fit), else the first batch. */
  fitStartedAt: number | null;
  /** Share of the fit already done when it (re)started: 0, or the resumed epochs over all. */
  fitStartFraction: number;
  earlyStop: EarlyStopInfo | null;
  /** How many times the run was resumed (`resume` events). */
  resumed: number;
  /** Whether the done event has been seen. */
  ended: boolean;
  eventCount: number;
}

export function initialState(): ViewState {
  return resetForRun(null, 'idle');
}

function resetForRun(run: RunInfo | null, session: SessionState): ViewState {
  return {
    run,
    session,
    status: run ? { kind: 'preparing', message: run.live ? 'Starting the trainer…' : 'Loading the run…' } : { kind: 'idle' },
    backend: null,
    dataset: null,
    model: null,
    progress: { epoch: 0, epochs: run?.epochs ?? 0, batch: 0, batchesPerEpoch: 0, samplesPerSecond: null, etaSeconds: null, fraction: 0 },
    history: { epoch: [], loss: [], acc: [], valLoss: [], valAcc: [], seconds: [], learningRate: [] },
    batches: { x: [], loss: [], acc: [], smoothedLoss: [], smoothedAcc: [] },
    samples: null,
    evaluation: null,
    download: null,
    startedAt: null,
    lastEventAt: null,
    fitStartedAt: null,
    fitStartFraction: 0,
    earlyStop: null,
    resumed: 0,
    ended: false,
    eventCount: 0,
  };
}

export function applyMessage(state: ViewState, msg: ToWebview): ViewState {
  switch (msg.type) {
    case 'showRun':
      return resetForRun(msg.run, state.session);
    case 'events':
      // Events for a run other than the one shown are late arrivals from before a showRun: drop them.
      if (!state.run || msg.runId !== state.run.id) return state;
      return applyEvents(state, msg.events);
    case 'session':
      return state.session === msg.state ? state : { ...state, session: msg.state };
    case 'prediction':
      return state;
  }
}

export function applyEvent(state: ViewState, event: TrainerEvent): ViewState {
  return applyEvents(state, [event]);
}

/**
 * Folds events into a copy of the state. The arrays that grow are copied once per call, so a
 * replay of a long run in one message is linear, and the input state is never changed
 * (everything else is replaced, not edited, by `step`).
 */
export function applyEvents(state: ViewState, events: readonly TrainerEvent[]): ViewState {
  if (events.length === 0) return state;
  const s: ViewState = {
    ...state,
    progress: { ...state.progress },
    history: copyArrays(state.history),
    batches: copyArrays(state.batches),
  };
  for (const e of events) step(s, e);
  return s;
}

function copyArrays<T extends object>(o: T): T {
  const out = {} as Record<string, unknown>;
  for (const [k, v] of Object.entries(o)) out[k] = Array.isArray(v) ? v.slice() : v;
  return out as T;
}
