// Writes that survive a power cut: a file's bytes are on the disk (fsync) before it is renamed into
// place, and the folder is synced after the rename, so its new entry is on the disk too. A kill -9
// needs none of this (the kernel keeps what was written); a power cut or a full crash does.
import { closeSync, fsyncSync, openSync, writeSync } from 'node:fs';

/** Writes `data` to `file` (created or truncated) and fsyncs it before returning. */
export function writeFileDurable(file: string, data: string | Uint8Array): void {
  const fd = openSync(file, 'w');
  try {
    const bytes = typeof data === 'string' ? Buffer.from(data) : data;
    let written = 0;
    while (written < bytes.length) written += writeSync(fd, bytes, written, bytes.length - written);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * Fsyncs a folder, so a rename or a new file in it is on the disk. Where folders cannot be opened
 * or synced (Windows: EISDIR/EPERM; some network file systems: EINVAL) there is nothing more to do.
 */
export function fsyncDir(dir: string): void {
  let fd: number;
  try {
    fd = openSync(dir, 'r');
  } catch {
    return;
  }
  try {
    fsyncSync(fd);
  } catch {
    // not supported here
  } finally {
    closeSync(fd);
  }
}
