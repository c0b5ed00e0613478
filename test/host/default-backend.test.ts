// mnist.defaultBackend applies when the config does not choose a backend, even if "backend" appears
// in a comment or an experiment (a regex on the text took those for a choice). A real forked trainer.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { TrainerEvent } from '../../src/shared/protocol';
import { Uri, fakeVscode, installFakeVscode, ui } from '../helpers/fake-vscode';
import { repoRoot } from '../helpers/paths';

installFakeVscode();
const { TrainingSession } = require('../../src/host/session/training-session') as typeof import('../../src/host/session/training-session');

/** Starts Train on `text` with the setting at cpu and returns the backend the trainer reports, then stops. */
async function backendFor(text: string): Promise<string> {
  const root = mkdtempSync(join(tmpdir(), 'ws-backend-'));
  ui.reset(root);
  ui.settings.defaultBackend = 'cpu';
  writeFileSync(join(root, 'mnist.config.json'), text);
  const context = { globalStorageUri: Uri.file(join(root, '.global')), asAbsolutePath: (p: string) => join(repoRoot, p), subscriptions: [] };
  const session = new TrainingSession(context as never, fakeVscode.window.createOutputChannel() as never);
  const ready = new Promise<TrainerEvent>((resolve) => session.onDidEvent(({ event }) => event.type === 'ready' && resolve(event)));
  const idle = new Promise<void>((resolve) => session.onDidChange(() => session.state === 'idle' && resolve()));
  assert.equal(await session.start(Uri.file(join(root, 'mnist.config.json')) as never), true, JSON.stringify(ui.messages));
  const event = await ready;
  session.stop();
  await idle;
  return event.type === 'ready' ? event.backend : '';
}

test('"backend" only in a comment and in an experiment: the mnist.defaultBackend setting (cpu) is used', async () => {
  const text = '{\n  // "backend": "wasm",\n  "dataset": "mnist-sample",\n  "training": { "epochs": 1, "batchSize": 256 },\n  "experiments": [ { "name": "w", "set": { "backend": "wasm" } } ]\n}\n';
  assert.equal(await backendFor(text), 'cpu');
});

test('a config that sets "backend" keeps it over the setting', async () => {
  assert.equal(await backendFor('{ "dataset": "mnist-sample", "backend": "wasm", "training": { "epochs": 1, "batchSize": 256 } }'), 'wasm');
});
