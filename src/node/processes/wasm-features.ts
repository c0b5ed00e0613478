// Which V8 flags the trainer child needs for the wasm features its kernels use. Relaxed SIMD
// (f32x4.relaxed_madd: fused multiply-add) is on by default from V8 11.4 (Electron in VS Code
// 1.100, Node 22) but Node 20's V8 11.3 validates it only with --experimental-wasm-relaxed-simd.
import { spawnSync } from 'node:child_process';

export const RELAXED_SIMD_FLAG = '--experimental-wasm-relaxed-simd';

/** (module (func (param v128 v128 v128) (result v128) (f32x4.relaxed_madd (local.get 0) (local.get 1) (local.get 2)))) */
const RELAXED_MADD_MODULE = 'AGFzbQEAAAABCAFgA3t7ewF7AwIBAAcFAQFmAAAKDQELACAAIAEgAv2FAgs=';

interface WasmValidate {
  validate(bytes: Uint8Array): boolean;
}

/** Whether this process's V8 validates relaxed SIMD. */
export function relaxedSimdHere(): boolean {
  const wasm = (globalThis as unknown as { WebAssembly?: WasmValidate }).WebAssembly;
  try {
    return wasm?.validate(Buffer.from(RELAXED_MADD_MODULE, 'base64')) === true;
  } catch {
    return false;
  }
}

/** Whether `execPath` (with `flags`) validates it: a short child process, about 50 ms. */
export function relaxedSimdIn(execPath: string, flags: string[]): boolean {
  const check = `process.exit(WebAssembly.validate(Buffer.from('${RELAXED_MADD_MODULE}', 'base64')) ? 0 : 1)`;
  // ELECTRON_RUN_AS_NODE: inside VS Code execPath is Electron, which must act as node here, as fork makes it.
  const r = spawnSync(execPath, [...flags, '-e', check], {
    stdio: 'ignore',
    timeout: 10_000,
    env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
  });
  // A runtime that does not know the flag exits with "bad option" (9): no relaxed SIMD there.
  return r.status === 0;
}

/** Whether `execPath` with the flag validates it. */
export function relaxedSimdWithFlag(execPath = process.execPath): boolean {
  return relaxedSimdIn(execPath, [RELAXED_SIMD_FLAG]);
}

const cached = new Map<string, string[]>();

/**
 * The execArgv a trainer child forked with `execPath` needs for relaxed SIMD: nothing where the
 * runtime has it on by default or cannot have it, the flag where it must be asked for (Node 20).
 * Worked out once per binary.
 */
export function trainerExecArgv(execPath = process.execPath): string[] {
  let argv = cached.get(execPath);
  if (!argv) {
    if (execPath === process.execPath) {
      const flagged = process.execArgv.includes(RELAXED_SIMD_FLAG);
      if (relaxedSimdHere() && !flagged) argv = [];
      else argv = flagged || relaxedSimdWithFlag(execPath) ? [RELAXED_SIMD_FLAG] : [];
    } else {
      argv = relaxedSimdIn(execPath, []) ? [] : relaxedSimdWithFlag(execPath) ? [RELAXED_SIMD_FLAG] : [];
    }
    cached.set(execPath, argv);
  }
  return [...argv];
}
