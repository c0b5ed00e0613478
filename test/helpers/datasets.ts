// Where the tests' real digits are: the bundled sample (built on demand) and ../shared/datasets/mnist-10k.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');
/** The `shared` folder beside the repo: absent on a user's fresh clone. */
export const MNIST_10K_DIR = resolve(REPO_ROOT, '../shared/datasets/mnist-10k');
export const SAMPLE_DIR = resolve(REPO_ROOT, 'dist/data/mnist-sample');

export function hasMnist10k(): boolean {
  return existsSync(resolve(MNIST_10K_DIR, 't10k-labels-idx1-ubyte.gz'));
}

/** Builds dist/data/mnist-sample the way the build does, when it is missing. */
export function ensureSample(): string {
  if (!existsSync(resolve(SAMPLE_DIR, 't10k-labels-idx1-ubyte.gz'))) {
    execFileSync(process.execPath, [resolve(REPO_ROOT, 'scripts/build-sample.mjs')], { cwd: REPO_ROOT, stdio: 'ignore' });
  }
  return SAMPLE_DIR;
}
