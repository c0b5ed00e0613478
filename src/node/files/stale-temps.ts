// Leftovers of a writer that died mid-write (kill -9, a crash, a power cut): `<name>.tmp-<pid>`
// files and folders (summary.json, model/, downloads), `<name>.old-<pid>` (a model moved aside
// while its replacement was renamed in) and checkpoints' `.tmp-epoch-<n>-<pid>` folders. Each
// names its writer, so only those whose process is gone are touched.
import { lstatSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const TEMP = /^(.+)\.(tmp|old)-(\d+)$/;
const CHECKPOINT_TEMP = /^\.tmp-epoch-\d+-(?:old-)?(\d+)$/;

/** Whether a process with this id runs (EPERM: it does, as another user). */
export function processAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** What was cleaned, for a log line: paths removed and restored. */
export interface Cleaned {
  removed: string[];
  restored: string[];
}

/** The files and folders of a run folder that are written via a temp name (run-folder.ts, model-io.ts). */
const RUN_FOLDER_NAMES = new Set(['config.json', 'summary.json', 'meta.json', 'model', 'model-best']);

/**
 * Removes leftovers of dead writers directly in `dir` (not below it), for the names `ours` accepts
 * (`<name>` of `<name>.tmp-<pid>`), so nothing else that happens to end in `.tmp-<digits>` is touched.
 * A `<name>.old-<pid>` whose `<name>` is missing is the only copy left (the writer died between its
 * two renames): it gets its name back. Symlinks are removed as links, never followed. Never throws:
 * cleaning is a courtesy.
 */
export function removeStaleTemps(dir: string, ours: (name: string) => boolean, alive: (pid: number) => boolean = processAlive): Cleaned {
  const cleaned: Cleaned = { removed: [], restored: [] };
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return cleaned;
  }
  for (const name of names) {
    const temp = TEMP.exec(name);
    const checkpoint = CHECKPOINT_TEMP.exec(name);
    if (temp ? !ours(temp[1]) : !checkpoint || !ours('checkpoint')) continue;
    const pid = Number(temp?.[3] ?? checkpoint?.[1] ?? NaN);
    if (!Number.isSafeInteger(pid) || pid <= 0 || alive(pid)) continue;
    const path = join(dir, name);
    try {
      if (temp?.[2] === 'old' && !exists(join(dir, temp[1])) && !lstatSync(path).isSymbolicLink()) {
        renameSync(path, join(dir, temp[1]));
        cleaned.restored.push(join(dir, temp[1]));
      } else {
        rmSync(path, { recursive: true, force: true });
        cleaned.removed.push(path);
      }
    } catch {
      // gone meanwhile, or not ours to remove: leave it
    }
  }
  return cleaned;
}

function exists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * Cleans a run folder and its checkpoints/ after a writer died: the next start or resume of a run
 * calls this for its own folder and for the other run folders beside it. Only real folders are
 * entered (a symlink in the runs folder is not followed).
 */
export function removeStaleRunTemps(runDir: string, alive: (pid: number) => boolean = processAlive): Cleaned {
  const cleaned = removeStaleTemps(runDir, (name) => RUN_FOLDER_NAMES.has(name), alive);
  const checkpoints = join(runDir, 'checkpoints');
  if (isRealDir(checkpoints)) {
    const inner = removeStaleTemps(checkpoints, (name) => name === 'checkpoint', alive);
    cleaned.removed.push(...inner.removed);
    cleaned.restored.push(...inner.restored);
  }
  return cleaned;
}

/** removeStaleRunTemps for every run folder in runsDir: real folders with a config.json (a run's). */
export function removeStaleTempsInRuns(runsDir: string, alive: (pid: number) => boolean = processAlive): Cleaned {
  const cleaned: Cleaned = { removed: [], restored: [] };
  let names: string[];
  try {
    names = readdirSync(runsDir);
  } catch {
    return cleaned;
  }
  for (const name of names) {
    const dir = join(runsDir, name);
    if (!isRealDir(dir) || !isRegularFile(join(dir, 'config.json'))) continue;
    const one = removeStaleRunTemps(dir, alive);
    cleaned.removed.push(...one.removed);
    cleaned.restored.push(...one.restored);
  }
  return cleaned;
}

function isRegularFile(path: string): boolean {
  try {
    return lstatSync(path).isFile();
  } catch {
    return false;
  }
}

function isRealDir(path: string): boolean {
  try {
    return lstatSync(path).isDirectory();
  } catch {
    return false;
  }
}
