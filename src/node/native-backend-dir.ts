// Where MNIST: Install Native Backend puts tfjs-node, and what is there. No tfjs import: the
// extension host uses this too.
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** The folder under the extension's global storage that the install command fills. */
export const NATIVE_BACKEND_FOLDER = 'native-backend';

export const NATIVE_PACKAGES = ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node'] as const;
export type NativePackage = (typeof NATIVE_PACKAGES)[number];

/** The tfjs-node package installed in `dir` (npm --prefix dir), the GPU one first; undefined when none is. */
export function installedNativePackage(dir: string): { name: NativePackage; path: string } | undefined {
  for (const name of NATIVE_PACKAGES) {
    const path = join(dir, 'node_modules', ...name.split('/'));
    if (existsSync(join(path, 'package.json'))) return { name, path };
  }
  return undefined;
}
