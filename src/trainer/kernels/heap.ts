// Helpers for kernels that work on the wasm backend's heap directly from JS: for data movement
// (slices, flips, window maxima) a typed-array loop over a view beats a generic C++ loop that
// first copies the whole input out of the heap, and it needs no new .wasm build.
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { KernelFunc, NamedAttrMap, NamedTensorInfoMap, NamedTensorMap, Tensor, TensorInfo } from '@tensorflow/tfjs';

// This folder's lib (ES2022, no DOM) lacks WebAssembly's types; the little the kernels use:
export interface WasmMemory {
  buffer: ArrayBufferLike;
}
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
  instantiate(bytes: Uint8Array, imports: object): Promise<{ instance: object; module: object }>;
  validate(bytes: Uint8Array): boolean;
}
export const wasmApi = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

/** Runs a registered kernel of the active backend; the caller disposes what it returns. */
export function run(kernelName: string, inputs: NamedTensorInfoMap, attrs: object): Tensor {
  // Kernel inputs arrive as Tensors at run time; the engine only reads dataId/shape/dtype.
  return tf.engine().runKernel(kernelName, inputs as unknown as NamedTensorMap, attrs as NamedAttrMap);
}

/**
 * A float32 view of a tensor's data on the heap. Take views only after the kernel's last
 * makeOutput: allocating can grow the heap, which detaches earlier views.
 */
export function f32(backend: BackendWasm, t: TensorInfo): Float32Array {
  return backend.typedArrayFromHeap(t) as Float32Array;
}

/** Our wrapper functions, so registering twice does nothing. */
const ours = new WeakSet<KernelFunc>();

/**
 * Replaces the wasm kernel `name` with `make(original)`, keeping the original's setupFunc (the
 * engine runs the setupFuncs of registered kernels on every setBackend('wasm'), and fallbacks
 * call the original, which needs its wasm binding). Idempotent.
 */
export function wrapWasmKernel(name: string, make: (original: KernelFunc) => KernelFunc): void {
  const original = tf.getKernel(name, 'wasm');
  if (original == null || ours.has(original.kernelFunc)) return;
  const wrapped = make(original.kernelFunc);
  ours.add(wrapped);
  // Unregister first: registering over a kernel prints a warning.
  tf.unregisterKernel(name, 'wasm');
  tf.registerKernel({ ...original, kernelFunc: wrapped });
}

/** Disposes `temps` after `f`, whether it returns or throws. */
export function withTemps<T>(f: (temps: Tensor[]) => T): T {
  const temps: Tensor[] = [];
  try {
    return f(temps);
  } finally {
    for (const t of temps) t.dispose();
  }
}
