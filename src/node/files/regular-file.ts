// Reading a file a workspace may have planted: only a regular file (not a symlink, a FIFO or a
// device such as /dev/zero), never more than a cap, without blocking on a FIFO.
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';

/** Why a file was not read, in plain words; `reason` completes "<file> …". */
export class UnsafeFileError extends Error {
  constructor(readonly file: string, readonly reason: string) {
    super(`${file} ${reason}`);
    this.name = 'UnsafeFileError';
  }
}

/** O_NOFOLLOW and O_NONBLOCK where the platform has them (Windows has neither; 0 there). */
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0);

/**
 * The bytes of a regular file of at most maxBytes. A symlink, anything that is not a regular file,
 * or a larger file is an UnsafeFileError; a missing file is the usual ENOENT error.
 * The checks are on the open descriptor, so the file cannot be swapped between check and read.
 */
export function readRegularFile(file: string, maxBytes: number): Buffer {
  const { fd, size } = openRegularFile(file, maxBytes);
  try {
    // One byte more than fstat said tells a file that grew since from one that did not.
    const buf = Buffer.alloc(size + 1);
    let length = 0;
    while (length < buf.length) {
      const n = readSync(fd, buf, length, buf.length - length, null);
      if (n === 0) break;
      length += n;
    }
    if (length > size) throw new UnsafeFileError(file, 'grew while it was read; try again when it is written');
    return buf.subarray(0, length);
  } finally {
    closeSync(fd);
  }
}

/**
 * Opens a regular file of at most maxBytes for reading, with the same checks as readRegularFile;
 * the caller closes the descriptor. For reading a large file a chunk at a time.
 */
export function openRegularFile(file: string, maxBytes: number): { fd: number; size: number } {
  let fd: number;
  try {
    fd = openSync(file, OPEN_FLAGS);
  } catch (err) {
    // O_NOFOLLOW on a symlink: ELOOP (Linux, macOS) or EMLINK (FreeBSD).
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ELOOP' || code === 'EMLINK') throw new UnsafeFileError(file, 'is a symbolic link, which is not followed');
    throw err;
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw new UnsafeFileError(file, 'is not a regular file');
    if (stat.size > maxBytes) throw new UnsafeFileError(file, `is ${stat.size} bytes, more than the ${maxBytes} expected at most`);
    return { fd, size: stat.size };
  } catch (err) {
    closeSync(fd);
    throw err;
  }
}

/** readRegularFile as UTF-8 text. */
export function readRegularText(file: string, maxBytes: number): string {
  return readRegularFile(file, maxBytes).toString('utf8');
}
