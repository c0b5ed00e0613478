// A second thread for our simd.wat kernels under the threaded wasm build, whose heap is a
// SharedArrayBuffer: a worker_threads Worker instantiates the same module on the same memory and
// runs part of a kernel while the main thread runs the rest. Kernels are synchronous, so the
// hand-over is a few words in shared memory with Atomics, not messages. XNNPACK's own pool cannot
// take our code (and is kept at one thread, see threads.ts).
// Two ways to share a kernel: split (fixed halves, for kernels whose halves sum into separate
// outputs, or whose sums must keep one order) and share (chunks of images or rows with disjoint
// outputs that either thread takes from a counter, so a
// helper that is slow to wake or descheduled by other work costs its chunks, not a wait: the main
// thread takes what is left, and withdraws a job the helper has not started).
import { Worker } from 'node:worker_threads';
import type { WasmMemory } from './heap';

const IDLE = 0;
const POSTED = 1;
const DONE = 2;
const FAILED = 3;
const RUNNING = 4;
const MAX_ARGS = 24;
// Control words: state, kernel, arg count, mode (0 split, 1 share), next chunk, item count, chunk
// size, mask of the args that hold a chunk's item count; then the args, then (share) each arg's
// step per item.
const [STATE, KERNEL, ARGC, MODE, NEXT, COUNT, CHUNK, COUNT_MASK, ARGS] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
const STEPS = ARGS + MAX_ARGS;
// Polls of the control word before a thread sleeps: about a millisecond.
const SPINS = 200_000;

// Runs chunks of a shared job until none is left: the same code on both threads, so it is source
// with the control words' indices written in (a function's toString would carry the names a
// minified build renames).
const TAKE_CHUNKS = `(c, run) => {
  const argc = c[${ARGC}];
  const args = Array.from(c.subarray(${ARGS}, ${ARGS} + argc));
  const steps = c.subarray(${STEPS}, ${STEPS} + argc);
  const [count, chunk, mask] = [c[${COUNT}], c[${CHUNK}], c[${COUNT_MASK}]];
  const base = args.slice();
  for (;;) {
    const first = Atomics.add(c, ${NEXT}, 1) * chunk;
    if (first >= count) return;
    const n = Math.min(chunk, count - first);
    for (let i = 0; i < argc; i++) args[i] = (mask >> i) & 1 ? n : base[i] + first * steps[i];
    run(...args);
  }
}`;
const takeChunks = new Function(`return ${TAKE_CHUNKS}`)() as (c: Int32Array, run: (...a: number[]) => void) => void;

// Plain JS for the worker (eval: true), so no file has to sit next to the bundle.
const WORKER_SOURCE = `
const { workerData, parentPort } = require('node:worker_threads');
const { memory, modules, control, names } = workerData;
const forms = {};
for (const [form, bytes] of Object.entries(modules)) forms[form] = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } }).exports;
// names[i] is "form:kernel", e.g. "fma:conv4x8"
const table = names.map((key) => { const [form, name] = key.split(':'); return forms[form][name]; });
const c = new Int32Array(control);
const takeChunks = ${TAKE_CHUNKS};
parentPort.postMessage('ready');
for (;;) {
  let s;
  let spins = 0;
  // Kernels come in bursts (a training step): spin a while before sleeping, as a futex wake costs
  // more than a small kernel's half.
  while ((s = Atomics.load(c, ${STATE})) !== ${POSTED}) if (++spins > ${SPINS}) Atomics.wait(c, ${STATE}, s);
  // A shared job the main thread has withdrawn (it finished every chunk first) is not started.
  if (Atomics.compareExchange(c, ${STATE}, ${POSTED}, ${RUNNING}) !== ${POSTED}) continue;
  try {
    const run = table[c[${KERNEL}]];
    if (c[${MODE}] === 1) takeChunks(c, run);
    else run(...c.subarray(${ARGS}, ${ARGS} + c[${ARGC}]));
    Atomics.store(c, ${STATE}, ${DONE});
  } catch (err) {
    Atomics.store(c, ${STATE}, ${FAILED});
  }
  Atomics.notify(c, ${STATE});
}
`;

/** A kernel's arguments for `count` items from item `first` on, as per-item steps: see share. */
export interface SharedJob {
  /** Arguments for the items from 0 (the count positions aside). */
  base: number[];
  /** What each argument grows by per item (an offset: the item's bytes; 0 for shapes). */
  steps: number[];
  /** The arguments that hold the chunk's item count. */
  countAt: number[];
}

export interface HelperThread {
  /** Runs kernel `name` ("form:kernel") with `mine` here and `theirs` on the helper at once; returns when both are done. */
  split(name: string, run: (...args: number[]) => void, mine: number[], theirs: number[]): void;
  /** Runs kernel `name` over `count` items in chunks of `chunk`, taken in turn by this thread and the helper; returns when all are done. */
  share(name: string, run: (...args: number[]) => void, count: number, chunk: number, job: SharedJob): void;
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
      const control = new SharedArrayBuffer(4 * (STEPS + MAX_ARGS));
      const c = new Int32Array(control);
      let splits = 0;
      /** Waits for the helper's part; a shared job it has not started is withdrawn instead. */
      const finish = (name: string, withdraw: boolean) => {
        if (withdraw && Atomics.compareExchange(c, STATE, POSTED, IDLE) === POSTED) {
          splits++;
          return;
        }
        let s = Atomics.load(c, STATE);
        let spins = 0;
        while (s === POSTED || s === RUNNING) {
          if (++spins > SPINS) Atomics.wait(c, STATE, s);
          s = Atomics.load(c, STATE);
        }
        Atomics.store(c, STATE, IDLE);
        splits++;
        if (s === FAILED) throw new Error(`the helper thread failed in ${name}`);
      };
      let worker: Worker;
      try {
        worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { memory, modules, control, names } });
      } catch {
        resolve(null);
        return;
      }
      worker.unref(); // it never holds Node open; it waits in Atomics.wait until the process ends
      const helper: HelperThread = {
        get splits() {
          return splits;
        },
        split(name, run, mine, theirs) {
          c[KERNEL] = names.indexOf(name);
          c[MODE] = 0;
          c[ARGC] = theirs.length;
          c.set(theirs, ARGS);
          Atomics.store(c, STATE, POSTED);
          Atomics.notify(c, STATE);
          run(...mine);
          finish(name, false);
        },
        share(name, run, count, chunk, job) {
          c[KERNEL] = names.indexOf(name);
          c[MODE] = 1;
          c[ARGC] = job.base.length;
          c[NEXT] = 0;
          c[COUNT] = count;
          c[CHUNK] = chunk;
          c[COUNT_MASK] = job.countAt.reduce((m, i) => m | (1 << i), 0);
          c.set(job.base, ARGS);
          c.set(job.steps, STEPS);
          Atomics.store(c, STATE, POSTED);
          Atomics.notify(c, STATE);
          takeChunks(c, run);
          finish(name, true);
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
