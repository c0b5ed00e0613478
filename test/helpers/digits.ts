// Real digits and seeded values for the kernel tests: the first training digits of
// ../shared/datasets/mnist-10k where present, else the bundled mnist-sample (npm run build makes it).
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { distDir, mnist10kDir } from './paths';

export const PIXELS = 784;

/** The first `count` training digits in 0..1 and their labels, and the folder they came from. */
export function trainingDigits(count: number): { images: Float32Array; labels: Uint8Array; source: string } {
  const dir = [mnist10kDir, join(distDir, 'data', 'mnist-sample')].find((d) => existsSync(join(d, 'train-images-idx3-ubyte.gz')));
  assert.ok(dir, 'no digits: run npm run build (it builds dist/data/mnist-sample)');
  const bytes = gunzipSync(readFileSync(join(dir, 'train-images-idx3-ubyte.gz'))).subarray(16, 16 + count * PIXELS);
  const labels = gunzipSync(readFileSync(join(dir, 'train-labels-idx1-ubyte.gz'))).subarray(8, 8 + count);
  return { images: Float32Array.from(bytes, (b) => b / 255), labels: Uint8Array.from(labels), source: dir };
}

/** Deterministic values in ±scale (a small LCG), the same on every backend. */
export function seededValues(n: number, seed: number, scale = 1): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = (s / 2 ** 32 - 0.5) * 2 * scale;
  }
  return out;
}
