// mnist-train --sweep as a user runs it: the built bundle, real trainer processes, the bundled digits.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { RunSummary } from '../../src/shared/protocol';
import { cliBundle } from '../helpers/paths';

interface CliResult { code: number | null; stdout: string; stderr: string }

function runCli(args: string[], cwd: string, onStderr?: (text: string, child: ChildProcess) => void): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cliBundle, ...args], { cwd, env: { ...process.env, XDG_CACHE_HOME: join(cwd, 'cache') } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b) => (stdout += b));
    child.stderr.on('data', (b) => {
      stderr += b;
      onStderr?.(stderr, child);
    });
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

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
