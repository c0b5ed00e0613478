// Kernels the wasm backend of tfjs 4.22 lacks, registered once the backend is chosen.
import * as tf from '@tensorflow/tfjs';
import { conv2dBackpropFilterConfig } from './conv2d-backprop-filter';

/** Registers our wasm kernels; calling it again does nothing. */
export function registerWasmKernels(): void {
  // Keep whatever is there: ours from an earlier call, or a native one from a newer tfjs.
  if (tf.getKernel(conv2dBackpropFilterConfig.kernelName, 'wasm') == null) {
    tf.registerKernel(conv2dBackpropFilterConfig);
  }
}
