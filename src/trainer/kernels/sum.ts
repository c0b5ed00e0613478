// Sum over the leading axes for wasm: the bias gradient of every conv and dense layer (dy summed
// over batch, rows and columns, per channel). tfjs 4.22's wasm Sum first transposes the reduced
// axes innermost, a full copy of dy (2.8M values for the CNN's first layer at batch 128); this
// adds rows straight from a view of the heap in float64, in the order the cpu backend adds them.
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs';
import type { KernelFunc, SumAttrs, TensorInfo } from '@tensorflow/tfjs';
import { f32 } from './heap';

export function sumWasm(original: KernelFunc): KernelFunc {
  return (args) => {
    const x = args.inputs.x as TensorInfo;
    const backend = args.backend as BackendWasm;
    const { axis, keepDims } = args.attrs as unknown as SumAttrs;
    const rank = x.shape.length;
    const axes = tf.util.parseAxisParam(axis, x.shape).sort((a, b) => a - b);
    // Leading axes only (0..k−1, not all of them): what a bias gradient asks for.
    const leading = axes.length > 0 && axes.length < rank && axes.every((a, i) => a === i);
    if (!leading || x.dtype !== 'float32') return original(args);
    const width = x.shape.slice(axes.length).reduce((p, d) => p * d, 1);
    const rows = x.shape.slice(0, axes.length).reduce((p, d) => p * d, 1);
    const outShape = keepDims ? x.shape.map((d, i) => (i < axes.length ? 1 : d)) : x.shape.slice(axes.length);
    const out = backend.makeOutput(outShape, 'float32');
    const src = f32(backend, x);
    const acc = new Float64Array(width);
    // Four rows per pass, still added one at a time in row order (so the result is cpu's).
    let r = 0;
    for (; r + 4 <= rows; r += 4) {
      const at = r * width;
      for (let k = 0; k < width; k++) {
        let s = acc[k];
        s += src[at + k];
        s += src[at + width + k];
        s += src[at + 2 * width + k];
        s += src[at + 3 * width + k];
        acc[k] = s;
      }
    }
    for (; r < rows; r++) for (let k = 0, at = r * width; k < width; k++) acc[k] += src[at + k];
    f32(backend, out).set(acc);
    return out;
  };
}
