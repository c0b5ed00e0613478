// Reading files that came with a workspace: a run folder can be damaged (a full disk, a kill, a sync
// tool) or hostile (a cloned repository). Only regular files are read, never through a symbolic
// link, never more than a cap, and never by opening something that blocks (a FIFO, a device).
import { closeSync, constants, fstatSync, lstatSync, openSync, readSync } from 'node:fs';
import { basename } from 'node:path';

/** Larger than any config.json, summary.json or meta.json a run writes (a summary is a few KB). */
export const MAX_RUN_JSON_BYTES = 4 * 1024 * 1024;
/** events.jsonl grows about 3 KB an epoch; a run of 10,000 epochs stays far below this. */
export const MAX_EVENTS_BYTES = 64 * 1024 * 1024;
/** One event line: the largest (the dataset explorer's sample digits) is under 200 KB. */
export const MAX_EVENT_LINE_BYTES = 4 * 1024 * 1024;

export type FileRead = { ok: true; text: string } | { ok: false; missing: boolean; problem: string };

const mb = (n: number) => `${Math.round((n / (1024 * 1024)) * 10) / 10} MB`;

/** Opens `file` for reading if it is a regular file of at most `maxBytes`; the problem in words otherwise. */
function openRegular(file: string, maxBytes: number): { fd: number; size: number } | { missing: boolean; problem: string } {
  const name = basename(file);
  let st;
  try {
    st = lstatSync(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return { missing: code === 'ENOENT' || code === 'ENOTDIR', problem: `${name} cannot be read (${code ?? (err as Error).message})` };
  }
  if (st.isSymbolicLink()) return { missing: false, problem: `${name} is a symbolic link; it is not followed` };
  if (!st.isFile()) return { missing: false, problem: `${name} is not a regular file` };
  if (st.size > maxBytes) return { missing: false, problem: `${name} is ${mb(st.size)}, more than the ${mb(maxBytes)} it can be` };
  let fd: number;
  try {
    // O_NOFOLLOW and O_NONBLOCK: a file swapped for a link or a FIFO after the lstat is refused, not followed or waited on.
    fd = openSync(file, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0));
  } catch (err) {
    return { missing: false, problem: `${name} cannot be opened (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})` };
  }
  const opened = fstatSync(fd);
  if (!opened.isFile() || opened.size > maxBytes) {
    closeSync(fd);
    return { missing: false, problem: `${name} changed while it was read; read it again` };
  }
  return { fd, size: opened.size };
}

/** The whole file as UTF-8, or why not. Never throws. */
export function readRunFile(file: string, maxBytes = MAX_RUN_JSON_BYTES): FileRead {
  const opened = openRegular(file, maxBytes);
  if (!('fd' in opened)) return { ok: false, ...opened };
  try {
    const buf = Buffer.alloc(opened.size);
    let at = 0;
    while (at < buf.length) {
      const n = readSync(opened.fd, buf, at, buf.length - at, at);
      if (n === 0) break;
      at += n;
    }
    return { ok: true, text: buf.subarray(0, at).toString('utf8') };
  } catch (err) {
    return { ok: false, missing: false, problem: `${basename(file)} cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})` };
  } finally {
    closeSync(opened.fd);
  }
}

/**
 * Calls `onLine` for each line of a JSON Lines file, a chunk at a time so a large log is never
 * held whole; lines longer than MAX_EVENT_LINE_BYTES are skipped and counted. Never throws.
 */
export function readLines(file: string, onLine: (line: string) => void, maxBytes = MAX_EVENTS_BYTES): { missing: boolean; problem?: string; longLines: number } {
  const opened = openRegular(file, maxBytes);
  if (!('fd' in opened)) return { missing: opened.missing, problem: opened.problem, longLines: 0 };
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
    return { missing: false, problem: `${basename(file)} cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`, longLines };
  } finally {
    closeSync(opened.fd);
  }
}
