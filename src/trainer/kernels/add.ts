// Add for wasm where one side is a bias: [..., c] + [c], every conv and dense layer's forward
// step. tfjs 4.22's wasm Add computes a broadcast index per element (2.8M of them for the CNN's
// first layer at batch 128); this adds the bias row by row in wasm SIMD (simd.wat addBias).
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import { simdKernels } from './simd';

export function addWasm(original: KernelFunc): KernelFunc {
  return (args) => {
    const { a, b } = args.inputs as { a: TensorInfo; b: TensorInfo };
    const backend = args.backend as BackendWasm;
    // Addition commutes: the wide side and the bias side, whichever order they came in.
    const [x, bias] = a.shape.length >= b.shape.length ? [a, b] : [b, a];
    const c = bias.shape[0];
    const isBias = bias.shape.length === 1 && x.shape.length >= 2 && x.shape[x.shape.length - 1] === c && c % 4 === 0;
    const simd = isBias && a.dtype === 'float32' && b.dtype === 'float32' ? simdKernels(backend) : null;
    if (!simd) return original(args);
    const out = backend.makeOutput(x.shape, 'float32');
    const rows = x.shape.slice(0, -1).reduce((p, d) => p * d, 1);
    if (rows > 0) {
      const [xAt, biasAt, outAt] = [x, bias, out].map((t) => backend.getMemoryOffset(t.dataId));
      simd.addBias(xAt, biasAt, outAt, rows, c);
    }
    return out;
  };
}
