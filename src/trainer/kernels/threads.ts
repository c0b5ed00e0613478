// The multi-threaded wasm build (XNNPACK's thread pool on emscripten pthreads) in Node.
// tfjs 4.22 never starts it under Node: its loader hands emscripten a blob: URL for the pthread
// worker script and a Blob for the main script, which Node's worker_threads cannot load
// (ERR_WORKER_PATH). Here the same two scripts tfjs would put in those blobs are written to a
// private temporary folder (mkdtemp, mode 0700), emscripten is pointed at them with locateFile and
// mainScriptUrlOrBlob, and the folder is removed once every worker has loaded them. Two more
// things differ from a browser: the build sizes its pool as (logical cores / 2) and so gives a
// 2-core machine one thread, which the core count it is told corrects; and the idle workers it
// starts (8) are ended, and the pool's own are unref'd so they never keep Node alive.
// Both threads compute and the results equal the single-threaded build's; see prepareWasmThreads
// for when it is used and the figures.
import * as tf from '@tensorflow/tfjs';
import { BackendWasm, setThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import threadedFactory from '@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.js';
// @ts-expect-error: a JS module without types; it exports the worker script as a string.
import { wasmWorkerContents } from '@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.worker.js';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MnistConfig } from '../../shared/config';
import { wasmApi } from './heap';

export const THREADED_WASM = 'tfjs-backend-wasm-threaded-simd.wasm';
const WASM_PRIORITY = 2; // tfjs-backend-wasm's own

interface ThreadedModule {
  cwrap(name: string, ret: string | null, args: string[]): (...a: number[]) => number;
  PThread: { unusedWorkers: { terminate(): unknown }[]; runningWorkers: { unref(): void }[] };
  tfjs?: unknown;
}

/** How the last wasm start went: threads asked for and got, and why not, if not. */
export interface ThreadedWasmStatus {
  requested: number;
  started: boolean;
  why?: string;
}
let status: ThreadedWasmStatus | undefined;
export const threadedWasmStatus = (): ThreadedWasmStatus | undefined => status;

/**
 * Before the backend starts: models with convolutions on wasm or auto get the threaded build
 * where there are two cores (MNIST_WASM_THREADS=1 turns it off): its heap is shared memory, so
 * our kernels split each batch with a helper thread. Dense-only models stay on the
 * single-threaded build even when asked: with their few small products the shared-memory build
 * lost more than the split won (MLP b32 12.6-14.7k samples/s against 17.9-19.0k, alternating runs).
 */
export function prepareWasmThreads(config: Pick<MnistConfig, 'backend' | 'model'>, wasmDir: string, threads = wasmThreadsWanted()): void {
  if (threads <= 1) return;
  if (config.backend !== 'wasm' && config.backend !== 'auto') return;
  if (!config.model.layers.some((l) => l.type === 'conv2d')) return;
  registerThreadedWasm(wasmDir, threads);
}

/** MNIST_WASM_THREADS (an integer ≥ 1), else two threads where there are two cores. */
export function wasmThreadsWanted(env: NodeJS.ProcessEnv = process.env, cores = availableParallelism()): number {
  const asked = Number(env.MNIST_WASM_THREADS);
  return Number.isInteger(asked) && asked >= 1 ? asked : Math.min(2, cores);
}

/**
 * Makes tf.setBackend('wasm') start the threaded build with `threads` threads from `wasmDir`
 * (which must hold tfjs-backend-wasm-threaded-simd.wasm), and tfjs's single-threaded start if
 * that fails or `threads` is 1. Call it before the wasm backend is first set; the backend keeps
 * its name, so the kernels and getThreadsCount() work as before. Idempotent.
 */
export function registerThreadedWasm(wasmDir: string, threads = availableParallelism()): void {
  const original = tf.findBackendFactory('wasm');
  if (original == null || (original as { threaded?: boolean }).threaded) return;
  // Too late once a wasm backend runs: replacing it would dispose its tensors.
  if ('wasm' in (tf.engine() as unknown as { registry: object }).registry) return;
  const factory = async () => {
    if (threads <= 1) {
      status = { requested: threads, started: false, why: 'one thread asked for' };
      return original();
    }
    try {
      const backend = new BackendWasm((await startThreaded(wasmDir)) as never);
      status = { requested: threads, started: true };
      return backend;
    } catch (err) {
      status = { requested: threads, started: false, why: err instanceof Error ? err.message : String(err) };
      return original();
    }
  };
  tf.removeBackend('wasm');
  tf.registerBackend('wasm', Object.assign(factory, { threaded: true }), WASM_PRIORITY);
}

const START_TIMEOUT_MS = 30_000;

async function startThreaded(wasmDir: string): Promise<ThreadedModule> {
  const binary = readFileSync(join(wasmDir, THREADED_WASM));
  const dir = mkdtempSync(join(tmpdir(), 'mnist-wasm-'));
  try {
    const workerScript = join(dir, 'worker.js');
    const mainScript = join(dir, 'main.js');
    // Exactly what tfjs puts into its blobs (the '\n' escape included, see its backend_wasm.ts).
    writeFileSync(workerScript, (wasmWorkerContents as string).replace(/\n/g, '\\n'));
    writeFileSync(mainScript, `var WasmBackendModuleThreadedSimd = ${threadedFactory.toString()}`);
    // XNNPACK's pool stays at one thread (none of its own): the second core is our helper's
    // (helper-thread.ts), which runs every large kernel of a step split in two. A pool of two
    // woke its thread for each of ~150 kernels a step, small ones included, for ~0.1 ms each.
    setThreadsCount(1);
    let fail: (err: unknown) => void = () => undefined;
    const failed = new Promise<never>((_, reject) => (fail = reject));
    const timer = setTimeout(() => fail(new Error(`the threaded wasm build did not start within ${START_TIMEOUT_MS / 1000} s`)), START_TIMEOUT_MS);
    const factoryDone = threadedFactory({
      mainScriptUrlOrBlob: mainScript,
      locateFile: (path: string, prefix: string) => (path.endsWith('.worker.js') ? workerScript : join(prefix, path)),
      instantiateWasm: (imports: { env: Record<string, unknown> }, receive: (instance: object, module: object) => void) => {
        // The C++ side divides this by 2 (for hyper-threads) and caps the pool with it.
        imports.env.emscripten_num_logical_cores = () => 2;
        wasmApi.instantiate(binary, imports).then(({ instance, module: compiled }) => receive(instance, compiled), fail);
        return {};
      },
    });
    const module = (await Promise.race([factoryDone, failed]).finally(() => clearTimeout(timer))) as unknown as ThreadedModule;
    // As tfjs's own init() does, except that once BackendWasm's constructor has made the pool
    // (pthreads taken from the preloaded workers), the spares go and the pool's workers stop
    // holding the event loop open.
    const initWithThreadsCount = module.cwrap('init_with_threads_count', null, ['number']);
    module.tfjs = {
      init: module.cwrap('init', null, []),
      initWithThreadsCount: (n: number) => {
        initWithThreadsCount(n);
        settlePool(module);
      },
      getThreadsCount: module.cwrap('get_threads_count', 'number', []),
      registerTensor: module.cwrap('register_tensor', null, ['number', 'number', 'number']),
      disposeData: module.cwrap('dispose_data', null, ['number']),
      dispose: module.cwrap('dispose', null, []),
    };
    return module;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function settlePool(module: ThreadedModule): void {
  for (const worker of module.PThread.unusedWorkers.splice(0)) void worker.terminate();
  for (const worker of module.PThread.runningWorkers) worker.unref();
}
