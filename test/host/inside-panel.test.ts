// MNIST: Look Inside Model on the recording stand-in for VS Code, with a run the real mnist-train
// trained (the MLP preset, one epoch on mnist-sample) and the real predictor process.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { decodeDigit } from '../../src/shared/digits';
import type { InsideInspectionMessage, InsideRunMessage, InsideTestDigitMessage } from '../../src/shared/protocol/inspect';
import { type FakePanel, fakeVscode, installFakeVscode, ui } from '../helpers/fake-vscode';
import { fakeContext, until } from '../helpers/host';
import { cliBundle, repoRoot } from '../helpers/paths';

installFakeVscode();
const { registerLookInside, inspectableRuns, runForArgument } = require('../../src/host/panels/inside-panel') as typeof import('../../src/host/panels/inside-panel');
const { testSetFolder } = require('../../src/node/data/test-digit') as typeof import('../../src/node/data/test-digit');
const { listRunRecords } = require('../../src/node/runs/run-listing') as typeof import('../../src/node/runs/run-listing');

let root = '';
let runs = '';
let trained = '';
let context: ReturnType<typeof fakeContext>;

function train(): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cliBundle, '--dataset', 'mnist-sample', '--preset', 'mlp', '--epochs', '1', '--backend', 'wasm', '--out', runs], { cwd: root, env: { ...process.env, XDG_CACHE_HOME: join(root, 'cache') } });
    let stderr = '';
    child.stderr.on('data', (b) => (stderr += b));
    child.on('close', (code) => (code === 0 ? resolve(readdirSync(runs).find((n) => n.endsWith('_mlp'))!) : reject(new Error(`mnist-train exited ${code}: ${stderr}`))));
  });
}

before(async () => {
  root = mkdtempSync(join(tmpdir(), 'inside-ws-'));
  runs = join(root, '.mnist', 'runs');
  mkdirSync(runs, { recursive: true });
  trained = await train();
  // A recorded run without a model: listed in the Runs view, never offered here.
  cpSync(join(repoRoot, 'test', 'fixtures', 'run-history', 'cnn-3-epochs'), join(runs, '2026-11-26_13-17-49_cnn'), { recursive: true });
});

after(() => {
  for (const d of context?.subscriptions ?? []) d.dispose();
});

function activate(trusted: boolean): void {
  for (const d of context?.subscriptions ?? []) d.dispose();
  ui.reset(root);
  ui.trusted = trusted;
  context = fakeContext(root);
  registerLookInside(context as never, fakeVscode.window.createOutputChannel() as never);
}

/** The value `get` returns once it returns one (a message another process's answer posts). */
async function posted<T>(get: () => T | undefined, what: string): Promise<T> {
  await until(() => get() !== undefined, what, 60_000);
  return get()!;
}

const lastOf = <T extends { type: string }>(panel: FakePanel, type: T['type']) => (panel.posted as T[]).filter((m) => m.type === type).at(-1);

test('which runs: only completed runs with a saved model are offered; an argument must name a listed run', () => {
  const listed = listRunRecords(runs);
  assert.deepEqual(inspectableRuns(listed).map((r) => r.id), [trained]);
  assert.equal(runForArgument({ dir: join(runs, trained) }, listed)?.id, trained, 'a Runs view item');
  assert.equal(runForArgument(join(runs, trained, '.'), listed)?.id, trained, 'a run folder path');
  assert.equal(runForArgument('/etc', listed), undefined);
  assert.equal(runForArgument({ dir: 7 }, listed), undefined);
  assert.equal(runForArgument(undefined, listed), undefined);
});

test('from the palette in Restricted Mode: pick a run, the panel shows its digits and every layer of the real model for one', async () => {
  activate(false);
  let offered: string[] = [];
  ui.pick = (items) => {
    offered = items.map((i) => i.label);
    return items[0]; // a single pick answers with the item
  };
  await fakeVscode.commands.executeCommand('mnist.lookInside');
  assert.deepEqual(offered, [trained], 'only the run with a model');
  assert.equal(ui.panels.length, 1);
  const panel = ui.panels[0];
  assert.match(panel.html, /inside\.js/);
  assert.match(panel.html, /script-src 'nonce-[0-9a-f]{32}'/);
  assert.deepEqual(panel.options.localResourceRoots?.map((u) => u.fsPath), [join(repoRoot, 'dist')]);

  panel.receive({ type: 'ready' });
  const shown = lastOf<InsideRunMessage>(panel, 'insideRun')!;
  assert.equal(shown.run.id, trained);
  assert.ok(shown.digits.length >= 20);
  assert.equal(shown.initial, shown.digits[0].index);

  const digit = shown.digits[0];
  const pixels = Array.from(decodeDigit(digit.image)!, (v) => v / 255);
  panel.receive({ type: 'inspect', id: 7, pixels });
  const answer = await posted(() => lastOf<InsideInspectionMessage>(panel, 'inspection'), 'the inspection');
  assert.equal(answer.id, 7);
  assert.ok(answer.inspection, answer.error);
  assert.deepEqual(answer.inspection.layers.map((l) => `${l.className}:${l.shape.join('x')}`), ['Flatten:784', 'Dense:128', 'Dense:64', 'Dense:10']);
  assert.equal(answer.inspection.predicted, digit.predicted, 'the model answers what the run logged for this digit');
  assert.equal(answer.inspection.filters?.kind, 'dense');
  assert.doesNotThrow(() => JSON.stringify(answer), 'plain data: it crosses postMessage');

  // "Test digit #": the run's own test set, read from disk; the same digit its log holds.
  const logged = shown.digits[3];
  panel.receive({ type: 'testDigit', index: logged.index });
  const looked = await posted(() => lastOf<InsideTestDigitMessage>(panel, 'testDigit'), 'the test digit');
  assert.equal(looked.digit?.image, logged.image, looked.error);
  assert.equal(looked.digit?.label, logged.label);
  panel.receive({ type: 'testDigit', index: 2000 });
  await until(() => lastOf<InsideTestDigitMessage>(panel, 'testDigit')?.index === 2000, 'the answer for #2000');
  assert.equal(lastOf<InsideTestDigitMessage>(panel, 'testDigit')?.error, 'There is no test digit #2000: the test set has 2000 digits, #0 to #1999.');

  // Malformed requests are ignored and logged, never sent on.
  const before = panel.posted.length;
  panel.receive({ type: 'inspect', id: 8, pixels: pixels.slice(1) });
  panel.receive({ type: 'inspect', id: 9, pixels, modelDir: '/etc' });
  panel.receive({ type: 'train' });
  panel.receive({ type: 'testDigit', index: -1 });
  await new Promise((r) => setTimeout(r, 200));
  assert.equal(panel.posted.length, before);
  assert.equal(ui.logLines.filter((l) => /Ignored a malformed message from the Look Inside Model panel/.test(l)).length, 4);

  // Closing the panel ends its predictor process.
  panel.dispose();
  panel.receive({ type: 'ready' });
});

test('from a Runs view item: that run at once; a run without a model says so, no panel', async () => {
  activate(true);
  ui.pick = () => assert.fail('no pick for a named run');
  const listed = listRunRecords(runs);
  await fakeVscode.commands.executeCommand('mnist.lookInside', { dir: join(runs, trained) });
  assert.equal(ui.panels.length, 1);
  await fakeVscode.commands.executeCommand('mnist.lookInside', listed.find((r) => r.id !== trained));
  assert.equal(ui.panels.length, 1, 'no second panel');
  assert.match(ui.messages.at(-1)?.message ?? '', /has no saved model to look inside/);
});

test('a test digit by index is read from disk only: never downloaded, no data.dir in Restricted Mode', async () => {
  const dirs = { sampleDir: join(repoRoot, 'dist', 'data', 'mnist-sample'), cacheDir: join(root, 'no-cache'), followDataDir: true };
  assert.deepEqual(await testSetFolder({ dataset: 'mnist-sample', data: { dir: null, validationSplit: 0.2, augment: null } }, dirs), { dir: dirs.sampleDir });
  const mnist = await testSetFolder({ dataset: 'mnist', data: { dir: null, validationSplit: 0.2, augment: null } }, dirs);
  assert.match('problem' in mnist ? mnist.problem : '', /mnist is not in the download cache .*no-cache.*train once with it/);
  const folder = { dataset: 'mnist' as const, data: { dir: dirs.sampleDir, validationSplit: 0.2, augment: null } };
  assert.deepEqual(await testSetFolder(folder, dirs), { dir: dirs.sampleDir });
  const untrusted = await testSetFolder(folder, { ...dirs, followDataDir: false });
  assert.match('problem' in untrusted ? untrusted.problem : '', /trust the workspace/);
  const gone = await testSetFolder({ ...folder, data: { ...folder.data, dir: join(root, 'nowhere') } }, dirs);
  assert.match('problem' in gone ? gone.problem : '', /no longer holds the four IDX files/);
});

test('two runs selected in the Runs view: side by side, each input chosen in one is looked at in the other too, once', async () => {
  activate(true);
  const copy = `${trained}-copy`;
  if (!readdirSync(runs).includes(copy)) cpSync(join(runs, trained), join(runs, copy), { recursive: true });
  const listed = listRunRecords(runs);
  const a = listed.find((r) => r.id === trained)!;
  const b = listed.find((r) => r.id === copy)!;
  await fakeVscode.commands.executeCommand('mnist.lookInside', a, [a, b]);
  assert.equal(ui.panels.length, 2, 'two panels');
  const [left, right] = ui.panels;
  left.receive({ type: 'ready' });
  right.receive({ type: 'ready' });
  assert.equal(lastOf<InsideRunMessage>(right, 'insideRun')?.run.id, copy);
  const digit = lastOf<InsideRunMessage>(left, 'insideRun')!.digits[1];
  const pixels = Array.from(decodeDigit(digit.image)!, (v) => v / 255);
  left.receive({ type: 'inspect', id: 1, pixels });
  const follow = await posted(() => lastOf<{ type: 'follow'; pixels: number[]; from: string }>(right, 'follow'), 'the panel beside to follow');
  assert.deepEqual(follow.pixels, pixels);
  assert.equal(follow.from, trained);
  // The panel beside asks for the same input: the first panel is not sent it back.
  right.receive({ type: 'inspect', id: 1, pixels });
  const [l, r] = await Promise.all([posted(() => lastOf<InsideInspectionMessage>(left, 'inspection'), 'left'), posted(() => lastOf<InsideInspectionMessage>(right, 'inspection'), 'right')]);
  assert.deepEqual(l.inspection?.probabilities, r.inspection?.probabilities, 'the same model (a copied run) answers alike');
  assert.equal(left.posted.filter((m) => (m as { type: string }).type === 'follow').length, 0);
  // Closed beside: the first panel goes on alone.
  right.dispose();
  left.receive({ type: 'inspect', id: 2, pixels: pixels.map((v) => v * 0.5) });
  await until(() => lastOf<InsideInspectionMessage>(left, 'inspection')?.id === 2, 'the second answer');
  assert.equal(right.posted.filter((m) => (m as { type: string }).type === 'follow').length, 1);
});
