// Fault injection for the reliability tests, and nothing else: MNIST_TRAINER_FAULT is read only by
// the trainer's entry (main.ts), never from a config, so no mnist.config.json can trigger it.
export type TrainerFault = 'crash' | 'hang' | 'oom';

/** The fault the environment asks for; undefined for anything else. */
export function faultFromEnv(env: NodeJS.ProcessEnv = process.env): TrainerFault | undefined {
  const v = env.MNIST_TRAINER_FAULT;
  return v === 'crash' || v === 'hang' || v === 'oom' ? v : undefined;
}

/** Runs the fault outside any caller's try/catch, as a real one would strike. */
export function injectFault(fault: TrainerFault): void {
  setImmediate(() => {
    switch (fault) {
      case 'crash':
        throw new Error('injected fault (MNIST_TRAINER_FAULT=crash)');
      case 'hang':
        // A stuck kernel: the event loop never turns again, so neither `stop` nor a disconnect is heard.
        for (;;) {
          /* hang */
        }
      case 'oom': {
        // Retained JS arrays until V8 reaches its heap limit and aborts the process.
        const hoard: number[][] = [];
        for (;;) hoard.push(new Array<number>(1 << 16).fill(hoard.length));
      }
    }
  });
}
