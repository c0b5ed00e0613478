// Trainer faults with real child processes: killed, crashed, hung and out of memory, mid-epoch.
// Each time the user is told what happened in plain words, the run is `failed` with the reason,
// the events received so far are kept, no process is left behind, and the next Train works.
// The faults come from MNIST_TRAINER_FAULT (src/trainer/faults.ts), which only the trainer's entry reads.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, beforeEach, test } from 'node:test';
import type { RunSummary, TrainerEvent } from '../../src/shared/protocol';
import { readEvents } from '../../src/node/runs/run-folder';
import { Uri, fakeVscode, installFakeVscode, ui } from '../helpers/fake-vscode';
import { childProcesses, isGone, productChildren, waitGone } from '../helpers/processes';
import { fakeContext, sessionIdle, until } from '../helpers/host';

installFakeVscode();
const { TrainingSession } = require('../../src/host/session/training-session') as typeof import('../../src/host/session/training-session');

let root: string;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'ws-faults-'));
  ui.reset(root);
});

// A failing test must not leave a hung trainer behind it.
after(() => {
  for (const c of productChildren()) process.kill(c.pid, 'SIGKILL');
});

/** Fails a test whose trainer is never ended, instead of waiting forever. */
const LIMIT = { timeout: 180_000 };

function writeConfig(config: object): Uri {
  const file = join(root, 'mnist.config.json');
  writeFileSync(file, JSON.stringify(config));
  return Uri.file(file);
}

/** 400 batches an epoch: a fault after the first batch strikes mid-epoch. */
const LONG = { dataset: 'mnist-sample', backend: 'wasm', model: { preset: 'mlp' }, training: { epochs: 3, batchSize: 16 } };
const SHORT = { dataset: 'mnist-sample', backend: 'wasm', model: { preset: 'mlp' }, training: { epochs: 1, batchSize: 128 } };

function newSession() {
  const context = fakeContext(root);
  const session = new TrainingSession(context as never, fakeVscode.window.createOutputChannel() as never);
  const events: TrainerEvent[] = [];
  session.onDidEvent(({ event }) => events.push(event));
  const ended = () =>
    sessionIdle(session);
  const firstBatch = () => new Promise<void>((resolve) => session.onDidEvent(({ event }) => event.type === 'batch' && resolve()));
  return { session, events, ended, firstBatch };
}

function runFolders(): string[] {
  const dir = join(root, '.mnist', 'runs');
  return existsSync(dir) ? readdirSync(dir).map((d) => join(dir, d)).sort() : [];
}

function summaryOf(runDir: string): RunSummary {
  return JSON.parse(readFileSync(join(runDir, 'summary.json'), 'utf8')) as RunSummary;
}

/** Starts a run with the environment the trainer is forked with; returns the trainer's pid. */
async function startWith(session: InstanceType<typeof TrainingSession>, config: object, env: Record<string, string>): Promise<number> {
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  Object.assign(process.env, env);
  try {
    assert.equal(await session.start(writeConfig(config) as never), true);
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
  const trainers = childProcesses(/trainer\.js/);
  assert.equal(trainers.length, 1, 'one trainer process while training');
  return trainers[0].pid;
}

interface Fault {
  name: string;
  env: Record<string, string>;
  settings?: Record<string, unknown>;
  /** What the test does once the first batch arrived (the SIGKILL comes from outside). */
  act?: (pid: number) => void;
  notification: RegExp;
}

const faults: Fault[] = [
  {
    name: 'killed (SIGKILL) mid-epoch',
    env: {},
    act: (pid) => process.kill(pid, 'SIGKILL'),
    notification: /^MNIST training failed: The trainer was killed \(SIGKILL\) before the run ended\./,
  },
  {
    name: 'an uncaught exception (crash) mid-epoch',
    env: { MNIST_TRAINER_FAULT: 'crash' },
    notification: /^MNIST training failed: The trainer crashed: injected fault \(MNIST_TRAINER_FAULT=crash\)\. The trainer's log has the stack trace\./,
  },
  {
    name: 'a hang (no event for longer than mnist.trainerTimeout) mid-epoch',
    env: { MNIST_TRAINER_FAULT: 'hang' },
    // Long enough for a trainer starting on a loaded machine to reach its first batch.
    settings: { trainerTimeout: 8 },
    notification: /^MNIST training failed: The trainer stopped responding \(no progress for 8 s\), so it was ended\./,
  },
  {
    name: 'out of memory (a 96 MB heap) mid-epoch',
    env: { MNIST_TRAINER_FAULT: 'oom', NODE_OPTIONS: '--max-old-space-size=96' },
    notification: /^MNIST training failed: The trainer ran out of memory\. Use a smaller batchSize or a smaller model\./,
  },
];

for (const fault of faults) {
  test(`trainer ${fault.name}: the user is told, the run is failed with the reason and its events, nothing is left, Train works again`, LIMIT, async () => {
    const { session, events, ended, firstBatch } = newSession();
    Object.assign(ui.settings, fault.settings ?? {});
    let done = ended();
    const batch = firstBatch();
    const pid = await startWith(session, LONG, fault.env);
    await Promise.race([batch, done]); // a trainer that failed before its first batch fails the test below
    if (session.running) fault.act?.(pid);
    await done;

    // what the user sees
    const errors = ui.messages.filter((m) => m.kind === 'error');
    assert.equal(errors.length, 1, JSON.stringify(ui.messages));
    assert.match(errors[0].message, fault.notification);
    assert.deepEqual(errors[0].items, ['Show Log']);
    assert.equal(session.state, 'idle');
    assert.equal(ui.contexts.get('mnist.training'), false);

    // the run folder: failed, with the reason, and every event received before the fault
    const [run] = runFolders();
    const summary = summaryOf(run);
    assert.equal(summary.status, 'failed');
    const message = errors[0].message.replace(/^MNIST training failed: /, '');
    assert.ok(message.startsWith(summary.message ?? '<none>'), `summary.json says "${summary.message}"`);
    const onDisk = readEvents(run);
    const doneOnDisk = onDisk.at(-1);
    assert.ok(doneOnDisk?.type === 'done' && doneOnDisk.status === 'failed' && doneOnDisk.message === summary.message);
    const received = events.filter((e) => e.type !== 'log' && e.type !== 'done');
    const kept = onDisk.filter((e) => e.type !== 'log' && e.type !== 'done');
    assert.ok(received.some((e) => e.type === 'batch'), 'the fault struck mid-epoch, after a batch');
    assert.deepEqual(kept.slice(0, received.length), received, 'events.jsonl keeps every event received, in order');
    assert.equal(events.at(-1)?.type, 'done', 'the session ends the live run with a done event');

    // nothing left behind
    assert.ok(isGone(pid), `trainer ${pid} is gone`);
    assert.deepEqual(childProcesses(/trainer\.js/), []);

    // the next Train works
    ui.messages = [];
    done = ended();
    await startWith(session, SHORT, {});
    await done;
    assert.match(ui.messages.find((m) => m.kind === 'info')?.message ?? '', /^MNIST: test accuracy \d+\.\d\d%/);
    assert.equal(summaryOf(runFolders()[1]).status, 'completed');
    assert.deepEqual(childProcesses(/trainer\.js/), []);
  });
}


test('deactivate (the window closes mid-epoch) ends the trainer and the predictor, and the run is kept', LIMIT, async () => {
  const extension = require('../../src/host/extension') as typeof import('../../src/host/extension');
  const context = fakeContext(root);
  extension.activate(context as never);
  await fakeVscode.commands.executeCommand('mnist.showPanel');
  await fakeVscode.commands.executeCommand('mnist.train', writeConfig(LONG));
  await until(() => ui.progressReports.some((r) => /^epoch 1\/3/.test(r.message ?? '')), 'the first batch');
  const [trainer] = childProcesses(/trainer\.js/);
  const [predictor] = childProcesses(/predictor\.js/);
  assert.ok(trainer && predictor, 'a trainer and a predictor (the dashboard is open) are running');

  const started = Date.now();
  await extension.deactivate();
  const seconds = (Date.now() - started) / 1000;
  assert.ok(isGone(trainer.pid), 'the trainer has exited when deactivate resolves');
  assert.ok(await waitGone(predictor.pid), 'the predictor exits');
  assert.ok(seconds < 5, `deactivate took ${seconds.toFixed(1)} s; VS Code waits 5 s at most`);
  for (const d of context.subscriptions) d.dispose(); // what VS Code does after deactivate
  assert.deepEqual(childProcesses(/(trainer|predictor)\.js/), []);

  const [run] = runFolders();
  const summary = summaryOf(run);
  assert.ok(summary.status === 'cancelled' || summary.status === 'failed', `the run is finished, not left running (${summary.status})`);
  assert.ok(readEvents(run).some((e) => e.type === 'batch'), 'its events are kept');
});
