// mnist-train as a user runs it: the built bundle in a child process.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { RunSummary } from '../../src/shared/protocol';
import { runCli } from '../helpers/cli';
import { startMirrorServer } from '../helpers/idx-server';

function workspace(): string {
  return mkdtempSync(join(tmpdir(), 'cli-'));
}

function onlyRun(cwd: string): string {
  const runs = readdirSync(join(cwd, '.mnist', 'runs'));
  assert.equal(runs.length, 1);
  return join(cwd, '.mnist', 'runs', runs[0]);
}

test('bad input: one clear line, exit 2, no stack trace', async () => {
  const cwd = workspace();
  writeFileSync(join(cwd, 'broken.json'), '{ "training": { "epochs": 0 } }');
  writeFileSync(join(cwd, 'syntax.json'), '{ "dataset": "mnist",, }');
  const cases: [string[], RegExp][] = [
    [['--epochs', 'zero'], /--epochs must be a positive whole number, got "zero"/],
    [['--dataset', 'cifar10'], /--dataset must be one of mnist, fashion-mnist, mnist-sample/],
    [['missing.json'], /missing\.json: no such file/],
    [['broken.json'], /training\.epochs/],
    [['syntax.json'], /syntax\.json.*1:/],
    [['--data-dir', join(cwd, 'nowhere'), '--epochs', '1'], /--data-dir: data\.dir .*nowhere does not exist.*point data\.dir at a folder/],
    [['--data-dir', cwd, '--epochs', '1'], /--data-dir: data\.dir .* lacks train-images-idx3-ubyte\.gz, train-labels-idx1-ubyte\.gz/],
  ];
  for (const [args, message] of cases) {
    const r = await runCli(args, cwd);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message, args.join(' '));
    assert.doesNotMatch(r.stderr, /\n\s+at .+:\d+:\d+/, `no stack trace for ${args.join(' ')}`);
    assert.equal(existsSync(join(cwd, '.mnist')), false, 'no run folder for input refused up front');
  }
});

test('every mirror down: exit 1, a failed run, and the advice printed once', async () => {
  const cwd = workspace();
  const server = await startMirrorServer();
  try {
    const r = await runCli(['--dataset', 'mnist', '--epochs', '1', '--mirror', server.base('down'), '--cache-dir', join(cwd, 'cache')], cwd);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /Training failed: Could not download train-images-idx3-ubyte\.gz from any mirror \(.*HTTP 404/);
    assert.equal(r.stderr.split('set data.dir to a folder with the four IDX files').length - 1, 1, r.stderr);
    assert.doesNotMatch(r.stderr, /\n\s+at .+:\d+:\d+/);
    const summary = JSON.parse(readFileSync(join(onlyRun(cwd), 'summary.json'), 'utf8')) as RunSummary;
    assert.equal(summary.status, 'failed');
  } finally {
    await server.close();
  }
});

test('--help lists every option', async () => {
  const r = await runCli(['--help'], workspace());
  assert.equal(r.code, 0);
  for (const flag of ['--dataset', '--data-dir', '--preset', '--epochs', '--batch-size', '--backend', '--seed', '--out']) assert.match(r.stdout, new RegExp(flag));
});

test('mnist-train --dataset mnist-sample trains offline and ends with the test accuracy and the run folder', async () => {
  const cwd = workspace();
  const r = await runCli(['--dataset', 'mnist-sample', '--epochs', '1', '--batch-size', '64', '--backend', 'wasm'], cwd);
  assert.equal(r.code, 0, r.stderr);
  const runDir = onlyRun(cwd);
  const summary = JSON.parse(readFileSync(join(runDir, 'summary.json'), 'utf8')) as RunSummary;
  assert.equal(summary.status, 'completed');
  assert.match(r.stderr, /Epoch 1\/1 {2}loss \d\.\d{4} {2}acc \d\.\d{4} {2}val_loss/);
  assert.match(r.stderr, new RegExp(`Test accuracy ${summary.testAccuracy!.toFixed(4)} `));
  assert.match(r.stderr, new RegExp(`Run folder: .*${runDir.split('/').pop()}`));
});

test('Ctrl-C stops cleanly: exit 130, the run kept as cancelled', async () => {
  const cwd = workspace();
  let sent = false;
  const r = await runCli(['--dataset', 'mnist-sample', '--epochs', '5', '--batch-size', '16', '--backend', 'wasm'], cwd, (text, child) => {
    if (!sent && /Model:/.test(text)) {
      sent = true;
      child.kill('SIGINT');
    }
  });
  assert.equal(r.code, 130, r.stderr);
  assert.match(r.stderr, /Stopping after the current batch/);
  assert.match(r.stderr, /Cancelled/);
  const summary = JSON.parse(readFileSync(join(onlyRun(cwd), 'summary.json'), 'utf8')) as RunSummary;
  assert.equal(summary.status, 'cancelled');
});
