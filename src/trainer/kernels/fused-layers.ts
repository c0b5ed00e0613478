// Conv2D and Dense layers with a bias and ReLU, trained as one kernel each way on wasm. Under a
// gradient tape tfjs runs such a layer as three kernels forward (the product, the bias add, the
// ReLU: its fused ops fuse only when nothing records gradients, see shouldFuse in tfjs-core) and
// three back (Step, Multiply, Sum) before the two big gradients. Here the layer's call runs the
// FusedConv2D/_FusedMatMul kernel (our loops add the bias and apply ReLU in their last step), and
// the gradients registered below go back through ReLU and bias in one pass (reluBiasGrad).
// The layers keep their classes, weights and config, so saved models are unchanged; other
// backends, activations and layouts take tfjs's own call.
import * as tf from '@tensorflow/tfjs';
import type { Conv2DAttrs, NamedAttrMap, NamedTensorMap, Tensor } from '@tensorflow/tfjs';
import { throughReluAndBias } from './relu-bias-grad';

type Call = (this: FusableLayer, inputs: Tensor | Tensor[], kwargs: object) => Tensor | Tensor[];

/** The fields of tfjs-layers' Conv2D and Dense the fused call reads (public on the instances, absent from the typings). */
interface FusableLayer {
  kernel?: { read(): Tensor };
  bias?: { read(): Tensor } | null;
  activation?: { getClassName(): string };
  rank?: number;
  strides?: number[];
  padding?: string;
  dataFormat?: string;
  dilationRate?: number[];
  invokeCallHook?(inputs: Tensor | Tensor[], kwargs: object): void;
}

const PATCHED = Symbol('mnist fused call');

function onlyTensor(inputs: Tensor | Tensor[]): Tensor | null {
  if (!Array.isArray(inputs)) return inputs;
  return inputs.length === 1 ? inputs[0] : null;
}

function reluWithBias(layer: FusableLayer): boolean {
  return tf.getBackend() === 'wasm' && layer.activation?.getClassName() === 'relu' && layer.kernel != null && layer.bias != null;
}

function fusedConvCall(original: Call): Call {
  return function (this: FusableLayer, inputs, kwargs) {
    const x = onlyTensor(inputs);
    const plain = this.rank === 2 && this.dataFormat === 'channelsLast' && (this.dilationRate ?? [1]).every((d) => d === 1);
    if (!x || x.rank !== 4 || x.dtype !== 'float32' || !plain || !reluWithBias(this) || (this.padding !== 'valid' && this.padding !== 'same')) {
      return original.call(this, inputs, kwargs);
    }
    const attrs: Partial<Conv2DAttrs> & { activation: string } = {
      strides: this.strides as [number, number],
      pad: this.padding,
      dataFormat: 'NHWC',
      dilations: [1, 1],
      activation: 'relu',
    };
    return tf.tidy(() =>
      tf.engine().runKernel('FusedConv2D', { x, filter: this.kernel!.read(), bias: this.bias!.read() } as NamedTensorMap, attrs as unknown as NamedAttrMap) as Tensor,
    );
  };
}

function fusedDenseCall(original: Call): Call {
  return function (this: FusableLayer, inputs, kwargs) {
    const x = onlyTensor(inputs);
    if (!x || x.rank !== 2 || x.dtype !== 'float32' || !reluWithBias(this)) return original.call(this, inputs, kwargs);
    return tf.tidy(() => {
      this.invokeCallHook?.(inputs, kwargs);
      const attrs = { transposeA: false, transposeB: false, activation: 'relu' };
      return tf.engine().runKernel('_FusedMatMul', { a: x, b: this.kernel!.read(), bias: this.bias!.read() } as NamedTensorMap, attrs) as Tensor;
    });
  };
}

/** The gradients of the two fused kernels with ReLU or no activation; tfjs registers none (it never records them). */
function registerFusedGradients(): void {
  if (tf.getGradient('FusedConv2D') == null) {
    tf.registerGradient({
      kernelName: 'FusedConv2D',
      inputsToSave: ['x', 'filter'],
      outputsToSave: [true],
      gradFunc: (dy, saved, attrs) => {
        const [x, filter, y] = saved;
        const { strides, pad, dataFormat, dimRoundingMode, activation } = attrs as unknown as Conv2DAttrs & { activation?: string };
        if (activation !== 'relu' && activation !== 'linear') throw new Error(`no gradient for FusedConv2D with activation ${String(activation)}`);
        const [dz, dBias] = throughReluAndBias(dy as Tensor, y, activation === 'relu');
        const conv = { strides, pad, dataFormat, dimRoundingMode } as unknown as NamedAttrMap;
        return {
          x: () => tf.engine().runKernel('Conv2DBackpropInput', { dy: dz, filter }, { ...conv, inputShape: x.shape }) as Tensor,
          filter: () => tf.engine().runKernel('Conv2DBackpropFilter', { x, dy: dz }, { ...conv, filterShape: filter.shape }) as Tensor,
          bias: () => dBias,
        };
      },
    });
  }
  if (tf.getGradient('_FusedMatMul') == null) {
    tf.registerGradient({
      kernelName: '_FusedMatMul',
      inputsToSave: ['a', 'b'],
      outputsToSave: [true],
      gradFunc: (dy, saved, attrs) => {
        const [a, b, y] = saved;
        const { transposeA, transposeB, activation } = attrs as { transposeA?: boolean; transposeB?: boolean; activation?: string };
        if (transposeA || transposeB || (activation !== 'relu' && activation !== 'linear')) {
          throw new Error(`no gradient for _FusedMatMul with transposes or activation ${String(activation)}`);
        }
        const [dz, dBias] = throughReluAndBias(dy as Tensor, y, activation === 'relu');
        return {
          a: () => tf.matMul(dz, b, false, true),
          b: () => tf.matMul(a, dz, true, false),
          bias: () => dBias,
        };
      },
    });
  }
}

/** Makes Conv2D and Dense layers with ReLU and a bias take the fused kernels on wasm. Idempotent. */
export function registerFusedLayers(): void {
  registerFusedGradients();
  const classes = tf.serialization.SerializationMap.getMap().classNameMap;
  for (const [name, make] of [['Conv2D', fusedConvCall], ['Dense', fusedDenseCall]] as const) {
    const proto = (classes[name]?.[0] as unknown as { prototype: { call: Call & { [PATCHED]?: true } } } | undefined)?.prototype;
    if (!proto || proto.call[PATCHED]) continue;
    proto.call = Object.assign(make(proto.call), { [PATCHED]: true as const });
  }
}
