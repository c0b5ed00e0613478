// The run history reads every folder in the runs folder, including ones written by an older
// version and ones half-written by a crash, without throwing.
import assert from 'node:assert/strict';
import { acquireRunsLock } from '../../src/node/runs/run-lock';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { describeModel } from '../../src/shared/run-record';
import { listRunRecords, readRunRecord, updateRunMeta } from '../../src/node/runs/run-listing';
import { repoRoot } from '../helpers/paths';

const OLD = join(repoRoot, 'test', 'fixtures', 'webview-runs');
const RECORDED = join(repoRoot, 'test', 'fixtures', 'run-history');

function runsFolder(): string {
  return mkdtempSync(join(tmpdir(), 'runs-'));
}

function backdate(dir: string, minutes = 10): void {
  const t = new Date(Date.now() - minutes * 60_000);
  for (const f of readdirSync(dir)) utimesSync(join(dir, f), t, t);
  utimesSync(dir, t, t);
}

test('folders written by an older version: listed with their figures, newest first', () => {
  const root = runsFolder();
  for (const name of ['completed', 'cancelled', 'failed']) cpSync(join(OLD, name), join(root, `old-${name}`), { recursive: true });
  const runs = listRunRecords(root);
  assert.deepEqual(runs.map((r) => r.state).sort(), ['cancelled', 'completed', 'failed']);
  const done = runs.find((r) => r.state === 'completed')!;
  const summary = JSON.parse(readFileSync(join(OLD, 'completed', 'summary.json'), 'utf8'));
  assert.equal(done.testAccuracy, summary.testAccuracy);
  assert.deepEqual(done.history.valAcc, summary.history.valAcc);
  assert.equal(done.model, 'mlp');
  assert.equal(done.dataset, 'mnist-sample');
  assert.equal(done.label, 'old-completed', 'no meta.json: the folder name');
  // The old config lacks fields this version added; they read as the defaults.
  assert.equal(done.config?.training.earlyStopping, null);
  const failed = runs.find((r) => r.state === 'failed')!;
  assert.match(failed.message ?? '', /\S/);
  for (let i = 1; i < runs.length; i++) assert.ok((runs[i - 1].startedAt ?? 0) >= (runs[i].startedAt ?? 0), 'newest first');
});

test('half-written folders: missing summary, torn event line, broken JSON, missing fields, junk', () => {
  const root = runsFolder();
  const src = join(RECORDED, 'cnn-3-epochs');
  const lines = readFileSync(join(src, 'events.jsonl'), 'utf8').split('\n').filter(Boolean);
  const firstEval = lines.findIndex((l) => l.includes('"type":"evaluation"'));

  // 1. crashed mid-run long ago: events up to epoch 2, a torn last line, no summary.json
  const crashed = join(root, '2026-11-26_10-00-00_cnn');
  mkdirSync(crashed);
  cpSync(join(src, 'config.json'), join(crashed, 'config.json'));
  const upToEpoch2 = lines.slice(0, lines.findIndex((l) => l.includes('"type":"epoch","epoch":2')) + 1);
  writeFileSync(join(crashed, 'events.jsonl'), upToEpoch2.join('\n') + '\n{"type":"batch","epoch":3,"epo');
  backdate(crashed);

  // 2. the same, but the runs folder's lock, held by a live process, names it: a CLI run still training
  const running = join(root, '2026-11-26_10-05-00_cnn');
  cpSync(crashed, running, { recursive: true });
  const lock = acquireRunsLock(root, 'mnist-train');
  lock.setRunDir(running);

  // 3. summary.json that is not JSON (the events say it completed)
  const brokenSummary = join(root, '2026-11-26_10-10-00_cnn');
  cpSync(src, brokenSummary, { recursive: true });
  writeFileSync(join(brokenSummary, 'summary.json'), '{ "status": "comp');

  // 4. an old summary with only a status and a test accuracy; a config with only a preset
  const sparse = join(root, '2026-11-26_10-15-00_sparse');
  mkdirSync(sparse);
  writeFileSync(join(sparse, 'summary.json'), '{ "status": "completed", "testAccuracy": 0.91 }');
  writeFileSync(join(sparse, 'config.json'), '{ "model": { "preset": "mlp-dropout" } }');

  // 5. config.json only (the trainer never started), and a config that is not a config
  const configOnly = join(root, '2026-11-26_10-20-00_mlp');
  mkdirSync(configOnly);
  writeFileSync(join(configOnly, 'config.json'), '{ "model": 5, "training": "fast" }');
  backdate(configOnly);

  // 6. not runs: an empty folder, a stray file, an unreadable meta.json beside a good run
  mkdirSync(join(root, 'notes'));
  writeFileSync(join(root, 'README.txt'), 'hello');
  const badMeta = join(root, '2026-11-26_10-25-00_cnn');
  cpSync(src, badMeta, { recursive: true });
  writeFileSync(join(badMeta, 'meta.json'), '{ nope');

  const runs = listRunRecords(root);
  const byId = new Map(runs.map((r) => [r.id, r]));
  assert.equal(runs.length, 6, runs.map((r) => r.id).join(', '));

  const c = byId.get('2026-11-26_10-00-00_cnn')!;
  assert.equal(c.state, 'failed');
  assert.match(c.message ?? '', /without a final event/);
  assert.equal(c.epochsCompleted, 2, 'the epochs before the crash count; the torn line is skipped');
  assert.equal(c.testAccuracy, null);
  assert.ok(c.problems.some((p) => /summary\.json is missing/.test(p)));

  assert.equal(byId.get('2026-11-26_10-05-00_cnn')!.state, 'running');
  lock.release();
  const afterRelease = listRunRecords(root).find((r) => r.id === '2026-11-26_10-05-00_cnn')!;
  assert.equal(afterRelease.state, 'failed', 'written a moment ago, but no live process holds the lock: not running');

  const b = byId.get('2026-11-26_10-10-00_cnn')!;
  const real = JSON.parse(readFileSync(join(src, 'summary.json'), 'utf8'));
  assert.equal(b.state, 'completed', 'from the done event');
  assert.equal(b.testAccuracy, real.testAccuracy, 'folded from events.jsonl');
  assert.deepEqual(b.history.valLoss, real.history.valLoss);
  assert.ok(firstEval > 0);

  const s = byId.get('2026-11-26_10-15-00_sparse')!;
  assert.equal(s.state, 'completed');
  assert.equal(s.testAccuracy, 0.91);
  assert.equal(s.model, 'mlp-dropout');
  assert.deepEqual(s.history.valAcc, []);
  assert.equal(s.epochsCompleted, 0);

  const k = byId.get('2026-11-26_10-20-00_mlp')!;
  assert.equal(k.config, null);
  assert.equal(k.model, 'unknown model');
  assert.equal(k.state, 'failed');

  const m = byId.get('2026-11-26_10-25-00_cnn')!;
  assert.equal(m.state, 'completed');
  assert.equal(m.label, m.id);
  assert.ok(m.problems.some((p) => /meta\.json/.test(p)));
});

test('meta.json: rename is atomic, keeps the sweep tag and unknown fields; an empty name goes back to the id', () => {
  const root = runsFolder();
  const dir = join(root, 'a-run');
  cpSync(join(RECORDED, 'mlp-12-epochs'), dir, { recursive: true });
  writeFileSync(join(dir, 'meta.json'), JSON.stringify({ sweep: { id: 'sweep-1', experiment: 'preset=mlp', index: 1, total: 3, overrides: { 'model.preset': 'mlp' } }, future: 1 }));
  assert.equal(readRunRecord(dir)!.label, 'preset=mlp', 'a sweep run is named after its experiment');
  updateRunMeta(dir, { name: 'baseline' });
  const meta = JSON.parse(readFileSync(join(dir, 'meta.json'), 'utf8'));
  assert.equal(meta.name, 'baseline');
  assert.equal(meta.sweep.id, 'sweep-1');
  assert.equal(meta.future, 1);
  assert.deepEqual(readdirSync(dir).filter((f) => f.includes('.tmp')), [], 'no temp file left');
  assert.equal(readRunRecord(dir)!.label, 'baseline');
  updateRunMeta(dir, { name: undefined });
  assert.equal(readRunRecord(dir)!.label, 'preset=mlp');
  assert.deepEqual(readdirSync(root), ['a-run'], 'the folder is never renamed');
});

test('describeModel survives configs from other versions', () => {
  assert.equal(describeModel(null), 'unknown model');
  assert.equal(describeModel({ model: {} } as never), 'unknown model');
  assert.equal(describeModel({ model: { preset: null, layers: [{ type: 'flatten' }, { type: 'dense', units: 10, activation: 'softmax' }] } }), 'Flatten → Dense 10');
  assert.equal(describeModel({ model: { preset: null, layers: [{ type: 'lstm' } as never] } }), 'lstm');
});
