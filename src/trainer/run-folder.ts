// A run folder: config.json, events.jsonl, model/, summary.json. Node only, no tensors, so the
// CLI and the extension host can read and repair runs without loading tfjs.
import { appendFileSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type MnistConfig, presetOf } from '../shared/config';
import type { RunSummary, TrainerEvent } from '../shared/protocol';
import { summarizeRun } from '../shared/summary';

export const RUN_FILES = {
  config: 'config.json',
  events: 'events.jsonl',
  summary: 'summary.json',
  model: 'model',
} as const;

/** Writes via a temp file and rename, so a reader never sees half a file. */
export function writeFileAtomic(path: string, data: string): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, data);
  renameSync(tmp, path);
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
    writeFileAtomic(join(dir, RUN_FILES.config), JSON.stringify(config, null, 2) + '\n');
    return dir;
  }
}

export function readRunConfig(runDir: string): MnistConfig {
  return JSON.parse(readFileSync(join(runDir, RUN_FILES.config), 'utf8')) as MnistConfig;
}

/** The run's events; a torn last line (a crash mid-write) is skipped, not fatal. */
export function readEvents(runDir: string): TrainerEvent[] {
  const file = join(runDir, RUN_FILES.events);
  if (!existsSync(file)) return [];
  const events: TrainerEvent[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    try {
      events.push(JSON.parse(line) as TrainerEvent);
    } catch {
      // only the last line can be torn; anything else unreadable is skipped too rather than lost
    }
  }
  return events;
}

export function appendEvent(runDir: string, event: TrainerEvent): void {
  appendFileSync(join(runDir, RUN_FILES.events), JSON.stringify(event) + '\n');
}

export function writeSummary(runDir: string, summary: RunSummary): void {
  writeFileAtomic(join(runDir, RUN_FILES.summary), JSON.stringify(summary, null, 2) + '\n');
}

export function readSummary(runDir: string): RunSummary | null {
  try {
    return JSON.parse(readFileSync(join(runDir, RUN_FILES.summary), 'utf8')) as RunSummary;
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
