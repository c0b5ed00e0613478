// mnist-train --resume RUN_DIR as a user runs it: the built bundle in a child process, on the bundled digits.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { RunSummary } from '../../src/shared/protocol';
import { parseArgs } from '../../src/cli/args';
import { cliBundle } from '../helpers/paths';

interface CliResult { code: number | null; stderr: string }

function runCli(args: string[], cwd: string, onStderr?: (text: string, child: ChildProcess) => void): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cliBundle, ...args], { cwd, env: { ...process.env, XDG_CACHE_HOME: join(cwd, 'cache') } });
    let stderr = '';
    child.stderr.on('data', (b) => {
      stderr += b;
      onStderr?.(stderr, child);
    });
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

test('--resume cannot be mixed with options that change the config', () => {
  assert.equal(parseArgs(['--resume', 'runs/x']).resume, 'runs/x');
  assert.throws(() => parseArgs(['--resume', 'runs/x', '--epochs', '3', 'my.json']), /--resume continues a run with the config it was started with, so it cannot be combined with a config file \("my\.json"\), --epochs/);
  assert.throws(() => parseArgs(['--resume']), /--resume needs a value/);
});

test('Ctrl-C after the first epoch, then --resume: exit 0, one continuous run; a completed run is refused with exit 2', async () => {
  const cwd = mkdtempSync(join(tmpdir(), 'cli-resume-'));
  let sent = false;
  const first = await runCli(['--dataset', 'mnist-sample', '--epochs', '2', '--batch-size', '128', '--backend', 'wasm'], cwd, (text, child) => {
    if (!sent && /Epoch 1\/2 {2}loss/.test(text)) {
      sent = true;
      child.kill('SIGINT');
    }
  });
  assert.equal(first.code, 130, first.stderr);
  const runDir = join(cwd, '.mnist', 'runs', readdirSync(join(cwd, '.mnist', 'runs'))[0]);
  assert.match(first.stderr, new RegExp(`Resume with: mnist-train --resume ${runDir}`));

  const second = await runCli(['--resume', runDir], cwd);
  assert.equal(second.code, 0, second.stderr);
  assert.match(second.stderr, /Resuming .* after epoch 1 of 2/);
  assert.doesNotMatch(second.stderr, /Epoch 1\/2 {2}loss/, 'epoch 1 is not trained again');
  assert.match(second.stderr, /Epoch 2\/2 {2}loss .* lr 0\.001\n/);
  const summary = JSON.parse(readFileSync(join(runDir, 'summary.json'), 'utf8')) as RunSummary;
  assert.equal(summary.status, 'completed');
  assert.equal(summary.epochsCompleted, 2);
  assert.equal(summary.resumed, 1);
  assert.equal(readdirSync(join(cwd, '.mnist', 'runs')).length, 1, 'no new run folder');

  const third = await runCli(['--resume', runDir], cwd);
  assert.equal(third.code, 2);
  assert.match(third.stderr, /--resume .*: cannot resume: it completed; there is nothing to resume/);
});
