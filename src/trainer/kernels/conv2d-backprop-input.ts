// A faster Conv2DBackpropInput for wasm. tfjs 4.22's own is a plain C++ loop, several times
// slower than the forward conv; for stride 1, dx is a full convolution that XNNPACK runs:
//   dx[b,iy,ix,c] = Σ_{ky,kx,o} dy[b, iy + padTop − ky, ix + padLeft − kx, o] · W[ky,kx,c,o]
// i.e. dy padded by (k − 1 − pad) convolved with W rotated 180° and its in/out channels swapped.
// Other cases (strides > 1, NCHW, padding wider than the filter) go to the original kernel.
import type { Conv2DBackpropInputAttrs, KernelFunc, Tensor, TensorInfo } from '@tensorflow/tfjs';
import { nhwcConvInfo } from './conv2d';
import { run } from './heap';

/** Wraps wasm's own kernel: the fast path where it applies, `original` elsewhere. */
export function conv2dBackpropInputWasm(original: KernelFunc): KernelFunc {
  return (args) => {
    const { dy, filter } = args.inputs as { dy: TensorInfo; filter: TensorInfo };
    const { strides, pad, dataFormat, dimRoundingMode, inputShape } = args.attrs as unknown as Conv2DBackpropInputAttrs;
    if ((dataFormat != null && dataFormat !== 'NHWC') || dy.shape.length !== 4) return original(args);
    const info = nhwcConvInfo(inputShape, filter.shape as [number, number, number, number], strides, pad, dimRoundingMode);
    const { filterHeight, filterWidth, strideHeight, strideWidth, inHeight, inWidth, outHeight, outWidth } = info;
    const top = filterHeight - 1 - info.padInfo.top;
    const left = filterWidth - 1 - info.padInfo.left;
    // Padding of dy that makes the full convolution come out at the input's size.
    const bottom = inHeight + filterHeight - 1 - outHeight - top;
    const right = inWidth + filterWidth - 1 - outWidth - left;
    if (strideHeight !== 1 || strideWidth !== 1 || Math.min(top, left, bottom, right) < 0) return original(args);

    const temps: Tensor[] = [];
    try {
      const flipped = run('Reverse', { x: filter }, { dims: [0, 1] }); // W[kh−1−ky, kw−1−kx, c, o]
      temps.push(flipped);
      const rotated = run('Transpose', { x: flipped }, { perm: [0, 1, 3, 2] }); // [kh, kw, o, c]
      temps.push(rotated);
      return run('Conv2D', { x: dy, filter: rotated }, {
        strides: [1, 1],
        pad: [[0, 0], [top, bottom], [left, right], [0, 0]],
        dataFormat: 'NHWC',
        dilations: [1, 1],
      });
    } finally {
      for (const t of temps) t.dispose();
    }
  };
}
