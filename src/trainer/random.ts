/** mulberry32: a small, fast PRNG with 32 bits of state; good enough for shuffling and init. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * tfjs draws weight init, dropout masks and fit's shuffle from Math.random when no seed is given
 * (and a fixed dropout seed would reuse one mask every batch), so a seeded Math.random is the one
 * place that makes a whole run reproducible. The trainer process does nothing else, so this is safe.
 */
export function seedMathRandom(seed: number): void {
  Math.random = seededRandom(seed);
}
