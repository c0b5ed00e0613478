// Augmented training batches for fitDataset: each batch is warped on the fly from the dataset's
// bytes, so no augmented copy of the training set is ever held. Validation and test images never
// pass through here. Order and transforms depend only on (seed, epoch, batch), so a resumed run
// sees exactly the batches the uninterrupted run would have.
import * as tf from '@tensorflow/tfjs';
import { AugmentScratch, augmentBatch } from '../shared/augment';
import { type AugmentConfig, NUM_CLASSES } from '../shared/config';
import { Mulberry32, mixSeed } from '../shared/prng';

const PIXELS = 784;
// Separate streams, so changing one use of randomness never shifts another.
const ORDER_STREAM = 0x0dde5;
const AUGMENT_STREAM = 0xa06;

export interface BatchSourceOptions {
  /** count × 784 bytes: the training images are the first `count`. */
  images: Uint8Array;
  labels: Uint8Array;
  count: number;
  batchSize: number;
  shuffle: boolean;
  seed: number;
  augment: AugmentConfig;
}

export type TrainingBatch = tf.TensorContainerObject & { xs: tf.Tensor4D; ys: tf.Tensor2D };

/** The order of the training images in 1-based `epoch`: a seeded Fisher–Yates shuffle, or as stored. */
export function epochOrder(count: number, epoch: number, seed: number, shuffle: boolean): Uint32Array {
  const order = new Uint32Array(count);
  for (let i = 0; i < count; i++) order[i] = i;
  if (!shuffle) return order;
  const rng = new Mulberry32(mixSeed(seed, ORDER_STREAM, epoch));
  for (let i = count - 1; i > 0; i--) {
    const j = Math.floor(rng.next() * (i + 1));
    const t = order[i];
    order[i] = order[j];
    order[j] = t;
  }
  return order;
}

/** The pixels (floats in [0, 1]) and labels of batch `batch` (0-based) of 1-based `epoch`, as plain arrays. */
export function augmentedBatchData(o: BatchSourceOptions, epoch: number, batch: number, order = epochOrder(o.count, epoch, o.seed, o.shuffle), scratch = new AugmentScratch()): { pixels: Float32Array; labels: Uint8Array } {
  const start = batch * o.batchSize;
  const indices = order.subarray(start, Math.min(start + o.batchSize, o.count));
  const pixels = new Float32Array(indices.length * PIXELS);
  const rng = new Mulberry32(mixSeed(o.seed, AUGMENT_STREAM, epoch, batch));
  augmentBatch(o.images, indices, o.augment, () => rng.next(), pixels, scratch);
  return { pixels, labels: Uint8Array.from(indices, (i) => o.labels[i]) };
}

/**
 * One stream of batches for epochs firstEpoch, firstEpoch + 1, …: what fitDataset takes with
 * `batchesPerEpoch` (it opens the iterator once per fit). fitDataset disposes each batch after
 * its training step.
 */
export function augmentedDataset(o: BatchSourceOptions, firstEpoch: number): tf.data.Dataset<TrainingBatch> {
  const batchesPerEpoch = Math.ceil(o.count / o.batchSize);
  return tf.data.generator(function* () {
    const scratch = new AugmentScratch();
    for (let epoch = firstEpoch; ; epoch++) {
      const order = epochOrder(o.count, epoch, o.seed, o.shuffle);
      for (let batch = 0; batch < batchesPerEpoch; batch++) {
        const { pixels, labels } = augmentedBatchData(o, epoch, batch, order, scratch);
        const oneHot = new Float32Array(labels.length * NUM_CLASSES);
        for (let i = 0; i < labels.length; i++) oneHot[i * NUM_CLASSES + labels[i]] = 1;
        yield {
          xs: tf.tensor4d(pixels, [labels.length, 28, 28, 1]),
          ys: tf.tensor2d(oneHot, [labels.length, NUM_CLASSES]),
        };
      }
    }
  } as unknown as () => Iterator<TrainingBatch>);
}
