// mnist-train --sweep as a user runs it: the built bundle, real trainer processes, the bundled digits.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { RunSummary } from '../../src/shared/protocol';
import { runCli } from '../helpers/cli';
import { assertRowMatchesSummary, assertWellFormedSvg, confusionTable, resultsTable } from '../helpers/report-check';


function runs(cwd: string): { dir: string; meta: { sweep: { id: string; experiment: string; index: number; total: number } }; summary: RunSummary }[] {
  const root = join(cwd, '.mnist', 'runs');
  if (!existsSync(root)) return [];
  return readdirSync(root)
    .map((d) => join(root, d))
    .map((dir) => ({
      dir,
      meta: JSON.parse(readFileSync(join(dir, 'meta.json'), 'utf8')),
      summary: JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')),
    }))
    .sort((a, b) => a.meta.sweep.index - b.meta.sweep.index);
}

function workspace(config: unknown): string {
  const cwd = mkdtempSync(join(tmpdir(), 'sweep-'));
  writeFileSync(join(cwd, 'mnist.config.json'), JSON.stringify(config, null, 2));
  return cwd;
}

test('Done when: one command sweeps mlp, mlp-dropout and cnn on mnist-sample and writes a report whose numbers are each run\'s summary.json', async () => {
  const cwd = workspace({
    dataset: 'mnist-sample',
    backend: 'wasm',
    training: { epochs: 5 },
    experiments: { grid: { 'model.preset': ['mlp', 'mlp-dropout', 'cnn'] } },
  });
  // The command line sets the base config; kept small so the suite stays fast.
  const r = await runCli(['--sweep', '--epochs', '1', '--batch-size', '128'], cwd);
  assert.equal(r.code, 0, r.stderr);
  const all = runs(cwd);
  assert.deepEqual(all.map((x) => x.meta.sweep.experiment), ['preset=mlp', 'preset=mlp-dropout', 'preset=cnn']);
  assert.equal(new Set(all.map((x) => x.meta.sweep.id)).size, 1, 'one sweep id');
  assert.ok(all.every((x) => x.summary.status === 'completed' && x.summary.epochsCompleted === 1));
  assert.match(r.stderr, /3 of 3 completed/);

  const reportPath = /Report: (.+\.md)\n/.exec(r.stderr)?.[1];
  assert.ok(reportPath && existsSync(reportPath), r.stderr);
  assert.equal(reportPath, join(cwd, 'reports', `${all[0].meta.sweep.id}-report.md`));
  const md = readFileSync(reportPath, 'utf8');
  assert.match(md, new RegExp(`^# MNIST sweep ${all[0].meta.sweep.id}`));
  const rows = resultsTable(md);
  assert.deepEqual(rows.map((row) => row.Run), ['preset=mlp', 'preset=mlp-dropout', 'preset=cnn']);
  assert.deepEqual(rows.map((row) => row.model), ['mlp', 'mlp-dropout', 'cnn']);
  rows.forEach((row, i) => assertRowMatchesSummary(row, all[i].summary));
  const best = [...all].sort((a, b) => b.summary.testAccuracy! - a.summary.testAccuracy!)[0];
  assert.deepEqual(confusionTable(md), best.summary.confusionMatrix, 'the confusion matrix of the best run');
  assert.match(md, new RegExp(`\\*\\*Best configuration:\\*\\* ${best.meta.sweep.experiment.replace('-', '\\-')}`));
  // Provenance: each run's config hash, and the digits all three read.
  for (const x of all) assert.ok(md.includes(`\`${x.summary.provenance!.configHash!.slice(0, 12)}\``), 'config hash in the report');
  assert.match(md, new RegExp(`Every run read the same digits: SHA-256 of the decoded training images \`${all[0].summary.provenance!.dataset!.checksums!.trainImages}\``));
  for (const img of ['validation-accuracy.svg', 'validation-loss.svg', 'best-run-loss.svg']) assertWellFormedSvg(readFileSync(join(cwd, 'reports', 'images', `${all[0].meta.sweep.id}-report`, img), 'utf8'));

  // mnist-train report: the same report again from the folders, by sweep id or by folder.
  const again = await runCli(['report', '--sweep', all[0].meta.sweep.id], cwd);
  assert.equal(again.code, 0, again.stderr);
  assert.equal(again.stdout.trim(), join(cwd, 'reports', `${all[0].meta.sweep.id}-report-2.md`));
  assert.deepEqual(resultsTable(readFileSync(again.stdout.trim(), 'utf8')), rows);
  const two = await runCli(['report', all[2].dir, all[0].dir, '--out', 'two'], cwd);
  assert.equal(two.code, 0, two.stderr);
  assert.deepEqual(resultsTable(readFileSync(two.stdout.trim(), 'utf8')).map((row) => row.Run), ['preset=cnn', 'preset=mlp']);
  const bad = await runCli(['report', join(cwd, 'nowhere')], cwd);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /report: not a run folder/);
});

test('a run that fails (an impossible data.dir) does not stop the rest; exit 1 names it', async () => {
  const cwd = workspace({
    dataset: 'mnist-sample',
    backend: 'wasm',
    training: { epochs: 1, batchSize: 128 },
    experiments: [
      { name: 'nowhere', set: { 'data.dir': '/nonexistent/mnist-idx' } },
      { name: 'after it', set: { 'training.seed': 7 } },
    ],
  });
  const r = await runCli(['--sweep'], cwd);
  assert.equal(r.code, 1, r.stderr);
  const [bad, good] = runs(cwd);
  assert.equal(bad.meta.sweep.experiment, 'nowhere');
  assert.equal(bad.summary.status, 'failed');
  assert.match(bad.summary.message ?? '', /nonexistent/);
  assert.equal(good.summary.status, 'completed');
  assert.equal(good.meta.sweep.id, bad.meta.sweep.id);
  assert.match(r.stderr, /\[1\/2\] nowhere\n[\s\S]*failed: [\s\S]*\[2\/2\] after it/);
  assert.match(r.stderr, /1 of 2 completed, 1 failed \(nowhere\)/);
});

test('Ctrl-C stops the run in progress (kept as cancelled) and the rest of the queue; exit 130', async () => {
  const cwd = workspace({
    dataset: 'mnist-sample',
    backend: 'wasm',
    training: { epochs: 4, batchSize: 32 },
    experiments: { grid: { 'model.preset': ['mlp', 'mlp-dropout', 'cnn'] } },
  });
  let sent = false;
  const r = await runCli(['--sweep'], cwd, (text, child) => {
    if (!sent && /\[1\/3\] preset=mlp\n/.test(text)) {
      sent = true;
      child.kill('SIGINT');
    }
  });
  assert.equal(r.code, 130, r.stderr);
  const all = runs(cwd);
  assert.equal(all.length, 1, 'the queue stopped: no second run folder');
  assert.equal(all[0].summary.status, 'cancelled');
  assert.match(r.stderr, /0 of 3 completed, 1 cancelled, 2 not started; the sweep was stopped/);
});

test('bad experiments: one line per problem naming the experiment, exit 2, nothing trained', async () => {
  const cwd = workspace({ dataset: 'mnist-sample', experiments: [{ name: 'typo', set: { 'training.learningrate': 0.1 } }] });
  const r = await runCli(['--sweep'], cwd);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /experiment "typo": training\.learningrate: unknown field "learningrate"; did you mean "learningRate"\?/);
  assert.equal(existsSync(join(cwd, '.mnist')), false);
  const none = workspace({ dataset: 'mnist-sample' });
  const r2 = await runCli(['--sweep'], none);
  assert.equal(r2.code, 2);
  assert.match(r2.stderr, /has no "experiments"/);
});
