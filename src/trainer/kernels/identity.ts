// Identity, and Cast to the type a tensor already has, for wasm: tfjs 4.22's wasm kernels copy
// the whole tensor for both. Autodiff runs several per step (dy passed through an Add's
// gradient, the relu gradient's cast of a float mask to float), up to 2.8M values each for the
// CNN at batch 128, about 4% of the trainer's CPU time in a profile. Tensors never change once
// made, so the output can share the input's data, as the cpu backend does (a reference count).
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { CastAttrs, KernelFunc, TensorInfo } from '@tensorflow/tfjs';

function share(backend: BackendWasm, x: TensorInfo): TensorInfo {
  backend.incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

export function identityWasm(original: KernelFunc): KernelFunc {
  return (args) => {
    const x = args.inputs.x as TensorInfo;
    return x.dtype === 'string' ? original(args) : share(args.backend as BackendWasm, x);
  };
}

export function castWasm(original: KernelFunc): KernelFunc {
  return (args) => {
    const x = args.inputs.x as TensorInfo;
    const { dtype } = args.attrs as unknown as CastAttrs;
    return dtype === x.dtype && x.dtype !== 'string' ? share(args.backend as BackendWasm, x) : original(args);
  };
}
