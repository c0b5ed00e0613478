// TrainingSession with a real forked trainer, and a recording stand-in for the VS Code UI.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, test } from 'node:test';
import type { TrainerEvent } from '../../src/shared/protocol';
import { Uri, fakeVscode, installFakeVscode, ui } from '../helpers/fake-vscode';
import { fakeContext, sessionIdle } from '../helpers/host';

installFakeVscode();
const { TrainingSession } = require('../../src/host/session/training-session') as typeof import('../../src/host/session/training-session');

let root: string;
let configUri: Uri;

function writeConfig(text: string, name = 'mnist.config.json'): Uri {
  writeFileSync(join(root, name), text);
  return Uri.file(join(root, name));
}

function newSession() {
  const context = fakeContext(root);
  const session = new TrainingSession(context as never, fakeVscode.window.createOutputChannel() as never);
  const events: TrainerEvent[] = [];
  session.onDidEvent(({ event }) => events.push(event));
  const ended = () => sessionIdle(session);
  return { session, events, ended };
}

function runFolders(): string[] {
  const dir = join(root, '.mnist', 'runs');
  return existsSync(dir) ? readdirSync(dir).map((d) => join(dir, d)) : [];
}

function statusOf(runDir: string): string {
  return JSON.parse(readFileSync(join(runDir, 'summary.json'), 'utf8')).status;
}

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'ws-'));
  ui.reset(root);
  configUri = writeConfig(JSON.stringify({ dataset: 'mnist-sample', backend: 'wasm', model: { preset: 'mlp' }, training: { epochs: 1, batchSize: 64 } }));
});

test('Train: validates, forks, streams events, shows progress, ends idle with the test accuracy', async () => {
  const { session, events, ended } = newSession();
  const done = ended();
  assert.equal(await session.start(configUri as never), true);
  assert.equal(session.state, 'training');
  assert.equal(ui.contexts.get('mnist.training'), true);
  await done;
  assert.equal(ui.contexts.get('mnist.training'), false);
  const types = events.map((e) => e.type);
  assert.ok(types.indexOf('ready') < types.indexOf('epoch') && types.indexOf('epoch') < types.indexOf('evaluation'));
  assert.equal(types.at(-1), 'done');
  assert.ok(ui.progressReports.some((r) => /epoch 1\/1/.test(r.message ?? '')), 'the notification shows the epoch');
  const info = ui.messages.find((m) => m.kind === 'info');
  assert.match(info?.message ?? '', /test accuracy \d+\.\d\d%/);
  const [run] = runFolders();
  assert.equal(statusOf(run), 'completed');
  assert.equal(session.liveRun?.events.length, events.length, 'the run keeps every event for replay');
});

test('Stop (and the notification Cancel button) ends the run as cancelled; Train works again after', async () => {
  const { session, events, ended } = newSession();
  configUri = writeConfig(JSON.stringify({ dataset: 'mnist-sample', backend: 'wasm', training: { epochs: 3, batchSize: 16 } }));
  let done = ended();
  await session.start(configUri as never);
  await new Promise<void>((resolve) => session.onDidEvent(({ event }) => event.type === 'batch' && resolve()));
  ui.cancelProgress?.();
  assert.equal(session.state, 'stopping');
  await done;
  assert.equal(events.at(-1)?.type, 'done');
  assert.equal(statusOf(runFolders()[0]), 'cancelled');

  configUri = writeConfig(JSON.stringify({ dataset: 'mnist-sample', backend: 'wasm', training: { epochs: 1, batchSize: 128 } }));
  done = ended();
  assert.equal(await session.start(configUri as never), true);
  await done;
  assert.deepEqual(runFolders().map(statusOf).sort(), ['cancelled', 'completed']);
});

test('a second Train while one runs asks first; keeping the run starts nothing', async () => {
  const { session, ended } = newSession();
  const done = ended();
  await session.start(configUri as never);
  ui.answer = 'Keep Training';
  assert.equal(await session.start(configUri as never), false);
  assert.match(ui.messages.at(-1)?.message ?? '', /training run is in progress/);
  assert.deepEqual(ui.messages.at(-1)?.items, ['Stop It and Train', 'Keep Training']);
  await done;
  assert.equal(runFolders().length, 1);
});

test('a trainer that dies: the user is told why, the run is failed, the next Train works', async () => {
  const { session, ended } = newSession();
  configUri = writeConfig(JSON.stringify({ dataset: 'mnist-sample', backend: 'wasm', training: { epochs: 3, batchSize: 16 } }));
  let done = ended();
  await session.start(configUri as never);
  await new Promise<void>((resolve) => session.onDidEvent(({ event }) => event.type === 'batch' && resolve()));
  const children = execFileSync('pgrep', ['-P', String(process.pid)]).toString().trim().split('\n');
  for (const pid of children) process.kill(Number(pid), 'SIGKILL');
  await done;
  const error = ui.messages.find((m) => m.kind === 'error');
  assert.match(error?.message ?? '', /MNIST training failed: The trainer was killed \(SIGKILL\)/);
  assert.deepEqual(error?.items, ['Show Log']);
  assert.equal(statusOf(runFolders()[0]), 'failed');

  configUri = writeConfig(JSON.stringify({ dataset: 'mnist-sample', backend: 'wasm', training: { epochs: 1, batchSize: 128 } }));
  done = ended();
  assert.equal(await session.start(configUri as never), true);
  await done;
  assert.equal(runFolders().filter((r) => statusOf(r) === 'completed').length, 1);
});

test('a broken config: a notification naming the field and line, a button to open it, no run started', async () => {
  const { session } = newSession();
  configUri = writeConfig('{\n  "training": {\n    "epochs": -3\n  }\n}\n');
  assert.equal(await session.start(configUri as never), false);
  const error = ui.messages.find((m) => m.kind === 'error');
  assert.match(error?.message ?? '', /mnist\.config\.json:3:\d+: training\.epochs/);
  assert.deepEqual(error?.items, ['Open Config']);
  assert.equal(runFolders().length, 0);
  assert.equal(session.state, 'idle');
});
