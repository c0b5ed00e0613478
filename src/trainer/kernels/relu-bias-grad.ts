// The way back through a layer's bias and ReLU as one kernel: dx = dy where the layer's output
// y > 0, and the bias gradient db = Σ dx over every axis but the last. tfjs runs it as three
// (Step, Multiply, Sum), each a pass over the activations; the CNN's first layer alone is
// 128×26×26×32 values at batch 128. In wasm SIMD (simd.wat reluBiasGrad), rows split with the
// helper thread, each summing its own db; else a JS loop.
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { KernelConfig, Tensor, TensorInfo } from '@tensorflow/tfjs';
import { f32 } from './heap';
import { helperFor, simdKernels } from './simd';

export const RELU_BIAS_GRAD = 'MnistReluBiasGrad';

export const reluBiasGradConfig: KernelConfig = {
  kernelName: RELU_BIAS_GRAD,
  backendName: 'wasm',
  kernelFunc: ({ inputs, backend: b }) => {
    const backend = b as BackendWasm;
    const { dy, y } = inputs as { dy: TensorInfo; y: TensorInfo };
    const c = dy.shape[dy.shape.length - 1];
    const rows = tf.util.sizeFromShape(dy.shape) / c;
    const dx = backend.makeOutput(dy.shape, 'float32');
    const db = backend.makeOutput([c], 'float32');
    const simd = c % 4 === 0 ? simdKernels(backend) : null;
    const helper = simd && rows > 1 ? helperFor(backend, rows * c) : null;
    const partial = helper ? backend.makeOutput([c], 'float32') : null;
    // Views only now: the last makeOutput may have grown the heap.
    f32(backend, db).fill(0);
    const [dyAt, yAt, dxAt, dbAt] = [dy, y, dx, db].map((t) => backend.getMemoryOffset(t.dataId));
    if (simd && helper && partial) {
      f32(backend, partial).fill(0);
      const partialAt = backend.getMemoryOffset(partial.dataId);
      // Fixed halves, so db is summed in the same order on every run (chunks taken by whichever
      // thread is free would change it): the helper sums its half into `partial`, added in after.
      const half = Math.ceil(rows / 2);
      const skip = 4 * half * c;
      helper.split('reluBiasGrad', simd.reluBiasGrad, [dyAt, yAt, dxAt, dbAt, half, c], [dyAt + skip, yAt + skip, dxAt + skip, partialAt, rows - half, c]);
      simd.addInto(dbAt, partialAt, c);
      backend.disposeData(partial.dataId);
    } else if (simd) {
      simd.reluBiasGrad(dyAt, yAt, dxAt, dbAt, rows, c);
    } else {
      const [dyV, yV, dxV, dbV] = [dy, y, dx, db].map((t) => f32(backend, t));
      for (let r = 0, i = 0; r < rows; r++) {
        for (let k = 0; k < c; k++, i++) {
          const v = yV[i] > 0 ? dyV[i] : 0;
          dxV[i] = v;
          dbV[k] += v;
        }
      }
    }
    return [dx, db];
  },
};

/**
 * dy through ReLU (where relu) and the bias gradient: one kernel where the backend has it, else
 * tfjs's ops, whose values it matches.
 */
export function throughReluAndBias(dy: Tensor, y: Tensor, relu: boolean): [Tensor, Tensor] {
  const axes = [...Array(dy.rank - 1).keys()];
  if (!relu) return [dy, tf.sum(dy, axes)];
  if (tf.getKernel(RELU_BIAS_GRAD, tf.getBackend()) != null && dy.dtype === 'float32') {
    return tf.engine().runKernel(RELU_BIAS_GRAD, { dy, y }, {}) as Tensor[] as [Tensor, Tensor];
  }
  const dx = tf.mul(dy, tf.step(y));
  return [dx, tf.sum(dx, axes)];
}
