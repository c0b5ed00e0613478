// Leftovers of a writer killed mid-write: removed (or given their name back) only when their
// process is gone, only under the names the trainer writes, and never through a symlink.
import assert from 'node:assert/strict';
import { spawnSync, spawn } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { processAlive, removeStaleTempsInRuns } from '../../src/node/files/stale-temps';

/** The id of a process that has ended. */
const deadPid = spawnSync(process.execPath, ['-e', '0']).pid!;
const live = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)']);
after(() => live.kill());

function runFolder(runs: string, name: string): string {
  const dir = join(runs, name);
  mkdirSync(join(dir, 'checkpoints', 'epoch-2'), { recursive: true });
  writeFileSync(join(dir, 'config.json'), '{}');
  return dir;
}

test('a dead writer\'s temps go, a live one\'s stay; a model moved aside gets its name back', () => {
  assert.equal(processAlive(deadPid), false);
  assert.equal(processAlive(live.pid!), true);
  const runs = mkdtempSync(join(tmpdir(), 'stale-'));
  const dir = runFolder(runs, 'run-a');
  writeFileSync(join(dir, `summary.json.tmp-${deadPid}`), '{"half":');
  mkdirSync(join(dir, `model-best.tmp-${deadPid}`));
  mkdirSync(join(dir, `model.old-${deadPid}`));
  writeFileSync(join(dir, `model.old-${deadPid}`, 'model.json'), '{"the":"only copy"}');
  mkdirSync(join(dir, 'model-best'));
  mkdirSync(join(dir, `model-best.old-${deadPid}`));
  mkdirSync(join(dir, 'checkpoints', `.tmp-epoch-3-${deadPid}`));
  mkdirSync(join(dir, 'checkpoints', `.tmp-epoch-2-old-${deadPid}`));
  writeFileSync(join(dir, `summary.json.tmp-${live.pid}`), 'being written');
  mkdirSync(join(dir, 'checkpoints', `.tmp-epoch-4-${live.pid}`));
  writeFileSync(join(dir, `notes.txt.tmp-${deadPid}`), 'not the trainer\'s');

  const cleaned = removeStaleTempsInRuns(runs);
  assert.deepEqual(readdirSync(dir).sort(), ['checkpoints', 'config.json', 'model', 'model-best', `notes.txt.tmp-${deadPid}`, `summary.json.tmp-${live.pid}`].sort());
  assert.equal(readFileSync(join(dir, 'model', 'model.json'), 'utf8'), '{"the":"only copy"}');
  assert.deepEqual(readdirSync(join(dir, 'checkpoints')).sort(), [`.tmp-epoch-4-${live.pid}`, 'epoch-2']);
  assert.deepEqual(cleaned.restored, [join(dir, 'model')]);
  assert.equal(cleaned.removed.length, 5);
});

test('a symlink named like a temp is removed as a link: what it points at is untouched; symlinked run folders are not entered', () => {
  const runs = mkdtempSync(join(tmpdir(), 'stale-'));
  const outside = mkdtempSync(join(tmpdir(), 'outside-'));
  writeFileSync(join(outside, 'precious'), 'keep');
  writeFileSync(join(outside, 'config.json'), '{}');
  writeFileSync(join(outside, `summary.json.tmp-${deadPid}`), 'not in the runs folder');
  const dir = runFolder(runs, 'run-b');
  symlinkSync(outside, join(dir, `model.tmp-${deadPid}`));
  symlinkSync(outside, join(runs, 'linked-run'));
  removeStaleTempsInRuns(runs);
  assert.ok(!existsSync(join(dir, `model.tmp-${deadPid}`)));
  assert.equal(readFileSync(join(outside, 'precious'), 'utf8'), 'keep');
  assert.ok(existsSync(join(outside, `summary.json.tmp-${deadPid}`)), 'a symlinked run folder is not cleaned');
  assert.ok(lstatSync(join(runs, 'linked-run')).isSymbolicLink());
});

test('folders that are not run folders (no config.json) are left alone, and a missing runs folder is no error', () => {
  const runs = mkdtempSync(join(tmpdir(), 'stale-'));
  mkdirSync(join(runs, 'photos'));
  writeFileSync(join(runs, 'photos', `summary.json.tmp-${deadPid}`), 'x');
  removeStaleTempsInRuns(runs);
  assert.ok(existsSync(join(runs, 'photos', `summary.json.tmp-${deadPid}`)));
  assert.deepEqual(removeStaleTempsInRuns(join(runs, 'none')), { removed: [], restored: [] });
});
