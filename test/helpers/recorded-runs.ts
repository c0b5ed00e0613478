// Runs recorded by the real trainer (test/fixtures/run-history), read as the findings tests need them.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MnistConfig } from '../../src/shared/config';
import type { TrainerEvent } from '../../src/shared/protocol';
import { validateConfig } from '../../src/shared/validate';
import { repoRoot } from './paths';

export const RECORDED = join(repoRoot, 'test', 'fixtures', 'run-history');

export function recordedRun(name: string): { dir: string; config: MnistConfig; events: TrainerEvent[]; summary: Record<string, unknown> } {
  const dir = join(RECORDED, name);
  const config = validateConfig(JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'))).config!;
  const events = readFileSync(join(dir, 'events.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as TrainerEvent);
  return { dir, config, events, summary: JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')) };
}
