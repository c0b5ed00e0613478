// Picks the tfjs backend: native TensorFlow (tfjs-node) when it loads, else wasm, else cpu,
// and says why in words a person can act on.
import * as tf from '@tensorflow/tfjs';
import { type BackendWasm, getThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join, resolve, sep } from 'node:path';
import { simdFlavour, simdKernels, startSimdHelper } from './kernels/simd';
import { registerWasmKernels } from './kernels/wasm';
import { installedNativePackage } from '../node/native-backend-dir';

export type BackendKind = 'tensorflow' | 'wasm' | 'cpu';

export interface BackendChoice {
  backend: BackendKind;
  /** Why this backend, e.g. "tfjs-node is not installed (optional); using wasm with SIMD, 1 thread". */
  reason: string;
  threads: number;
}

/** The backend asked for cannot run; `hint` says what the user can do. */
export class BackendError extends Error {
  constructor(
    message: string,
    readonly hint: string,
  ) {
    super(message);
    this.name = 'BackendError';
  }
}

export const WASM_FILES = [
  'tfjs-backend-wasm.wasm',
  'tfjs-backend-wasm-simd.wasm',
  'tfjs-backend-wasm-threaded-simd.wasm',
] as const;

const NATIVE_PACKAGE = '@tensorflow/tfjs-node';

export async function initBackend(
  requested: 'auto' | 'tensorflow' | 'wasm' | 'cpu',
  /** nativeDir: where MNIST: Install Native Backend put tfjs-node (npm --prefix); tried before the one next to the bundle. */
  opts: { wasmDir?: string; nativeDir?: string } = {},
): Promise<BackendChoice> {
  switch (requested) {
    case 'tensorflow': {
      const native = await tryNative(opts.nativeDir);
      if (native.ok) return { backend: 'tensorflow', reason: `tensorflow requested; ${native.using}`, threads: native.threads };
      throw new BackendError(
        native.missing
          ? `The config asks for backend "tensorflow", but ${NATIVE_PACKAGE} is not installed.`
          : `The config asks for backend "tensorflow", but ${NATIVE_PACKAGE} failed to load: ${native.why}.`,
        native.missing
          ? `Install it (in VS Code: MNIST: Install Native Backend; for mnist-train: npm install ${NATIVE_PACKAGE} next to it), ` +
              'or set "backend": "auto" to fall back to wasm.'
          : `Reinstall it (MNIST: Install Native Backend, or npm rebuild ${NATIVE_PACKAGE}), or set "backend": "auto" to fall back to wasm.`,
      );
    }
    case 'wasm': {
      const wasm = await tryWasm(opts.wasmDir);
      if (wasm.ok) return { backend: 'wasm', reason: `wasm requested; ${wasm.using}`, threads: wasm.threads };
      throw new BackendError(
        `The config asks for backend "wasm", but it failed to start: ${wasm.why}.`,
        'Set "backend": "auto" or "cpu" in mnist.config.json; if the .wasm files are missing, rebuild or reinstall the extension.',
      );
    }
    case 'cpu':
      return { backend: 'cpu', reason: `cpu requested; ${await useCpu()}`, threads: 1 };
    case 'auto': {
      const native = await tryNative(opts.nativeDir);
      if (native.ok) return { backend: 'tensorflow', reason: `${native.from} loaded; ${native.using}`, threads: native.threads };
      const nativeWhy = native.missing ? 'tfjs-node is not installed (optional)' : `${native.from ?? 'tfjs-node'} failed to load (${native.why})`;
      const wasm = await tryWasm(opts.wasmDir);
      if (wasm.ok) return { backend: 'wasm', reason: `${nativeWhy}; ${wasm.using}`, threads: wasm.threads };
      return { backend: 'cpu', reason: `${nativeWhy} and wasm failed to start (${wasm.why}); ${await useCpu()}`, threads: 1 };
    }
    default:
      throw new BackendError(`Unknown backend "${String(requested)}".`, 'Use "auto", "tensorflow", "wasm" or "cpu".');
  }
}

type Attempt = { ok: true; using: string; threads: number; from?: string } | { ok: false; why: string; missing?: boolean; from?: string };

async function tryNative(nativeDir?: string): Promise<Attempt> {
  const installed = nativeDir ? installedNativePackage(nativeDir) : undefined;
  if (installed) {
    const from = `${installed.name.slice('@tensorflow/'.length)} in ${nativeDir}`;
    try {
      require(installed.path);
    } catch (err) {
      return { ok: false, why: firstLine(err), from };
    }
    return { ...(await nativeStarted()), from };
  }
  try {
    // A plain require that esbuild leaves external. tfjs-core keeps its engine and kernel
    // registry on globalThis (_tfengine, _tfGlobals), so tfjs-node's own copy of tfjs-core
    // registers its backend and kernels into the same engine as our bundled copy.
    require('@tensorflow/tfjs-node');
  } catch (err) {
    if (isMissing(err, NATIVE_PACKAGE)) return { ok: false, missing: true, why: `${NATIVE_PACKAGE} is not installed` };
    return { ok: false, why: firstLine(err) };
  }
  return { ...(await nativeStarted()), from: 'tfjs-node' };
}

async function nativeStarted(): Promise<Attempt> {
  // Loading tfjs-node already switched to it; this confirms the backend initialised.
  if (!(await tf.setBackend('tensorflow'))) return { ok: false, why: 'its backend did not initialise' };
  // libtensorflow's intra-op pool defaults to one thread per core.
  const threads = availableParallelism();
  return { ok: true, using: `using native TensorFlow, ${plural(threads, 'thread')}`, threads };
}

async function tryWasm(wasmDir = defaultWasmDir()): Promise<Attempt> {
  // tfjs's own loader would start the threaded build from a blob: URL, which Node's Worker
  // refuses (ERR_WORKER_PATH), so it stays off here; when threads are asked for,
  // prepareWasmThreads (kernels/threads.ts) registers a wasm backend that starts them from files.
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  const simd = (await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) === true;
  const binary = join(wasmDir, simd ? 'tfjs-backend-wasm-simd.wasm' : 'tfjs-backend-wasm.wasm');
  // A missing binary would only surface as tfjs's console warning and `false`; say it plainly.
  if (!existsSync(binary)) return { ok: false, why: `${binary} is missing` };
  try {
    // In Node the emscripten loader reads `prefix + file name` with fs.readFileSync, so the
    // prefix is a directory path ending in a separator. It is read once, at initialisation.
    setWasmPaths(resolve(wasmDir) + sep);
  } catch (err) {
    return { ok: false, why: firstLine(err) }; // an earlier initialisation aborted
  }
  const started = await keepingProcessListeners(() => tf.setBackend('wasm'));
  if (!started) return { ok: false, why: 'initialisation failed (see the warning above)' };
  registerWasmKernels();
  // Under the threaded build (shared memory) our kernels split each batch with a helper thread of
  // their own; XNNPACK's pool is kept at one (kernels/threads.ts).
  const helper = await startSimdHelper(tf.backend() as BackendWasm);
  const threads = getThreadsCount() + (helper ? 1 : 0);
  const split = helper ? ' (our kernels split across 2)' : '';
  // FMA: our kernels' multiply-adds fused (relaxed SIMD; the trainer is forked with its flag where Node needs it).
  const fma = simd && simdKernels(tf.backend() as BackendWasm) !== null && simdFlavour() === 'fma';
  const features = simd ? (fma ? ' with SIMD+FMA' : ' with SIMD') : ' without SIMD';
  return { ok: true, using: `using wasm${features}, ${plural(threads, 'thread')}${split}`, threads };
}

async function useCpu(): Promise<string> {
  await tf.setBackend('cpu');
  // MathBackendCPU prints "Hi, looks like you are running TensorFlow.js in Node.js…" on its
  // first write. tf.enableProdMode() (the PROD flag) would mute it, but also every other tfjs
  // warning, such as why a backend failed; the reason we return already says all of it.
  const cpu = tf.findBackend('cpu') as unknown as { firstUse?: boolean } | null;
  if (cpu && typeof cpu.firstUse === 'boolean') cpu.firstUse = false;
  return 'using the plain JavaScript cpu backend (slow), 1 thread';
}

/**
 * Runs `f`, then drops the process 'uncaughtException'/'unhandledRejection' listeners it added.
 * The emscripten loader of tfjs-backend-wasm adds two that rethrow, which turns every later
 * crash's exit code 1 into 7; without them Node's defaults apply again.
 */
async function keepingProcessListeners<T>(f: () => Promise<T>): Promise<T> {
  const exceptions = process.listeners('uncaughtException');
  const rejections = process.listeners('unhandledRejection');
  try {
    return await f();
  } finally {
    for (const l of process.listeners('uncaughtException')) if (!exceptions.includes(l)) process.removeListener('uncaughtException', l);
    for (const l of process.listeners('unhandledRejection')) if (!rejections.includes(l)) process.removeListener('unhandledRejection', l);
  }
}

/** Next to the bundle (dist/trainer.js) when esbuild.mjs copied the .wasm files there, else the package's dist. */
export function defaultWasmDir(): string {
  if (WASM_FILES.every((f) => existsSync(join(__dirname, f)))) return __dirname;
  try {
    return join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist');
  } catch {
    return __dirname; // a bundle without its .wasm files: tryWasm then names the missing file
  }
}

function isMissing(err: unknown, name: string): boolean {
  const e = err as { code?: string; message?: string };
  // Only the package itself: a missing dependency inside it is a broken install, not an absent one.
  return e?.code === 'MODULE_NOT_FOUND' && typeof e.message === 'string' && e.message.startsWith(`Cannot find module '${name}'`);
}

function firstLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0].trim();
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
