// Findings in a real VS Code (code-server 4.100): the issue's 25-epoch MLP on mnist-10k overfits,
// the Problems panel shows the warning at training.epochs, the "add early stopping" quick fix
// edits the config, and the fixed config then trains and stops early.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { validateConfigText } from '../../src/shared/validate';
import {
  UI_TIMEOUT_MS, launchBrowser, missingPrerequisite, openWorkbench, runCommand, screenshot, startCodeServer, webviewFrame, type CodeServer, onScreen, openFile, runFolders, runSummary,
} from './harness';

const EXTENSION_ID = 'mnist-trainer.mnist-trainer';
const vsix = process.env.MNIST_E2E_VSIX;
const MNIST_10K = resolve(__dirname, '..', '..', '..', 'shared', 'datasets', 'mnist-10k');
const skip =
  missingPrerequisite() ??
  (!vsix || !existsSync(vsix)
    ? 'no mnist-trainer.vsix (npm run package; scripts/e2e/run.mjs does it)'
    : existsSync(join(MNIST_10K, 't10k-images-idx3-ubyte.gz'))
      ? false
      : '../shared/datasets/mnist-10k is not present (a fresh clone); this test needs it');
const TRAIN_TIMEOUT_MS = 300_000;
// The issue's config: 25 epochs of the tutorial's MLP.
const CONFIG = `{
  "data": { "dir": ${JSON.stringify(MNIST_10K)} },
  "training": { "epochs": 25 },
  "backend": "wasm"
}
`;

describe('findings in code-server', { skip, timeout: 900_000 }, () => {
  let server: CodeServer;
  let browser: Browser;
  let page: Page;
  const runs = () => runFolders(server);
  const summaryOf = (run: string) => runSummary(server, run);

  async function trainAndWait(): Promise<void> {
    const before = runs().length;
    await runCommand(page, 'MNIST: Train');
    // Train brings the Dashboard into view; clicking the MNIST icon as it does could close the sidebar.
    const view = await webviewFrame(page, { extensionId: EXTENSION_ID, where: 'sidebar' }, TRAIN_TIMEOUT_MS);
    await view.locator('[data-testid="status"][data-status="completed"]').waitFor({ state: 'attached', timeout: TRAIN_TIMEOUT_MS });
    assert.equal(runs().length, before + 1);
  }

  before(async () => {
    server = await startCodeServer({ vsix: [vsix!], files: { 'mnist.config.json': CONFIG } });
    browser = await launchBrowser();
    page = await openWorkbench(browser, server, { activityBarItem: 'MNIST' });
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  test('after the 25-epoch run: the Dashboard and the Problems panel say it overfits, at training.epochs', () => onScreen(page, 'findings-overfitting', async () => {
    await openFile(page, 'mnist.config.json');
    await trainAndWait();
    const [run] = runs();
    const summary = summaryOf(run);
    const lowest = summary.history.valLoss.indexOf(Math.min(...summary.history.valLoss)) + 1;
    assert.equal(summary.findings?.[0]?.id, 'overfitting');

    const view = await webviewFrame(page, { extensionId: EXTENSION_ID, where: 'sidebar' });
    const shown = view.locator('[data-testid="finding"][data-finding="overfitting"]');
    await shown.waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });
    assert.match(await shown.innerText(), new RegExp(`Validation loss rose after epoch ${lowest}`));

    await page.keyboard.press('Control+Shift+M');
    const row = page.locator('.markers-panel .monaco-list-row', { hasText: `Validation loss rose after epoch ${lowest}` }).first();
    await row.waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });
    assert.match(await row.innerText(), new RegExp(`MNIST: last run ${run}`));
    await screenshot(page, 'findings-problems');
  }));

  test('the "add early stopping" quick fix writes a config that trains and stops early', () => onScreen(page, 'findings-quick-fix', async () => {
    const row = page.locator('.markers-panel .monaco-list-row', { hasText: 'Validation loss rose after epoch' }).first();
    await row.click();
    await page.keyboard.press('Control+.');
    // From the Problems panel VS Code lists the quick fixes as a menu; from the editor, in its action widget.
    const fix = page.locator('.context-view .action-label, .action-widget .monaco-list-row', { hasText: 'Add early stopping' }).first();
    await fix.waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });
    await screenshot(page, 'findings-quick-fix');
    await fix.click();
    await page.keyboard.press('Control+S');
    const file = join(server.workspace, 'mnist.config.json');
    const deadline = Date.now() + UI_TIMEOUT_MS;
    while (!readFileSync(file, 'utf8').includes('earlyStopping') && Date.now() < deadline) await page.waitForTimeout(200);
    const { config, issues } = validateConfigText(readFileSync(file, 'utf8'), 'mnist.config.json');
    assert.deepEqual(issues.filter((i) => i.severity === 'error'), []);
    assert.deepEqual(config?.training.earlyStopping, { monitor: 'valLoss', minDelta: 0, patience: 2, restoreBestWeights: true });
    assert.equal(config?.training.epochs, 25, 'the rest of the config stays');
    // The warning is about a field the fix changed: it is gone.
    await page.locator('.markers-panel .monaco-list-row', { hasText: 'Validation loss rose after epoch' }).waitFor({ state: 'detached', timeout: UI_TIMEOUT_MS });

    await trainAndWait();
    const summary = summaryOf(runs()[1]);
    assert.equal(summary.status, 'completed');
    assert.ok(summary.earlyStop, 'early stopping ended the fit');
    assert.ok(summary.epochsCompleted < 25, `stopped after ${summary.epochsCompleted} of 25 epochs`);
    assert.equal(summary.earlyStop?.restoredBestWeights, true);
    assert.deepEqual(summary.findings?.filter((f) => f.id === 'overfitting'), [], 'no overfitting finding on the fixed run');
    await screenshot(page, 'findings-after-fix');
  }));
  test('live: sgd at learning rate 20 is flagged in the Dashboard while it trains, and its Stop ends the run', () => onScreen(page, 'findings-live-stop', async () => {
    const before = runs().length;
    writeFileSync(join(server.workspace, 'mnist.config.json'), JSON.stringify({ data: { dir: MNIST_10K }, training: { epochs: 30, optimizer: 'sgd', learningRate: 20 }, backend: 'wasm' }, null, 2));
    await page.locator('.editor-instance .view-lines', { hasText: '"sgd"' }).first().waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });
    await runCommand(page, 'MNIST: Train');
    // Train brings the Dashboard into view; clicking the MNIST icon as it does could close the sidebar.
    const view = await webviewFrame(page, { extensionId: EXTENSION_ID, where: 'sidebar' }, TRAIN_TIMEOUT_MS);
    const finding = view.locator('[data-testid="finding"][data-finding="noLearning"]');
    await finding.waitFor({ state: 'visible', timeout: TRAIN_TIMEOUT_MS });
    assert.match(await finding.innerText(), /stayed at chance/);
    assert.match(await view.locator('[data-testid="findings-title"]').innerText(), /Findings so far/);
    await screenshot(page, 'findings-live-divergence');
    await view.locator('[data-testid="finding-stop"]').click();
    await view.locator('[data-testid="status"][data-status="cancelled"]').waitFor({ state: 'attached', timeout: 60_000 });
    const summary = summaryOf(runs()[before]);
    assert.equal(summary.status, 'cancelled');
    assert.ok(summary.epochsCompleted < 30, `stopped after ${summary.epochsCompleted} of 30 epochs`);
  }));
});
