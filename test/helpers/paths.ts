import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const repoRoot = resolve(__dirname, '..', '..');
export const distDir = join(repoRoot, 'dist');
export const trainerBundle = join(distDir, 'trainer.js');
export const cliBundle = join(distDir, 'cli.js');
/** ../shared/datasets/mnist-10k beside the repository: present on the team's machines and CI, not in a user's clone. */
export const mnist10kDir = resolve(repoRoot, '..', 'shared', 'datasets', 'mnist-10k');
export const hasMnist10k = existsSync(join(mnist10kDir, 't10k-images-idx3-ubyte.gz'));
export const MNIST_10K_ABSENT = '../shared/datasets/mnist-10k is not present (a fresh clone); this test needs it';
