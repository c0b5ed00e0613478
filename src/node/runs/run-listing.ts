// Reads the runs folder for the run history, comparison, sweeps and reports (CLI and extension host).
// Node only, no tensors. Tolerant: a folder from an older version or half-written by a crash is still listed.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { type RunMeta, type RunRecord, parseRunMeta, sortNewestFirst, toRunRecord } from '../../shared/run-record';
import { RUN_FILES, readEvents, writeFileAtomic } from './run-folder';

export const META_FILE = 'meta.json';

/** undefined: no such file; null: there, but not JSON. */
function readJson(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}

function mtime(file: string): number {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return 0;
  }
}

export function isRunFolder(dir: string): boolean {
  return [RUN_FILES.config, RUN_FILES.events, RUN_FILES.summary].some((f) => existsSync(join(dir, f)));
}

export interface ReadOptions {
  /** The host's own live run. */
  live?: boolean;
  /** Read events.jsonl even when summary.json has what the list needs (provenance, samples). */
  events?: boolean;
  now?: number;
}

/** The run in `dir`, or null when it is not a run folder. Never throws for a run folder's contents. */
export function readRunRecord(dir: string, opts: ReadOptions = {}): RunRecord | null {
  if (!isRunFolder(dir)) return null;
  const summary = readJson(join(dir, RUN_FILES.summary));
  const summaryOk = typeof summary === 'object' && summary !== null && typeof (summary as { status?: unknown }).status === 'string';
  const modified = Math.max(
    mtime(dir),
    ...[RUN_FILES.config, RUN_FILES.events, RUN_FILES.summary, META_FILE].map((f) => mtime(join(dir, f))),
  );
  return toRunRecord(
    {
      dir,
      id: basename(dir),
      config: readJson(join(dir, RUN_FILES.config)),
      summary,
      meta: readJson(join(dir, META_FILE)),
      ...(opts.events || !summaryOk || opts.live ? { events: readEvents(dir) } : {}),
      modified,
    },
    opts,
  );
}

/** Every run under `root`, newest first. */
export function listRunRecords(root: string, opts: { liveDirs?: ReadonlySet<string>; now?: number } = {}): RunRecord[] {
  let names: string[];
  try {
    names = readdirSync(root);
  } catch {
    return [];
  }
  const runs: RunRecord[] = [];
  for (const name of names) {
    const dir = join(root, name);
    try {
      if (!statSync(dir).isDirectory()) continue;
    } catch {
      continue;
    }
    const r = readRunRecord(dir, { live: opts.liveDirs?.has(dir) ?? false, now: opts.now });
    if (r) runs.push(r);
  }
  return sortNewestFirst(runs);
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
