// Reads the runs folder for the run history, comparison, sweeps and reports (CLI and extension host).
// Node only, no tensors. Tolerant: a folder from an older version or half-written by a crash is still listed.
import { lstatSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { MnistConfig } from '../../shared/config';
import type { RunInfo } from '../../shared/protocol';
import { type RunMeta, type RunRecord, damagedRunRecord, describeModel, parseRunMeta, sortNewestFirst, toRunRecord } from '../../shared/run-record';
import { RUN_FILES, readEventLog, writeFileAtomic } from './run-folder';
import { runningRunDir } from './run-lock';
import { readRunFile } from './safe-read';

export const META_FILE = 'meta.json';

/** undefined: no such file; null: there, but not JSON; `problems` gets why a present file was not read. */
function readJson(file: string, problems?: string[]): unknown {
  const read = readRunFile(file);
  if (!read.ok) {
    if (read.missing) return undefined;
    problems?.push(read.problem);
    return null;
  }
  try {
    return JSON.parse(read.text) as unknown;
  } catch {
    return null;
  }
}

function mtime(file: string): number {
  try {
    return lstatSync(file).mtimeMs;
  } catch {
    return 0;
  }
}

function present(file: string): boolean {
  try {
    lstatSync(file);
    return true;
  } catch {
    return false;
  }
}

export function isRunFolder(dir: string): boolean {
  return [RUN_FILES.config, RUN_FILES.events, RUN_FILES.summary].some((f) => present(join(dir, f)));
}

export interface ReadOptions {
  /** Whether a trainer is writing this run now (the runs folder's lock names it). */
  live?: boolean;
  /** Read events.jsonl even when summary.json has what the list needs (provenance, samples). */
  events?: boolean;
}

/** The run in `dir`, or null when it is not a run folder. Never throws for a run folder's contents. */
export function readRunRecord(dir: string, opts: ReadOptions = {}): RunRecord | null {
  if (!isRunFolder(dir)) return null;
  const problems: string[] = [];
  const summary = readJson(join(dir, RUN_FILES.summary), problems);
  const summaryOk = typeof summary === 'object' && summary !== null && typeof (summary as { status?: unknown }).status === 'string';
  const modified = Math.max(
    mtime(dir),
    ...[RUN_FILES.config, RUN_FILES.events, RUN_FILES.summary, META_FILE].map((f) => mtime(join(dir, f))),
  );
  const config = readJson(join(dir, RUN_FILES.config), problems);
  const meta = readJson(join(dir, META_FILE), problems);
  let events;
  if (opts.events || !summaryOk || opts.live) {
    const log = readEventLog(dir);
    events = log.events;
    if (log.problem) problems.push(log.problem);
    if (log.skipped > 0) problems.push(`events.jsonl: ${log.skipped} line${log.skipped === 1 ? ' was' : 's were'} not a readable event and ${log.skipped === 1 ? 'was' : 'were'} skipped`);
  }
  const record = toRunRecord({ dir, id: basename(dir), config, summary, meta, ...(events ? { events } : {}), modified }, { live: opts.live ?? false });
  if (problems.length === 0) return record;
  // A file that is there but was refused (a link, a device, far too large) marks the folder damaged; skipped lines do not.
  const refused = problems.filter((p) => !p.startsWith('events.jsonl: '));
  return {
    ...record,
    ...(refused.length > 0 && record.state !== 'running' ? { state: 'damaged' as const, message: refused[0] } : {}),
    problems: [...problems, ...record.problems],
  };
}

/**
 * Every run under `root`, newest first. Each folder is read on its own: one that is damaged (or a
 * symbolic link, which is not followed) is listed as damaged with the reason, and hides no other.
 * A run is running while the runs folder's lock, held by a live process, names it.
 */
export function listRunRecords(root: string, opts: { liveDirs?: ReadonlySet<string> } = {}): RunRecord[] {
  let names: string[];
  try {
    names = readdirSync(root);
  } catch {
    return [];
  }
  const running = runningRunDir(root);
  const runs: RunRecord[] = [];
  for (const name of names) {
    const dir = join(root, name);
    try {
      const st = lstatSync(dir);
      if (st.isSymbolicLink()) {
        runs.push(damagedRunRecord(dir, name, 'the run folder is a symbolic link, which is not followed', st.mtimeMs));
        continue;
      }
      if (!st.isDirectory()) continue;
      const r = readRunRecord(dir, { live: (opts.liveDirs?.has(dir) ?? false) || dir === running });
      if (r) runs.push(r);
    } catch (err) {
      runs.push(damagedRunRecord(dir, name, `the run folder cannot be read: ${(err as Error).message}`, 0));
    }
  }
  return sortNewestFirst(runs);
}

/** What the Dashboard shows about a run besides its events. */
export function runInfo(dir: string, config: MnistConfig | null, live: boolean): RunInfo {
  return {
    id: basename(dir),
    model: describeModel(config),
    dataset: config?.dataset ?? 'unknown',
    epochs: config?.training?.epochs ?? 0,
    batchSize: config?.training?.batchSize ?? 0,
    live,
    // config.json from before augmentation existed has no data.augment: it trained without.
    ...(config ? { augment: config.data?.augment ?? null, seed: config.training?.seed } : {}),
  };
}

/** config.json as written (not resolved); undefined when it is missing or not JSON. */
export function readRunConfigJson(dir: string): unknown {
  return readJson(join(dir, RUN_FILES.config)) ?? undefined;
}

export function readRunMeta(dir: string): RunMeta {
  return parseRunMeta(readJson(join(dir, META_FILE)));
}

/**
 * Merges `patch` into meta.json (written atomically); a field set to undefined is removed.
 * Fields this version does not know are kept.
 */
export function updateRunMeta(dir: string, patch: { [K in keyof RunMeta]?: RunMeta[K] | undefined }): RunMeta {
  const current = readJson(join(dir, META_FILE));
  const next: Record<string, unknown> = typeof current === 'object' && current !== null && !Array.isArray(current) ? { ...current } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === undefined) delete next[k];
    else next[k] = v;
  }
  writeFileAtomic(join(dir, META_FILE), JSON.stringify(next, null, 2) + '\n');
  return parseRunMeta(next);
}
