// What each trainer event does to the Dashboard's state: the steps of state.ts's fold. Each
// mutates the draft applyEvents made, never a caller's state.
import { decodeDigit } from '../../src/shared/digits';
import type { EvaluationExample, TrainerEvent } from '../../src/shared/protocol';
import type { BatchSeries, History, SampleCell, TestExample, ViewState } from './state';

/** Weight of the previous value in the per-batch EMA (TensorBoard-style, debiased). */
export const SMOOTHING = 0.8;

const PIXELS = 28 * 28;

export function step(s: ViewState, e: TrainerEvent): void {
  s.eventCount++;
  s.startedAt ??= e.time;
  s.lastEventAt = e.time;
  if (e.type === 'resume') return onResume(s, e);
  if (s.ended) return; // nothing after done changes what the run was, unless it is resumed
  switch (e.type) {
    case 'ready':
      s.backend = { name: e.backend, reason: e.reason, threads: e.threads, tfjs: e.versions.tfjs };
      s.status = { kind: 'preparing', message: 'Loading the dataset…' };
      break;
    case 'download':
      s.download = { file: e.file, receivedBytes: e.receivedBytes, totalBytes: e.totalBytes };
      s.status = { kind: 'downloading', message: 'Downloading the dataset; later runs use the cached copy.' };
      break;
    case 'dataset':
      s.dataset = {
        name: e.name,
        source: e.source,
        train: e.train,
        validation: e.validation,
        test: e.test,
        classNames: e.classNames,
        imageShape: e.imageShape ?? [28, 28, 1],
        classCounts: e.classCounts ?? null,
        examples: e.examples
          ? e.examples.indices.map((index, i) => ({ index, label: e.examples!.labels[i], pixels: decodeDigit(e.examples!.images[i]) }))
          : [],
      };
      s.download = null;
      s.status = { kind: 'preparing', message: 'Building the model…' };
      break;
    case 'model':
      s.model = {
        layers: e.layers,
        totalParams: e.totalParams,
        trainableParams: e.trainableParams,
        nonTrainableParams: e.nonTrainableParams ?? e.totalParams - e.trainableParams,
      };
      s.status = { kind: 'preparing', message: 'Starting training…' };
      break;
    case 'batch':
      onBatch(s, e);
      break;
    case 'epoch':
      onEpoch(s, e);
      break;
    case 'samples':
      onSamples(s, e);
      break;
    case 'evaluation':
      s.evaluation = {
        testLoss: e.testLoss,
        testAccuracy: e.testAccuracy,
        confusionMatrix: e.confusionMatrix,
        perClassAccuracy: e.perClassAccuracy,
        misclassified: e.misclassified,
        examples: (e.examples ?? []).map(testExample).sort((a, b) => a.index - b.index),
      };
      s.status = { kind: 'training', message: 'Saving the model…' };
      break;
    case 'done':
      s.ended = true;
      s.progress.etaSeconds = null;
      s.status = { kind: e.status };
      if (e.message !== undefined) s.status.message = e.message;
      if (e.hint !== undefined) s.status.hint = e.hint;
      break;
    case 'earlyStop':
      s.earlyStop = {
        epoch: e.epoch,
        monitor: e.monitor,
        best: e.best,
        bestEpoch: e.bestEpoch,
        reason: e.reason,
        restoredBestWeights: e.restoredBestWeights,
      };
      break;
    case 'log':
    case 'prediction':
      break;
  }
}

/**
 * A cancelled or failed run continues after `e.epoch`: what was logged after that epoch (the
 * killed epoch's batches, an epoch whose checkpoint was never written) and the `done` before it
 * do not stand, so the charts go on as one run.
 */
function onResume(s: ViewState, e: Extract<TrainerEvent, { type: 'resume' }>): void {
  const h = s.history;
  const keep = h.epoch.filter((epoch) => epoch <= e.epoch).length;
  for (const k of Object.keys(h) as (keyof History)[]) h[k].length = Math.min(h[k].length, keep);
  const b = s.batches;
  const batches = b.x.findIndex((x) => x > e.epoch);
  if (batches >= 0) for (const k of Object.keys(b) as (keyof BatchSeries)[]) b[k].length = batches;
  s.resumed++;
  s.ended = false;
  s.evaluation = null;
  s.earlyStop = null;
  const p = s.progress;
  p.epoch = e.epoch;
  p.epochs = e.epochs;
  p.batch = 0;
  p.etaSeconds = null;
  p.fraction = e.epochs > 0 ? Math.min(1, e.epoch / e.epochs) : 0;
  // The time between the attempts is no training: the ETA counts from here.
  s.fitStartedAt = null;
  s.fitStartFraction = p.fraction;
  s.status = { kind: 'training', message: `Resuming after epoch ${e.epoch} of ${e.epochs}…` };
}

function testExample(x: EvaluationExample): TestExample {
  return { index: x.index, label: x.label, predicted: x.predicted, top: x.top, topProbabilities: x.topProbabilities, pixels: decodeDigit(x.image) };
}

function onBatch(s: ViewState, e: Extract<TrainerEvent, { type: 'batch' }>): void {
  s.fitStartedAt ??= e.time;
  // `epochs` is on batch events since the protocol added it; older logs fall back to the run's plan.
  const epochs = (e as { epochs?: number }).epochs ?? (s.progress.epochs || s.run?.epochs || 0);
  const p = s.progress;
  p.epoch = e.epoch;
  p.epochs = epochs;
  p.batch = e.batch;
  p.batchesPerEpoch = e.batchesPerEpoch;
  p.samplesPerSecond = e.samplesPerSecond;
  const x = e.epoch - 1 + (e.batchesPerEpoch > 0 ? e.batch / e.batchesPerEpoch : 0);
  p.fraction = epochs > 0 ? Math.min(1, x / epochs) : 0;
  p.etaSeconds = eta(s, e.time, p.fraction);
  const b = s.batches;
  b.x.push(x);
  b.loss.push(e.loss);
  b.acc.push(e.acc);
  b.smoothedLoss.push(smoothNext(b.loss, b.smoothedLoss));
  b.smoothedAcc.push(smoothNext(b.acc, b.smoothedAcc));
  s.status = { kind: 'training' }; // the progress line says where training is
}

function onEpoch(s: ViewState, e: Extract<TrainerEvent, { type: 'epoch' }>): void {
  const h = s.history;
  // An epoch event for an epoch already recorded (a duplicated line) replaces it.
  const at = h.epoch.indexOf(e.epoch);
  const i = at >= 0 ? at : h.epoch.length;
  h.epoch[i] = e.epoch;
  h.loss[i] = e.loss;
  h.acc[i] = e.acc;
  h.valLoss[i] = e.valLoss;
  h.valAcc[i] = e.valAcc;
  h.seconds[i] = e.seconds;
  h.learningRate[i] = e.learningRate ?? null;
  const p = s.progress;
  p.epoch = e.epoch;
  p.epochs = e.epochs;
  p.batch = p.batchesPerEpoch;
  p.samplesPerSecond = e.samplesPerSecond;
  p.fraction = e.epochs > 0 ? Math.min(1, e.epoch / e.epochs) : 0;
  p.etaSeconds = e.epoch >= e.epochs ? null : eta(s, e.time, p.fraction);
  s.status = e.epoch >= e.epochs ? { kind: 'training', message: 'Evaluating on the test set…' } : { kind: 'training' };
}

function onSamples(s: ViewState, e: Extract<TrainerEvent, { type: 'samples' }>): void {
  if (e.epoch === 0) s.fitStartedAt ??= e.time;
  const previous = s.samples?.cells ?? [];
  const cells: SampleCell[] = e.indices.map((index, i) => {
    const old = previous[i] && previous[i].index === index ? previous[i] : null;
    const label = e.labels[i];
    const predicted = e.predicted[i] ?? null;
    return {
      index,
      label,
      pixels: old?.pixels ?? decodePixels(e.images?.[i]),
      predicted,
      confidence: e.confidence[i] ?? null,
      correct: predicted === null ? null : predicted === label,
    };
  });
  s.samples = { epoch: e.epoch, cells };
}

/**
 * The next point of a debiased exponential moving average (as TensorBoard smooths scalars), from
 * the raw values so far and the smoothed values before the newest one. Linear over a series.
 */
export function smoothNext(values: readonly number[], smoothed: readonly number[]): number {
  const n = values.length;
  const x = values[n - 1];
  const previousEma = n > 1 ? smoothed[n - 2] * (1 - SMOOTHING ** (n - 1)) : 0;
  return (SMOOTHING * previousEma + (1 - SMOOTHING) * x) / (1 - SMOOTHING ** n);
}

function eta(s: ViewState, now: number, fraction: number): number | null {
  const done = fraction - s.fitStartFraction;
  if (s.fitStartedAt === null || done <= 0 || fraction >= 1) return null;
  const elapsed = (now - s.fitStartedAt) / 1000;
  if (elapsed <= 0) return null;
  return (elapsed * (1 - fraction)) / done;
}

/** 28×28 bytes from base64; null when missing or the wrong size. */
export function decodePixels(base64: string | undefined): Uint8Array | null {
  if (!base64) return null;
  let bin: string;
  try {
    bin = atob(base64);
  } catch {
    return null;
  }
  if (bin.length !== PIXELS) return null;
  const out = new Uint8Array(PIXELS);
  for (let i = 0; i < PIXELS; i++) out[i] = bin.charCodeAt(i);
  return out;
}
