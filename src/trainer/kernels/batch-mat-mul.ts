// BatchMatMul and _FusedMatMul for wasm: the dense layers' products. tfjs 4.22 sends only the
// untransposed product to XNNPACK and runs a scalar C++ loop for transposeA/transposeB (every
// dense gradient: dW = xᵀ·dy, dx = dy·Wᵀ). Here an unbatched product runs on our conv loops,
// which are GEMMs when the filter is 1×1: a·b (+ bias, ReLU) is conv4x8 over m "pixels" of k
// channels, and aᵀ·b is convFilterGrad over the shared rows; both split their rows with the
// helper thread. a·bᵀ transposes b (small: a layer's weights) and runs as a·b. Where the loops do
// not apply (n not a multiple of 8, fewer than 4 rows, batches), an operand is transposed first
// so XNNPACK still takes it (784×32ᵀ·32×128: ~2.6 ms → ~0.35 ms), else wasm's own runs.
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { BatchMatMulAttrs, KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import { run, withTemps } from './heap';
import { type SimdKernels, helperFor, simdKernels, splitBatch } from './simd';

/** Off: wasm's own kernels behind the transposes (for benchmarks and tests comparing the two). */
export const matMulOptions = { direct: true };

function swapLastTwo(rank: number): number[] {
  const perm = [...Array(rank).keys()];
  [perm[rank - 2], perm[rank - 1]] = [perm[rank - 1], perm[rank - 2]];
  return perm;
}

/** [rows, cols] of a matrix given as rank 2 or as one of a batch of 1; null for real batches. */
function matrix(t: TensorInfo): [number, number] | null {
  if (t.dtype !== 'float32') return null;
  if (t.shape.length === 2) return [t.shape[0], t.shape[1]];
  if (t.shape.length === 3 && t.shape[0] === 1) return [t.shape[1], t.shape[2]];
  return null;
}

/**
 * op(a)·op(b) [+ bias] [then ReLU] on our loops; null where they do not apply. The output has
 * rank 3 if either input had it, as wasm's kernels give.
 */
function directMatMul(
  backend: BackendWasm,
  a: TensorInfo,
  b: TensorInfo,
  transposeA: boolean,
  transposeB: boolean,
  bias: TensorInfo | undefined,
  relu: boolean,
): TensorInfo | null {
  const simd = matMulOptions.direct ? simdKernels(backend) : null;
  const A = matrix(a);
  const B = matrix(b);
  if (!simd || !A || !B || (transposeA && transposeB)) return null;
  const [m, k] = transposeA ? [A[1], A[0]] : A;
  const n = transposeB ? B[0] : B[1];
  if ((transposeB ? B[1] : B[0]) !== k) return null;
  if (bias && (bias.dtype !== 'float32' || bias.shape.length !== 1 || bias.shape[0] !== n)) return null;
  const outShape = a.shape.length === 3 || b.shape.length === 3 ? [1, m, n] : [m, n];
  if (!transposeA) {
    // conv4x8 holds 4 rows × 8 columns of the output.
    if (n % 8 !== 0 || m < 4) return null;
    return withTemps((temps) => {
      let right = b;
      if (transposeB) {
        const t = run('Transpose', { x: b }, { perm: swapLastTwo(b.shape.length) });
        temps.push(t);
        right = t;
      }
      const out = backend.makeOutput(outShape, 'float32');
      const [aAt, bAt, outAt] = [a, right, out].map((t) => backend.getMemoryOffset(t.dataId));
      const biasAt = bias ? backend.getMemoryOffset(bias.dataId) : 0;
      // Rows first .. first + count − 1 as one image of 1 × count pixels, the filter 1×1×k×n.
      splitBatch(backend, 'conv4x8', simd.conv4x8, m, (first, count) => [
        aAt + 4 * first * k, bAt, outAt + 4 * first * n, 1, 1, count, k, 1, count, n, 1, 1, 1, 1, biasAt, relu ? 1 : 0, 0,
      ], { work: m * k * n, least: 4 });
      return out;
    });
  }
  // aᵀ·b: a is [r × m], b [r × n]; dW of a 1×1 conv over r pixels of m channels.
  if (bias || relu) return null;
  const r = A[0];
  const fits = (rows: number, cols: number) => (rows % 4 === 0 && cols % 8 === 0 ? 'convFilterGrad4x8' : cols % 16 === 0 ? 'convFilterGrad1x16' : null);
  if (r < 1) return null;
  if (!fits(m, n) && fits(n, m)) {
    // A dense layer of 10 units (n): (bᵀ·a)ᵀ, the product the loops take, then turned.
    const swapped = directMatMul(backend, b, a, true, false, undefined, false);
    if (!swapped) return null;
    const out = backend.makeOutput(outShape, 'float32');
    simd.transpose(backend.getMemoryOffset(swapped.dataId), backend.getMemoryOffset(out.dataId), n, m);
    backend.disposeData(swapped.dataId);
    return out;
  }
  const kernel = fits(m, n);
  if (!kernel) return null;
  const out = backend.makeOutput(outShape, 'float32');
  const helper = r > 1 ? helperFor(backend, r * m * n) : null;
  const partial = helper ? backend.makeOutput([m, n], 'float32') : null;
  const [aAt, bAt, outAt] = [a, b, out].map((t) => backend.getMemoryOffset(t.dataId));
  // The kernel clears its output, so the rows split in fixed halves, each summed into its own output.
  const args = (into: number, first: number, count: number) => [aAt + 4 * first * m, bAt + 4 * first * n, into, 1, 1, count, m, 1, count, n, 1, 1, 1, 1, 0, 0];
  if (helper && partial) {
    const partialAt = backend.getMemoryOffset(partial.dataId);
    const half = Math.ceil(r / 2);
    helper.split(kernel, simd[kernel], args(outAt, 0, half), args(partialAt, half, r - half));
    simd.addInto(outAt, partialAt, m * n);
    backend.disposeData(partial.dataId);
  } else {
    simd[kernel](...(args(outAt, 0, r) as Parameters<SimdKernels[typeof kernel]>));
  }
  return out;
}

/** transposeA/B made explicit, so wasm's `original` takes XNNPACK's path. */
function explicitTransposes(original: KernelFunc, args: Parameters<KernelFunc>[0]): TensorInfo | TensorInfo[] {
  const { a, b } = args.inputs as { a: TensorInfo; b: TensorInfo };
  const { transposeA, transposeB } = args.attrs as unknown as BatchMatMulAttrs;
  const unbatched = (t: TensorInfo) => t.shape.slice(0, -2).every((d) => d === 1);
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
      inputs: { ...args.inputs, a: transposeA ? flip(a) : a, b: transposeB ? flip(b) : b },
      attrs: { ...args.attrs, transposeA: false, transposeB: false },
    });
  });
}

/** wasm's kernels take rank-3 operands only: rank 2 goes in as a batch of 1 and comes out as rank 2. */
function asBatchOfOne(original: KernelFunc, args: Parameters<KernelFunc>[0]): TensorInfo | TensorInfo[] {
  const { a, b } = args.inputs as { a: TensorInfo; b: TensorInfo };
  if (a.shape.length !== 2 || b.shape.length !== 2) return explicitTransposes(original, args);
  return withTemps((temps) => {
    const lift = (t: TensorInfo) => {
      const out = run('Reshape', { x: t }, { shape: [1, ...t.shape] });
      temps.push(out);
      return out;
    };
    const out = explicitTransposes(original, { ...args, inputs: { ...args.inputs, a: lift(a), b: lift(b) } }) as TensorInfo;
    // Reshape shares the data (a reference more), so the rank-3 output's own reference goes.
    const flat = run('Reshape', { x: out }, { shape: out.shape.slice(1) });
    (args.backend as BackendWasm).disposeData(out.dataId);
    return flat;
  });
}

export function batchMatMulWasm(original: KernelFunc): KernelFunc {
  return (args) => {
    const { a, b } = args.inputs as { a: TensorInfo; b: TensorInfo };
    const { transposeA, transposeB } = args.attrs as unknown as BatchMatMulAttrs;
    return directMatMul(args.backend as BackendWasm, a, b, transposeA, transposeB, undefined, false) ?? asBatchOfOne(original, args);
  };
}

/** _FusedMatMul, what a dense layer with a bias and ReLU (or none) runs: the same loops with both in their last step. */
export function fusedMatMulWasm(original: KernelFunc): KernelFunc {
  return (args) => {
    const { a, b, bias, preluActivationWeights } = args.inputs as { a: TensorInfo; b: TensorInfo; bias?: TensorInfo; preluActivationWeights?: TensorInfo };
    const { transposeA, transposeB, activation } = args.attrs as unknown as BatchMatMulAttrs & { activation?: string };
    const act = activation ?? 'linear';
    const ours = !preluActivationWeights && (act === 'linear' || act === 'relu');
    return (ours ? directMatMul(args.backend as BackendWasm, a, b, transposeA, transposeB, bias, act === 'relu') : null) ?? asBatchOfOne(original, args);
  };
}
