// The last run's findings in the Problems panel, on the recording stand-in for VS Code, with runs
// recorded by the real trainer: anchored at the field, dropped when it is edited, with quick fixes
// that edit the file and keep its comments.
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, test } from 'node:test';
import { type Diagnostic, EventEmitter, type Location, Uri, type WorkspaceEdit, configurationChanged, installFakeVscode, ui } from '../helpers/fake-vscode';
import { RECORDED, recordedRun } from '../helpers/recorded-runs';
import { validateConfigText } from '../../src/shared/validate';

installFakeVscode();
const { FindingsDiagnostics, FINDINGS_COLLECTION } = require('../../src/host/config-editing/findings-diagnostics') as typeof import('../../src/host/config-editing/findings-diagnostics');
const { FindingsCodeActions } = require('../../src/host/config-editing/findings-actions') as typeof import('../../src/host/config-editing/findings-actions');

const OVERFIT_ID = '2026-12-07_23-19-48_mlp';
const overfit = recordedRun('mnist10k-overfitting-25-epochs');
const diverged = recordedRun('mnist10k-sgd-lr20-diverges');
// The config, as a person writes it, pointing at the folder the recorded run used.
const OVERFIT_TEXT = `{
  // 25 epochs, as in the tutorial's second half
  "data": { "dir": ${JSON.stringify(overfit.config.data.dir)} },
  "training": { "epochs": 25 }
}
`;
const SGD_TEXT = `{ "data": { "dir": ${JSON.stringify(diverged.config.data.dir)} }, "training": { "epochs": 3, "optimizer": "sgd", "learningRate": 20 } }\n`;

let root: string;

function document(file: string, text: string) {
  return { uri: Uri.file(file), fileName: file, getText: () => text, positionAt: (o: number) => ({ offset: o }) };
}

function shown(file: string): Diagnostic[] {
  return ui.diagnostics.get(FINDINGS_COLLECTION)?.get(Uri.file(file).toString()) ?? [];
}

/** The text after a code action's one replacement (the fake's positions are offsets). */
function applied(text: string, edit: WorkspaceEdit): string {
  assert.equal(edit.replacements.length, 1, 'one edit: one undo step');
  const r = edit.replacements[0];
  const { start, end } = r.range as { start: { offset: number }; end: { offset: number } };
  return text.slice(0, start.offset) + r.text + text.slice(end.offset);
}

function context() {
  return { globalStorageUri: Uri.file(join(root, '.global')) };
}

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'findings-host-'));
  ui.reset(root);
  mkdirSync(join(root, '.mnist', 'runs'), { recursive: true });
});

test('on activation: the latest finished run of the config file, its overfitting warning at training.epochs, with the run as related information', async () => {
  cpSync(join(RECORDED, 'mnist10k-overfitting-25-epochs'), join(root, '.mnist', 'runs', OVERFIT_ID), { recursive: true });
  cpSync(join(RECORDED, 'mnist10k-sgd-lr20-diverges'), join(root, '.mnist', 'runs', '2026-12-07_23-20-04_mlp'), { recursive: true });
  const file = join(root, 'mnist.config.json');
  writeFileSync(file, OVERFIT_TEXT);
  const d = new FindingsDiagnostics(context().globalStorageUri as never, new EventEmitter<never>().event);
  await d.ready;
  const diags = shown(file);
  assert.deepEqual(diags.map((x) => x.code), ['overfitting', 'generalisationGap'], 'the sgd run trained other settings: not this file');
  const w = diags[0];
  assert.doesNotMatch(w.message, /changed since/, 'the file has the run\'s settings');
  assert.equal(w.source, `MNIST: last run ${OVERFIT_ID}`);
  assert.equal(w.severity, 1, 'a warning');
  assert.match(w.message, /Validation loss rose after epoch 6 \(0\.2103 → 0\.2739 at epoch 25\)/);
  const at = w.range as { start: { offset: number }; end: { offset: number } };
  assert.equal(OVERFIT_TEXT.slice(at.start.offset, at.end.offset), '25', 'on the value of training.epochs');
  const related = w.relatedInformation![0];
  assert.equal((related.location as Location).uri.fsPath, join(root, '.mnist', 'runs', OVERFIT_ID, 'summary.json'));
  d.dispose();
});

test('quick fix "add early stopping": one edit that keeps the comment; the overfitting warning is dropped once the field changes, the others stay', async () => {
  cpSync(join(RECORDED, 'mnist10k-overfitting-25-epochs'), join(root, '.mnist', 'runs', OVERFIT_ID), { recursive: true });
  const file = join(root, 'mnist.config.json');
  writeFileSync(file, OVERFIT_TEXT);
  const d = new FindingsDiagnostics(context().globalStorageUri as never, new EventEmitter<never>().event);
  await d.ready;
  const doc = document(file, OVERFIT_TEXT);
  const actions = new FindingsCodeActions(d).provideCodeActions(doc as never, shown(file)[0].range as never, { diagnostics: shown(file), only: undefined, triggerKind: 1 } as never);
  assert.deepEqual(actions.map((a) => a.title).slice(0, 3), [
    'Add early stopping (validation loss, patience 2, keep the best weights)',
    'Use the mlp-dropout preset: Dropout(0.2) after each hidden Dense layer',
    'Turn on data augmentation (rotation 10°, shift 2 px, zoom 10 %)',
  ]);
  const after = applied(OVERFIT_TEXT, actions[0].edit as unknown as WorkspaceEdit);
  assert.ok(after.includes('// 25 epochs, as in the tutorial'), after);
  const config = validateConfigText(after, 'mnist.config.json').config!;
  assert.deepEqual(config.training.earlyStopping, { monitor: 'valLoss', minDelta: 0, patience: 2, restoreBestWeights: true });
  assert.equal(config.training.epochs, 25);
  ui.documentEvents.change.fire({ document: document(file, after), contentChanges: [{}] });
  assert.deepEqual(shown(file).map((x) => x.code), ['generalisationGap'], 'the overfitting warning is gone, the gap is still true');
  assert.match(shown(file)[0].message, /\(From run 2026-12-07_23-19-48_mlp; the config has changed since\.\)$/, 'and said to be from the earlier settings');
  ui.documentEvents.change.fire({ document: document(file, after.replace('"epochs": 25', '"epochs": 25, "batchSize": 64')), contentChanges: [{}] });
  assert.deepEqual(shown(file).map((x) => x.code), ['generalisationGap'], 'an edit elsewhere keeps it');
  d.dispose();
});

test('a run that ends: its findings go to the config file with its settings; mnist.findings "off" clears them', async () => {
  const runDir = join(root, '.mnist', 'runs', '2026-12-07_23-20-04_mlp');
  cpSync(join(RECORDED, 'mnist10k-sgd-lr20-diverges'), runDir, { recursive: true });
  const other = join(root, 'mnist.config.json');
  writeFileSync(other, OVERFIT_TEXT);
  const file = join(root, 'sgd.mnist.config.json');
  writeFileSync(file, '{}');
  const ended = new EventEmitter<{ run: { dir: string; config: typeof diverged.config } }>();
  const d = new FindingsDiagnostics(context().globalStorageUri as never, ended.event as never);
  await d.ready;
  assert.deepEqual(shown(file), [], 'no run of these settings yet');
  writeFileSync(file, SGD_TEXT);
  const published = new Promise((resolve) => d.onDidPublish(resolve));
  ended.fire({ run: { dir: runDir, config: diverged.config } });
  await published;
  const diags = shown(file);
  assert.deepEqual(diags.map((x) => [x.code, x.severity]), [['noLearning', 0]]);
  const at = diags[0].range as { start: { offset: number }; end: { offset: number } };
  assert.equal(SGD_TEXT.slice(at.start.offset, at.end.offset), '20');
  assert.match(diags[0].message, /20 is far too high for sgd/);
  assert.deepEqual(shown(other), []);
  const actions = new FindingsCodeActions(d).provideCodeActions(document(file, SGD_TEXT) as never, diags[0].range as never, { diagnostics: diags, triggerKind: 1 } as never);
  assert.deepEqual(actions.map((a) => a.title), ['Set the learning rate to 2 (20 ÷ 10)', 'Set the learning rate to 0.2 (20 ÷ 100)', 'Use adam at 0.001, as the tutorial does']);
  assert.equal(validateConfigText(applied(SGD_TEXT, actions[2].edit as unknown as WorkspaceEdit), 'x.mnist.config.json').config?.training.optimizer, 'adam');
  ui.settings.findings = 'off';
  configurationChanged.fire({ affectsConfiguration: (s) => s === 'mnist.findings' });
  assert.deepEqual(shown(file), []);
  d.dispose();
});

test('a run mnist-train writes in a terminal: its summary.json appearing publishes its findings', async () => {
  const file = join(root, 'mnist.config.json');
  writeFileSync(file, OVERFIT_TEXT);
  const d = new FindingsDiagnostics(context().globalStorageUri as never, new EventEmitter<never>().event);
  await d.ready;
  assert.deepEqual(shown(file), []);
  const runDir = join(root, '.mnist', 'runs', OVERFIT_ID);
  cpSync(join(RECORDED, 'mnist10k-overfitting-25-epochs'), runDir, { recursive: true });
  const watcher = ui.watchers.find((w) => String((w.pattern as { pattern: string }).pattern).endsWith('*/summary.json'))!;
  assert.equal((watcher.pattern as { pattern: string }).pattern, '.mnist/runs/*/summary.json');
  const published = new Promise((resolve) => d.onDidPublish(resolve));
  watcher.fire('create', Uri.file(join(runDir, 'summary.json')));
  await published;
  assert.deepEqual(shown(file).map((x) => x.code), ['overfitting', 'generalisationGap']);
  d.dispose();
});
