// The Runs view and its commands, on the recording stand-in for VS Code, with real run folders:
// recorded ones, one written by mnist-train, and one trained by the window's TrainingSession.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, test } from 'node:test';
import type { RunRecord } from '../../src/shared/run-record';
import { type FakeTreeView, MarkdownString, type ThemeIcon, type TreeItem, Uri, fakeVscode, installFakeVscode, ui } from '../helpers/fake-vscode';
import { cliBundle, repoRoot } from '../helpers/paths';
import { fakeContext, sessionIdle } from '../helpers/host';

installFakeVscode();
const { registerRunHistory } = require('../../src/host/runs/run-commands') as typeof import('../../src/host/runs/run-commands');
const { TrainingSession } = require('../../src/host/session/training-session') as typeof import('../../src/host/session/training-session');

const RECORDED = join(repoRoot, 'test', 'fixtures', 'run-history');
let root: string;
let runs: string;

function setup() {
  const context = fakeContext(root);
  const log = fakeVscode.window.createOutputChannel();
  const session = new TrainingSession(context as never, log as never);
  const shown: { info: { id: string; live: boolean }; events: unknown[] }[] = [];
  const dashboard = { show: (run: (typeof shown)[number]) => shown.push(run) };
  const h = registerRunHistory(context as never, session, dashboard as never, log as never);
  const view = ui.treeViews.get('mnist.runsView') as FakeTreeView;
  const items = () => (view.provider.getChildren() as RunRecord[]).map((r) => ({ run: r, item: view.provider.getTreeItem(r) as TreeItem }));
  const changed = () => new Promise<void>((resolve) => {
    const sub = h.provider.onDidChangeTreeData(() => {
      sub.dispose();
      resolve();
    });
  });
  return { context, session, shown, h, view, items, changed };
}

function addRecorded(name: string, id: string): string {
  const dir = join(runs, id);
  cpSync(join(RECORDED, name), dir, { recursive: true });
  return dir;
}

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'ws-'));
  runs = join(root, '.mnist', 'runs');
  mkdirSync(runs, { recursive: true });
  ui.reset(root);
});

test('lists every run newest first with status icon, dataset, model, accuracy, duration, date and a tooltip', () => {
  addRecorded('mlp-12-epochs', '2026-11-26_13-16-54_mlp');
  addRecorded('cnn-3-epochs', '2026-11-26_13-17-49_cnn');
  cpSync(join(repoRoot, 'test', 'fixtures', 'webview-runs', 'failed'), join(runs, '2026-11-26_09-00-00_mnist'), { recursive: true });
  const { items, view } = setup();
  assert.equal(view.canSelectMany, true);
  const list = items();
  assert.deepEqual(list.map((x) => x.run.id), ['2026-11-26_13-17-49_cnn', '2026-11-26_13-16-54_mlp', '2026-11-26_09-00-00_mnist']);
  const [cnn, , failed] = list;
  assert.equal((cnn.item.iconPath as ThemeIcon).id, 'pass');
  assert.equal((failed.item.iconPath as ThemeIcon).id, 'error');
  assert.match(cnn.item.description ?? '', /^mnist-sample · cnn · 94\.80% · \d+:\d\d · 2026-11-26 \d\d:\d\d$/);
  assert.equal(cnn.item.contextValue, 'mnistRun:completed');
  const tip = (cnn.item.tooltip as MarkdownString).value;
  assert.match(tip, /Completed/);
  assert.match(tip, /Test accuracy \| 0\\\.9480/);
  assert.match(tip, /Backend \| wasm/);
  assert.match((failed.item.tooltip as MarkdownString).value, /Failed/);
});

test('Rename writes a name into meta.json; Open shows the run in the Dashboard; Reveal opens the OS file explorer', async () => {
  const dir = addRecorded('cnn-3-epochs', '2026-11-26_13-17-49_cnn');
  const { items, shown } = setup();
  const [{ run }] = items();
  ui.inputAnswer = '  CNN baseline ';
  await fakeVscode.commands.executeCommand('mnist.runs.rename', run, [run]);
  assert.equal(JSON.parse(readFileSync(join(dir, 'meta.json'), 'utf8')).name, 'CNN baseline');
  assert.equal(items()[0].item.label, 'CNN baseline');
  assert.deepEqual(readdirSync(runs), ['2026-11-26_13-17-49_cnn']);

  await fakeVscode.commands.executeCommand('mnist.runs.open', items()[0].run);
  assert.equal(shown.length, 1);
  assert.equal(shown[0].info.id, '2026-11-26_13-17-49_cnn');
  assert.equal(shown[0].info.live, false);
  assert.equal((shown[0] as { dir?: string }).dir, dir, 'with its folder: draw-a-digit and exports need the model');
  assert.ok(shown[0].events.some((e) => (e as { type: string }).type === 'evaluation'), 'the whole event log is replayed');
  assert.ok(ui.commandsRun.some((c) => c.command === 'mnist.trainingView.focus'));

  await fakeVscode.commands.executeCommand('mnist.runs.reveal', items()[0].run);
  const reveal = ui.commandsRun.find((c) => c.command === 'revealFileInOS');
  assert.equal((reveal?.args[0] as Uri).fsPath, dir);
});

test('Delete asks first (modal), moves to the trash, and falls back to a permanent delete only when confirmed', async () => {
  const a = addRecorded('mlp-12-epochs', '2026-11-26_13-16-54_mlp');
  const b = addRecorded('cnn-3-epochs', '2026-11-26_13-17-49_cnn');
  const { items } = setup();
  const [cnn, mlp] = items().map((x) => x.run);

  ui.answer = undefined; // the user closes the dialog
  await fakeVscode.commands.executeCommand('mnist.runs.delete', cnn, [cnn, mlp]);
  assert.ok(existsSync(a) && existsSync(b));
  assert.match(ui.messages.at(-1)?.message ?? '', /Delete 2 runs\?/);

  ui.answer = 'Move to Trash';
  await fakeVscode.commands.executeCommand('mnist.runs.delete', cnn, [cnn]);
  assert.equal(existsSync(b), false);
  assert.deepEqual(ui.deleted, [{ path: b, useTrash: true }]);
  assert.deepEqual(items().map((x) => x.run.id), ['2026-11-26_13-16-54_mlp']);

  ui.trashFails = true;
  ui.answer = 'Move to Trash'; // answers the first dialog; the second (Delete Permanently) is closed
  await fakeVscode.commands.executeCommand('mnist.runs.delete', mlp, [mlp]);
  assert.ok(existsSync(a), 'not deleted without the second confirmation');
  assert.match(ui.messages.at(-1)?.message ?? '', /trash is not available/);
});

test('a run written by mnist-train appears when the watcher reports it; a run of this window shows live, then done', async () => {
  const { items, changed, session } = setup();
  assert.deepEqual(items(), []);
  assert.ok(ui.watchers.length > 0, 'the runs folder is watched');

  // the CLI, as a user runs it in the terminal
  const code = await new Promise<number | null>((resolve) => {
    const child = spawn(process.execPath, [cliBundle, '--dataset', 'mnist-sample', '--epochs', '1', '--batch-size', '128', '--backend', 'wasm', '--out', runs], { cwd: root, stdio: 'ignore' });
    child.on('close', resolve);
  });
  assert.equal(code, 0);
  const [dir] = readdirSync(runs);
  const reloaded = changed();
  for (const w of ui.watchers) w.fire('create', Uri.file(join(runs, dir, 'summary.json')));
  await reloaded;
  assert.equal(items().length, 1);
  assert.equal((items()[0].item.iconPath as ThemeIcon).id, 'pass');

  // this window's own run
  writeFileSync(join(root, 'mnist.config.json'), JSON.stringify({ dataset: 'mnist-sample', backend: 'wasm', model: { preset: 'mlp-dropout' }, training: { epochs: 1, batchSize: 128 } }));
  const started = changed();
  await session.start(Uri.file(join(root, 'mnist.config.json')) as never);
  await started;
  const live = items().find((x) => x.run.model === 'mlp-dropout');
  assert.equal((live?.item.iconPath as ThemeIcon).id, 'sync~spin');
  assert.equal(live?.item.contextValue, 'mnistRun:running');
  await sessionIdle(session);
  const after = items().find((x) => x.run.model === 'mlp-dropout');
  assert.equal((after?.item.iconPath as ThemeIcon).id, 'pass');
  assert.equal(items().length, 2);
});
