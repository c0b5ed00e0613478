// A whole training step of a stack of dense layers as one kernel, for wasm: the tutorial's MLP
// (Flatten → Dense ReLU … → Dense softmax, categorical cross-entropy, accuracy). Through tfjs's
// tape that step is ~85 kernel calls at batch 32, each a few µs of JavaScript (recording, tidying,
// shape checks) around a few µs of work, and that JavaScript is cold for the first hundred steps
// of a fresh trainer. Here one kernel runs the forward pass, the loss, the accuracy and every
// gradient on the heap with our loops (dense products as 1×1 convolutions, simd.wat), and the
// optimizer applies the gradients as before (fused Adam): the same arithmetic as the tape's,
// within float rounding (test/trainer/fused-kernels.test.ts).
// model.fit and fitDataset take it through makeTrainFunction; a batch it cannot take (fewer than
// 4 rows, another backend) goes through tfjs's own function, as do models with other layers,
// activations, losses, metrics or regularizers.
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { KernelConfig, NamedTensorMap, Tensor, TensorInfo } from '@tensorflow/tfjs';
import { categoricalCrossentropy, clipBounds, crossEntropyRow } from './cross-entropy';
import { f32 } from './heap';
import { type SimdKernels, simdKernels } from './simd';

export const DENSE_STEP = 'MnistDenseTrainStep';

/** Off: tfjs's own train function even for models the step takes (tests and benchmarks comparing the two). */
export const denseStepOptions = { enabled: true };

interface DenseStepAttrs {
  /** Per layer but the last (softmax): ReLU or none. */
  relu: boolean[];
  epsilon: number;
}

const pad8 = (n: number) => Math.ceil(n / 8) * 8;

/** Offsets of temporaries made with makeOutput, disposed together. */
class Scratch {
  private readonly made: TensorInfo[] = [];
  constructor(private readonly backend: BackendWasm) {}
  floats(n: number): TensorInfo {
    const t = this.backend.makeOutput([n], 'float32');
    this.made.push(t);
    return t;
  }
  dispose(): void {
    for (const t of this.made) this.backend.disposeData(t.dataId);
  }
}

/** out = a·b (+ bias, ReLU): a [m×k], b [k×n], n a multiple of 8, m ≥ 4; offsets in bytes. */
function product(simd: SimdKernels, a: number, b: number, out: number, m: number, k: number, n: number, bias = 0, relu = false): void {
  simd.conv4x8(a, b, out, 1, 1, m, k, 1, m, n, 1, 1, 1, 1, bias, relu ? 1 : 0, 0);
}

/** out = aᵀ·b: a [r×m], b [r×n], m a multiple of 4 and n of 8 (or n of 16). */
function productAT(simd: SimdKernels, a: number, b: number, out: number, r: number, m: number, n: number): void {
  const run = m % 4 === 0 ? simd.convFilterGrad4x8 : simd.convFilterGrad1x16;
  run(a, b, out, 1, 1, r, m, 1, r, n, 1, 1, 1, 1, 0, 0);
}

/** Whether the step can take these shapes: [rows, k0, n0, n1, …]; rows ≥ 4, layer inputs padded to 8 fit the loops. */
function shapesFit(rows: number, widths: number[]): boolean {
  if (rows < 4) return false;
  // aᵀ·b needs the first layer's input width a multiple of 4 (later ones are padded to 8).
  return widths[0] % 4 === 0 || pad8(widths[1]) % 16 === 0;
}

const denseStepConfig: KernelConfig = {
  kernelName: DENSE_STEP,
  backendName: 'wasm',
  kernelFunc: ({ inputs, backend: b, attrs }) => {
    const backend = b as BackendWasm;
    const simd = simdKernels(backend)!;
    const { relu } = attrs as unknown as DenseStepAttrs;
    const bounds = clipBounds(attrs);
    const { x, y } = inputs as { x: TensorInfo; y: TensorInfo };
    const layers = relu.length + 1;
    const kernels = [...Array(layers).keys()].map((l) => (inputs as Record<string, TensorInfo>)[`k${l}`]);
    const biases = [...Array(layers).keys()].map((l) => (inputs as Record<string, TensorInfo>)[`b${l}`]);
    const rows = x.shape[0];
    const widths = [tf.util.sizeFromShape(x.shape) / rows, ...kernels.map((k) => k.shape[1])];
    const padded = widths.map((w, i) => (i === 0 ? w : pad8(w)));
    const classes = widths[layers];

    // Outputs first, then temporaries; views of the heap only after the last allocation.
    const loss = backend.makeOutput([], 'float32');
    const acc = backend.makeOutput([], 'float32');
    const dK = kernels.map((k) => backend.makeOutput(k.shape, 'float32'));
    const dB = biases.map((bias) => backend.makeOutput(bias.shape, 'float32'));
    const scratch = new Scratch(backend);
    try {
      // Layer l reads h[l] (padded width padded[l]) and writes h[l + 1]; h[0] is x.
      const h = [x, ...padded.slice(1).map((w) => scratch.floats(rows * w))];
      const dz = padded.slice(1).map((w) => scratch.floats(rows * w));
      // Weights and biases at padded widths where a width is not a multiple of 8 (copied in), else as they are.
      const needsPad = (l: number) => padded[l] !== widths[l] || padded[l + 1] !== widths[l + 1];
      const kPad = kernels.map((k, l) => (needsPad(l) ? scratch.floats(padded[l] * padded[l + 1]) : k));
      const bPad = biases.map((bias, l) => (needsPad(l) ? scratch.floats(padded[l + 1]) : bias));
      const dKPad = dK.map((g, l) => (needsPad(l) ? scratch.floats(padded[l] * padded[l + 1]) : g));
      const dBPad = dB.map((g, l) => (needsPad(l) ? scratch.floats(padded[l + 1]) : g));
      // Wᵀ for the input gradients of layers 1 … L−1 (layer 0's input is data).
      const kT = kernels.map((_, l) => (l === 0 ? null : scratch.floats(padded[l + 1] * padded[l])));
      const at = (t: TensorInfo) => backend.getMemoryOffset(t.dataId);
      const view = (t: TensorInfo) => f32(backend, t);

      for (let l = 0; l < layers; l++) {
        if (needsPad(l)) {
          const [src, dst, bSrc, bDst] = [view(kernels[l]), view(kPad[l]), view(biases[l]), view(bPad[l])];
          dst.fill(0);
          bDst.fill(0);
          for (let i = 0; i < widths[l]; i++) dst.set(src.subarray(i * widths[l + 1], (i + 1) * widths[l + 1]), i * padded[l + 1]);
          bDst.set(bSrc);
        }
        const t = kT[l];
        if (t) simd.transpose(at(kPad[l]), at(t), padded[l], padded[l + 1]);
        product(simd, at(h[l]), at(kPad[l]), at(h[l + 1]), rows, padded[l], padded[l + 1], at(bPad[l]), l < layers - 1 && relu[l]);
      }

      // Softmax, the loss and the accuracy on the logits (the first `classes` of each padded row),
      // and the gradient back to the logits: through the loss as cross-entropy.ts has it (the
      // clip's mask included), then through the softmax as tfjs's Softmax gradient does.
      const logits = view(h[layers]);
      const target = view(y);
      const dLogits = view(dz[layers - 1]);
      const dBias = view(dBPad[layers - 1]);
      dLogits.fill(0);
      dBias.fill(0);
      const p = new Float32Array(classes);
      const dp = new Float64Array(classes);
      let lossSum = 0;
      let correct = 0;
      const width = padded[layers];
      for (let r = 0; r < rows; r++) {
        const row = r * width;
        let max = -Infinity;
        for (let j = 0; j < classes; j++) max = Math.max(max, logits[row + j]);
        let sum = 0;
        for (let j = 0; j < classes; j++) sum += p[j] = Math.exp(logits[row + j] - max);
        // categoricalAccuracy: the first maximum of the target and of the probabilities (as ArgMax).
        let [truth, best] = [0, 0];
        for (let j = 0; j < classes; j++) {
          p[j] /= sum;
          if (target[r * classes + j] > target[r * classes + truth]) truth = j;
          if (p[j] > p[best]) best = j;
        }
        if (truth === best) correct++;
        // The loss is the mean over rows, so each row's gradient is scaled by 1/rows.
        lossSum += crossEntropyRow(p, 0, target, r * classes, classes, bounds, { out: dp, at: 0, scale: 1 / rows });
        let dot = 0;
        for (let j = 0; j < classes; j++) dot += dp[j] * p[j];
        for (let j = 0; j < classes; j++) {
          const d = p[j] * (dp[j] - dot);
          dLogits[row + j] = d;
          dBias[j] += d;
        }
      }
      view(loss)[0] = lossSum / rows;
      view(acc)[0] = correct / rows;

      for (let l = layers - 1; l >= 0; l--) {
        productAT(simd, at(h[l]), at(dz[l]), at(dKPad[l]), rows, padded[l], padded[l + 1]);
        if (l > 0) {
          // dh = dz·Wᵀ, then back through the previous layer's ReLU and bias in one pass.
          const dh = scratch.floats(rows * padded[l]);
          product(simd, at(dz[l]), at(kT[l]!), at(dh), rows, padded[l + 1], padded[l]);
          view(dBPad[l - 1]).fill(0);
          if (relu[l - 1]) simd.reluBiasGrad(at(dh), at(h[l]), at(dz[l - 1]), at(dBPad[l - 1]), rows, padded[l]);
          else {
            const [src, dst, db] = [view(dh), view(dz[l - 1]), view(dBPad[l - 1])];
            dst.set(src);
            for (let r = 0; r < rows; r++) for (let j = 0; j < padded[l]; j++) db[j] += src[r * padded[l] + j];
          }
        }
      }
      for (let l = 0; l < layers; l++) {
        if (!needsPad(l)) continue;
        const [src, dst] = [view(dKPad[l]), view(dK[l])];
        for (let i = 0; i < widths[l]; i++) dst.set(src.subarray(i * padded[l + 1], i * padded[l + 1] + widths[l + 1]), i * widths[l + 1]);
        view(dB[l]).set(view(dBPad[l]).subarray(0, widths[l + 1]));
      }
    } finally {
      scratch.dispose();
    }
    return [loss, acc, ...dK, ...dB];
  },
};

/** tfjs-layers' internals the step reads; public on the instances, absent from the typings. */
interface LayersInternals {
  makeTrainFunction(): (data: Tensor[]) => tf.Scalar[];
  optimizer_: tf.Optimizer;
  lossFunctions: unknown[];
  metricsNames: string[];
  collectedTrainableWeights: { read(): tf.Variable }[];
}

interface DenseLayer {
  kernel: { read(): tf.Variable };
  bias: { read(): tf.Variable } | null;
  activation: { getClassName(): string };
}

/** The dense layers of a Flatten* → Dense* model with ReLU/linear hidden layers and a softmax output; null for any other model. */
function denseStack(model: tf.LayersModel): DenseLayer[] | null {
  const layers = model.layers;
  let i = 0;
  while (i < layers.length && layers[i].getClassName() === 'Flatten') i++;
  const dense = layers.slice(i);
  if (dense.length === 0 || dense.some((l) => l.getClassName() !== 'Dense')) return null;
  const typed = dense as unknown as (DenseLayer & tf.layers.Layer)[];
  if (typed.some((l) => l.bias == null || !l.trainable || l.losses.length > 0)) return null;
  const acts = typed.map((l) => l.activation.getClassName());
  if (acts[acts.length - 1] !== 'softmax' || acts.slice(0, -1).some((a) => a !== 'relu' && a !== 'linear')) return null;
  const config = typed.map((l) => l.getConfig() as { kernelRegularizer?: unknown; biasRegularizer?: unknown; activityRegularizer?: unknown });
  if (config.some((c) => c.kernelRegularizer != null || c.biasRegularizer != null || c.activityRegularizer != null)) return null;
  return typed;
}

/**
 * Makes a compiled model that is a dense stack (see denseStack) train with the one-kernel step on
 * wasm; any other model, and every batch the step cannot take, keeps tfjs's own train function.
 */
export function useDenseStep(model: tf.LayersModel): void {
  registerDenseStep();
  // A Sequential trains through the functional model it wraps.
  const internals = ((model as unknown as { model?: LayersInternals }).model ?? model) as unknown as LayersInternals;
  if (!internals.lossFunctions) return;
  const stack = denseStack(model);
  if (!stack || internals.lossFunctions.length !== 1 || internals.lossFunctions[0] !== categoricalCrossentropy) return;
  const own = internals.makeTrainFunction.bind(internals);
  internals.makeTrainFunction = () => {
    const ownStep = own();
    return (data: Tensor[]) => {
      const [x, y] = data;
      const metricsFit = internals.metricsNames.length === 2 && internals.metricsNames[1] === 'acc';
      const widths = [tf.util.sizeFromShape(x.shape) / x.shape[0], ...stack.map((l) => l.kernel.read().shape[1] ?? 0)];
      const ready =
        denseStepOptions.enabled &&
        metricsFit &&
        data.slice(2).every((w) => w == null) && // no sample weights
        tf.getBackend() === 'wasm' &&
        x.dtype === 'float32' &&
        simdKernels(tf.backend() as BackendWasm) != null &&
        shapesFit(x.shape[0], widths);
      if (!ready) return ownStep(data);
      return tf.tidy(() => {
        const inputs: NamedTensorMap = { x, y: y.dtype === 'float32' ? y : tf.cast(y, 'float32') };
        stack.forEach((l, i) => {
          inputs[`k${i}`] = l.kernel.read();
          inputs[`b${i}`] = l.bias!.read();
        });
        const attrs = { relu: stack.slice(0, -1).map((l) => l.activation.getClassName() === 'relu'), epsilon: tf.backend().epsilon() };
        const [loss, acc, ...grads] = tf.engine().runKernel(DENSE_STEP, inputs, attrs as unknown as tf.NamedAttrMap) as Tensor[];
        const named = stack.flatMap((l, i) => [
          { name: l.kernel.read().name, tensor: grads[i] },
          { name: l.bias!.read().name, tensor: grads[stack.length + i] },
        ]);
        internals.optimizer_.applyGradients(named);
        return [loss as tf.Scalar, acc as tf.Scalar];
      });
    };
  };
}

function registerDenseStep(): void {
  if (tf.getKernel(DENSE_STEP, 'wasm') == null) tf.registerKernel(denseStepConfig);
}
