import * as tf from '@tensorflow/tfjs';
import { IMAGE_SHAPE, type LayerConfig, type MnistConfig } from '../shared/config';
import type { LayerSummary, ModelEvent } from '../shared/protocol';
import { categoricalCrossentropy } from './kernels/cross-entropy';
import { useDenseStep } from './kernels/dense-step';

function makeLayer(layer: LayerConfig, inputShape: number[] | undefined): tf.layers.Layer {
  const first = inputShape ? { inputShape } : {};
  switch (layer.type) {
    case 'flatten':
      return tf.layers.flatten(first);
    case 'dense':
      return tf.layers.dense({ ...first, units: layer.units, activation: layer.activation ?? 'linear' });
    case 'dropout':
      return tf.layers.dropout({ ...first, rate: layer.rate });
    case 'conv2d':
      return tf.layers.conv2d({
        ...first,
        filters: layer.filters,
        kernelSize: layer.kernelSize,
        strides: layer.strides ?? 1,
        padding: layer.padding ?? 'valid',
        activation: layer.activation ?? 'linear',
      });
    case 'maxPooling2d':
      return tf.layers.maxPooling2d({ ...first, poolSize: layer.poolSize ?? 2, strides: layer.strides ?? layer.poolSize ?? 2 });
    case 'batchNormalization':
      return tf.layers.batchNormalization(first);
  }
}

function makeOptimizer(config: MnistConfig['training']): tf.Optimizer {
  switch (config.optimizer) {
    case 'adam':
      return tf.train.adam(config.learningRate);
    case 'sgd':
      return tf.train.sgd(config.learningRate);
    case 'rmsprop':
      return tf.train.rmsprop(config.learningRate);
  }
}

/**
 * A compiled Keras-style Sequential model for 28×28×1 images. The config must have passed
 * validation (the semantic checks reject stacks tfjs would fail on with a less helpful message).
 */
export function buildModel(config: MnistConfig): tf.Sequential {
  const model = tf.sequential();
  config.model.layers.forEach((layer, i) => model.add(makeLayer(layer, i === 0 ? [...IMAGE_SHAPE] : undefined)));
  // The loss as a function (the same arithmetic, one kernel each way on wasm) rather than its name.
  const loss = config.training.loss === 'categoricalCrossentropy' ? categoricalCrossentropy : config.training.loss;
  model.compile({ optimizer: makeOptimizer(config.training), loss, metrics: ['accuracy'] });
  useDenseStep(model);
  return model;
}

/** Keras' model.summary() as data. */
export function summarizeModel(model: tf.LayersModel): Omit<ModelEvent, 'type' | 'time'> {
  const layers: LayerSummary[] = model.layers.map((l) => ({
    name: l.name,
    type: l.getClassName(),
    outputShape: (Array.isArray(l.outputShape[0]) ? l.outputShape[0] : l.outputShape) as (number | null)[],
    params: l.countParams(),
  }));
  const count = (weights: tf.LayerVariable[]) => weights.reduce((s, w) => s + w.shape.reduce<number>((a, b) => a * (b ?? 1), 1), 0);
  const trainableParams = count(model.trainableWeights);
  return { layers, totalParams: model.countParams(), trainableParams, nonTrainableParams: count(model.nonTrainableWeights) };
}
