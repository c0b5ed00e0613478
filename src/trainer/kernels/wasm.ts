// Kernels the wasm backend of tfjs 4.22 lacks or runs slowly, registered once the backend is chosen.
import * as tf from '@tensorflow/tfjs';
import type { KernelFunc } from '@tensorflow/tfjs';
import { conv2dBackpropFilterConfig } from './conv2d-backprop-filter';
import { conv2dBackpropInputWasm } from './conv2d-backprop-input';

/** Registers our wasm kernels; calling it again does nothing. */
export function registerWasmKernels(): void {
  // Keep whatever is there: ours from an earlier call, or a native one from a newer tfjs.
  if (tf.getKernel(conv2dBackpropFilterConfig.kernelName, 'wasm') == null) {
    tf.registerKernel(conv2dBackpropFilterConfig);
  }
  registerFastConv2dBackpropInput();
}

let fastBackpropInput: KernelFunc | undefined;

/** Replaces wasm's Conv2DBackpropInput with the XNNPACK-backed one; idempotent. */
export function registerFastConv2dBackpropInput(): void {
  const original = tf.getKernel('Conv2DBackpropInput', 'wasm');
  if (original == null || original.kernelFunc === fastBackpropInput) return;
  fastBackpropInput = conv2dBackpropInputWasm(original.kernelFunc);
  // Unregister first: registering over a kernel prints a warning. The original's setupFunc
  // stays, since the engine runs setupFuncs of registered kernels on every setBackend('wasm')
  // and the fallback path needs its wasm binding.
  tf.unregisterKernel('Conv2DBackpropInput', 'wasm');
  tf.registerKernel({ ...original, kernelFunc: fastBackpropInput });
}
