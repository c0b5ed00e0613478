// launchRun, the one place a run starts: with real forks of dist/trainer.js (npm test builds it first).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { applyDefaults } from '../../src/shared/config';
import type { TrainerEvent } from '../../src/shared/protocol';
import { type LaunchRequest, RunFolderUnavailable, launchRun } from '../../src/node/runs/launch';
import { LOCK_FILE } from '../../src/node/runs/run-lock';
import { cliBundle, trainerBundle } from '../helpers/paths';

const tinyConfig = () =>
  applyDefaults({ dataset: 'mnist-sample', backend: 'cpu', model: { layers: [{ type: 'flatten' }, { type: 'dense', units: 10, activation: 'softmax' }] }, training: { epochs: 1, batchSize: 256 } });

function request(runsFolder: string, over: Partial<LaunchRequest> = {}): LaunchRequest {
  return { trainerPath: trainerBundle, runsFolder, tool: 'mnist-train', config: tinyConfig(), cacheDir: join(runsFolder, '..', 'cache'), ...over };
}

function summaryOf(runDir: string): { status: string; message?: string } {
  return JSON.parse(readFileSync(join(runDir, 'summary.json'), 'utf8'));
}

async function launchAndWait(req: LaunchRequest) {
  const events: TrainerEvent[] = [];
  const run = launchRun(req, (e) => events.push(e));
  const exit = await run.exited;
  return { run, exit, events };
}

describe('launchRun: a trainer that cannot start ends its run as failed and frees the runs folder', () => {
  test('a missing dist/trainer.js: the run is failed with the reason, the lock is released, the next run completes', async () => {
    const runs = join(mkdtempSync(join(tmpdir(), 'launch-')), 'runs');
    const missing = await launchAndWait(request(runs, { trainerPath: join(runs, '..', 'no-such-trainer.js') }));
    assert.equal(missing.exit.done.status, 'failed');
    assert.match(missing.exit.done.message ?? '', /trainer \(.*no-such-trainer\.js\) is missing/);
    assert.equal(missing.events.at(-1)?.type, 'done', 'the listener hears the failed run');
    assert.equal(summaryOf(missing.run.runDir).status, 'failed');
    assert.equal(existsSync(join(runs, LOCK_FILE)), false, 'the lock is released');

    const next = await launchAndWait(request(runs));
    assert.equal(next.exit.done.status, 'completed', next.exit.done.message);
    assert.equal(summaryOf(next.run.runDir).status, 'completed');
    assert.equal(existsSync(join(runs, LOCK_FILE)), false);
  });

  test('an exec path that does not exist (ENOENT): failed with the reason, exited resolves, the lock is released', async () => {
    const runs = join(mkdtempSync(join(tmpdir(), 'launch-')), 'runs');
    const { run, exit } = await launchAndWait(request(runs, { execPath: '/nonexistent/node' }));
    assert.equal(exit.done.status, 'failed');
    assert.match(exit.done.message ?? '', /could not be started \(ENOENT\)/);
    assert.equal(summaryOf(run.runDir).status, 'failed');
    assert.equal(existsSync(join(runs, LOCK_FILE)), false);
    run.stop(); // Stop on a run whose trainer never started does nothing, and does not throw
  });

  test('a failure after the lock is taken (the run folder cannot be written) releases it: the lock never leaks', async () => {
    const base = mkdtempSync(join(tmpdir(), 'launch-'));
    const runs = join(base, 'runs');
    const notAFolder = join(base, 'a-file');
    writeFileSync(notAFolder, 'not a run folder');
    assert.throws(
      () => launchRun(request(runs, { resumeDir: notAFolder, meta: { name: 'x' } }), () => {}),
      (err: unknown) => err instanceof RunFolderUnavailable && /ENOTDIR/.test(err.message),
    );
    assert.equal(existsSync(join(runs, LOCK_FILE)), false, 'the lock is released');
    const next = await launchAndWait(request(runs));
    assert.equal(next.exit.done.status, 'completed');
  });
});

describe('mnist-train --trainer-timeout: the CLI has the same watchdog as VS Code', () => {
  test('a hung trainer is ended after the timeout: exit 1, the run failed with the reason and the setting to raise', { timeout: 120_000 }, async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'cli-hang-'));
    const result = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [cliBundle, '--dataset', 'mnist-sample', '--backend', 'cpu', '--epochs', '1', '--trainer-timeout', '3'], {
        cwd,
        env: { ...process.env, XDG_CACHE_HOME: join(cwd, 'cache'), MNIST_TRAINER_FAULT: 'hang' },
      });
      let stderr = '';
      child.stderr.on('data', (b) => (stderr += b));
      child.on('close', (code) => resolve({ code, stderr }));
    });
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stderr, /Training failed: The trainer stopped responding \(no progress for 3 s\), so it was ended\./);
    assert.match(result.stderr, /--trainer-timeout/, 'the hint names the flag to raise');
    assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
    const runs = join(cwd, '.mnist', 'runs');
    const dirs = readdirSync(runs).filter((d) => d !== LOCK_FILE);
    assert.equal(dirs.length, 1);
    assert.equal(summaryOf(join(runs, dirs[0])).status, 'failed');
    assert.equal(existsSync(join(runs, LOCK_FILE)), false);
  });
});
