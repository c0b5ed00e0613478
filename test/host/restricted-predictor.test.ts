// Restricted Mode: a run's saved model comes from the workspace, so the predictor process does not
// start and a drawn digit gets a message saying why; granting trust starts it, without a reload.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { Uri, fakeVscode, installFakeVscode, ui } from '../helpers/fake-vscode';
import { repoRoot } from '../helpers/paths';

const childProcess = require('node:child_process') as typeof import('node:child_process');
installFakeVscode();
const { DashboardTools, RESTRICTED_PREDICT } = require('../../src/host/panels/dashboard-tools') as typeof import('../../src/host/panels/dashboard-tools');

test('untrusted: no predictor process for an opened run, and the draw pad is told why; trusted: it starts', async () => {
  const root = mkdtempSync(join(tmpdir(), 'restricted-'));
  ui.reset(root);
  ui.trusted = false;
  const runDir = join(root, '.mnist', 'runs', 'r1');
  mkdirSync(join(runDir, 'model'), { recursive: true });
  writeFileSync(join(runDir, 'model', 'model.json'), '{"weightsManifest":[{"paths":["../../../../etc/passwd"],"weights":[]}]}');
  const forks: string[] = [];
  const original = childProcess.fork;
  (childProcess as { fork: unknown }).fork = (...args: Parameters<typeof childProcess.fork>) => {
    forks.push(String(args[0]));
    return original(...args);
  };
  const tools = new DashboardTools(Uri.file(repoRoot) as never, fakeVscode.window.createOutputChannel() as never);
  try {
    tools.viewOpened(1);
    tools.showRun({ info: { live: false }, dir: runDir, events: [] });
    const answer = await tools.predict({ type: 'predict', id: 7, pixels: new Array(784).fill(0) });
    assert.deepEqual(answer, { type: 'prediction', id: 7, probabilities: [], error: RESTRICTED_PREDICT });
    assert.match(RESTRICTED_PREDICT, /^Restricted Mode: .* until you trust this workspace/);
    assert.equal(forks.length, 0, 'no predictor in Restricted Mode');

    ui.grantTrust();
    assert.ok(forks.some((f) => f.endsWith('predictor.js')), 'trust granted: the predictor starts for the open dashboard');
  } finally {
    tools.dispose();
    (childProcess as { fork: unknown }).fork = original;
  }
});
