// Adam in one kernel per variable, for wasm. tf.AdamOptimizer updates each variable with 14
// element-wise ops (and a scalar upload for each constant): 84 of the tutorial MLP's ~210 kernel
// calls per step, on tensors of 10 to 100k values. Here one kernel per variable reads value, m,
// v and gradient and writes the three new tensors in a single pass over the heap: in wasm SIMD
// (simd.wat) where the runtime has it, else a JS loop (in float64).
// The outputs are new tensors, as tfjs's are, never updates in place: wasm caches its XNNPACK
// operators by the id of the weights' data, so weights changed in place would go unseen.
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { KernelConfig, Tensor, TensorInfo } from '@tensorflow/tfjs';
import { f32 } from './heap';
import { simdKernels } from './simd';

export const ADAM_KERNEL = 'MnistFusedAdam';

interface AdamAttrs {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  /** 1 − β1^t and 1 − β2^t for this step t. */
  correction1: number;
  correction2: number;
}

export const fusedAdamConfig: KernelConfig = {
  kernelName: ADAM_KERNEL,
  backendName: 'wasm',
  kernelFunc: ({ inputs, backend: b, attrs }) => {
    const backend = b as BackendWasm;
    const { value, m, v, gradient } = inputs as { value: TensorInfo; m: TensorInfo; v: TensorInfo; gradient: TensorInfo };
    const { learningRate, beta1, beta2, epsilon, correction1, correction2 } = attrs as unknown as AdamAttrs;
    const outs = [value, m, v].map((t) => backend.makeOutput(t.shape, 'float32'));
    // w − lr·(m/c1) / (√(v/c2) + ε), with the divisions by constants taken out of the loop.
    const step = learningRate / correction1;
    const perC2 = 1 / correction2;
    const keep1 = 1 - beta1;
    const keep2 = 1 - beta2;
    const n = tf.util.sizeFromShape(value.shape);
    const simd = simdKernels(backend);
    if (simd) {
      const [w0, m0, v0, g, w1, m1, v1] = [value, m, v, gradient, ...outs].map((t) => backend.getMemoryOffset(t.dataId));
      simd.adam(w0, m0, v0, g, w1, m1, v1, n, beta1, beta2, keep1, keep2, step, perC2, epsilon);
      return outs;
    }
    const [w0, m0, v0, g] = [value, m, v, gradient].map((t) => f32(backend, t));
    const [w1, m1, v1] = outs.map((t) => f32(backend, t));
    for (let i = 0; i < n; i++) {
      const gi = g[i];
      const mi = m0[i] * beta1 + gi * keep1;
      const vi = v0[i] * beta2 + gi * gi * keep2;
      m1[i] = mi;
      v1[i] = vi;
      w1[i] = w0[i] - (step * mi) / (Math.sqrt(vi * perC2) + epsilon);
    }
    return outs;
  },
};

/**
 * Makes every tf.AdamOptimizer take the fused kernel while the wasm backend is active; on other
 * backends (or without the kernel) it runs tfjs's own update. The optimizer keeps tfjs's state
 * (its m and v variables, accBeta1/2, iterations), so getWeights/setWeights, getConfig and the
 * class name saved with a model are unchanged. Idempotent.
 */
export function registerFusedAdam(): void {
  const proto = tf.AdamOptimizer.prototype as unknown as { applyGradients: ApplyGradients & { fused?: true } };
  if (proto.applyGradients.fused) return;
  const ownUpdate = proto.applyGradients;
  proto.applyGradients = Object.assign(
    function (this: tf.AdamOptimizer, variableGradients: Parameters<ApplyGradients>[0]): void {
      if (tf.getBackend() !== 'wasm' || tf.getKernel(ADAM_KERNEL, 'wasm') == null) return ownUpdate.call(this, variableGradients);
      fusedStep(this as unknown as AdamState, variableGradients);
    },
    { fused: true as const },
  );
}

type ApplyGradients = tf.AdamOptimizer['applyGradients'];

/** tf.AdamOptimizer's state, private in its typings, which the fused update reads and writes as Adam does. */
interface AdamState {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  accBeta1: tf.Variable;
  accBeta2: tf.Variable;
  accumulatedFirstMoment: { originalName: string; variable: tf.Variable }[];
  accumulatedSecondMoment: { originalName: string; variable: tf.Variable }[];
  incrementIterations(): void;
}

function fusedStep(s: AdamState, variableGradients: Parameters<ApplyGradients>[0]): void {
  const names = Array.isArray(variableGradients) ? variableGradients.map((v) => v.name) : Object.keys(variableGradients);
  // accBeta1/2 stay scalar tensors (getWeights/setWeights use them); reading one is a heap read.
  const accBeta1 = s.accBeta1.dataSync()[0];
  const accBeta2 = s.accBeta2.dataSync()[0];
  const attrs: AdamAttrs = {
    learningRate: s.learningRate,
    beta1: s.beta1,
    beta2: s.beta2,
    epsilon: s.epsilon,
    correction1: 1 - accBeta1,
    correction2: 1 - accBeta2,
  };
  names.forEach((name, i) => {
    const value = tf.engine().registeredVariables[name];
    // As tfjs: the moments are made at the first step, non-trainable, named after the variable.
    s.accumulatedFirstMoment[i] ??= { originalName: `${name}/m`, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) };
    s.accumulatedSecondMoment[i] ??= { originalName: `${name}/v`, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) };
    const gradient = Array.isArray(variableGradients) ? variableGradients[i].tensor : variableGradients[name];
    if (gradient == null) return;
    const m = s.accumulatedFirstMoment[i].variable;
    const v = s.accumulatedSecondMoment[i].variable;
    const [newValue, newM, newV] = tf.engine().runKernel(ADAM_KERNEL, { value, m, v, gradient }, attrs as unknown as tf.NamedAttrMap) as Tensor[];
    m.assign(newM);
    v.assign(newV);
    value.assign(newValue);
    tf.dispose([newValue, newM, newV]);
  });
  tf.tidy(() => {
    s.accBeta1.assign(tf.scalar(accBeta1 * s.beta1));
    s.accBeta2.assign(tf.scalar(accBeta2 * s.beta2));
  });
  s.incrementIterations();
}
