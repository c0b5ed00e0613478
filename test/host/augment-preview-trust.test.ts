// Preview Augmentation in Restricted Mode: the config's data.dir (any path a cloned workspace names)
// is not decoded in the extension host; the preview uses other digits and says why.
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { AugmentPreviewMessage } from '../../src/shared/protocol';
import { ensureSample } from '../helpers/datasets';
import { Uri, fakeVscode, installFakeVscode, ui } from '../helpers/fake-vscode';
import { repoRoot } from '../helpers/paths';

installFakeVscode();
const { AugmentPreviewPanel, RESTRICTED_DATA_DIR_NOTE } = require('../../src/host/panels/augment-preview') as typeof import('../../src/host/panels/augment-preview');

async function previewWith(trusted: boolean): Promise<{ msg: AugmentPreviewMessage; digits: string }> {
  const root = mkdtempSync(join(tmpdir(), 'ws-augment-trust-'));
  ui.reset(root);
  ui.trusted = trusted;
  ui.settings = { dataCacheFolder: join(root, 'cache') };
  const digits = join(root, 'digits');
  cpSync(ensureSample(), digits, { recursive: true });
  writeFileSync(join(root, 'mnist.config.json'), JSON.stringify({ dataset: 'mnist', data: { dir: 'digits', augment: { rotation: 10 } } }));
  const context = { globalStorageUri: Uri.file(join(root, '.global')), extensionUri: Uri.file(repoRoot), asAbsolutePath: (p: string) => join(repoRoot, p), subscriptions: [] };
  const panel = new AugmentPreviewPanel(context as never, fakeVscode.window.createOutputChannel() as never);
  const msg = (await panel.show()) as AugmentPreviewMessage;
  panel.dispose();
  return { msg, digits };
}

test('trusted: the digits of data.dir', async () => {
  const { msg, digits } = await previewWith(true);
  assert.equal(msg.preview.source, `data.dir ${digits}`);
  assert.ok(!msg.preview.notes.includes(RESTRICTED_DATA_DIR_NOTE));
});

test('Restricted Mode: data.dir is not read; the bundled sample is shown, and the first note says why', async () => {
  const { msg } = await previewWith(false);
  assert.match(msg.preview.source, /^mnist-sample, bundled sample/);
  assert.equal(msg.preview.notes[0], RESTRICTED_DATA_DIR_NOTE);
  assert.match(RESTRICTED_DATA_DIR_NOTE, /^Restricted Mode: the config's data\.dir is not read until you trust this workspace/);
});
