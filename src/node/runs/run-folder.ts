// A run folder: config.json, events.jsonl, model/, summary.json. Node only, no tensors, so the
// CLI and the extension host can read and repair runs without loading tfjs.
import { appendFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fsyncDir, writeFileDurable } from '../files/durable';
import { type MnistConfig, presetOf } from '../../shared/config';
import type { RunSummary, TrainerEvent } from '../../shared/protocol';
import { isTrainerEvent } from '../../shared/protocol/event-guard';
import { summarizeRun } from '../../shared/summary';
import { readLines, readRunFile } from './safe-read';

export const RUN_FILES = {
  config: 'config.json',
  events: 'events.jsonl',
  summary: 'summary.json',
  model: 'model',
} as const;

/** A run folder file that could not be written (a full disk, no permission), in words a user can act on. */
export class RunFolderWriteError extends Error {
  readonly code: string | undefined;
  readonly hint: string;
  constructor(readonly file: string, err: unknown) {
    const code = (err as NodeJS.ErrnoException).code;
    super(`Could not write ${file}: ${fileSystemProblem(err)}`);
    this.name = 'RunFolderWriteError';
    this.code = code;
    this.hint =
      code === 'ENOSPC' || code === 'EDQUOT'
        ? 'Free some disk space and train again (everything written before is kept), or set mnist.runsFolder (mnist-train --out) to a folder on another disk.'
        : 'Make the runs folder writable, or set mnist.runsFolder (mnist-train --out) to another folder.';
  }
}

/** "no space left on the disk (ENOSPC)" and the like, for errors of the file system. */
export function fileSystemProblem(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  switch (code) {
    case 'ENOSPC':
    case 'EDQUOT':
      return `no space left on the disk (${code})`;
    case 'EACCES':
    case 'EPERM':
      return `permission denied (${code})`;
    case 'EROFS':
      return 'the disk is read-only (EROFS)';
    default:
      return err instanceof Error ? err.message : String(err);
  }
}

/** Writes via a temp file and rename, so a reader never sees half a file; a failed write leaves no temp file. */
export function writeFileAtomic(path: string, data: string): void {
  const tmp = `${path}.tmp-${process.pid}`;
  try {
    writeFileDurable(tmp, data); // on the disk before it takes the name: a power cut keeps the old or the new file
    renameSync(tmp, path);
    fsyncDir(dirname(path));
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err instanceof RunFolderWriteError ? err : new RunFolderWriteError(path, err);
  }
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

/** "2026-11-26_12-30-05_cnn": sortable, readable, safe in every file system. */
export function runId(config: MnistConfig, date: Date): string {
  const stamp =
    `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}_` +
    `${pad(date.getHours())}-${pad(date.getMinutes())}-${pad(date.getSeconds())}`;
  return `${stamp}_${presetOf(config) ?? 'custom'}`;
}

/** Creates `<runsDir>/<id>/` with its config.json, never reusing an existing folder. */
export function createRunDir(runsDir: string, config: MnistConfig, date = new Date()): string {
  mkdirSync(runsDir, { recursive: true });
  const base = runId(config, date);
  for (let i = 1; ; i++) {
    const dir = join(runsDir, i === 1 ? base : `${base}-${i}`);
    try {
      mkdirSync(dir); // fails if it exists, so two trainers never share a folder
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') continue;
      throw err;
    }
    try {
      writeFileAtomic(join(dir, RUN_FILES.config), JSON.stringify(config, null, 2) + '\n');
    } catch (err) {
      rmSync(dir, { recursive: true, force: true }); // an empty folder would not be a run
      throw err;
    }
    return dir;
  }
}

/** A JSON file of the run folder, parsed; throws an Error saying what is wrong (missing, a link, too large, not JSON). */
export function readRunJson(runDir: string, name: string): unknown {
  const read = readRunFile(join(runDir, name));
  if (!read.ok) throw new Error(read.problem);
  try {
    return JSON.parse(read.text) as unknown;
  } catch {
    throw new Error(`${name} is not valid JSON`);
  }
}

/** config.json as written; throws when it cannot be read or is not a JSON object (callers validate it). */
export function readRunConfig(runDir: string): MnistConfig {
  const value = readRunJson(runDir, RUN_FILES.config);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error(`${RUN_FILES.config} is not a config (not a JSON object)`);
  return value as MnistConfig;
}

export interface EventLog {
  events: TrainerEvent[];
  /** Lines that were not a whole known event (a torn last line, something else) and were skipped. */
  skipped: number;
  /** Why the file could not be read at all (a link, too large); undefined when read or missing. */
  problem?: string;
}

/** The run's events, each checked; a torn last line (a crash mid-write) or a foreign line is skipped and counted. */
export function readEventLog(runDir: string): EventLog {
  const events: TrainerEvent[] = [];
  let skipped = 0;
  const read = readLines(join(runDir, RUN_FILES.events), (line) => {
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      skipped++;
      return;
    }
    if (isTrainerEvent(value)) events.push(value);
    else skipped++;
  });
  skipped += read.longLines;
  return { events, skipped, ...(read.problem && !read.missing ? { problem: read.problem } : {}) };
}

export function readEvents(runDir: string): TrainerEvent[] {
  return readEventLog(runDir).events;
}

/** Appends one line; events.jsonl is only ever appended to, so a crash can only tear its last line. */
export function appendEvent(runDir: string, event: TrainerEvent): void {
  const file = join(runDir, RUN_FILES.events);
  try {
    appendFileSync(file, JSON.stringify(event) + '\n');
  } catch (err) {
    throw new RunFolderWriteError(file, err);
  }
}

export function writeSummary(runDir: string, summary: RunSummary): void {
  writeFileAtomic(join(runDir, RUN_FILES.summary), JSON.stringify(summary, null, 2) + '\n');
}

/** summary.json when it is readable and has a status; null otherwise. */
export function readSummary(runDir: string): RunSummary | null {
  try {
    const value = readRunJson(runDir, RUN_FILES.summary);
    const ok = typeof value === 'object' && value !== null && !Array.isArray(value) && typeof (value as { status?: unknown }).status === 'string';
    return ok ? (value as RunSummary) : null;
  } catch {
    return null;
  }
}

/**
 * For a trainer that died without its `done` event: record why, keep every event it wrote,
 * and write summary.json from them. Returns the summary, or null if the run had ended properly.
 */
export function finishAbandonedRun(runDir: string, message: string, hint?: string): RunSummary | null {
  const events = readEvents(runDir);
  // A resumed run has the earlier attempt's `done`; only one after the last `resume` counts.
  const attempt = events.slice(events.map((e) => e.type).lastIndexOf('resume') + 1);
  if (attempt.some((e) => e.type === 'done')) return null;
  const done: TrainerEvent = { type: 'done', time: Date.now(), status: 'failed', message, runDir };
  if (hint) done.hint = hint;
  const file = join(runDir, RUN_FILES.events);
  // A line torn by the crash must not swallow the event written after it.
  if (existsSync(file) && !readFileSync(file, 'utf8').endsWith('\n')) appendFileSync(file, '\n');
  appendEvent(runDir, done);
  const summary = summarizeRun(readRunConfig(runDir), [...events, done]);
  writeSummary(runDir, summary);
  return summary;
}
