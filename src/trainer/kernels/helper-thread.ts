// A second thread for our simd.wat kernels under the threaded wasm build, whose heap is a
// SharedArrayBuffer: a worker_threads Worker instantiates the same module on the same memory and
// runs one half of a kernel (half the batch) while the main thread runs the other. Kernels are
// synchronous, so the hand-over is a few words in shared memory with Atomics.wait/notify, not
// messages. XNNPACK's own pool cannot take our code, and its thread idles while ours run.
import { Worker } from 'node:worker_threads';
import type { WasmMemory } from './heap';

const IDLE = 0;
const POSTED = 1;
const DONE = 2;
const FAILED = 3;
const MAX_ARGS = 32;
// Polls of the control word before a thread sleeps: about a millisecond.
const SPINS = 200_000;

// Plain JS for the worker (eval: true), so no file has to sit next to the bundle.
const WORKER_SOURCE = `
const { workerData, parentPort } = require('node:worker_threads');
const { memory, modules, control, names } = workerData;
const forms = {};
for (const [form, bytes] of Object.entries(modules)) forms[form] = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } }).exports;
// names[i] is "form:kernel", e.g. "fma:conv4x8"
const table = names.map((key) => { const [form, name] = key.split(':'); return forms[form][name]; });
const c = new Int32Array(control);
parentPort.postMessage('ready');
for (;;) {
  let s;
  let spins = 0;
  // Kernels come in bursts (a training step): spin a while before sleeping, as a futex wake costs
  // more than a small kernel's half.
  while ((s = Atomics.load(c, 0)) !== ${POSTED}) if (++spins > ${SPINS}) Atomics.wait(c, 0, s);
  try {
    table[c[1]](...c.subarray(3, 3 + c[2]));
    Atomics.store(c, 0, ${DONE});
  } catch (err) {
    Atomics.store(c, 0, ${FAILED});
  }
  Atomics.notify(c, 0);
}
`;

export interface HelperThread {
  /** Runs kernel `name` ("form:kernel") with `mine` here and `theirs` on the helper at once; returns when both are done. */
  split(name: string, run: (...args: number[]) => void, mine: number[], theirs: number[]): void;
  /** How many kernels it has split so far. */
  readonly splits: number;
}

const starting = new WeakMap<object, Promise<HelperThread | null>>();
const ready = new WeakMap<object, HelperThread>();

/** The helper for this memory once it runs; undefined before (and for a memory that is not shared). */
export function readyHelperThread(memory: WasmMemory): HelperThread | undefined {
  return ready.get(memory);
}

/**
 * Starts the helper for this shared memory (once), with each form of the module (`modules`, e.g.
 * plain and fma) instantiated for `kernels`, and resolves when it runs; null for a memory
 * that is not shared (the single-threaded builds) or a worker that failed to start.
 */
export function startHelperThread(memory: WasmMemory, modules: Record<string, Uint8Array>, kernels: string[]): Promise<HelperThread | null> {
  const names = Object.keys(modules).flatMap((form) => kernels.map((k) => `${form}:${k}`));
  if (Object.prototype.toString.call(memory.buffer) !== '[object SharedArrayBuffer]') return Promise.resolve(null);
  let started = starting.get(memory);
  if (!started) {
    started = new Promise((resolve) => {
      const control = new SharedArrayBuffer(4 * (3 + MAX_ARGS));
      const c = new Int32Array(control);
      let worker: Worker;
      try {
        worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { memory, modules, control, names } });
      } catch {
        resolve(null);
        return;
      }
      worker.unref(); // it never holds Node open; it waits in Atomics.wait until the process ends
      let splits = 0;
      const helper: HelperThread = {
        get splits() {
          return splits;
        },
        split(name, run, mine, theirs) {
          c[1] = names.indexOf(name);
          c[2] = theirs.length;
          c.set(theirs, 3);
          Atomics.store(c, 0, POSTED);
          Atomics.notify(c, 0);
          run(...mine);
          let s;
          let spins = 0;
          while ((s = Atomics.load(c, 0)) === POSTED) if (++spins > SPINS) Atomics.wait(c, 0, POSTED);
          Atomics.store(c, 0, IDLE);
          splits++;
          if (s === FAILED) throw new Error(`the helper thread failed in ${name}`);
        },
      };
      worker.once('message', () => {
        ready.set(memory, helper);
        resolve(helper);
      });
      // A worker that dies leaves the kernels on one thread.
      worker.once('error', () => {
        ready.delete(memory);
        resolve(null);
      });
    });
    starting.set(memory, started);
  }
  return started;
}
