// The runs folder of a workspace, read without tfjs: list runs, read one run's events.
import { existsSync, readdirSync, statSync } from 'node:fs';
import * as path from 'node:path';
import type { MnistConfig } from '../../shared/config';
import { describeModel } from '../../shared/run-record';
import type { RunInfo, RunSummary, TrainerEvent } from '../../shared/protocol';
import { RUN_FILES, readEvents, readRunConfig, readSummary } from './run-folder';

export interface StoredRun {
  dir: string;
  info: RunInfo;
  summary: RunSummary | null;
  config: MnistConfig | null;
  modified: number;
}

// Shared with the CLI's reports; tolerant of configs from older versions.
export { describeModel } from '../../shared/run-record';

export function runInfo(dir: string, config: MnistConfig | null, live: boolean): RunInfo {
  return {
    id: path.basename(dir),
    model: describeModel(config),
    dataset: config?.dataset ?? 'unknown',
    epochs: config?.training.epochs ?? 0,
    batchSize: config?.training.batchSize ?? 0,
    live,
    // config.json from before augmentation existed has no data.augment: it trained without.
    ...(config ? { augment: config.data?.augment ?? null, seed: config.training?.seed } : {}),
  };
}

export class RunStore {
  constructor(readonly root: string) {}

  /** Every run folder, newest first; a folder with a missing or broken file is still listed. */
  list(): StoredRun[] {
    if (!existsSync(this.root)) return [];
    const runs: StoredRun[] = [];
    for (const name of readdirSync(this.root)) {
      const dir = path.join(this.root, name);
      if (!existsSync(path.join(dir, RUN_FILES.config)) && !existsSync(path.join(dir, RUN_FILES.events))) continue;
      let config: MnistConfig | null = null;
      try {
        config = readRunConfig(dir);
      } catch {
        // listed anyway; the view says what it can
      }
      runs.push({ dir, info: runInfo(dir, config, false), summary: readSummary(dir), config, modified: statSync(dir).mtimeMs });
    }
    return runs.sort((a, b) => b.info.id.localeCompare(a.info.id));
  }

  events(dir: string): TrainerEvent[] {
    return readEvents(dir);
  }
}
