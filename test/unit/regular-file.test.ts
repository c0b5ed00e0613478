// readRegularFile: what a hostile workspace can put where a run file belongs.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { UnsafeFileError, readRegularFile } from '../../src/node/files/regular-file';

const dir = mkdtempSync(join(tmpdir(), 'regular-'));

test('a regular file within the cap is read whole', () => {
  writeFileSync(join(dir, 'ok.json'), '{"a":1}');
  assert.equal(readRegularFile(join(dir, 'ok.json'), 100).toString(), '{"a":1}');
});

test('a symlink is refused, even to a good file; /dev/zero is refused before a byte is read', () => {
  writeFileSync(join(dir, 'target.json'), '{}');
  symlinkSync(join(dir, 'target.json'), join(dir, 'link.json'));
  assert.throws(() => readRegularFile(join(dir, 'link.json'), 100), (e: unknown) => e instanceof UnsafeFileError && /link\.json is a symbolic link/.test(e.message));
  assert.throws(() => readRegularFile('/dev/zero', 100), /\/dev\/zero is not a regular file/);
});

test('a FIFO is refused at once (no writer would otherwise block the read forever)', { skip: process.platform === 'win32' && 'no FIFOs on Windows' }, () => {
  execFileSync('mkfifo', [join(dir, 'fifo')]);
  assert.throws(() => readRegularFile(join(dir, 'fifo'), 100), /fifo is not a regular file/);
});

test('a file over the cap is refused with its size and the cap', () => {
  writeFileSync(join(dir, 'big.json'), Buffer.alloc(101));
  assert.throws(() => readRegularFile(join(dir, 'big.json'), 100), /big\.json is 101 bytes, more than the 100 expected at most/);
});

test('a missing file is the usual ENOENT', () => {
  assert.throws(() => readRegularFile(join(dir, 'none.json'), 100), { code: 'ENOENT' });
});
