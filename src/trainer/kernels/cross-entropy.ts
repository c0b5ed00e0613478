// Keras' categorical cross-entropy as one kernel each way on wasm. tfjs-layers computes it on the
// softmax's output as −Σ y·log(clip(p / Σp, ε, 1 − ε)) in 7 ops, whose gradients are 15 more
// kernels (the clip's mask alone is four): over a third of the MLP's kernel calls at batch 32,
// each a few µs of tfjs bookkeeping for a [32, 10] tensor. Here the same arithmetic is one JS
// loop over the heap forward and one back, with the clip's gradient as tfjs defines it (it passes
// where ε ≤ q ≤ 1 − ε). Other backends take tfjs-layers' own function.
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { KernelConfig, Tensor, TensorInfo } from '@tensorflow/tfjs';
import { f32 } from './heap';

export const CROSS_ENTROPY = 'MnistCategoricalCrossentropy';
export const CROSS_ENTROPY_GRAD = 'MnistCategoricalCrossentropyGrad';

interface Rows {
  n: number;
  c: number;
}

function rows(t: TensorInfo): Rows {
  const c = t.shape[t.shape.length - 1];
  return { n: tf.util.sizeFromShape(t.shape) / c, c };
}

/** ε and 1 − ε in float32, as tfjs's clipByValue compares. */
export function clipBounds(attrs: unknown): [number, number] {
  const { epsilon } = attrs as { epsilon: number };
  return [Math.fround(epsilon), Math.fround(1 - epsilon)];
}

/** Σ p over a row, added in float32 as tfjs's Sum does. */
function rowSum(p: ArrayLike<number>, at: number, c: number): number {
  let sum = 0;
  for (let j = 0; j < c; j++) sum = Math.fround(sum + p[at + j]);
  return sum;
}

/**
 * One row's loss −Σ y·log(clip(q, lo, hi)), q = p / Σp, as tfjs-layers' ops compute it; with
 * `grad`, also ∂(scale·loss)/∂p into grad.out from grad.at. The clip's gradient passes where
 * lo ≤ q ≤ hi, as tfjs's ClipByValue gradient does; through q = p / Σp,
 * ∂/∂p_k = g_k/Σp − Σ_j g_j·p_j / (Σp)². Used by both kernels here and by the dense step.
 */
export function crossEntropyRow(
  p: ArrayLike<number>,
  pAt: number,
  y: ArrayLike<number>,
  yAt: number,
  c: number,
  [lo, hi]: [number, number],
  grad?: { out: { [i: number]: number }; at: number; scale: number },
): number {
  const sum = rowSum(p, pAt, c);
  let loss = 0;
  let gp = 0;
  for (let j = 0; j < c; j++) {
    const q = Math.fround(p[pAt + j] / sum);
    loss -= y[yAt + j] * Math.log(Math.min(Math.max(q, lo), hi));
    if (!grad) continue;
    const g = q >= lo && q <= hi ? (-grad.scale * y[yAt + j]) / q : 0;
    grad.out[grad.at + j] = g;
    gp += g * p[pAt + j];
  }
  if (grad) for (let j = 0; j < c; j++) grad.out[grad.at + j] = grad.out[grad.at + j] / sum - gp / (sum * sum);
  return loss;
}

const forward: KernelConfig = {
  kernelName: CROSS_ENTROPY,
  backendName: 'wasm',
  kernelFunc: ({ inputs, backend: b, attrs }) => {
    const backend = b as BackendWasm;
    const { yTrue, yPred } = inputs as { yTrue: TensorInfo; yPred: TensorInfo };
    const bounds = clipBounds(attrs);
    const { n, c } = rows(yPred);
    const out = backend.makeOutput(yPred.shape.slice(0, -1), 'float32');
    const [y, p, loss] = [yTrue, yPred, out].map((t) => f32(backend, t));
    for (let i = 0; i < n; i++) loss[i] = crossEntropyRow(p, i * c, y, i * c, c, bounds);
    return out;
  },
};

const backward: KernelConfig = {
  kernelName: CROSS_ENTROPY_GRAD,
  backendName: 'wasm',
  kernelFunc: ({ inputs, backend: b, attrs }) => {
    const backend = b as BackendWasm;
    const { dy, yTrue, yPred } = inputs as { dy: TensorInfo; yTrue: TensorInfo; yPred: TensorInfo };
    const bounds = clipBounds(attrs);
    const { n, c } = rows(yPred);
    const out = backend.makeOutput(yPred.shape, 'float32');
    const [d, y, p, dp] = [dy, yTrue, yPred, out].map((t) => f32(backend, t));
    for (let i = 0; i < n; i++) crossEntropyRow(p, i * c, y, i * c, c, bounds, { out: dp, at: i * c, scale: d[i] });
    return out;
  },
};

/** The two kernels and the forward one's gradient; idempotent. */
export function registerCrossEntropy(): void {
  for (const config of [forward, backward]) if (tf.getKernel(config.kernelName, 'wasm') == null) tf.registerKernel(config);
  if (tf.getGradient(CROSS_ENTROPY) == null) {
    tf.registerGradient({
      kernelName: CROSS_ENTROPY,
      inputsToSave: ['yTrue', 'yPred'],
      gradFunc: (dy, saved, attrs) => {
        const [yTrue, yPred] = saved;
        return {
          yTrue: () => tf.zerosLike(yTrue),
          yPred: () => tf.engine().runKernel(CROSS_ENTROPY_GRAD, { dy: dy as Tensor, yTrue, yPred }, attrs) as Tensor,
        };
      },
    });
  }
}

/**
 * Keras' categoricalCrossentropy loss (per sample, on probabilities): the kernel pair where the
 * backend has it, else tfjs-layers' own. Given to compile() in place of the name.
 */
export function categoricalCrossentropy(yTrue: Tensor, yPred: Tensor): Tensor {
  const fused = tf.getKernel(CROSS_ENTROPY, tf.getBackend()) != null && yPred.dtype === 'float32' && yTrue.shape.join() === yPred.shape.join();
  if (!fused) return tf.metrics.categoricalCrossentropy(yTrue, yPred);
  return tf.engine().runKernel(CROSS_ENTROPY, { yTrue: tf.cast(yTrue, 'float32'), yPred }, { epsilon: tf.backend().epsilon() }) as Tensor;
}
