// MaxPoolGrad for wasm, with the cpu backend's semantics. tfjs 4.22's wasm kernel is a generic 3-D
// pooling loop (over half of a CNN training step here), and on ties it sends the gradient to the
// last maximum of a window and drops windows whose values are all ≤ 0, where the cpu backend (and
// TensorFlow) picks the first maximum. This walks each window once from a view of the heap,
// all channels of a pixel together, and routes dy to the first strict maximum, as cpu does.
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { KernelFunc, MaxPoolGradAttrs, TensorInfo } from '@tensorflow/tfjs';
import { f32 } from './heap';
import { simdKernels, splitBatch } from './simd';

export const maxPoolGradWasm: KernelFunc = ({ inputs, backend: b, attrs }) => {
  const backend = b as BackendWasm;
  const { dy, input } = inputs as { dy: TensorInfo; input: TensorInfo; output: TensorInfo };
  const { filterSize, strides, pad, dimRoundingMode } = attrs as unknown as MaxPoolGradAttrs;
  if (input.shape.length !== 4) throw new Error(`MaxPoolGrad expects a rank-4 input, got [${input.shape}].`);
  const info = tf.backend_util.computePool2DInfo(input.shape as [number, number, number, number], filterSize, strides, 1, pad, dimRoundingMode);
  const { batchSize, inHeight, inWidth, inChannels: channels, outHeight, outWidth, strideHeight, strideWidth } = info;
  const { effectiveFilterHeight: fh, effectiveFilterWidth: fw } = info;
  const expected = [batchSize, outHeight, outWidth, channels];
  if (dy.shape.some((d, i) => d !== expected[i])) throw new Error(`MaxPoolGrad: dy has shape [${dy.shape}], expected [${expected}].`);

  const out = backend.makeOutput(input.shape, 'float32');
  const simd = simdKernels(backend);
  const whole2x2 = fh === 2 && fw === 2 && strideHeight === 2 && strideWidth === 2 && info.padInfo.top === 0 && info.padInfo.left === 0;
  if (simd && whole2x2 && channels % 4 === 0 && 2 * outHeight <= inHeight && 2 * outWidth <= inWidth) {
    // The CNN's case, branch-free in wasm SIMD (simd.wat), four channels at a time.
    // Half the batch on the helper thread under the threaded build: each half zeroes and fills its own images.
    const [xAt, dyAt, dxAt] = [input, dy, out].map((t) => backend.getMemoryOffset(t.dataId));
    const [xBytes, dyBytes] = [4 * inHeight * inWidth * channels, 4 * outHeight * outWidth * channels];
    splitBatch(backend, 'maxPoolGrad2x2', simd.maxPoolGrad2x2, batchSize, (first, count) => [
      xAt + first * xBytes, dyAt + first * dyBytes, dxAt + first * xBytes, count, inHeight, inWidth, channels, outHeight, outWidth,
    ], { work: batchSize * inHeight * inWidth * channels });
    return out;
  }
  const x = f32(backend, input);
  const g = f32(backend, dy);
  const dx = f32(backend, out);
  // Windows that overlap add several dy values into one dx: sum those in float64, as cpu does.
  const overlap = strideHeight < fh || strideWidth < fw;
  const acc: Float32Array | Float64Array = overlap ? new Float64Array(dx.length) : dx;
  acc.fill(0);
  const rowStride = inWidth * channels;
  let gAt = 0;
  for (let n = 0; n < batchSize; n++) {
    const image = n * inHeight * rowStride;
    for (let oy = 0; oy < outHeight; oy++) {
      const top = oy * strideHeight - info.padInfo.top;
      const r0 = Math.max(top, 0);
      const r1 = Math.min(top + fh, inHeight);
      for (let ox = 0; ox < outWidth; ox++, gAt += channels) {
        const left = ox * strideWidth - info.padInfo.left;
        const c0 = Math.max(left, 0);
        const c1 = Math.min(left + fw, inWidth);
        const corner = image + r0 * rowStride + c0 * channels;
        if (r1 - r0 === 2 && c1 - c0 === 2 && acc === dx) {
          window2x2(x, g, dx, corner, gAt, channels, rowStride);
          continue;
        }
        for (let d = 0; d < channels; d++) {
          // Row-major over the window, strictly greater: the first maximum wins; NaN never does.
          let best = -Infinity;
          let bestAt = -1;
          for (let r = r0, rowAt = corner + d; r < r1; r++, rowAt += rowStride) {
            for (let c = c0, at = rowAt; c < c1; c++, at += channels) {
              const v = x[at];
              if (v > best) {
                best = v;
                bestAt = at;
              }
            }
          }
          if (bestAt >= 0) acc[bestAt] += g[gAt + d];
        }
      }
    }
  }
  if (acc !== dx) dx.set(acc);
  return out;
};

/** The CNN's case, a whole 2×2 window not overlapping others, unrolled; the same rule as the loop. */
function window2x2(x: Float32Array, g: Float32Array, dx: Float32Array, corner: number, gAt: number, channels: number, rowStride: number): void {
  for (let d = 0; d < channels; d++) {
    const a0 = corner + d;
    const a2 = a0 + rowStride;
    const v0 = x[a0];
    const v1 = x[a0 + channels];
    const v2 = x[a2];
    const v3 = x[a2 + channels];
    // First strict maximum in row-major order; a window of NaNs (or −∞) sends nothing.
    let best = v0 > -Infinity ? v0 : -Infinity;
    let at = v0 > -Infinity ? a0 : -1;
    if (v1 > best) {
      best = v1;
      at = a0 + channels;
    }
    if (v2 > best) {
      best = v2;
      at = a2;
    }
    if (v3 > best) at = a2 + channels;
    if (at >= 0) dx[at] = g[gAt + d];
  }
}
