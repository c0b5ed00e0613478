// data.dir on disk, for the editor's and the CLI's check: findIdxFiles (node, no tfjs), relative to the config's folder.
import { dirname, resolve } from 'node:path';
import type { DataDirProbe } from '../../shared/validate';
import { findIdxFiles } from './datasets';

/** A probe for the config file at `configFile` (a file system path). */
export function dataDirProbe(configFile: string): DataDirProbe {
  return async (dir) => {
    const full = resolve(dirname(configFile), dir);
    try {
      return { dir: full, missing: (await findIdxFiles(full)).missing };
    } catch (err) {
      return { dir: full, error: err instanceof Error ? err.message : String(err) };
    }
  };
}
