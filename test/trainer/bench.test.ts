// npm run bench, end to end on the bundled real digits: one short case through the real trainer bundle.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '../helpers/paths';

const BENCH = join(repoRoot, 'scripts', 'bench', 'run.ts');

interface BenchJson {
  meta: { data: string; reps: number };
  cases: { preset: string; batch: number; backend: string; okRuns: number; samplesPerSecond: number; epoch48kSeconds: number; maxRssMB: number; testAccuracy: number; timedBatches: number }[];
  extension: { bundles: { file: string; bytes: number | null }[]; requireMs: number; activateMs: number; requireRuns: number; hostBundleHas: { tfjs: boolean; echarts: boolean } } | null;
}

test('the bench trains the MLP on wasm and reports speed, memory and accuracy as a table and JSON', async () => {
  const json = join(mkdtempSync(join(tmpdir(), 'bench-')), 'bench.json');
  const out = execFileSync(
    process.execPath,
    ['--import', 'tsx', BENCH, '--data', 'sample', '--cases', 'mlp:32:wasm', '--reps', '1', '--no-torch', '--no-fashion', '--no-package', '--no-paint', '--json', json],
    { cwd: repoRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
  );
  assert.match(out, /\| model \| batch \| backend/);
  // What it ran on, above the table: the CPU's SIMD and whether the trainer got relaxed SIMD (FMA).
  assert.match(out, /^CPU: \d+ × .+; (AVX2 (yes|no), AVX-512 (yes|no), FMA (yes|no)|x86 SIMD flags unknown.*); wasm relaxed SIMD: (yes|no)/m);
  assert.match(out, /^Node v\d+\.\d+\.\d+, V8 \d+\./m);
  assert.match(out, /activation: require \+ activate\(\) of dist\/extension\.js/);
  const result = JSON.parse(readFileSync(json, 'utf8')) as BenchJson;
  assert.match(result.meta.data, /mnist-sample/);
  assert.equal(result.cases.length, 1);
  const [mlp] = result.cases;
  assert.equal(mlp.okRuns, 1);
  assert.match(mlp.backend, /^wasm/);
  assert.ok(mlp.samplesPerSecond > 100, `samples/s ${mlp.samplesPerSecond}`);
  assert.ok(mlp.timedBatches >= 10, `timed batches ${mlp.timedBatches}`);
  assert.ok(Math.abs(mlp.epoch48kSeconds - 48_000 / mlp.samplesPerSecond) < 1e-6);
  assert.ok(mlp.maxRssMB > 50 && mlp.maxRssMB < 4000, `peak RSS ${mlp.maxRssMB} MB`);
  assert.ok(mlp.testAccuracy > 0.85, `test accuracy ${mlp.testAccuracy} after one epoch on the sample`);
  const ext = result.extension;
  assert.ok(ext, 'the extension figures are in the JSON');
  assert.ok(ext.bundles.some((b) => b.file === 'dist/trainer.js' && (b.bytes ?? 0) > 0));
  assert.ok(ext.bundles.some((b) => b.file === 'dist/report-svg.js' && (b.bytes ?? 0) > 0), 'the lazily loaded report renderer is built');
  assert.equal(ext.requireRuns, 9, 'activate() ran against the stand-in vscode every time');
  assert.ok(ext.requireMs > 0 && ext.activateMs > 0, `require ${ext.requireMs} ms, activate ${ext.activateMs} ms`);
  assert.deepEqual(ext.hostBundleHas, { tfjs: false, echarts: false });
});

test('the bench refuses a malformed case with a clear message', () => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', BENCH, '--cases', 'resnet:32:wasm'], { cwd: repoRoot, encoding: 'utf8' });
  assert.equal(r.status, 2);
  assert.match(r.stderr, /bad case "resnet:32:wasm": preset:batch:backend/);
});
