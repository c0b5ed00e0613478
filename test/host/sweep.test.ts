// MNIST: Run Sweep and Stop Sweep in the extension: real trainer processes, the recording stand-in for VS Code.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, test } from 'node:test';
import type { RunRecord } from '../../src/shared/run-record';
import { type FakeTreeView, type TreeItem, Uri, fakeVscode, installFakeVscode, ui } from '../helpers/fake-vscode';
import { fakeContext } from '../helpers/host';

installFakeVscode();
const { registerRunHistory } = require('../../src/host/runs/run-commands') as typeof import('../../src/host/runs/run-commands');
const { TrainingSession } = require('../../src/host/session/training-session') as typeof import('../../src/host/session/training-session');

let root: string;

function setup() {
  const context = fakeContext(root);
  const log = fakeVscode.window.createOutputChannel();
  const session = new TrainingSession(context as never, log as never);
  const h = registerRunHistory(context as never, session, { show: () => undefined } as never, log as never);
  const view = ui.treeViews.get('mnist.runsView') as FakeTreeView;
  return { session, h, view };
}

function writeConfig(experiments: unknown, training = { epochs: 1, batchSize: 128 }): Uri {
  const file = join(root, 'mnist.config.json');
  writeFileSync(file, JSON.stringify({ dataset: 'mnist-sample', backend: 'wasm', training, experiments }, null, 2));
  return Uri.file(file);
}

function runMetas(): { sweep: { id: string; experiment: string; index: number; total: number } }[] {
  const dir = join(root, '.mnist', 'runs');
  return readdirSync(dir)
    .map((d) => JSON.parse(readFileSync(join(dir, d, 'meta.json'), 'utf8')))
    .sort((a, b) => a.sweep.index - b.sweep.index);
}

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'ws-'));
  mkdirSync(join(root, '.mnist', 'runs'), { recursive: true });
  ui.reset(root);
});

test('Run Sweep trains each experiment as a tagged run, with "run k of n" in the notification and the Runs view', async () => {
  const { view, session } = setup();
  const uri = writeConfig({ grid: { 'model.preset': ['mlp', 'mlp-dropout'] } });
  const messages: (string | undefined)[] = [];
  session.onDidStartRun(() => messages.push(view.message));
  await fakeVscode.commands.executeCommand('mnist.runSweep', uri);
  const metas = runMetas();
  assert.deepEqual(metas.map((m) => [m.sweep.experiment, m.sweep.index, m.sweep.total]), [['preset=mlp', 1, 2], ['preset=mlp-dropout', 2, 2]]);
  assert.equal(metas[0].sweep.id, metas[1].sweep.id);
  assert.ok(ui.progressReports.some((r) => /^run 1 of 2: preset=mlp$/.test(r.message ?? '')));
  assert.ok(ui.progressReports.some((r) => /^run 2 of 2: preset=mlp-dropout · epoch 1\/1 · val\. acc 0\.\d{3}$/.test(r.message ?? '')));
  assert.match(messages[1] ?? '', /^Sweep sweep-.*: run 2 of 2: preset=mlp-dropout$/, 'the Runs view says where the sweep is');
  assert.equal(view.message, undefined, 'and clears it at the end');
  assert.equal(ui.contexts.get('mnist.sweeping'), false);
  const end = ui.messages.at(-1)!;
  assert.match(end.message, /MNIST sweep sweep-.*: 2 of 2 completed\. Report: reports\/sweep-.*-report\.md$/);
  assert.deepEqual(end.items, ['Open Report', 'Compare Runs']);
  const reports = readdirSync(join(root, 'reports')).filter((f) => f.endsWith('.md'));
  assert.deepEqual(reports, [`${metas[0].sweep.id}-report.md`], 'the sweep writes its report into the workspace');
  assert.equal(ui.messages.filter((m) => /test accuracy/.test(m.message)).length, 0, 'no toast per run');
  const items = (view.provider.getChildren() as RunRecord[]).map((r) => view.provider.getTreeItem(r) as TreeItem);
  assert.deepEqual(items.map((i) => i.label).sort(), ['preset=mlp', 'preset=mlp-dropout']);
  assert.ok(items.every((i) => /sweep [12]\/2$/.test(i.description ?? '')));
});

test('Stop Sweep ends the run in progress as cancelled and starts no other', async () => {
  const { session } = setup();
  const uri = writeConfig({ grid: { 'model.preset': ['mlp', 'cnn', 'mlp-dropout'] } }, { epochs: 3, batchSize: 32 });
  session.onDidEvent(({ event }) => {
    if (event.type === 'batch') void fakeVscode.commands.executeCommand('mnist.stopSweep');
  });
  await fakeVscode.commands.executeCommand('mnist.runSweep', uri);
  const dir = join(root, '.mnist', 'runs');
  const folders = readdirSync(dir);
  assert.equal(folders.length, 1);
  assert.equal(JSON.parse(readFileSync(join(dir, folders[0], 'summary.json'), 'utf8')).status, 'cancelled');
  assert.match(ui.messages.at(-1)?.message ?? '', /0 of 3 completed, 1 cancelled, 2 not started; the sweep was stopped/);
});

test('a sweep whose experiments are wrong does not start, and says which experiment and field', async () => {
  setup();
  const uri = writeConfig([{ name: 'lr', set: { 'training.learningRate': 'fast' } }]);
  await fakeVscode.commands.executeCommand('mnist.runSweep', uri);
  assert.match(ui.messages.at(-1)?.message ?? '', /the sweep cannot start: experiment "lr": training\.learningRate/);
  assert.deepEqual(readdirSync(join(root, '.mnist', 'runs')), []);
});
