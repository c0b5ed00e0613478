// Conv2D and FusedConv2D (bias, ReLU) for wasm as a direct SIMD loop (simd.wat conv4x8): 4 output
// pixels × 8 filters held in registers while the loop walks each filter row's contiguous run of x.
// XNNPACK's own conv runs the CNN's layers at about half that speed here
// (scripts/bench/conv-flops.ts), and it repacks the filter whenever it changes, i.e. after every
// training step. The faster Conv2DBackpropInput runs on this too (a full convolution). Other cases
// (NCHW, dilations, filter counts not a multiple of 8, narrow outputs) stay on wasm's own kernel.
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { Conv2DAttrs, KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import { run, withTemps } from './heap';
import { simdKernels, splitBatch } from './simd';

type Shape4 = [number, number, number, number];

/** tfjs's conv geometry for an NHWC input and HWIO filter, dilation 1: what our three conv kernels share. */
export function nhwcConvInfo(
  xShape: Shape4,
  filterShape: Shape4,
  strides: Conv2DAttrs['strides'],
  pad: Conv2DAttrs['pad'],
  dimRoundingMode: Conv2DAttrs['dimRoundingMode'],
): tf.backend_util.Conv2DInfo {
  return tf.backend_util.computeConv2DInfo(xShape, filterShape, strides, 1, pad, dimRoundingMode, false, 'channelsLast');
}


/** Off: always wasm's own (for scripts/bench/conv-flops.ts to compare the two). */
export const conv2dOptions = { direct: true };

/**
 * conv(x, filter) [+ bias] [then ReLU] by the direct loop, with the batch split across the helper
 * thread where there is one; null where the loop does not apply (the caller runs wasm's own).
 */
export function directConv2d(
  backend: BackendWasm,
  x: TensorInfo,
  filter: TensorInfo,
  attrs: Pick<Conv2DAttrs, 'strides' | 'pad' | 'dataFormat' | 'dilations' | 'dimRoundingMode'>,
  bias: TensorInfo | undefined,
  relu: boolean,
): TensorInfo | null {
  const { strides, pad, dataFormat, dilations, dimRoundingMode } = attrs;
  const simd = conv2dOptions.direct ? simdKernels(backend) : null;
  const dilated = (typeof dilations === 'number' ? [dilations] : dilations ?? [1]).some((d) => d !== 1);
  if (!simd || dilated || (dataFormat != null && dataFormat !== 'NHWC') || x.shape.length !== 4 || x.dtype !== 'float32') {
    return null;
  }
  const info = nhwcConvInfo(x.shape as Shape4, filter.shape as Shape4, strides, pad, dimRoundingMode);
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels } = info;
  const { filterHeight, filterWidth, strideHeight, strideWidth, padInfo } = info;
  // A first layer's short filter rows (3 taps of 1 channel) too: 2.2–2.8 ms against XNNPACK's 4.3
  // for the CNN's 128×28×28×1 → 32 (scripts/bench/conv-flops.ts, min CPU time, loaded machine).
  if (outChannels % 8 !== 0 || outWidth < 4 || outHeight < 1) return null;
  // A bias of one value per filter, as layers make it; other broadcasts stay on wasm's own.
  if (bias && (bias.dtype !== 'float32' || bias.shape.reduce((a, b) => a * b, 1) !== outChannels)) return null;
  const height = inHeight + padInfo.top + padInfo.bottom;
  const width = inWidth + padInfo.left + padInfo.right;
  if ((outHeight - 1) * strideHeight + filterHeight > height || (outWidth - 1) * strideWidth + filterWidth > width) {
    return null;
  }
  return withTemps((temps) => {
    // Rows of padding the loop skips (padTop); columns it needs in x.
    let padded = x;
    if (padInfo.left || padInfo.right) {
      const p = run('PadV2', { x }, {
        paddings: [[0, 0], [0, 0], [padInfo.left, padInfo.right], [0, 0]],
        constantValue: 0,
      });
      temps.push(p);
      padded = p;
    }
    const out = backend.makeOutput([batchSize, outHeight, outWidth, outChannels], 'float32');
    const [xAt, fAt, outAt] = [padded, filter, out].map((t) => backend.getMemoryOffset(t.dataId));
    const biasAt = bias ? backend.getMemoryOffset(bias.dataId) : 0;
    const rest = [inHeight, width, inChannels, outHeight, outWidth, outChannels, filterHeight, filterWidth, strideHeight, strideWidth, biasAt, relu ? 1 : 0, padInfo.top];
    const [xBytes, outBytes] = [4 * inHeight * width * inChannels, 4 * outHeight * outWidth * outChannels];
    // Images in chunks on either thread: disjoint images in, disjoint outputs.
    splitBatch(backend, 'conv4x8', simd.conv4x8, batchSize, (first, count) => [xAt + first * xBytes, fAt, outAt + first * outBytes, count, ...rest]);
    return out;
  });
}

/** Wraps wasm's own kernel: the direct loop where it applies, `original` elsewhere. */
export function conv2dWasm(original: KernelFunc): KernelFunc {
  return (args) => {
    const { x, filter } = args.inputs as { x: TensorInfo; filter: TensorInfo };
    const attrs = args.attrs as unknown as Conv2DAttrs;
    return directConv2d(args.backend as BackendWasm, x, filter, attrs, undefined, false) ?? original(args);
  };
}

/**
 * Wraps wasm's FusedConv2D, what a conv layer with a bias and ReLU (or no activation) runs
 * forward: the same direct loop with the bias and ReLU in its last step, no XNNPACK filter
 * repacking after each training step. Other activations, PReLU weights and odd shapes stay on wasm's own.
 */
export function fusedConv2dWasm(original: KernelFunc): KernelFunc {
  return (args) => {
    const { x, filter, bias, preluActivationWeights } = args.inputs as { x: TensorInfo; filter: TensorInfo; bias?: TensorInfo; preluActivationWeights?: TensorInfo };
    const attrs = args.attrs as unknown as Conv2DAttrs & { activation?: string };
    const activation = attrs.activation ?? 'linear';
    if (preluActivationWeights || (activation !== 'linear' && activation !== 'relu')) return original(args);
    return directConv2d(args.backend as BackendWasm, x, filter, attrs, bias, activation === 'relu') ?? original(args);
  };
}
