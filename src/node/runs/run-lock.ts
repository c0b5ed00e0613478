// One run at a time per runs folder, across processes and windows: a lock file in the runs folder
// naming who trains (pid, host, start time). Held by the front end (CLI or extension host) from
// before the run folder is made until its trainer has exited, so a trainer crash releases it too;
// a lock whose process is gone (a killed CLI, a crashed window) is stale and taken over.
// Node only, no tfjs.
import { randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { basename, join } from 'node:path';
import { readRunFile } from './safe-read';

export const LOCK_FILE = 'training.lock';

/** What the lock file holds. */
export interface LockOwner {
  pid: number;
  host: string;
  /** ISO time the lock was taken. */
  startedAt: string;
  /** 'mnist-train' or 'VS Code'. */
  tool: string;
  /** The run folder being written, once known. */
  runDir?: string;
  /** The process's start time in clock ticks since boot (Linux), so a reused pid is not taken for the owner. */
  processStart?: number;
  /** Tells this lock from a later one by the same process. */
  token: string;
}

/** Another process trains in this runs folder; the message says who and since when. */
export class RunsFolderBusy extends Error {
  constructor(readonly folder: string, readonly owner: LockOwner) {
    super(busyMessage(folder, owner));
    this.name = 'RunsFolderBusy';
  }
}

export interface RunsLock {
  readonly file: string;
  readonly owner: LockOwner;
  /** Records the run folder in the lock, for the message a second window shows. */
  setRunDir(runDir: string): void;
  /** Removes the lock if it is still this one; safe to call twice. */
  release(): void;
}

function busyMessage(folder: string, o: LockOwner): string {
  const where = o.host === hostname() ? '' : ` on ${o.host}`;
  const run = o.runDir ? `, run ${basename(o.runDir)}` : '';
  const other =
    o.host === hostname()
      ? 'wait for it to finish or stop it, or train into another runs folder'
      : `wait for it to finish; if nothing trains on ${o.host}, delete ${join(folder, LOCK_FILE)}`;
  return `another run is training in ${folder} (pid ${o.pid}${where}, started ${localTime(o.startedAt)} by ${o.tool}${run}); ${other}`;
}

function localTime(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return 'at an unknown time';
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

/** Field 22 of /proc/<pid>/stat (after the parenthesised name); undefined off Linux or for a gone process. */
export function processStartTicks(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[19]);
    return Number.isFinite(ticks) ? ticks : undefined;
  } catch {
    return undefined;
  }
}

/** Whether the lock's owner still runs: same host, the pid alive, and (where known) the same process. */
export function ownerAlive(o: LockOwner): boolean | 'unknown' {
  if (o.host !== hostname()) return 'unknown';
  try {
    process.kill(o.pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  if (o.processStart !== undefined) {
    const now = processStartTicks(o.pid);
    if (now !== undefined && now !== o.processStart) return false;
  }
  return true;
}

/** undefined: no lock; null: a lock that is not ours to read (damaged, a link, too large): stale. */
function readOwner(file: string): LockOwner | null | undefined {
  const read = readRunFile(file, 64 * 1024);
  if (!read.ok) return read.missing ? undefined : null;
  try {
    const o = JSON.parse(read.text) as LockOwner;
    return typeof o === 'object' && o !== null && typeof o.pid === 'number' && typeof o.host === 'string' ? o : null;
  } catch {
    return null; // written whole by link(), so unreadable means damaged: stale
  }
}

/** Creates `file` with `text`, failing with EEXIST if it exists; whole at once where the file system links. */
function createExclusive(file: string, text: string): void {
  const tmp = `${file}.${process.pid}-${randomBytes(4).toString('hex')}`;
  writeFileSync(tmp, text);
  try {
    linkSync(tmp, file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw err;
    // No hard links here (some network and FAT file systems): create-exclusive, then write.
    writeFileSync(file, text, { flag: 'wx' });
  } finally {
    try {
      unlinkSync(tmp);
    } catch {
      // already gone
    }
  }
}

/**
 * Takes the runs folder's lock, creating the folder if needed; throws RunsFolderBusy naming the
 * owner when another live process holds it. A stale lock (its process gone) is taken over.
 */
export function acquireRunsLock(runsDir: string, tool: string): RunsLock {
  mkdirSync(runsDir, { recursive: true });
  const file = join(runsDir, LOCK_FILE);
  const owner: LockOwner = { pid: process.pid, host: hostname(), startedAt: new Date().toISOString(), tool, token: randomBytes(8).toString('hex') };
  const start = processStartTicks(process.pid);
  if (start !== undefined) owner.processStart = start;
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      createExclusive(file, JSON.stringify(owner, null, 2) + '\n');
      return lockHandle(file, owner);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const current = readOwner(file);
    if (current === undefined) continue; // released meanwhile
    if (current !== null && ownerAlive(current) !== false) throw new RunsFolderBusy(runsDir, current);
    takeOverStale(file, current);
  }
  const last = readOwner(file);
  if (last) throw new RunsFolderBusy(runsDir, last);
  throw new Error(`cannot take the lock ${file}: it keeps changing`);
}

/**
 * Moves the stale lock aside and removes it. Another process may have taken it over in between
 * and written its own: then the moved file is not the stale one, and it is put back.
 */
function takeOverStale(file: string, stale: LockOwner | null): void {
  const aside = `${file}.stale-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    renameSync(file, aside);
  } catch {
    return; // someone else moved it first
  }
  const moved = readOwner(aside);
  const same = stale === null ? moved === null : moved !== null && moved !== undefined && moved.token === stale.token && moved.pid === stale.pid;
  if (!same && moved) {
    try {
      linkSync(aside, file);
    } catch {
      // a third lock is there already; the moved one's owner will find its lock gone at release, harmlessly
    }
  }
  try {
    unlinkSync(aside);
  } catch {
    // already gone
  }
}

function lockHandle(file: string, owner: LockOwner): RunsLock {
  let released = false;
  return {
    file,
    owner,
    setRunDir(runDir) {
      if (released) return;
      owner.runDir = runDir;
      const current = readOwner(file);
      if (!current || current.token !== owner.token) return;
      // Replaced whole (temp + rename), so a reader never sees half a lock.
      const tmp = `${file}.${process.pid}-${randomBytes(4).toString('hex')}`;
      writeFileSync(tmp, JSON.stringify(owner, null, 2) + '\n');
      renameSync(tmp, file);
    },
    release() {
      if (released) return;
      released = true;
      try {
        const current = readOwner(file);
        if (current && current.token === owner.token) unlinkSync(file);
      } catch {
        // the runs folder is gone or unreadable: nothing to release
      }
    },
  };
}

/**
 * The run folder a live process is training in `runsDir` now, from the lock it holds; undefined
 * when no live process holds it. A lock from another host (a shared folder) counts as live.
 */
export function runningRunDir(runsDir: string): string | undefined {
  const owner = readOwner(join(runsDir, LOCK_FILE));
  if (!owner || typeof owner.runDir !== 'string' || ownerAlive(owner) === false) return undefined;
  return owner.runDir;
}
