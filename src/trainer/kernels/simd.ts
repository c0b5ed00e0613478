// simd.wat assembled: element-wise kernels in wasm SIMD that run on the tfjs wasm heap (the module
// imports the backend's memory), where a JS loop would be scalar. Regenerate after editing
// simd.wat (Debian's wabt):
//   wat2wasm simd.wat -o /tmp/p.wasm && base64 -w0 /tmp/p.wasm              → PLAIN
//   sed 's/(memory 1)/(memory 1 65536 shared)/' simd.wat > /tmp/s.wat &&
//   wat2wasm --enable-threads /tmp/s.wat -o /tmp/s.wasm && base64 -w0 /tmp/s.wasm  → SHARED (for the threaded build's memory)
// test/trainer/simd-kernel.test.ts checks these against simd.wat wherever wat2wasm is installed.
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { wasmApi, type WasmMemory } from './heap';

export const PLAIN = 'AGFzbQEAAAABHwJgD39/f39/f39/fX19fX19fQBgCX9/f39/f39/fwACDwEDZW52Bm1lbW9yeQIAAQMDAgABBxkCBGFkYW0AAA5tYXhQb29sR3JhZDJ4MgABCqAGAuICAwN/CnsDfSAI/RMhEiAJ/RMhEyAK/RMhFCAL/RMhFSAM/RMhFiAN/RMhFyAO/RMhGCAHQXxxIRECQANAIA8gEU8NASAPQQJ0IRAgAyAQav0ABAAhGSABIBBq/QAEACAS/eYBIBkgFP3mAf3kASEaIAIgEGr9AAQAIBP95gEgGSAZ/eYBIBX95gH95AEhGyAFIBBqIBr9CwQAIAYgEGogG/0LBAAgBCAQaiAAIBBq/QAEACAWIBr95gEgGyAX/eYB/eMBIBj95AH95wH95QH9CwQAIA9BBGohDwwACwsCQANAIA8gB08NASAPQQJ0IRAgAyAQaioCACEcIAEgEGoqAgAgCJQgHCAKlJIhHSACIBBqKgIAIAmUIBwgHJQgC5SSIR4gBSAQaiAdOAIAIAYgEGogHjgCACAEIBBqIAAgEGoqAgAgDCAdlCAeIA2UkSAOkpWTOAIAIA9BAWohDwwACwsLuQMCCn8HeyAFIAZsQQJ0IQ0gAkEAIAMgBGwgBSAGbGxBAnT8CwAgASESQQAhCQJAA0AgCSADTw0BQQAhCgJAA0AgCiAHTw0BQQAhCwJAA0AgCyAITw0BIAkgBGwgCkEBdGogBWwgC0EBdGogBmxBAnQhDkEAIQwCQANAIAwgBk8NASAOIAZBAnRqIQ8gDiANaiEQIA8gDWohEf0MAACA/wAAgP8AAID/AACA/yETIAAgDmr9AAQAIRkgGSAT/UQhFSAZIBMgFf1SIRMgACAPav0ABAAhGSAZIBP9RCEWIBkgEyAW/VIhEyAAIBBq/QAEACEZIBkgE/1EIRcgGSATIBf9UiETIAAgEWr9AAQAIRkgGSAT/UQhGCAXIBj9TyEXIBYgFyAY/VD9TyEWIBUgFiAXIBj9UP1Q/U8hFSAS/QAEACEUIAIgDmogFCAV/U79CwQAIAIgD2ogFCAW/U79CwQAIAIgEGogFCAX/U79CwQAIAIgEWogFCAY/U79CwQAIA5BEGohDiASQRBqIRIgDEEEaiEMDAALCyALQQFqIQsMAAsLIApBAWohCgwACwsgCUEBaiEJDAALCws=';
export const SHARED = 'AGFzbQEAAAABHwJgD39/f39/f39/fX19fX19fQBgCX9/f39/f39/fwACEgEDZW52Bm1lbW9yeQIDAYCABAMDAgABBxkCBGFkYW0AAA5tYXhQb29sR3JhZDJ4MgABCqAGAuICAwN/CnsDfSAI/RMhEiAJ/RMhEyAK/RMhFCAL/RMhFSAM/RMhFiAN/RMhFyAO/RMhGCAHQXxxIRECQANAIA8gEU8NASAPQQJ0IRAgAyAQav0ABAAhGSABIBBq/QAEACAS/eYBIBkgFP3mAf3kASEaIAIgEGr9AAQAIBP95gEgGSAZ/eYBIBX95gH95AEhGyAFIBBqIBr9CwQAIAYgEGogG/0LBAAgBCAQaiAAIBBq/QAEACAWIBr95gEgGyAX/eYB/eMBIBj95AH95wH95QH9CwQAIA9BBGohDwwACwsCQANAIA8gB08NASAPQQJ0IRAgAyAQaioCACEcIAEgEGoqAgAgCJQgHCAKlJIhHSACIBBqKgIAIAmUIBwgHJQgC5SSIR4gBSAQaiAdOAIAIAYgEGogHjgCACAEIBBqIAAgEGoqAgAgDCAdlCAeIA2UkSAOkpWTOAIAIA9BAWohDwwACwsLuQMCCn8HeyAFIAZsQQJ0IQ0gAkEAIAMgBGwgBSAGbGxBAnT8CwAgASESQQAhCQJAA0AgCSADTw0BQQAhCgJAA0AgCiAHTw0BQQAhCwJAA0AgCyAITw0BIAkgBGwgCkEBdGogBWwgC0EBdGogBmxBAnQhDkEAIQwCQANAIAwgBk8NASAOIAZBAnRqIQ8gDiANaiEQIA8gDWohEf0MAACA/wAAgP8AAID/AACA/yETIAAgDmr9AAQAIRkgGSAT/UQhFSAZIBMgFf1SIRMgACAPav0ABAAhGSAZIBP9RCEWIBkgEyAW/VIhEyAAIBBq/QAEACEZIBkgE/1EIRcgGSATIBf9UiETIAAgEWr9AAQAIRkgGSAT/UQhGCAXIBj9TyEXIBYgFyAY/VD9TyEWIBUgFiAXIBj9UP1Q/U8hFSAS/QAEACEUIAIgDmogFCAV/U79CwQAIAIgD2ogFCAW/U79CwQAIAIgEGogFCAX/U79CwQAIAIgEWogFCAY/U79CwQAIA5BEGohDiASQRBqIRIgDEEEaiEMDAALCyALQQFqIQsMAAsLIApBAWohCgwACwsgCUEBaiEJDAALCws=';

export interface SimdKernels {
  /** Adam for one variable; offsets in bytes, n elements (see simd.wat). */
  adam(
    w0: number, m0: number, v0: number, g: number, w1: number, m1: number, v1: number, n: number,
    beta1: number, beta2: number, keep1: number, keep2: number, step: number, perCorrection2: number, epsilon: number,
  ): void;
  /** MaxPoolGrad of whole 2×2 windows, stride 2, no padding; c a multiple of 4 (see simd.wat). */
  maxPoolGrad2x2(x: number, dy: number, dx: number, n: number, h: number, w: number, c: number, oh: number, ow: number): void;
}

const instances = new WeakMap<object, SimdKernels | null>();

/** The SIMD kernels bound to this backend's heap; null where the module cannot be made (no wasm SIMD). */
export function simdKernels(backend: BackendWasm): SimdKernels | null {
  const module = backend.wasm as unknown as { wasmMemory?: WasmMemory; asm?: { memory?: WasmMemory } };
  // The threaded build imports its (shared) memory, the others export theirs.
  const memory = module.wasmMemory ?? module.asm?.memory;
  if (!memory) return null;
  let kernels = instances.get(memory);
  if (kernels === undefined) {
    try {
      const shared = Object.prototype.toString.call(memory.buffer) === '[object SharedArrayBuffer]';
      const bytes = Buffer.from(shared ? SHARED : PLAIN, 'base64');
      kernels = new wasmApi.Instance(new wasmApi.Module(bytes), { env: { memory } }).exports as unknown as SimdKernels;
    } catch {
      kernels = null;
    }
    instances.set(memory, kernels);
  }
  return kernels;
}
