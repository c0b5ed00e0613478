// data.dir from a cloned workspace: symlinks to real IDX files work, but /dev/zero or a FIFO in
// their place is refused at once, by name (it would otherwise be read forever).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadDataset } from '../../src/node/data/datasets';
import { ensureSample } from '../helpers/datasets';

const NAMES = ['train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte.gz', 't10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz'];

function folder(replace: Record<string, (path: string) => void> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'data-dir-'));
  for (const name of NAMES) (replace[name] ?? ((p: string) => symlinkSync(join(ensureSample(), name), p)))(join(dir, name));
  return dir;
}
const load = (dir: string) => loadDataset({ dataset: 'mnist', dir, cacheDir: '', sampleDir: ensureSample() });

test('IDX files that are symlinks to real files load', async () => {
  const data = await load(folder());
  assert.equal(data.trainLabels.length, 8000);
});

test('train-images symlinked to /dev/zero: refused as not a regular file, naming it', async () => {
  const dir = folder({ 'train-images-idx3-ubyte.gz': (p) => symlinkSync('/dev/zero', p) });
  await assert.rejects(load(dir), { name: 'DataError', message: `${join(dir, 'train-images-idx3-ubyte.gz')}: is not a regular file` });
});

test('a FIFO in place of the labels: refused at once, not waited on', { skip: process.platform === 'win32' && 'no FIFOs on Windows' }, async () => {
  const dir = folder({ 't10k-labels-idx1-ubyte.gz': (p) => execFileSync('mkfifo', [p]) });
  await assert.rejects(load(dir), { name: 'DataError', message: `${join(dir, 't10k-labels-idx1-ubyte.gz')}: is not a regular file` });
});
