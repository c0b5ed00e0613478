import { Mulberry32 } from '../shared/prng';

/** mulberry32: a small, fast PRNG with 32 bits of state; good enough for shuffling and init. */
export function seededRandom(seed: number): () => number {
  const rng = new Mulberry32(seed);
  return () => rng.next();
}

/**
 * tfjs draws weight init, dropout masks and fit's shuffle from Math.random when no seed is given
 * (and a fixed dropout seed would reuse one mask every batch), so a seeded Math.random is the one
 * place that makes a whole run reproducible. The trainer process does nothing else, so this is safe.
 */
export function seedMathRandom(seed: number): void {
  const rng = new Mulberry32(seed);
  seededMathRandom = rng;
  Math.random = () => rng.next();
}

let seededMathRandom: Mulberry32 | undefined;

/** The seeded Math.random's state, for a checkpoint; undefined when seedMathRandom was not called. */
export function mathRandomState(): number | undefined {
  return seededMathRandom?.state;
}

/** Puts the seeded Math.random back where a checkpoint found it, so a resumed run draws what the run would have. */
export function restoreMathRandom(state: number): void {
  const rng = new Mulberry32(0);
  rng.state = state >>> 0;
  seededMathRandom = rng;
  Math.random = () => rng.next();
}
