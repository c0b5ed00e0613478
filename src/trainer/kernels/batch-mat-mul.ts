// BatchMatMul with a transposed operand, for wasm. tfjs 4.22's wasm kernel sends only the
// untransposed, unbatched product to XNNPACK; with transposeA or transposeB (every dense-layer
// gradient: dW = xᵀ·dy, dx = dy·Wᵀ) it runs a scalar C++ loop, about 8× slower than transposing
// the operand first and taking the XNNPACK path (784×32ᵀ·32×128: ~2.6 ms → ~0.35 ms here).
import type { BatchMatMulAttrs, KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import { run, withTemps } from './heap';

function swapLastTwo(rank: number): number[] {
  const perm = [...Array(rank).keys()];
  [perm[rank - 2], perm[rank - 1]] = [perm[rank - 1], perm[rank - 2]];
  return perm;
}

/** Wraps wasm's own kernel: explicit transposes in front of it where XNNPACK would otherwise be skipped. */
export function batchMatMulWasm(original: KernelFunc): KernelFunc {
  return (args) => {
    const { a, b } = args.inputs as { a: TensorInfo; b: TensorInfo };
    const { transposeA, transposeB } = args.attrs as unknown as BatchMatMulAttrs;
    const unbatched = (t: TensorInfo) => t.shape.slice(0, -2).every((d) => d === 1);
    // Batched products take wasm's loop either way; float32 only, as wasm's kernel.
    if ((!transposeA && !transposeB) || !unbatched(a) || !unbatched(b) || a.dtype !== 'float32' || b.dtype !== 'float32') {
      return original(args);
    }
    return withTemps((temps) => {
      const flip = (t: TensorInfo) => {
        const out = run('Transpose', { x: t }, { perm: swapLastTwo(t.shape.length) });
        temps.push(out);
        return out;
      };
      return original({
        ...args,
        inputs: { a: transposeA ? flip(a) : a, b: transposeB ? flip(b) : b },
        attrs: { ...args.attrs, transposeA: false, transposeB: false },
      });
    });
  };
}
