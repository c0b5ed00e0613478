import * as tf from '@tensorflow/tfjs';
import type { MnistConfig } from '../shared/config';
import type { BatchEvent, EpochEvent } from '../shared/protocol';

/** The tensors fit uses, created once per run. */
export interface TrainingData {
  xTrain: tf.Tensor4D;
  yTrain: tf.Tensor2D;
  xVal: tf.Tensor4D;
  yVal: tf.Tensor2D;
}

/** What a `batch` event reports, before it is stamped. */
export type BatchProgress = Omit<BatchEvent, 'type' | 'time'>;

/** What an `epoch` event reports, before it is stamped. */
export type EpochResult = Omit<EpochEvent, 'type' | 'time'>;

export interface TrainCallbacks {
  /** Called at most every BATCH_EVENT_MS and at each epoch's last batch. */
  onBatch?(p: BatchProgress): void;
  onEpoch?(r: EpochResult): void | Promise<void>;
  /** Polled after every batch; true ends the fit after that batch. */
  shouldStop(): boolean;
}

export interface TrainOptions {
  /** Epochs already trained (a resumed run): fit goes on with epoch initialEpoch + 1. */
  initialEpoch?: number;
  /**
   * Training batches made on the fly (augmentation), for epochs initialEpoch + 1 onwards in one
   * stream; fit then runs fitDataset over them instead of slicing xTrain. Validation is unchanged.
   */
  trainingBatches?: tf.data.Dataset<tf.TensorContainerObject>;
}

export interface TrainOutcome {
  stopped: boolean;
  epochsCompleted: number;
  /** Wall time of the whole fit, validation included. */
  fitSeconds: number;
}

const BATCH_EVENT_MS = 100;

function logValue(logs: tf.Logs | undefined, ...keys: string[]): number {
  for (const k of keys) if (logs && typeof logs[k] === 'number') return logs[k];
  return NaN;
}

/**
 * Keras' model.fit with the tutorial's settings, reporting through callbacks: knows nothing of
 * IPC, files or the UI. Validation is the held-out tail of the training set, as Keras does it.
 */
export async function train(
  model: tf.LayersModel,
  data: TrainingData,
  training: MnistConfig['training'],
  callbacks: TrainCallbacks,
  options: TrainOptions = {},
): Promise<TrainOutcome> {
  const n = data.xTrain.shape[0];
  const batchesPerEpoch = Math.ceil(n / training.batchSize);
  let epochStart = 0;
  let batchesThisEpoch = 0;
  let lastBatchEvent = 0;
  let epochsCompleted = options.initialEpoch ?? 0;
  let stopped = false;
  const fitStart = performance.now();

  const fitArgs: tf.ModelFitArgs = {
    epochs: training.epochs,
    initialEpoch: epochsCompleted,
    validationData: [data.xVal, data.yVal],
    verbose: 0,
    // We yield to the event loop ourselves, only when reporting, so a `stop` message gets in.
    yieldEvery: 'never',
    callbacks: {
      onEpochBegin: async () => {
        epochStart = performance.now();
        batchesThisEpoch = 0;
      },
      onBatchEnd: async (batch, logs) => {
        batchesThisEpoch = batch + 1;
        const now = performance.now();
        const last = batchesThisEpoch === batchesPerEpoch;
        if (callbacks.onBatch && (last || now - lastBatchEvent >= BATCH_EVENT_MS)) {
          lastBatchEvent = now;
          const seen = Math.min(batchesThisEpoch * training.batchSize, n);
          callbacks.onBatch({
            epoch: epochsCompleted + 1,
            epochs: training.epochs,
            batch: batchesThisEpoch,
            batchesPerEpoch,
            loss: logValue(logs, 'loss'),
            acc: logValue(logs, 'acc', 'accuracy'),
            samplesPerSecond: seen / Math.max((now - epochStart) / 1000, 1e-6),
          });
          await new Promise<void>((resolve) => setImmediate(resolve));
        }
        if (callbacks.shouldStop()) {
          stopped = true;
          model.stopTraining = true;
        }
      },
      onEpochEnd: async (epoch, logs) => {
        // A fit stopped mid-epoch still calls onEpochEnd, without validation: not an epoch.
        if (batchesThisEpoch < batchesPerEpoch) return;
        const seconds = (performance.now() - epochStart) / 1000;
        epochsCompleted = epoch + 1;
        await callbacks.onEpoch?.({
          epoch: epoch + 1,
          epochs: training.epochs,
          loss: logValue(logs, 'loss'),
          acc: logValue(logs, 'acc', 'accuracy'),
          valLoss: logValue(logs, 'val_loss'),
          valAcc: logValue(logs, 'val_acc', 'val_accuracy'),
          seconds,
          samplesPerSecond: n / seconds,
        });
        if (callbacks.shouldStop()) {
          stopped = true;
          model.stopTraining = true;
        }
      },
    },
  };
  if (options.trainingBatches) {
    await model.fitDataset(options.trainingBatches, {
      epochs: training.epochs,
      initialEpoch: fitArgs.initialEpoch,
      yieldEvery: fitArgs.yieldEvery,
      callbacks: fitArgs.callbacks,
      verbose: 0,
      validationData: [data.xVal, data.yVal],
      // fit validates in batches of batchSize; fitDataset's default would be 32.
      validationBatchSize: training.batchSize,
      batchesPerEpoch,
    });
  } else {
    await model.fit(data.xTrain, data.yTrain, { ...fitArgs, batchSize: training.batchSize, shuffle: training.shuffle });
  }
  return { stopped, epochsCompleted, fitSeconds: (performance.now() - fitStart) / 1000 };
}

/** Class probabilities for images, batched so a 10,000-image test set stays small in memory. */
export function predictProbabilities(model: tf.LayersModel, xs: tf.Tensor4D, batchSize = 500, onChunk?: () => void): Float32Array {
  const n = xs.shape[0];
  const out = new Float32Array(n * 10);
  for (let start = 0; start < n; start += batchSize) {
    const size = Math.min(batchSize, n - start);
    const probs = tf.tidy(() => (model.predict(xs.slice(start, size)) as tf.Tensor).dataSync());
    out.set(probs, start * 10);
    onChunk?.();
  }
  return out;
}
