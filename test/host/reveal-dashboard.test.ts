// A run that starts brings the Dashboard into view without the focus: Train, a sweep's first run;
// not a sweep's later runs, and never with mnist.revealDashboard "never". Real trainer, fake UI.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, test } from 'node:test';
import { Uri, fakeVscode, installFakeVscode, ui } from '../helpers/fake-vscode';
import { fakeContext, sessionIdle } from '../helpers/host';

installFakeVscode();
const { TrainingSession } = require('../../src/host/session/training-session') as typeof import('../../src/host/session/training-session');
const { registerRevealDashboard } = require('../../src/host/session/reveal-dashboard') as typeof import('../../src/host/session/reveal-dashboard');

const CONFIG = { dataset: 'mnist-sample', backend: 'wasm', model: { preset: 'mlp' }, training: { epochs: 1, batchSize: 256 } };
let root: string;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'ws-'));
  ui.reset(root);
  writeFileSync(join(root, 'mnist.config.json'), JSON.stringify(CONFIG));
});

function session() {
  const log = fakeVscode.window.createOutputChannel();
  const s = new TrainingSession(fakeContext(root) as never, log as never);
  registerRevealDashboard(s, 'mnist.trainingView', log as never);
  return { s, idle: () => sessionIdle(s) };
}

const reveals = () => ui.commandsRun.filter((c) => c.command === 'mnist.trainingView.focus');

test('Train shows the Dashboard, keeping the focus where it is', async () => {
  const { s, idle } = session();
  const done = idle();
  assert.equal(await s.start(Uri.file(join(root, 'mnist.config.json')) as never), true);
  await done;
  assert.deepEqual(reveals().map((c) => c.args), [[{ preserveFocus: true }]]);
});

test('mnist.revealDashboard "never" leaves the sidebar alone; a sweep shows it for its first run only', async () => {
  ui.settings = { revealDashboard: 'never' };
  const first = session();
  let done = first.idle();
  assert.equal(await first.s.start(Uri.file(join(root, 'mnist.config.json')) as never), true);
  await done;
  assert.deepEqual(reveals(), []);

  ui.settings = {};
  const folder = { uri: Uri.file(root), name: 'ws', index: 0 };
  for (const index of [1, 2]) {
    const sweep = session();
    done = sweep.idle();
    const meta = { sweep: { id: 'sweep-1', experiment: `run ${index}`, index, total: 2, overrides: {} } };
    assert.ok(await sweep.s.startConfig(CONFIG as never, folder as never, { quiet: true, meta }));
    await done;
  }
  assert.equal(reveals().length, 1, 'the first run of the sweep, not the second');
});
