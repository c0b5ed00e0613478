// MaxPool for wasm over whole 2×2 windows with stride 2 (the CNN's pools), in wasm SIMD
// (simd.wat maxPool2x2), its images shared in chunks with the helper thread under the threaded
// build. Other windows, padding and layouts stay on wasm's own kernel.
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { KernelFunc, MaxPoolAttrs, TensorInfo } from '@tensorflow/tfjs';
import { simdKernels, splitBatch } from './simd';

type Shape4 = [number, number, number, number];

/** The pool geometry when it is whole 2×2 windows, stride 2, no padding, channels a multiple of 4; else null. */
export function whole2x2Pool(
  xShape: Shape4,
  filterSize: MaxPoolAttrs['filterSize'],
  strides: MaxPoolAttrs['strides'],
  pad: MaxPoolAttrs['pad'],
  dimRoundingMode: MaxPoolAttrs['dimRoundingMode'],
): tf.backend_util.Conv2DInfo | null {
  const info = tf.backend_util.computePool2DInfo(xShape, filterSize, strides, 1, pad, dimRoundingMode);
  const { effectiveFilterHeight: fh, effectiveFilterWidth: fw, strideHeight, strideWidth, padInfo } = info;
  const whole = fh === 2 && fw === 2 && strideHeight === 2 && strideWidth === 2 && padInfo.top === 0 && padInfo.left === 0;
  const fits = 2 * info.outHeight <= info.inHeight && 2 * info.outWidth <= info.inWidth && info.outHeight > 0 && info.outWidth > 0;
  return whole && fits && info.inChannels % 4 === 0 ? info : null;
}

/** Wraps wasm's own kernel: the SIMD loop for whole 2×2 windows, `original` elsewhere. */
export function maxPoolWasm(original: KernelFunc): KernelFunc {
  return (args) => {
    const { x } = args.inputs as { x: TensorInfo };
    const { filterSize, strides, pad, dimRoundingMode } = args.attrs as unknown as MaxPoolAttrs;
    const backend = args.backend as BackendWasm;
    const simd = simdKernels(backend);
    const info = simd && x.shape.length === 4 && x.dtype === 'float32' ? whole2x2Pool(x.shape as Shape4, filterSize, strides, pad, dimRoundingMode) : null;
    if (!simd || !info) return original(args);
    const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth } = info;
    const out = backend.makeOutput([batchSize, outHeight, outWidth, inChannels], 'float32');
    const [xAt, outAt] = [x, out].map((t) => backend.getMemoryOffset(t.dataId));
    const [xBytes, outBytes] = [4 * inHeight * inWidth * inChannels, 4 * outHeight * outWidth * inChannels];
    splitBatch(backend, 'maxPool2x2', simd.maxPool2x2, batchSize, (first, count) => [
      xAt + first * xBytes, outAt + first * outBytes, count, inHeight, inWidth, inChannels, outHeight, outWidth,
    ], { work: batchSize * inHeight * inWidth * inChannels });
    return out;
  };
}
