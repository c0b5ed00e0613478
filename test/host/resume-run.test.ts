// MNIST: Resume Run with the real trainer, the real Dashboard controller and the Runs view, on the
// recording stand-in for VS Code: a run stopped after epoch 1 trains on in its own folder.
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, test } from 'node:test';
import type { RunSummary, ToWebview } from '../../src/shared/protocol';
import type { RunRecord } from '../../src/shared/run-record';
import { applyMessage, initialState } from '../../webview/dashboard/state';
import { type FakeTreeView, type TreeItem, Uri, fakeVscode, installFakeVscode, ui } from '../helpers/fake-vscode';
import { repoRoot } from '../helpers/paths';
import { fakeContext, sessionIdle } from '../helpers/host';

installFakeVscode();
const { registerRunHistory } = require('../../src/host/runs/run-commands') as typeof import('../../src/host/runs/run-commands');
const { TrainingSession } = require('../../src/host/session/training-session') as typeof import('../../src/host/session/training-session');
const { Dashboard } = require('../../src/host/panels/dashboard') as typeof import('../../src/host/panels/dashboard');

const manifest = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8'));
let root: string;
let runs: string;

function setup() {
  const context = fakeContext(root);
  const log = fakeVscode.window.createOutputChannel();
  const session = new TrainingSession(context as never, log as never);
  const dashboard = new Dashboard(context.extensionUri as never, session, { train() {}, stop: () => session.stop(), openRun() {}, createConfig() {} }, log as never);
  const h = registerRunHistory(context as never, session, dashboard, log as never);
  const view = ui.treeViews.get('mnist.runsView') as FakeTreeView;
  const items = () => (view.provider.getChildren() as RunRecord[]).map((r) => ({ run: r, item: view.provider.getTreeItem(r) as TreeItem }));
  const idle = () => sessionIdle(session);
  const dispose = () => {
    dashboard.dispose();
    session.dispose();
    for (const d of context.subscriptions) d.dispose();
  };
  return { session, dashboard, h, view, items, idle, dispose };
}

const summaryOf = (dir: string) => JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')) as RunSummary;

/** The `when` of the Runs view's Resume Run menu item, as VS Code would test a tree item's contextValue. */
function resumeMenuShows(contextValue: string): boolean {
  const entry = (manifest.contributes.menus['view/item/context'] as { command: string; when: string }[]).find((m) => m.command === 'mnist.runs.resume');
  assert.ok(entry, 'Resume Run is in the Runs view context menu');
  const match = /viewItem =~ \/(.+)\/$/.exec(entry.when);
  assert.ok(match && entry.when.includes('view == mnist.runsView'), entry.when);
  return new RegExp(match[1]).test(contextValue);
}

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'ws-resume-'));
  runs = join(root, '.mnist', 'runs');
  mkdirSync(runs, { recursive: true });
  ui.reset(root);
});

test('a run stopped after epoch 1: Resume Run trains epochs 2 and 3 in the same folder, with progress and the Dashboard live, as one run', async () => {
  writeFileSync(join(root, 'mnist.config.json'), JSON.stringify({ dataset: 'mnist-sample', backend: 'wasm', model: { preset: 'mlp' }, training: { epochs: 3, batchSize: 128, seed: 9 } }));
  const { session, dashboard, items, idle, dispose } = setup();
  try {
    let ended = idle();
    await session.start(Uri.file(join(root, 'mnist.config.json')) as never);
    const firstEpoch = new Promise<void>((resolve) => session.onDidEvent(({ event }) => event.type === 'epoch' && event.epoch === 1 && resolve()));
    await firstEpoch;
    session.stop();
    await ended;
    const [{ run: stopped, item }] = items();
    assert.equal(stopped.state, 'cancelled');
    assert.equal(item.contextValue, 'mnistRun:cancelled');
    assert.ok(resumeMenuShows(item.contextValue!), 'the context menu offers Resume Run on a cancelled run');
    const before = summaryOf(stopped.dir);
    assert.ok(before.epochsCompleted >= 1 && before.epochsCompleted < 3, `stopped after ${before.epochsCompleted} epochs`);

    dashboard.showPanel();
    const panel = ui.panels.find((p) => p.viewType === 'mnist.trainingPanel')!;
    panel.receive({ type: 'ready' });
    const progressBefore = ui.progressReports.length;
    const progressTexts: string[] = [];
    session.onDidChange(() => session.progress && progressTexts.push(session.progress));

    ended = idle();
    await fakeVscode.commands.executeCommand('mnist.runs.resume', stopped);
    assert.equal(session.state, 'training');
    assert.equal(ui.contexts.get('mnist.training'), true);
    assert.equal(session.liveRun?.dir, stopped.dir, 'the same run folder');
    await ended;

    assert.deepEqual(readdirSync(runs), [stopped.id], 'no new run folder');
    const after = summaryOf(stopped.dir);
    assert.equal(after.status, 'completed');
    assert.equal(after.epochsCompleted, 3);
    assert.equal(after.resumed, 1);
    assert.deepEqual(after.history.loss.slice(0, before.epochsCompleted), before.history.loss, 'the epochs done before stand');
    // The notification, the status bar (session.progress) and the end message, as for Train.
    const reports = ui.progressReports.slice(progressBefore).map((r) => r.message ?? '');
    assert.ok(reports.some((m) => /epoch 3\/3/.test(m)), reports.join('\n'));
    assert.ok(!reports.some((m) => /epoch 1\/3/.test(m)), 'epoch 1 is not trained again');
    assert.ok(progressTexts.some((t) => /^Epoch 3\/3 · acc \d\.\d{3} · ETA/.test(t)), progressTexts.join('\n'));
    assert.match(ui.messages.filter((m) => m.kind === 'info').at(-1)?.message ?? '', /test accuracy \d+\.\d\d%/);
    assert.equal(ui.messages.filter((m) => m.kind === 'error').length, 0);

    // What the Dashboard's webview got, folded as it folds it: one run, live, then completed.
    let view = initialState();
    for (const m of panel.posted as ToWebview[]) view = applyMessage(view, m);
    const shown = (panel.posted as ToWebview[]).filter((m) => m.type === 'showRun').at(-1);
    assert.equal(shown?.type === 'showRun' && shown.run?.live, true, 'shown as a live run');
    assert.equal(view.status.kind, 'completed');
    assert.equal(view.resumed, 1);
    assert.deepEqual(view.history.epoch, [1, 2, 3]);
    assert.deepEqual(view.history.loss, after.history.loss);
    assert.equal(view.evaluation?.testAccuracy, after.testAccuracy);
    for (let i = 1; i < view.batches.x.length; i++) assert.ok(view.batches.x[i] > view.batches.x[i - 1], 'one per-batch line, no overlap');
    assert.equal(items()[0].item.contextValue, 'mnistRun:completed');
    assert.equal(resumeMenuShows('mnistRun:completed'), false);
  } finally {
    dispose();
  }
});

test('runs that cannot be resumed are refused in plain words, and left as they were; the palette offers only cancelled and failed runs', async () => {
  cpSync(join(repoRoot, 'test', 'fixtures', 'run-history', 'cnn-3-epochs'), join(runs, '2026-11-26_13-17-49_cnn'), { recursive: true });
  const failedDir = join(runs, '2026-11-26_09-00-00_mnist');
  cpSync(join(repoRoot, 'test', 'fixtures', 'webview-runs', 'failed'), failedDir, { recursive: true });
  const { session, items, dispose } = setup();
  try {
    const list = items();
    const completed = list.find((x) => x.run.state === 'completed')!;
    const failed = list.find((x) => x.run.state === 'failed')!;
    assert.ok(resumeMenuShows(failed.item.contextValue!));
    assert.equal(resumeMenuShows(completed.item.contextValue!), false);
    assert.equal(resumeMenuShows('mnistRun:running'), false);

    const eventsBefore = readFileSync(join(failedDir, 'events.jsonl'), 'utf8');
    await fakeVscode.commands.executeCommand('mnist.runs.resume', completed.run);
    assert.match(ui.messages.at(-1)?.message ?? '', /^MNIST: "2026-11-26_13-17-49_cnn" cannot be resumed: it completed; there is nothing to resume \(train again for a new run\)\.$/);
    await fakeVscode.commands.executeCommand('mnist.runs.resume', failed.run);
    assert.match(ui.messages.at(-1)?.message ?? '', /cannot be resumed: it ended before its first epoch did, so there is no checkpoint to resume from; train again instead\.$/);
    assert.equal(session.state, 'idle', 'no trainer started');
    assert.equal(readFileSync(join(failedDir, 'events.jsonl'), 'utf8'), eventsBefore, 'its log is untouched');

    // From the palette, nothing selected: a pick among the runs that are not completed.
    let offered: string[] = [];
    ui.pick = (entries) => {
      offered = entries.map((e) => e.label);
      return undefined;
    };
    await fakeVscode.commands.executeCommand('mnist.runs.resume');
    assert.deepEqual(offered, [failed.run.label]);

    ui.trusted = false;
    await fakeVscode.commands.executeCommand('mnist.runs.resume', failed.run);
    assert.match(ui.messages.at(-1)?.message ?? '', /^MNIST: Resume Run waits until you trust this workspace/);
  } finally {
    dispose();
  }
});

test('from the palette with no cancelled or failed run: says so', async () => {
  cpSync(join(repoRoot, 'test', 'fixtures', 'run-history', 'cnn-3-epochs'), join(runs, '2026-11-26_13-17-49_cnn'), { recursive: true });
  const { dispose } = setup();
  try {
    await fakeVscode.commands.executeCommand('mnist.runs.resume');
    assert.match(ui.messages.at(-1)?.message ?? '', /^MNIST: no cancelled or failed run to resume in .*\.mnist\/runs\.$/);
  } finally {
    dispose();
  }
});
