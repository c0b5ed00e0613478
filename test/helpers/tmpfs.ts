// A tiny tmpfs, for a real full disk (ENOSPC) in tests. Mounting needs root or CAP_SYS_ADMIN; where
// that is missing the caller skips with the reason.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Tmpfs {
  dir: string;
  /** Bytes a new file can still take. */
  free(): number;
  /** Fills the disk until `leave` bytes are free, with one file; returns its path. */
  fill(leave: number): string;
  unmount(): void;
}

/** A mounted tmpfs of `bytes`, or the reason it could not be mounted. */
export function mountTmpfs(bytes: number): Tmpfs | { skip: string } {
  const dir = mkdtempSync(join(tmpdir(), 'tmpfs-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${bytes}`, 'tmpfs', dir], { stdio: 'pipe' });
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    return { skip: `a tmpfs cannot be mounted here (needs root or CAP_SYS_ADMIN: ${String((err as { stderr?: Buffer }).stderr ?? err).trim().split('\n')[0]})` };
  }
  const free = () => {
    const s = statfsSync(dir);
    return s.bavail * s.bsize;
  };
  return {
    dir,
    free,
    fill(leave) {
      const file = join(dir, 'filler');
      writeFileSync(file, Buffer.alloc(Math.max(0, free() - leave)));
      return file;
    },
    unmount() {
      try {
        execFileSync('umount', ['-l', dir], { stdio: 'pipe' });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
