// Reading files that came with a workspace: a run folder can be damaged (a full disk, a kill, a sync
// tool) or hostile (a cloned repository). Only regular files are read, never through a symbolic
// link, never more than a cap, and never by opening something that blocks (a FIFO, a device).
import { closeSync, readSync } from 'node:fs';
import { basename } from 'node:path';
import { UnsafeFileError, openRegularFile, readRegularText } from '../files/regular-file';

/** Larger than any config.json, summary.json or meta.json a run writes (a summary is a few KB). */
export const MAX_RUN_JSON_BYTES = 4 * 1024 * 1024;
/** events.jsonl grows about 3 KB an epoch; a run of 10,000 epochs stays far below this. */
export const MAX_EVENTS_BYTES = 64 * 1024 * 1024;
/** One event line: the largest (the dataset explorer's sample digits) is under 200 KB. */
export const MAX_EVENT_LINE_BYTES = 4 * 1024 * 1024;

export type FileRead = { ok: true; text: string } | { ok: false; missing: boolean; problem: string };

/** Why a file of the run folder was not read, in words that start with its name. */
function problemOf(file: string, err: unknown): { missing: boolean; problem: string } {
  const name = basename(file);
  if (err instanceof UnsafeFileError) return { missing: false, problem: `${name} ${err.reason}` };
  const code = (err as NodeJS.ErrnoException).code;
  return { missing: code === 'ENOENT' || code === 'ENOTDIR', problem: `${name} cannot be read (${code ?? (err as Error).message})` };
}

/** The whole file as UTF-8, or why not. Never throws. */
export function readRunFile(file: string, maxBytes = MAX_RUN_JSON_BYTES): FileRead {
  try {
    return { ok: true, text: readRegularText(file, maxBytes) };
  } catch (err) {
    return { ok: false, ...problemOf(file, err) };
  }
}

/**
 * Calls `onLine` for each line of a JSON Lines file, a chunk at a time so a large log is never
 * held whole; lines longer than MAX_EVENT_LINE_BYTES are skipped and counted. Never throws.
 */
export function readLines(file: string, onLine: (line: string) => void, maxBytes = MAX_EVENTS_BYTES): { missing: boolean; problem?: string; longLines: number } {
  let opened: { fd: number; size: number };
  try {
    opened = openRegularFile(file, maxBytes);
  } catch (err) {
    return { ...problemOf(file, err), longLines: 0 };
  }
  const chunk = Buffer.alloc(1024 * 1024);
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let longLines = 0;
  let skipping = false;
  const emit = (parts: Buffer[]) => {
    const line = Buffer.concat(parts).toString('utf8');
    if (line.trim()) onLine(line);
  };
  try {
    let position = 0;
    for (;;) {
      const n = readSync(opened.fd, chunk, 0, chunk.length, position);
      if (n === 0) break;
      position += n;
      let start = 0;
      for (let nl = chunk.indexOf(10, start); nl !== -1 && nl < n; nl = chunk.indexOf(10, start)) {
        if (!skipping) emit([...pending, chunk.subarray(start, nl)]);
        skipping = false;
        pending = [];
        pendingBytes = 0;
        start = nl + 1;
      }
      if (start < n && !skipping) {
        pendingBytes += n - start;
        if (pendingBytes > MAX_EVENT_LINE_BYTES) {
          skipping = true;
          longLines++;
          pending = [];
          pendingBytes = 0;
        } else pending.push(Buffer.from(chunk.subarray(start, n)));
      }
    }
    if (!skipping && pending.length > 0) emit(pending);
    return { missing: false, longLines };
  } catch (err) {
    return { ...problemOf(file, err), longLines };
  } finally {
    closeSync(opened.fd);
  }
}
