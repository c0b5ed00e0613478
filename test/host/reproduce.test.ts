// Provenance recorded by the real trainer, and MNIST: Reproduce Run on a run written by mnist-train.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { RunSummary, TrainerEvent } from '../../src/shared/protocol';
import { canonicalJson } from '../../src/shared/provenance';
import { loadDataset } from '../../src/node/data/datasets';
import { sha256 } from '../../src/node/runs/provenance';
import { type FakeTreeView, fakeVscode, installFakeVscode, ui } from '../helpers/fake-vscode';
import { cliBundle } from '../helpers/paths';
import { SAMPLE_DIR } from '../helpers/datasets';
import { fakeContext } from '../helpers/host';

installFakeVscode();
const { registerRunHistory } = require('../../src/host/runs/run-commands') as typeof import('../../src/host/runs/run-commands');
const { reproduceRun } = require('../../src/host/runs/train-from-run') as typeof import('../../src/host/runs/train-from-run');
const { TrainingSession } = require('../../src/host/session/training-session') as typeof import('../../src/host/session/training-session');

test('every run records seed, backend, tfjs, config hash and dataset checksums; Reproduce Run trains again and says the metrics match', async () => {
  const root = mkdtempSync(join(tmpdir(), 'ws-'));
  const runs = join(root, '.mnist', 'runs');
  mkdirSync(runs, { recursive: true });
  ui.reset(root);
  // The original, from the terminal; backend "auto" (the reproduction must pin the one it got).
  const code = await new Promise<number | null>((resolve) =>
    spawn(process.execPath, [cliBundle, '--dataset', 'mnist-sample', '--preset', 'mlp', '--epochs', '2', '--batch-size', '128', '--out', runs], { cwd: root, stdio: 'ignore' }).on('close', resolve),
  );
  assert.equal(code, 0);
  const [id] = readdirSync(runs);
  const dir = join(runs, id);
  const summary = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')) as RunSummary;
  const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
  const events = readFileSync(join(dir, 'events.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as TrainerEvent);
  const p = summary.provenance!;
  assert.equal(p.seed, 42);
  assert.equal(p.backend, summary.backend);
  assert.equal(p.tfjsVersion, '4.22.0');
  assert.equal(p.configHash, sha256(canonicalJson(config)), 'the hash of config.json as written');
  const data = await loadDataset({ dataset: 'mnist-sample', dir: null, cacheDir: join(root, 'cache'), sampleDir: SAMPLE_DIR });
  assert.deepEqual(p.dataset?.checksums, {
    trainImages: sha256(data.trainImages),
    trainLabels: sha256(data.trainLabels),
    testImages: sha256(data.testImages),
    testLabels: sha256(data.testLabels),
  });
  const ready = events.find((e) => e.type === 'ready');
  assert.equal(ready?.type === 'ready' && ready.configHash, p.configHash, 'summary.json folds it from the ready event');

  const context = fakeContext(root);
  const log = fakeVscode.window.createOutputChannel();
  const session = new TrainingSession(context as never, log as never);
  const h = registerRunHistory(context as never, session, { show: () => undefined } as never, log as never);
  const original = (ui.treeViews.get('mnist.runsView') as FakeTreeView).provider.getChildren() as { id: string }[];
  assert.equal(original[0].id, id);
  const verdict = await reproduceRun(h, h.provider.find(dir)!);
  assert.ok(verdict, ui.messages.map((m) => m.message).join('\n'));
  assert.equal(verdict.match, true, verdict.summary);
  assert.match(ui.messages.at(-1)?.message ?? '', /^MNIST: reproduced ".*": the metrics match (exactly|within)/);
  assert.deepEqual(ui.messages.at(-1)?.items, ['Compare Runs']);
  const copyDir = readdirSync(runs).map((d) => join(runs, d)).find((d) => d !== dir)!;
  assert.equal(JSON.parse(readFileSync(join(copyDir, 'meta.json'), 'utf8')).reproduces, id);
  const copyConfig = JSON.parse(readFileSync(join(copyDir, 'config.json'), 'utf8'));
  assert.equal(copyConfig.backend, summary.backend, '"auto" pinned to the backend the original ran on');
  assert.ok(ui.progressReports.some((r) => /^epoch 2\/2 · val\. acc 0\.\d{4}$/.test(r.message ?? '')));
});
