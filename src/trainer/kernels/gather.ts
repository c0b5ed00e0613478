// GatherV2 along axis 0 for wasm: how model.fit takes each batch (the shuffled rows of the
// training tensor, images and labels). tfjs 4.22's wasm Gather is a generic C++ loop that
// computes an index per element: for 32 rows of 784 values it took ~0.8 ms, a fifth of an MLP
// step. Rows are contiguous, so this copies each one from a view of the heap.
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { GatherV2Attrs, KernelFunc, TensorInfo } from '@tensorflow/tfjs';

export function gatherWasm(original: KernelFunc): KernelFunc {
  return (args) => {
    const { x, indices } = args.inputs as { x: TensorInfo; indices: TensorInfo };
    const backend = args.backend as BackendWasm;
    const { axis, batchDims } = args.attrs as unknown as GatherV2Attrs;
    const along = tf.util.parseAxisParam(axis, x.shape)[0];
    if (along !== 0 || (batchDims ?? 0) !== 0 || x.dtype === 'string' || indices.dtype !== 'int32') return original(args);
    const rows = x.shape[0];
    const rowSize = tf.util.sizeFromShape(x.shape.slice(1));
    const count = tf.util.sizeFromShape(indices.shape);
    const out = backend.makeOutput([...indices.shape, ...x.shape.slice(1)], x.dtype);
    if (count === 0 || rowSize === 0) return out;
    // Views after makeOutput, which may grow (and so detach) the heap.
    const index = backend.typedArrayFromHeap(indices) as Int32Array;
    const src = backend.typedArrayFromHeap(x);
    const dst = backend.typedArrayFromHeap(out);
    for (let i = 0; i < count; i++) {
      const row = index[i];
      // The original kernel's check and message.
      tf.util.assert(row <= rows - 1 && row >= 0, () => `GatherV2: the index value ${row} is not in [0, ${rows - 1}]`);
      dst.set(src.subarray(row * rowSize, (row + 1) * rowSize), i * rowSize);
    }
    return out;
  };
}
