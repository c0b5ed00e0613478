// mnist-train's Findings block and --json, through the built bundle on the two configs,
// trained for real on mnist-10k.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { RunSummary } from '../../src/shared/protocol';
import { runCli } from '../helpers/cli';
import { MNIST_10K_ABSENT, hasMnist10k, mnist10kDir } from '../helpers/paths';

function configIn(config: object): string {
  const cwd = mkdtempSync(join(tmpdir(), 'cli-findings-'));
  writeFileSync(join(cwd, 'mnist.config.json'), JSON.stringify(config));
  return cwd;
}

/** The lines of the Findings block, from "Findings:" up to the run folder line. */
function block(stderr: string): string {
  const start = stderr.indexOf('Findings:');
  return start < 0 ? '' : stderr.slice(start, stderr.indexOf('Run folder:', start));
}

test('sgd at learning rate 20: the Findings block names the rate, --json and summary.json carry it', { skip: !hasMnist10k && MNIST_10K_ABSENT }, async () => {
  const cwd = configIn({ data: { dir: mnist10kDir }, training: { epochs: 3, optimizer: 'sgd', learningRate: 20 }, backend: 'wasm' });
  const r = await runCli(['mnist.config.json', '--json'], cwd);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /Test accuracy 0\.1\d+[^\n]*\nFindings:\n {2}error \(training\.learningRate\): Validation accuracy stayed at chance/, 'the block comes right after the test accuracy');
  assert.match(block(r.stderr), /20 is far too high for sgd; the tutorial uses adam at 0\.001\.\n {6}try: Set the learning rate to 2 \(20 ÷ 10\)\n {6}try: Set the learning rate to 0\.2 \(20 ÷ 100\)\n {6}try: Use adam at 0\.001/);
  const json = JSON.parse(r.stdout) as RunSummary & { runDir: string };
  assert.equal(json.status, 'completed');
  assert.deepEqual(json.findings?.map((f) => [f.id, f.path.join('.')]), [['noLearning', 'training.learningRate']]);
  const summary = JSON.parse(readFileSync(join(json.runDir, 'summary.json'), 'utf8')) as RunSummary;
  assert.deepEqual(summary.findings, json.findings, 'summary.json has the same findings');
});

test('the 25-epoch MLP: an overfitting finding naming epoch 6, the lowest validation loss', { skip: !hasMnist10k && MNIST_10K_ABSENT }, async () => {
  const cwd = configIn({ data: { dir: mnist10kDir }, training: { epochs: 25 }, backend: 'wasm' });
  const r = await runCli([], cwd);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stderr.split('\n');
  const valLoss = lines.filter((l) => l.startsWith('Epoch ')).map((l) => Number(/val_loss (\S+)/.exec(l)![1]));
  const lowest = valLoss.indexOf(Math.min(...valLoss)) + 1;
  assert.equal(valLoss.length, 25);
  const b = block(r.stderr);
  assert.match(b, new RegExp(`warning \\(training\\.epochs\\): Validation loss rose after epoch ${lowest} \\(${Math.min(...valLoss).toFixed(4)} → ${valLoss[24].toFixed(4)} at epoch 25\\)`));
  assert.match(b, /try: Add early stopping \(validation loss, patience 2, keep the best weights\)/);
  assert.equal(r.stdout, '', 'without --json nothing goes to stdout');
});

test('a run with nothing to say prints no Findings block', { skip: !hasMnist10k && MNIST_10K_ABSENT }, async () => {
  const cwd = configIn({
    data: { dir: mnist10kDir },
    model: { preset: 'mlp-dropout' },
    training: { epochs: 20, earlyStopping: { monitor: 'valLoss', patience: 2, restoreBestWeights: true } },
    backend: 'wasm',
  });
  const r = await runCli([], cwd);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /Early stop after epoch \d+/);
  assert.doesNotMatch(r.stderr, /Findings:/);
});
