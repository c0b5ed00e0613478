// MNIST: Preview Augmentation on the recording stand-in for VS Code: the workspace config's
// data.augment and seed on real digits, in a panel with the house CSP; mistakes named.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, test } from 'node:test';
import type { AugmentPreviewMessage } from '../../src/shared/protocol';
import { decodeDigit } from '../../src/shared/digits';
import { loadDataset } from '../../src/node/data/datasets';
import { ensureSample } from '../helpers/datasets';
import { fakeVscode, installFakeVscode, ui } from '../helpers/fake-vscode';
import { hasMnist10k, MNIST_10K_ABSENT, mnist10kDir, repoRoot } from '../helpers/paths';
import { fakeContext } from '../helpers/host';

installFakeVscode();
const { AugmentPreviewPanel } = require('../../src/host/panels/augment-preview') as typeof import('../../src/host/panels/augment-preview');

let root: string;

function newPanel() {
  const context = fakeContext(root);
  return new AugmentPreviewPanel(context as never, fakeVscode.window.createOutputChannel() as never);
}

function writeConfig(value: unknown, name = 'mnist.config.json'): string {
  const file = join(root, name);
  writeFileSync(file, typeof value === 'string' ? value : JSON.stringify(value, null, 2));
  return file;
}

beforeEach(() => {
  ensureSample();
  root = mkdtempSync(join(tmpdir(), 'ws-augment-'));
  ui.reset(root);
  // An empty download cache: a preview never downloads.
  ui.settings = { dataCacheFolder: join(root, 'cache') };
});

test('the workspace config\'s augment and seed on the bundled digits, in a panel with a nonce CSP; ready replays it', async () => {
  writeConfig({ dataset: 'mnist-sample', data: { augment: { rotation: 20, zoom: 0 } }, training: { seed: 3 } });
  const preview = newPanel();
  const msg = (await preview.show()) as AugmentPreviewMessage;
  assert.equal(ui.panels.length, 1);
  const panel = ui.panels[0];
  assert.equal(panel.viewType, 'mnist.augmentPreview');
  assert.match(panel.html, /augment\.js/);
  assert.match(panel.html, /script-src 'nonce-[0-9a-f]{32}'/);
  assert.match(panel.html, /default-src 'none'/);
  assert.deepEqual(panel.posted, [msg]);
  assert.equal(msg.configFile, 'mnist.config.json');
  const p = msg.preview;
  assert.equal(p.enabled, true);
  assert.equal(p.description, 'rotation ±20°, shift ±2 px, no zoom, no elastic distortion');
  assert.equal(p.seed, 3);
  assert.deepEqual(p.notes, []);
  assert.match(p.source, /^mnist-sample, bundled sample/);
  assert.deepEqual(p.digits.map((d) => d.label), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  const sample = await loadDataset({ dataset: 'mnist-sample', dir: null, cacheDir: root, sampleDir: join(repoRoot, 'dist', 'data', 'mnist-sample') });
  for (const d of p.digits) assert.deepEqual(decodeDigit(d.image), sample.trainImages.subarray(d.index * 784, (d.index + 1) * 784), 'real training digits');
  assert.doesNotThrow(() => structuredClone(msg), 'plain data: it crosses postMessage');

  panel.receive({ type: 'ready' });
  assert.deepEqual(panel.posted.at(-1), msg, 'a webview that starts over gets it again');
  panel.receive({ type: 'ready', extra: 1 });
  panel.receive('ready');
  assert.equal(panel.posted.length, 2, 'malformed messages are ignored');
  assert.ok(ui.logLines.some((l) => /^warn Ignored a malformed message from the augmentation preview/.test(l)));

  // Seeded: shown again, the same; another seed in the config, other versions; one panel.
  assert.deepEqual((await preview.show())!.preview, p);
  writeConfig({ dataset: 'mnist-sample', data: { augment: { rotation: 20, zoom: 0 } }, training: { seed: 4 } });
  const other = (await preview.show())!.preview;
  assert.notDeepEqual(other.digits[0].versions, p.digits[0].versions);
  assert.deepEqual(other.digits.map((d) => d.image), p.digits.map((d) => d.image), 'the same real digits');
  assert.equal(ui.panels.length, 1);
  preview.dispose();
});

test('augmentation off, or no config at all: the defaults are shown and the panel says so', async () => {
  writeConfig({ dataset: 'mnist-sample', training: { epochs: 2 } });
  const off = (await newPanel().show())!.preview;
  assert.equal(off.enabled, false);
  assert.equal(off.description, 'rotation ±10°, shift ±2 px, zoom ±10%, no elastic distortion');
  assert.match(off.notes.join(' '), /Augmentation is off/);

  ui.reset(mkdtempSync(join(tmpdir(), 'ws-empty-')));
  const none = (await newPanel().show())!;
  assert.equal(none.configFile, null);
  assert.match(none.preview.notes[0], /There is no mnist\.config\.json in this workspace/);
  assert.equal(none.preview.seed, 42);
});

test('a dataset that is not downloaded or a data.dir that lacks files: the bundled digits, with the reason', async () => {
  writeConfig({ dataset: 'mnist', data: { augment: {} } });
  const notDownloaded = (await newPanel().show())!.preview;
  assert.match(notDownloaded.notes.join(' '), /mnist is not downloaded yet \(the first training run downloads it\), so these are digits of the bundled mnist-sample\./);
  assert.match(notDownloaded.source, /^mnist-sample/);

  mkdirSync(join(root, 'digits'));
  writeConfig({ dataset: 'mnist', data: { dir: 'digits', augment: {} } });
  const empty = (await newPanel().show())!.preview;
  assert.match(empty.notes.join(' '), new RegExp(`data\\.dir ${join(root, 'digits').replace(/[/.]/g, '\\$&')} lacks train-images-idx3-ubyte.*; these are digits of the bundled mnist-sample instead\\.`));
  assert.equal(ui.messages.filter((m) => m.kind === 'error').length, 0);
});

test('data.dir with real digits (mnist-10k): the preview shows those', { skip: hasMnist10k ? false : MNIST_10K_ABSENT }, async () => {
  writeConfig({ dataset: 'mnist', data: { dir: mnist10kDir, augment: { shift: 3 } } });
  const p = (await newPanel().show())!.preview;
  assert.equal(p.source, `data.dir ${mnist10kDir}`);
  assert.deepEqual(p.notes, []);
  const d = await loadDataset({ dataset: 'mnist', dir: mnist10kDir, cacheDir: root, sampleDir: '' });
  assert.deepEqual(decodeDigit(p.digits[3].image), d.trainImages.subarray(p.digits[3].index * 784, (p.digits[3].index + 1) * 784));
  assert.equal(d.trainLabels[p.digits[3].index], 3);
});

test('a mistake in data.augment or the seed is named, with its line, and no panel opens; one elsewhere does not stop a preview', async () => {
  writeConfig('{\n  "dataset": "mnist-sample",\n  "data": { "augment": { "rotation": -5 } }\n}\n');
  assert.equal(await newPanel().show(), undefined);
  assert.match(ui.messages.at(-1)?.message ?? '', /^MNIST: cannot preview augmentation: mnist\.config\.json:3:\d+: data\.augment\.rotation/);
  assert.equal(ui.messages.at(-1)?.kind, 'error');

  writeConfig('{ "training": { "seed": "abc" } }');
  assert.equal(await newPanel().show(), undefined);
  assert.match(ui.messages.at(-1)?.message ?? '', /training\.seed/);

  writeConfig('{ "dataset": "mnist-sample", "data": { "augment": { "rotation": 5 } }');
  assert.equal(await newPanel().show(), undefined);
  assert.match(ui.messages.at(-1)?.message ?? '', /mnist\.config\.json:1:\d+/);
  assert.equal(ui.panels.length, 0);

  writeConfig({ dataset: 'mnist-sample', data: { augment: { rotation: 5 } }, model: { layers: [{ type: 'dense', units: 7, activation: 'relu' }] } });
  const p = (await newPanel().show())!.preview;
  assert.equal(p.description, 'rotation ±5°, shift ±2 px, zoom ±10%, no elastic distortion');
});
