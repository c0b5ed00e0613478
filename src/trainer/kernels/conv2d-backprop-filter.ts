// Conv2DBackpropFilter for the wasm backend, which tfjs 4.22 lacks (a CNN cannot train on wasm
// without it). dW is itself a convolution, so it runs on wasm's own XNNPACK Conv2D:
//   dW[ky,kx,c,o] = Σ_{b,oy,ox} x[b, oy·s − padTop + ky, ox·s − padLeft + kx, c] · dy[b,oy,ox,o]
// With x as [c, h, w, b] (batch ↔ channels) and dy as a filter [oh, ow, b, o], that is a conv
// with stride 1 and dilation s whose output [c, kh, kw, o] is dW transposed.
// That conv is slow, though: XNNPACK repacks its huge "filter" (dy) on every call, and its long
// reduction (b·oh·ow) streams through memory. Where the channel counts allow, a direct SIMD loop
// (simd.wat) does it instead, one image at a time so x and dy stay in cache.
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { Conv2DBackpropFilterAttrs, KernelConfig, KernelFunc, Tensor, TensorInfo } from '@tensorflow/tfjs';
import { nhwcConvInfo } from './conv2d';
import { run } from './heap';
import { simdHelper, simdKernels } from './simd';

/** Off: always the XNNPACK formulation (for benchmarks comparing the two). */
export const filterGradOptions = { direct: true };

type Shape = [number, number, number, number, number, number, number, number, number, number, number, number];
type Pairs = [[number, number], [number, number], [number, number], [number, number]];

export const conv2dBackpropFilterWasm: KernelFunc = ({ inputs, attrs, backend }) => {
  const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs as unknown as Conv2DBackpropFilterAttrs;
  if (dataFormat != null && dataFormat !== 'NHWC') {
    throw new Error(`Conv2DBackpropFilter on wasm supports dataFormat 'NHWC' only, got '${dataFormat}'.`);
  }
  // The gradient op never passes dilations (tfjs refuses dilated conv gradients); guard anyway.
  const dilations = (attrs as { dilations?: number | [number, number] }).dilations ?? 1;
  if ((typeof dilations === 'number' ? [dilations] : dilations).some((d) => d !== 1)) {
    throw new Error(`Conv2DBackpropFilter on wasm supports dilations 1 only, got ${String(dilations)}.`);
  }
  if (x.shape.length !== 4 || dy.shape.length !== 4) {
    throw new Error(`Conv2DBackpropFilter expects rank-4 x and dy, got [${x.shape}] and [${dy.shape}].`);
  }

  const info = nhwcConvInfo(x.shape as [number, number, number, number], filterShape, strides, pad, dimRoundingMode);
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels } = info;
  const { filterHeight, filterWidth, strideHeight, strideWidth } = info;
  const expected = [batchSize, outHeight, outWidth, outChannels];
  if (dy.shape.some((d, i) => d !== expected[i])) {
    throw new Error(`Conv2DBackpropFilter: dy has shape [${dy.shape}], expected [${expected}].`);
  }

  const padTop = info.padInfo.top;
  const padLeft = info.padInfo.left;
  const simd = filterGradOptions.direct && x.dtype === 'float32' && dy.dtype === 'float32' ? simdKernels(backend as BackendWasm) : null;
  let direct = null;
  if (simd && inChannels % 4 === 0 && outChannels % 8 === 0) direct = simd.convFilterGrad4x8;
  else if (simd && outChannels % 16 === 0) direct = simd.convFilterGrad1x16;
  if (simd && direct) {
    const wasm = backend as BackendWasm;
    const out = wasm.makeOutput(filterShape, 'float32');
    const helper = simdHelper(wasm);
    // Each thread sums over half the batch into its own dW; then one adds the other's in.
    const partial = helper && batchSize > 1 ? wasm.makeOutput(filterShape, 'float32') : null;
    const [xAt, dyAt, dwAt] = [x, dy, out].map((t) => wasm.getMemoryOffset(t.dataId));
    const shape = [inHeight, inWidth, inChannels, outHeight, outWidth, outChannels, filterHeight, filterWidth, strideHeight, strideWidth, padTop, padLeft];
    if (helper && partial) {
      const half = Math.ceil(batchSize / 2);
      const partialAt = wasm.getMemoryOffset(partial.dataId);
      const xBytes = 4 * inHeight * inWidth * inChannels;
      const dyBytes = 4 * outHeight * outWidth * outChannels;
      const name = direct === simd.convFilterGrad4x8 ? 'convFilterGrad4x8' : 'convFilterGrad1x16';
      helper.split(name, direct, [xAt, dyAt, dwAt, half, ...shape], [xAt + half * xBytes, dyAt + half * dyBytes, partialAt, batchSize - half, ...shape]);
      simd.addInto(dwAt, partialAt, filterShape.reduce((a, b) => a * b, 1));
      wasm.disposeData(partial.dataId);
    } else {
      direct(xAt, dyAt, dwAt, batchSize, ...(shape as Shape));
    }
    return out;
  }
  // The rows/cols of x the forward conv read (from row 0); past them x never mattered, short of
  // them the forward conv read padding zeros.
  const rowsRead = (outHeight - 1) * strideHeight + filterHeight - padTop;
  const colsRead = (outWidth - 1) * strideWidth + filterWidth - padLeft;
  if (rowsRead <= 0 || colsRead <= 0) {
    // Every window lay inside the padding: the filter never touched x.
    return run('Fill', {}, { shape: filterShape, value: 0, dtype: 'float32' });
  }

  const temps: Tensor[] = [];
  try {
    let xUsed = x;
    if (rowsRead < inHeight || colsRead < inWidth) {
      // XNNPACK cannot crop (negative padding), so cut the unread rows/cols off first.
      xUsed = run('Slice', { x }, {
        begin: [0, 0, 0, 0],
        size: [batchSize, Math.min(rowsRead, inHeight), Math.min(colsRead, inWidth), inChannels],
      });
      temps.push(xUsed as Tensor);
    }
    const xT = run('Transpose', { x: xUsed }, { perm: [3, 1, 2, 0] }); // [c, h', w', b]
    temps.push(xT);
    const dyT = run('Transpose', { x: dy }, { perm: [1, 2, 0, 3] }); // [oh, ow, b, o]
    temps.push(dyT);
    const explicitPad: Pairs = [
      [0, 0],
      [padTop, Math.max(0, rowsRead - inHeight)],
      [padLeft, Math.max(0, colsRead - inWidth)],
      [0, 0],
    ];
    const conv = run('Conv2D', { x: xT, filter: dyT }, {
      strides: [1, 1],
      pad: explicitPad,
      dataFormat: 'NHWC',
      dilations: [strideHeight, strideWidth],
    }); // [c, kh, kw, o]
    temps.push(conv);
    // The returned Tensor is already tracked by the engine, which hands it on as the output.
    return run('Transpose', { x: conv }, { perm: [1, 2, 0, 3] });
  } finally {
    for (const t of temps) t.dispose();
  }
};

export const conv2dBackpropFilterConfig: KernelConfig = {
  kernelName: 'Conv2DBackpropFilter',
  backendName: 'wasm',
  kernelFunc: conv2dBackpropFilterWasm,
};
