// One run at a time per runs folder: the lock file, then two real processes (CLI and CLI, CLI and the
// extension's TrainingSession with a real trainer) on the same runs folder.
import assert from 'node:assert/strict';
import { type ChildProcess, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { LOCK_FILE, type LockOwner, RunsFolderBusy, acquireRunsLock, processStartTicks } from '../../src/node/runs/run-lock';
import { type CliResult, runCli } from '../helpers/cli';
import { Uri, fakeVscode, installFakeVscode, ui } from '../helpers/fake-vscode';
import { fakeContext, sessionIdle } from '../helpers/host';

installFakeVscode();
const { TrainingSession } = require('../../src/host/session/training-session') as typeof import('../../src/host/session/training-session');

const STARTED = /started \d{4}-\d\d-\d\d \d\d:\d\d:\d\d/;

function tempRuns(): string {
  return join(mkdtempSync(join(tmpdir(), 'lock-')), 'runs');
}

function owner(runs: string): LockOwner {
  return JSON.parse(readFileSync(join(runs, LOCK_FILE), 'utf8')) as LockOwner;
}

function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  return Number(r.stdout.toString());
}

describe('the lock file', () => {
  test('taken with pid, host and start time; a second taker is refused with who and since when; released, it can be taken again', () => {
    const runs = tempRuns();
    const lock = acquireRunsLock(runs, 'test');
    const o = owner(runs);
    assert.equal(o.pid, process.pid);
    assert.equal(o.host, hostname());
    assert.ok(Math.abs(Date.parse(o.startedAt) - Date.now()) < 60_000);
    lock.setRunDir(join(runs, '2026-11-26_16-00-00_mlp'));
    assert.throws(
      () => acquireRunsLock(runs, 'test'),
      (err: unknown) => {
        assert.ok(err instanceof RunsFolderBusy);
        assert.match(err.message, new RegExp(`^another run is training in ${runs.replace(/[/\\.]/g, '\\$&')} \\(pid ${process.pid}, `));
        assert.match(err.message, STARTED);
        assert.match(err.message, /by test, run 2026-11-26_16-00-00_mlp\); wait for it to finish or stop it, or train into another runs folder$/);
        return true;
      },
    );
    lock.release();
    assert.equal(existsSync(join(runs, LOCK_FILE)), false, 'released');
    lock.release();
    acquireRunsLock(runs, 'test').release();
    assert.deepEqual(readdirSync(runs), [], 'no temporary files left');
  });

  test('stale locks are taken over: a dead pid, a reused pid (another process start time), a damaged file', () => {
    const runs = tempRuns();
    mkdirSync(runs, { recursive: true });
    const file = join(runs, LOCK_FILE);
    const stale = (o: Partial<LockOwner>) => writeFileSync(file, JSON.stringify({ pid: deadPid(), host: hostname(), startedAt: '2026-11-26T10:00:00Z', tool: 'mnist-train', token: 'old', ...o }));
    const cases: [string, () => void][] = [
      ['a dead pid', () => stale({})],
      ...(processStartTicks(process.pid) !== undefined ? [['this pid, started at another time', () => stale({ pid: process.pid, processStart: 1 })] as [string, () => void]] : []),
      ['a damaged file', () => writeFileSync(file, '{"pid": 12')],
      ['an empty file', () => writeFileSync(file, '')],
    ];
    for (const [what, make] of cases) {
      make();
      const lock = acquireRunsLock(runs, 'test');
      assert.equal(owner(runs).token, lock.owner.token, what);
      lock.release();
    }
    assert.deepEqual(readdirSync(runs), [], 'nothing left beside');
  });

  test('a lock from another host cannot be checked: refused, with the file to delete if nothing trains there', () => {
    const runs = tempRuns();
    mkdirSync(runs, { recursive: true });
    writeFileSync(join(runs, LOCK_FILE), JSON.stringify({ pid: 4242, host: 'build-box', startedAt: new Date().toISOString(), tool: 'mnist-train', token: 't' }));
    assert.throws(() => acquireRunsLock(runs, 'test'), /\(pid 4242 on build-box, started .*; wait for it to finish; if nothing trains on build-box, delete .*training\.lock$/);
  });

  test('release leaves a lock that is no longer its own', () => {
    const runs = tempRuns();
    const lock = acquireRunsLock(runs, 'test');
    writeFileSync(join(runs, LOCK_FILE), JSON.stringify({ ...lock.owner, token: 'someone else' }));
    lock.release();
    assert.equal(owner(runs).token, 'someone else');
  });
});

/** mnist-train training mnist-sample into `runs` for long enough; resolves once its model is built. */
function startLongCli(cwd: string, runs: string): { child: Promise<ChildProcess>; result: Promise<CliResult> } {
  let started!: (c: ChildProcess) => void;
  let failed!: (e: Error) => void;
  const child = new Promise<ChildProcess>((resolve, reject) => ([started, failed] = [resolve, reject]));
  const result = runCli(['--dataset', 'mnist-sample', '--epochs', '50', '--out', runs], cwd, (text, c) => {
    if (/Model:/.test(text)) started(c);
  });
  // Settled already when the model line came; otherwise the run ended before training.
  void result.then((r) => failed(new Error(`the run ended before training: exit ${r.code}: ${r.stderr}`)));
  return { child, result };
}

describe('two processes on one runs folder', () => {
  test('CLI and CLI: the second is refused (exit 75) naming the first; after the first stops, the lock is gone', { timeout: 300_000 }, async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'lock-cli-'));
    const runs = join(cwd, 'runs');
    const first = startLongCli(cwd, runs);
    const a = await first.child;
    const second = await runCli(['--dataset', 'mnist-sample', '--epochs', '1', '--out', runs], cwd);
    assert.equal(second.code, 75, second.stderr);
    const run = readdirSync(runs).filter((n) => n !== LOCK_FILE);
    assert.equal(run.length, 1, 'the second made no run folder');
    assert.match(second.stderr, new RegExp(`^mnist-train: another run is training in ${runs.replace(/[/\\.]/g, '\\$&')} \\(pid ${a.pid}, started .* by mnist-train, run ${run[0]}\\)`));
    assert.match(second.stderr, STARTED);
    assert.doesNotMatch(second.stderr, /\n\s+at /);
    a.kill('SIGINT');
    const r = await first.result;
    assert.equal(r.code, 130, r.stderr);
    assert.equal(existsSync(join(runs, LOCK_FILE)), false, 'released when the run ended');
  });

  test('a CLI killed with SIGKILL leaves a stale lock: the next run takes it over and trains', { timeout: 300_000 }, async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'lock-kill-'));
    const runs = join(cwd, 'runs');
    const first = startLongCli(cwd, runs);
    const a = await first.child;
    a.kill('SIGKILL');
    await first.result;
    assert.equal(owner(runs).pid, a.pid, 'the killed process could not release it');
    const next = startLongCli(cwd, runs);
    const b = await next.child;
    assert.equal(owner(runs).pid, b.pid, 'taken over');
    b.kill('SIGINT');
    assert.equal((await next.result).code, 130);
    assert.equal(existsSync(join(runs, LOCK_FILE)), false);
  });

  test('the extension and the CLI: each refuses while the other trains; a trainer crash releases the window\'s lock', { timeout: 300_000 }, async () => {
    const root = mkdtempSync(join(tmpdir(), 'lock-ws-'));
    ui.reset(root);
    const runs = join(root, '.mnist', 'runs');
    writeFileSync(join(root, 'mnist.config.json'), JSON.stringify({ dataset: 'mnist-sample', backend: 'wasm', training: { epochs: 50 } }));
    const config = Uri.file(join(root, 'mnist.config.json'));
    const context = fakeContext(root);
    const session = new TrainingSession(context as never, fakeVscode.window.createOutputChannel() as never);

    // The CLI trains; the window is refused with the CLI's pid.
    const cli = startLongCli(root, runs);
    const a = await cli.child;
    assert.equal(await session.start(config as never), false);
    const refusal = ui.messages.find((m) => m.kind === 'error');
    assert.ok(refusal, 'an error message');
    assert.match(refusal.message, new RegExp(`^MNIST: another run is training in .*runs \\(pid ${a.pid}, started .* by mnist-train`));
    assert.equal(readdirSync(runs).filter((n) => n !== LOCK_FILE).length, 1, 'the window made no run folder');
    a.kill('SIGINT');
    assert.equal((await cli.result).code, 130);

    // The window trains; the CLI is refused naming VS Code.
    const model = new Promise<void>((resolve) => session.onDidEvent(({ event }) => event.type === 'model' && resolve()));
    assert.equal(await session.start(config as never), true);
    await model;
    const refused = await runCli(['--dataset', 'mnist-sample', '--epochs', '1', '--out', runs], root);
    assert.equal(refused.code, 75, refused.stderr);
    assert.match(refused.stderr, new RegExp(`\\(pid ${process.pid}, started .* by VS Code, run `));

    // The window's trainer dies: the run ends failed and the lock is released with it.
    const ended = sessionIdle(session);
    const trainer = (session as unknown as { trainer: { pid: number } }).trainer;
    process.kill(trainer.pid, 'SIGKILL');
    await ended;
    assert.equal(existsSync(join(runs, LOCK_FILE)), false, 'released after the crash');
    session.dispose();
  });
});
