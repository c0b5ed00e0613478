// Look Inside Model's math, in the predictor process: every layer's output for one image, the first
// layer's filters, a saliency map and Grad-CAM. Pure over a loaded model: no IPC, no files.
import * as tf from '@tensorflow/tfjs';
import { IMAGE_SHAPE } from '../shared/config';
import { DIGIT_PIXELS } from '../shared/digits';
import type { EncodedTensor, InspectedFilters, InspectedLayer, Inspection } from '../shared/protocol/inspect';

/** Kernels larger than this (a wide conv layer) are not sent: the dot-product view goes without them. */
const MAX_KERNEL_VALUES = 300_000;
/** For an MLP: how many of the first Dense layer's units are drawn as 28×28 weight images. */
const DENSE_FILTER_UNITS = 16;

export function encodeTensor(values: Float32Array, shape: readonly number[]): EncodedTensor {
  return { shape: [...shape], data: Buffer.from(values.buffer, values.byteOffset, values.byteLength).toString('base64') };
}

function config(layer: tf.layers.Layer): Record<string, unknown> {
  return layer.getConfig() as Record<string, unknown>;
}

function pair(v: unknown): [number, number] {
  return Array.isArray(v) ? [Number(v[0]), Number(v[1] ?? v[0])] : [Number(v), Number(v)];
}

/** The layers an image goes through, in order (a Sequential model's InputLayer is not one). */
export function modelLayers(model: tf.LayersModel): tf.layers.Layer[] {
  return model.layers.filter((l) => l.getClassName() !== 'InputLayer');
}

/**
 * One model's inspector: a second model with every layer's output as an output (sharing the
 * weights, so it is never disposed on its own), built once per loaded model.
 */
export class Inspector {
  private readonly layers: tf.layers.Layer[];
  private readonly all: tf.LayersModel;

  constructor(model: tf.LayersModel) {
    this.layers = modelLayers(model);
    this.all = tf.model({ inputs: model.inputs, outputs: this.layers.map((l) => l.output as tf.SymbolicTensor) });
  }

  inspect(pixels: readonly number[]): Inspection {
    if (pixels.length !== DIGIT_PIXELS) throw new Error(`expected ${DIGIT_PIXELS} pixel values, got ${pixels.length}`);
    const started = performance.now();
    let result: Omit<Inspection, 'millis'> | undefined;
    // tidy's callback may return only tensors, so the plain result leaves it through `result`.
    tf.tidy(() => {
      const x = tf.tensor4d(pixels as number[], [1, ...IMAGE_SHAPE]);
      const outs = this.all.predict(x) as tf.Tensor | tf.Tensor[];
      const outputs = Array.isArray(outs) ? outs : [outs];
      const values = outputs.map((t) => t.dataSync() as Float32Array);
      const probabilities = Array.from(values[values.length - 1]);
      const predicted = probabilities.indexOf(Math.max(...probabilities));
      const layers = this.layers.map((l, i) => this.describe(l, i, outputs[i], values[i]));
      const { map, of } = this.saliency(x, predicted);
      const cam = this.gradCam(outputs, predicted);
      result = { layers, probabilities, predicted, filters: this.filters(values), saliency: encodeTensor(map, [28, 28]), saliencyOf: of, gradCam: cam };
    });
    return { ...result!, millis: performance.now() - started };
  }

  private describe(layer: tf.layers.Layer, i: number, out: tf.Tensor, values: Float32Array): InspectedLayer {
    const className = layer.getClassName();
    const shape = out.shape.slice(1);
    const c = config(layer);
    const base = { name: layer.name, className, shape, ...(typeof c.activation === 'string' ? { activation: c.activation } : {}) };
    if (className === 'Dropout' && i > 0) return { ...base, kind: 'identity' };
    if (className === 'Flatten' || className === 'Reshape') return { ...base, kind: 'reshape' };
    const described: InspectedLayer = { ...base, kind: 'values', output: encodeTensor(values, shape) };
    if (className === 'Conv2D') {
      const [kernel, bias] = layer.getWeights();
      if (kernel.size <= MAX_KERNEL_VALUES) {
        described.kernel = encodeTensor(kernel.dataSync() as Float32Array, kernel.shape);
        if (bias) described.bias = encodeTensor(bias.dataSync() as Float32Array, bias.shape);
      }
      described.strides = pair(c.strides);
      described.padding = c.padding === 'same' ? 'same' : 'valid';
    }
    return described;
  }

  /**
   * The score whose gradient says where the model looked: the predicted class's logit when the
   * last layer is a softmax Dense (a probability saturates near 1 and its gradient vanishes), else
   * its output. `from` is the index of the first layer applied to `h`.
   */
  private score(h: tf.Tensor, from: number, cls: number): tf.Scalar {
    const last = this.layers.length - 1;
    for (let i = from; i < last; i++) h = this.layers[i].apply(h, { training: false }) as tf.Tensor;
    const top = this.layers[last];
    if (this.logitOf(top)) {
      const [kernel, bias] = top.getWeights();
      const logits = tf.matMul(h as tf.Tensor2D, kernel as tf.Tensor2D);
      return pick(bias ? logits.add(bias) : logits, cls);
    }
    return pick(top.apply(h, { training: false }) as tf.Tensor, cls);
  }

  private logitOf(layer: tf.layers.Layer): boolean {
    return layer.getClassName() === 'Dense' && config(layer).activation === 'softmax' && layer.getWeights().length >= 1;
  }

  /** |d score / d x| over the 784 pixels, divided by its largest value. */
  private saliency(x: tf.Tensor4D, cls: number): { map: Float32Array; of: Inspection['saliencyOf'] } {
    const g = tf.grad((input: tf.Tensor) => this.score(input, 0, cls))(x);
    const map = normalise(g.abs().dataSync() as Float32Array);
    return { map, of: this.logitOf(this.layers[this.layers.length - 1]) ? 'logit' : 'probability' };
  }

  /**
   * The class-activation map of the last Conv2D layer, upsampled to 28×28, 0..1. Grad-CAM
   * (Selvaraju et al. 2017) weighs each channel by its mean gradient; behind Flatten → Dense
   * those means are negative almost everywhere (all 20 sample digits of a 1-epoch CNN preset
   * gave an empty map), so this is its HiResCAM form (Draelos & Carin 2020): the gradient times
   * the activation at each position, summed over channels, then ReLU. Both agree for models that
   * pool globally; this one is faithful to a Dense head.
   */
  private gradCam(outputs: tf.Tensor[], cls: number): Inspection['gradCam'] {
    let k = -1;
    this.layers.forEach((l, i) => l.getClassName() === 'Conv2D' && (k = i));
    if (k < 0) return null;
    const a = outputs[k] as tf.Tensor4D;
    const g = tf.grad((act: tf.Tensor) => this.score(act, k + 1, cls))(a);
    const cam = a.mul(g).sum(3, true).relu() as tf.Tensor4D;
    const up = tf.image.resizeBilinear(cam, [28, 28]);
    return { layer: this.layers[k].name, method: 'HiResCAM', map: encodeTensor(normalise(up.dataSync() as Float32Array), [28, 28]) };
  }

  /** The first layer's kernels (Conv2D), or the weights of the first Dense layer's most active units on this image. */
  private filters(values: Float32Array[]): InspectedFilters | null {
    const i = this.layers.findIndex((l) => l.getClassName() === 'Conv2D' || l.getClassName() === 'Dense');
    if (i < 0) return null;
    const layer = this.layers[i];
    const [kernel] = layer.getWeights();
    if (!kernel) return null;
    if (layer.getClassName() === 'Conv2D') return { kind: 'conv', layer: layer.name, kernel: encodeTensor(kernel.dataSync() as Float32Array, kernel.shape) };
    if (kernel.shape[0] !== DIGIT_PIXELS) return null; // a Dense layer after a conv stack does not look at pixels
    const act = values[i];
    const units = Array.from(act.keys()).sort((a, b) => act[b] - act[a]).slice(0, DENSE_FILTER_UNITS);
    const w = kernel.dataSync();
    const cols = kernel.shape[1] ?? 1;
    const out = new Float32Array(units.length * DIGIT_PIXELS);
    units.forEach((u, j) => {
      for (let p = 0; p < DIGIT_PIXELS; p++) out[j * DIGIT_PIXELS + p] = w[p * cols + u];
    });
    return { kind: 'dense', layer: layer.name, units, activations: units.map((u) => act[u]), weights: encodeTensor(out, [units.length, 28, 28]) };
  }
}

/** Output `cls` of a [1, n] tensor, through a mask: gather's gradient has no wasm kernel. */
function pick(t: tf.Tensor, cls: number): tf.Scalar {
  const mask = new Float32Array(t.shape[1] ?? 1);
  mask[cls] = 1;
  return t.mul(tf.tensor(mask, [1, mask.length])).sum();
}

function normalise(v: Float32Array): Float32Array {
  let max = 0;
  for (const x of v) if (x > max) max = x;
  const out = new Float32Array(v.length);
  if (max > 0) for (let i = 0; i < v.length; i++) out[i] = v[i] / max;
  return out;
}
