// Slice for wasm without copying the whole input. tfjs 4.22's wasm Slice starts with
// backend.readSync(x), a copy of all of x out of the heap, whatever the slice: validation in
// model.fit slices 32 rows out of the validation tensor per batch (6 MB copied per batch on
// mnist-10k, 37 MB on Fashion-MNIST), and prediction does the same over the test set. This copies
// only the rows asked for, from a view of the heap.
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { KernelFunc, SliceAttrs, TensorInfo } from '@tensorflow/tfjs';

export function sliceWasm(original: KernelFunc): KernelFunc {
  return (args) => {
    const x = args.inputs.x as TensorInfo;
    const backend = args.backend as BackendWasm;
    if (x.dtype === 'string') return original(args);
    const { begin, size } = args.attrs as unknown as SliceAttrs;
    const [start, extent] = tf.slice_util.parseSliceParams(x as tf.Tensor, begin, size);
    const out = backend.makeOutput(extent, x.dtype);
    const n = extent.reduce((p, d) => p * d, 1);
    if (n === 0) return out;
    // Views after makeOutput, which may grow (and so detach) the heap.
    const src = backend.typedArrayFromHeap(x);
    const dst = backend.typedArrayFromHeap(out);
    const strides = tf.util.computeStrides(x.shape);
    if (tf.slice_util.isSliceContinous(x.shape, start, extent)) {
      const from = tf.slice_util.computeFlatOffset(start, strides);
      dst.set(src.subarray(from, from + n));
      return out;
    }
    // Copy the innermost rows, walking the outer indices like an odometer.
    const rank = x.shape.length;
    const inner = extent[rank - 1];
    const index = new Array<number>(Math.max(rank - 1, 0)).fill(0);
    for (let at = 0; at < n; at += inner) {
      let from = start[rank - 1];
      for (let d = 0; d < rank - 1; d++) from += (start[d] + index[d]) * strides[d];
      if (inner > 16) dst.set(src.subarray(from, from + inner), at);
      else for (let k = 0; k < inner; k++) dst[at + k] = src[from + k];
      for (let d = rank - 2; d >= 0; d--) {
        if (++index[d] < extent[d]) break;
        index[d] = 0;
      }
    }
    return out;
  };
}
