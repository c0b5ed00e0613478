// A faster Conv2DBackpropInput for wasm. tfjs 4.22's own is a plain C++ loop, several times
// slower than the forward conv; for stride 1, dx is a full convolution:
//   dx[b,iy,ix,c] = Σ_{ky,kx,o} dy[b, iy + padTop − ky, ix + padLeft − kx, o] · W[ky,kx,c,o]
// i.e. dy padded by (k − 1 − pad) convolved with W rotated 180° and its in/out channels swapped.
// It runs on our direct loop (conv4x8), which skips the padding rows instead of multiplying
// zeros; the rotated filter is one JS pass (a layer's weights, 18k values for the CNN's second).
// Where the loop does not apply it goes through wasm's Conv2D (XNNPACK); other cases (strides
// > 1, NCHW, padding wider than the filter) go to the original kernel.
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { Conv2DBackpropInputAttrs, KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import { directConv2d, nhwcConvInfo } from './conv2d';
import { f32, run } from './heap';

/** W[ky,kx,c,o] → R[kh−1−ky, kw−1−kx, o, c]: the filter of dx's full convolution. */
function rotatedFilter(backend: BackendWasm, filter: TensorInfo): TensorInfo {
  const [kh, kw, c, o] = filter.shape;
  const out = backend.makeOutput([kh, kw, o, c], 'float32');
  const [w, r] = [filter, out].map((t) => f32(backend, t));
  for (let ky = 0; ky < kh; ky++) {
    for (let kx = 0; kx < kw; kx++) {
      const from = (ky * kw + kx) * c * o;
      const to = ((kh - 1 - ky) * kw + (kw - 1 - kx)) * o * c;
      for (let ci = 0; ci < c; ci++) for (let oi = 0; oi < o; oi++) r[to + oi * c + ci] = w[from + ci * o + oi];
    }
  }
  return out;
}

/** Wraps wasm's own kernel: the fast path where it applies, `original` elsewhere. */
export function conv2dBackpropInputWasm(original: KernelFunc): KernelFunc {
  return (args) => {
    const { dy, filter } = args.inputs as { dy: TensorInfo; filter: TensorInfo };
    const { strides, pad, dataFormat, dimRoundingMode, inputShape } = args.attrs as unknown as Conv2DBackpropInputAttrs;
    if ((dataFormat != null && dataFormat !== 'NHWC') || dy.shape.length !== 4 || filter.dtype !== 'float32') return original(args);
    const info = nhwcConvInfo(inputShape, filter.shape as [number, number, number, number], strides, pad, dimRoundingMode);
    const { filterHeight, filterWidth, strideHeight, strideWidth, inHeight, inWidth, outHeight, outWidth } = info;
    const top = filterHeight - 1 - info.padInfo.top;
    const left = filterWidth - 1 - info.padInfo.left;
    // Padding of dy that makes the full convolution come out at the input's size.
    const bottom = inHeight + filterHeight - 1 - outHeight - top;
    const right = inWidth + filterWidth - 1 - outWidth - left;
    if (strideHeight !== 1 || strideWidth !== 1 || Math.min(top, left, bottom, right) < 0) return original(args);

    const backend = args.backend as BackendWasm;
    const rotated = rotatedFilter(backend, filter);
    try {
      const full = { strides: [1, 1] as [number, number], pad: [[0, 0], [top, bottom], [left, right], [0, 0]] as never, dataFormat: 'NHWC' as const, dilations: [1, 1] as [number, number] };
      return directConv2d(backend, dy, rotated, full, undefined, false) ?? run('Conv2D', { x: dy, filter: rotated }, full);
    } finally {
      backend.disposeData(rotated.dataId);
    }
  };
}
