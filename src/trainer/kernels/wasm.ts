// Kernels the wasm backend of tfjs 4.22 lacks or runs slowly, registered once the backend is chosen.
import * as tf from '@tensorflow/tfjs';
import { ADAM_KERNEL, fusedAdamConfig, registerFusedAdam } from './adam';
import { addWasm } from './add';
import { batchMatMulWasm, fusedMatMulWasm } from './batch-mat-mul';
import { conv2dWasm, fusedConv2dWasm } from './conv2d';
import { registerCrossEntropy } from './cross-entropy';
import { conv2dBackpropFilterConfig } from './conv2d-backprop-filter';
import { conv2dBackpropInputWasm } from './conv2d-backprop-input';
import { registerFusedLayers } from './fused-layers';
import { gatherWasm } from './gather';
import { castWasm, identityWasm } from './identity';
import { wrapWasmKernel } from './heap';
import { maxPoolWasm } from './max-pool';
import { maxPoolGradWasm } from './max-pool-grad';
import { reluBiasGradConfig, RELU_BIAS_GRAD } from './relu-bias-grad';
import { sliceWasm } from './slice';
import { sumWasm } from './sum';

/** Registers our wasm kernels; calling it again does nothing. */
export function registerWasmKernels(): void {
  // Keep whatever is there: ours from an earlier call, or a native one from a newer tfjs.
  if (tf.getKernel(conv2dBackpropFilterConfig.kernelName, 'wasm') == null) {
    tf.registerKernel(conv2dBackpropFilterConfig);
  }
  if (tf.getKernel(ADAM_KERNEL, 'wasm') == null) tf.registerKernel(fusedAdamConfig);
  registerFusedAdam();
  if (tf.getKernel(RELU_BIAS_GRAD, 'wasm') == null) tf.registerKernel(reluBiasGradConfig);
  registerFusedLayers();
  registerCrossEntropy();
  wrapWasmKernel('Conv2D', conv2dWasm);
  wrapWasmKernel('FusedConv2D', fusedConv2dWasm);
  wrapWasmKernel('Conv2DBackpropInput', conv2dBackpropInputWasm);
  wrapWasmKernel('BatchMatMul', batchMatMulWasm);
  wrapWasmKernel('_FusedMatMul', fusedMatMulWasm);
  wrapWasmKernel('MaxPool', maxPoolWasm);
  wrapWasmKernel('Slice', sliceWasm);
  wrapWasmKernel('GatherV2', gatherWasm);
  wrapWasmKernel('Sum', sumWasm);
  wrapWasmKernel('Add', addWasm);
  wrapWasmKernel('Identity', identityWasm);
  wrapWasmKernel('Cast', castWasm);
  // Replaced outright (the cpu semantics); wasm's own setup stays registered, unused.
  wrapWasmKernel('MaxPoolGrad', () => maxPoolGradWasm);
}
