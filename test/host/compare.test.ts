// Compare Runs, Compare Configs and Train Again from This Config, on the recording stand-in for VS Code.
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, test } from 'node:test';
import type { CompareDataMessage } from '../../src/shared/protocol';
import type { RunRecord } from '../../src/shared/run-record';
import { type FakeTreeView, Uri, fakeVscode, installFakeVscode, ui } from '../helpers/fake-vscode';
import { repoRoot } from '../helpers/paths';
import { fakeContext } from '../helpers/host';

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
  const shown: { info: { id: string } }[] = [];
  registerRunHistory(context as never, session, { show: (r: { info: { id: string } }) => shown.push(r) } as never, log as never);
  const view = ui.treeViews.get('mnist.runsView') as FakeTreeView;
  return { session, shown, view, list: () => view.provider.getChildren() as RunRecord[] };
}

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'ws-'));
  runs = join(root, '.mnist', 'runs');
  mkdirSync(runs, { recursive: true });
  ui.reset(root);
  for (const [name, id] of [['mlp-12-epochs', '2026-11-26_13-16-54_mlp'], ['mlp-dropout-12-epochs', '2026-11-26_13-17-14_mlp-dropout'], ['cnn-3-epochs', '2026-11-26_13-17-49_cnn']]) {
    cpSync(join(RECORDED, name), join(runs, id), { recursive: true });
  }
});

test('Compare Runs opens one panel; its webview gets the table and curves on ready; a run link opens the Dashboard', async () => {
  const { list, shown, view } = setup();
  const [cnn, dropout, mlp] = list();
  view.selection = [cnn, mlp];
  await fakeVscode.commands.executeCommand('mnist.runs.compare', cnn, [cnn, mlp, dropout]);
  assert.equal(ui.panels.length, 1);
  const panel = ui.panels[0];
  assert.equal(panel.title, 'Compare 3 Runs');
  assert.match(panel.html, /compare\.js/);
  assert.match(panel.html, /script-src 'nonce-/);
  panel.receive({ type: 'ready' });
  const msg = panel.posted.at(-1) as CompareDataMessage;
  assert.equal(msg.type, 'compare');
  assert.deepEqual(msg.table.rows.map((r) => r.id), [cnn.id, mlp.id, dropout.id], 'in the order picked, the clicked run first');
  assert.ok(msg.table.configColumns.includes('model'));
  assert.equal(msg.curves[0].valAcc.length, 3);
  assert.doesNotThrow(() => JSON.stringify(msg), 'plain data: it crosses postMessage');

  panel.receive({ type: 'openRun', id: mlp.id });
  assert.equal(shown.at(-1)?.info.id, mlp.id);
  panel.receive({ type: 'openRun', id: '../../etc' });
  panel.receive({ type: 'rm -rf' });
  assert.equal(shown.length, 1, 'unknown ids and shapes are ignored');
  assert.ok(ui.logLines.some((l) => /Ignored a malformed message/.test(l)));

  // Comparing again reuses the panel.
  await fakeVscode.commands.executeCommand('mnist.runs.compare', cnn, [cnn, mlp]);
  assert.equal(ui.panels.length, 1);
  assert.equal((panel.posted.at(-1) as CompareDataMessage).table.rows.length, 2);
});

test('Compare Runs with one run asks for more; Compare Configs opens the diff editor, older run on the left', async () => {
  const { list } = setup();
  const [cnn, , mlp] = list();
  ui.pick = (items) => [items[0]];
  await fakeVscode.commands.executeCommand('mnist.runs.compare', cnn, [cnn]);
  assert.equal(ui.panels.length, 0);
  assert.match(ui.messages.at(-1)?.message ?? '', /pick two or more runs/);

  await fakeVscode.commands.executeCommand('mnist.runs.compareConfigs', cnn, [cnn, mlp]);
  const diff = ui.commandsRun.find((c) => c.command === 'vscode.diff');
  assert.ok(diff);
  assert.equal((diff.args[0] as Uri).fsPath, join(mlp.dir, 'config.json'));
  assert.equal((diff.args[1] as Uri).fsPath, join(cnn.dir, 'config.json'));
  assert.match(diff.args[2] as string, /mlp.*↔.*cnn.*config\.json/);
});

test('Train Again from This Config trains a new run with the old run\'s config', async () => {
  const { list, session } = setup();
  const old = list().find((r) => r.model === 'mlp-dropout')!;
  // A short version of the recorded config, so the test stays fast.
  const config = JSON.parse(readFileSync(join(old.dir, 'config.json'), 'utf8'));
  config.training.epochs = 1;
  config.training.batchSize = 128;
  writeFileSync(join(old.dir, 'config.json'), JSON.stringify(config, null, 2));
  const ended = new Promise<{ status: string }>((resolve) => session.onDidEndRun(({ done }) => resolve(done)));
  await fakeVscode.commands.executeCommand('mnist.runs.trainAgain', list().find((r) => r.dir === old.dir));
  assert.equal((await ended).status, 'completed');
  assert.equal(readdirSync(runs).length, 4);
  const fresh = list().find((r) => r.dir !== old.dir && r.model === 'mlp-dropout')!;
  const trained = JSON.parse(readFileSync(join(fresh.dir, 'config.json'), 'utf8'));
  // The same model: its layers (a preset name beside them is dropped as the layers win).
  assert.deepEqual({ ...trained, model: trained.model.layers }, { ...config, model: config.model.layers });
  assert.equal(fresh.state, 'completed');
});

test('Train Again refuses a config this version cannot train, saying why', async () => {
  const { list, session } = setup();
  const old = list()[0];
  const config = JSON.parse(readFileSync(join(old.dir, 'config.json'), 'utf8'));
  config.training.optimizer = 'adagrad-from-the-future';
  writeFileSync(join(old.dir, 'config.json'), JSON.stringify(config));
  await fakeVscode.commands.executeCommand('mnist.runs.trainAgain', list()[0]);
  assert.equal(session.running, false);
  assert.match(ui.messages.find((m) => m.kind === 'error')?.message ?? '', /cannot be trained: .*optimizer/);
  assert.equal(readdirSync(runs).length, 3);
});

test('Write Report: the selected runs, else the latest sweep; written into reports/ and opened in the Markdown preview', async () => {
  const { list, view } = setup();
  const [cnn, , mlp] = list();
  await fakeVscode.commands.executeCommand('mnist.writeReport', cnn, [cnn, mlp]);
  const preview = ui.commandsRun.filter((c) => c.command === 'markdown.showPreview').at(-1);
  const file = (preview?.args[0] as Uri).fsPath;
  assert.match(file, new RegExp(`^${root}/reports/\\d{4}-\\d\\d-\\d\\d_\\d\\d-\\d\\d-\\d\\d-report\\.md$`));
  const md = readFileSync(file, 'utf8');
  assert.match(md, /# MNIST: 2 runs compared/);
  assert.match(md, /from 2 run folders in `\.\.\/\.mnist\/runs`/);

  // Two runs tagged as one sweep; with nothing selected, the report is on that sweep.
  for (const [i, r] of [cnn, mlp].entries()) {
    writeFileSync(join(r.dir, 'meta.json'), JSON.stringify({ sweep: { id: 'sweep-2026-11-26_13-00-00', experiment: r.model, index: i + 1, total: 2, overrides: {} } }));
  }
  await fakeVscode.commands.executeCommand('mnist.runs.refresh');
  view.selection = [];
  await fakeVscode.commands.executeCommand('mnist.writeReport');
  const second = (ui.commandsRun.filter((c) => c.command === 'markdown.showPreview').at(-1)?.args[0] as Uri).fsPath;
  assert.equal(second, join(root, 'reports', 'sweep-2026-11-26_13-00-00-report.md'));
  assert.match(readFileSync(second, 'utf8'), /^# MNIST sweep sweep-2026-11-26_13-00-00/);
});
