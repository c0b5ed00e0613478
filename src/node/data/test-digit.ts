// One test digit of a run's dataset by its index, for Look Inside Model's "Test digit #". Read only
// from what is already on disk (the run's data.dir, the bundled sample, Debian's Fashion-MNIST, the
// download cache): a lookup never downloads. The test set is kept after the first lookup.
import { join } from 'node:path';
import type { MnistConfig } from '../../shared/config';
import { DIGIT_PIXELS } from '../../shared/digits';
import { FASHION_SYSTEM_DIR, findIdxFiles, loadDataset } from './datasets';

export interface TestSet { images: Uint8Array; labels: Uint8Array; source: string }

export interface TestSetDirs {
  sampleDir: string;
  cacheDir: string;
  fashionSystemDir?: string;
  /** false in Restricted Mode: a data.dir written in the workspace is not followed. */
  followDataDir: boolean;
}

async function complete(dir: string): Promise<boolean> {
  try {
    return (await findIdxFiles(dir)).missing.length === 0;
  } catch {
    return false;
  }
}

/** The folder holding the run's four IDX files, or why there is none on disk. */
export async function testSetFolder(config: Pick<MnistConfig, 'dataset' | 'data'>, dirs: TestSetDirs): Promise<{ dir: string } | { problem: string }> {
  if (config.data.dir !== null) {
    if (!dirs.followDataDir) return { problem: `this run read its digits from data.dir ${config.data.dir}; trust the workspace to read them from there` };
    return (await complete(config.data.dir)) ? { dir: config.data.dir } : { problem: `the run's data.dir ${config.data.dir} no longer holds the four IDX files` };
  }
  if (config.dataset === 'mnist-sample') return { dir: dirs.sampleDir };
  const system = dirs.fashionSystemDir ?? FASHION_SYSTEM_DIR;
  if (config.dataset === 'fashion-mnist' && (await complete(system))) return { dir: system };
  const cache = join(dirs.cacheDir, config.dataset);
  if (await complete(cache)) return { dir: cache };
  return { problem: `${config.dataset} is not in the download cache (${cache}); train once with it to download it` };
}

/** Keeps one run's test set between lookups. */
export class TestDigits {
  private loaded: { key: string; set: Promise<TestSet> } | undefined;

  async digit(config: Pick<MnistConfig, 'dataset' | 'data'>, dirs: TestSetDirs, index: number): Promise<{ pixels: Uint8Array; label: number } | { error: string }> {
    const found = await testSetFolder(config, dirs);
    if ('problem' in found) return { error: `Test digit #${index} cannot be read: ${found.problem}.` };
    let loading = this.loaded?.key === found.dir ? this.loaded.set : undefined;
    if (!loading) {
      const started = loadDataset({ dataset: config.dataset, dir: found.dir, cacheDir: dirs.cacheDir, sampleDir: dirs.sampleDir }).then((d) => ({ images: d.testImages, labels: d.testLabels, source: d.source }));
      this.loaded = { key: found.dir, set: started };
      started.catch(() => this.loaded?.set === started && (this.loaded = undefined)); // a bad file is tried again next time
      loading = started;
    }
    let set: TestSet;
    try {
      set = await loading;
    } catch (err) {
      return { error: `Test digit #${index} cannot be read: ${(err as Error).message}` };
    }
    if (!Number.isSafeInteger(index) || index < 0 || index >= set.labels.length) return { error: `There is no test digit #${index}: the test set has ${set.labels.length} digits, #0 to #${set.labels.length - 1}.` };
    return { pixels: set.images.slice(index * DIGIT_PIXELS, (index + 1) * DIGIT_PIXELS), label: set.labels[index] };
  }
}
