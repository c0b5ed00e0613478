// The product in a real VS Code (code-server 4.100 = VS Code 1.100), driven through Chromium as a
// person would: the command palette, the editor, the Problems panel and the sidebar Dashboard.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, FrameLocator, Page } from 'playwright-core';
import { validateConfigText } from '../../src/shared/validate';
import {
  UI_TIMEOUT_MS, launchBrowser, missingPrerequisite, openViewContainer, openWorkbench, paletteLabels, runCommand, screenshot, startCodeServer, webviewFrame, type CodeServer, onScreen, openFile, runFolders, runSummary, chartCurves,
} from './harness';

const EXTENSION_ID = 'mnist-trainer.mnist-trainer';
const vsix = process.env.MNIST_E2E_VSIX;
const skip = missingPrerequisite() ?? (vsix && existsSync(vsix) ? false : 'no mnist-trainer.vsix (npm run package; scripts/e2e/run.mjs does it)');
const TRAIN_TIMEOUT_MS = 240_000;

const SAMPLE_CONFIG = JSON.stringify(
  { dataset: 'mnist-sample', model: { preset: 'mlp' }, training: { epochs: 2, batchSize: 64 }, backend: 'wasm' },
  null,
  2,
);
const LONG_CONFIG = JSON.stringify(
  { dataset: 'mnist-sample', model: { preset: 'mlp' }, training: { epochs: 20, batchSize: 16 }, backend: 'wasm' },
  null,
  2,
);

describe('MNIST Trainer in code-server', { skip, timeout: 900_000 }, () => {
  let server: CodeServer;
  let browser: Browser;
  let page: Page;

  const runs = () => runFolders(server);
  const summaryOf = (run: string) => runSummary(server, run);

  async function dashboard(): Promise<FrameLocator> {
    await openViewContainer(page, 'MNIST');
    return webviewFrame(page, { extensionId: EXTENSION_ID, where: 'sidebar' });
  }

  /** Train brings the Dashboard into the sidebar by itself; a click on the MNIST icon as it does could close the sidebar again. */
  async function trainedDashboard(): Promise<FrameLocator> {
    return webviewFrame(page, { extensionId: EXTENSION_ID, where: 'sidebar' }, TRAIN_TIMEOUT_MS);
  }

  /** Replaces the active editor's text by typing (what completion needs); unsaved. */
  async function typeInEditor(text: string): Promise<void> {
    await page.locator('.editor-instance .monaco-editor').first().click();
    await page.keyboard.press('Control+A');
    await page.keyboard.press('Delete');
    await page.keyboard.insertText(text);
  }

  /**
   * Writes the config to disk, as another tool would, and waits until the open editor shows it
   * (VS Code reloads a file that has no unsaved changes). Typing whole JSON would fight the
   * editor's auto-closing and auto-indent.
   */
  async function writeConfig(text: string, shows: string): Promise<void> {
    await runCommand(page, 'File: Revert File'); // drop what completion typed, so the editor follows the disk
    writeFileSync(join(server.workspace, 'mnist.config.json'), text);
    await page.locator('.editor-instance .view-lines', { hasText: shows }).first().waitFor({ state: 'visible' });
  }

  /**
   * Opens the suggest widget and waits until it lists every label in `expected` (its list is
   * virtualized: filter first). An open widget keeps the items it opened with, and VS Code's JSON
   * service may get the extension's schema association a moment after the editor opens (then it
   * offers only "$schema"), so the widget is opened again until the labels show or 30 s pass.
   */
  async function expectSuggestions(expected: string[]): Promise<void> {
    const widget = page.locator('.suggest-widget');
    const deadline = Date.now() + 30_000;
    for (;;) {
      await page.keyboard.press('Control+Space');
      try {
        for (const label of expected) {
          await widget.locator('.monaco-list-row', { hasText: label }).first().waitFor({ state: 'visible', timeout: 3_000 });
        }
        break;
      } catch (err) {
        await page.keyboard.press('Escape');
        if (Date.now() > deadline) throw err;
      }
    }
    await page.keyboard.press('Escape');
  }

  async function waitForStatus(view: FrameLocator, status: string, timeout = TRAIN_TIMEOUT_MS): Promise<void> {
    await view.locator(`[data-testid="status"][data-status="${status}"]`).waitFor({ state: 'attached', timeout });
  }

  before(async () => {
    server = await startCodeServer({ vsix: [vsix!], files: { 'README.md': '# a workspace without a config\n' } });
    browser = await launchBrowser();
    page = await openWorkbench(browser, server, { activityBarItem: 'MNIST' });
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  test('the command palette lists every MNIST command, and "MNIST: Train" is the first match', async () => {
    const all = await paletteLabels(page, 'MNIST:', 'MNIST: Train');
    for (const label of ['MNIST: Train', 'MNIST: Stop', 'MNIST: Create Config', 'MNIST: Show Dashboard in Editor', 'MNIST: Open Run…', 'MNIST: Resume Run', 'MNIST: Preview Augmentation']) {
      assert.ok(all.includes(label), `${label} in ${JSON.stringify(all)}`);
    }
    const labels = await paletteLabels(page, 'MNIST: Train', 'MNIST: Train');
    assert.equal(labels[0], 'MNIST: Train', `first match: ${JSON.stringify(labels)}`);
  });

  test('MNIST: Create Config writes a valid mnist.config.json and opens it', async () => {
    await runCommand(page, 'MNIST: Create Config');
    await page.locator('.tabs-container .tab.active', { hasText: 'mnist.config.json' }).waitFor({ state: 'visible' });
    const file = join(server.workspace, 'mnist.config.json');
    assert.ok(existsSync(file));
    const { config, issues } = validateConfigText(readFileSync(file, 'utf8'), 'mnist.config.json');
    assert.deepEqual(issues, []);
    assert.deepEqual(config?.model.layers.map((l) => l.type), ['flatten', 'dense', 'dense', 'dense']);
  });

  test('editing the config: completion for keys and layer types, problems in the Problems panel', () => onScreen(page, 'editing', async () => {
    await typeInEditor('{\n  ');
    await expectSuggestions(['backend', 'data', 'dataset', 'model']);
    await page.keyboard.type('"tr');
    await expectSuggestions(['training']);

    await typeInEditor('{ "model": { "layers": [ { "type": ');
    await expectSuggestions(['batchNormalization', 'conv2d', 'dense', 'dropout', 'flatten']);

    // a schema error (VS Code's JSON service) and a semantic one (ours), as a user would make them
    await writeConfig(
      JSON.stringify({ training: { epochs: 0 }, model: { layers: [{ type: 'flatten' }, { type: 'dense', units: 7, activation: 'softmax' }] } }, null, 2),
      'softmax',
    );
    await page.keyboard.press('Control+Shift+M');
    const problems = page.locator('.markers-panel .monaco-list-row');
    await problems.filter({ hasText: /10 units/ }).first().waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });
    await problems.filter({ hasText: /below the minimum of 1/ }).first().waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });
    await screenshot(page, 'problems');
  }));

  test('MNIST: Train on mnist-sample: progress, both charts, the prediction grid and the test accuracy in the sidebar', () => onScreen(page, 'train', async () => {
    await openFile(page, 'mnist.config.json');
    await writeConfig(SAMPLE_CONFIG, 'mnist-sample');
    await runCommand(page, 'MNIST: Train');
    const view = await trainedDashboard();
    await view.locator('[data-testid="epoch-progress"][data-epoch="1"]').waitFor({ state: 'attached', timeout: TRAIN_TIMEOUT_MS });
    await screenshot(page, 'sidebar-training');
    await waitForStatus(view, 'completed');
    await screenshot(page, 'sidebar-completed');

    const [run] = runs();
    const summary = summaryOf(run);
    assert.equal(summary.status, 'completed');
    assert.equal(await view.locator('[data-testid="epoch-progress"]').getAttribute('data-epoch'), '2');
    // the charts draw what the run recorded: 2 points per epoch series, the same values
    for (const [chart, train, validation] of [
      ['accuracy-chart', summary.history.acc, summary.history.valAcc],
      ['loss-chart', summary.history.loss, summary.history.valLoss],
    ] as const) {
      const curves = await chartCurves(view, chart);
      assert.deepEqual(curves.train, train, `${chart} train series`);
      assert.deepEqual(curves.validation, validation, `${chart} validation series`);
    }
    // the grid: every digit drawn (a non-blank canvas), each with its prediction
    const samples = view.locator('[data-testid="sample"]');
    assert.ok((await samples.count()) >= 16);
    const blank = await samples.locator('canvas').evaluateAll((canvases) =>
      (canvases as HTMLCanvasElement[]).filter((c) => {
        const data = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
        return !data.some((v, i) => i % 4 === 3 && v > 0);
      }).length,
    );
    assert.equal(blank, 0, 'no blank digit canvases');
    const shown = Number(await view.locator('[data-testid="test-accuracy"]').getAttribute('data-value'));
    assert.equal(shown, summary.testAccuracy);
    assert.match((await view.locator('[data-testid="test-accuracy"]').innerText()).trim(), /\d+(\.\d+)?%/);
  }));

  test('draw a digit: a stroke in the pad gets the run model\'s prediction on screen', () => onScreen(page, 'draw', async () => {
    const view = await dashboard();
    const pad = view.locator('[data-testid="draw-pad"]');
    await pad.scrollIntoViewIfNeeded();
    const box = await pad.boundingBox();
    assert.ok(box, 'the pad is on screen');
    // a "1": one vertical stroke down the middle
    const x = box.x + box.width / 2;
    await page.mouse.move(x, box.y + box.height * 0.15);
    await page.mouse.down();
    for (let i = 1; i <= 20; i++) await page.mouse.move(x + i * 0.3, box.y + box.height * (0.15 + 0.035 * i));
    await page.mouse.up();
    await view.locator('[data-testid="draw-body"][data-state="predicted"]').waitFor({ state: 'attached', timeout: 60_000 });
    const bars = await view.locator('[data-testid="prediction-bar"]').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-probability'))));
    assert.equal(bars.length, 10);
    assert.ok(Math.abs(bars.reduce((a, b) => a + b, 0) - 1) < 1e-3, `probabilities sum to 1: ${bars}`);
    assert.equal(await view.locator('[data-testid="prediction-top"]').getAttribute('data-class'), '1', `bars ${bars}`);
    await screenshot(page, 'sidebar-draw');
  }));

  test('Stop during a run ends it as cancelled, and a second Train then completes', () => onScreen(page, 'stop', async () => {
    await openFile(page, 'mnist.config.json');
    await writeConfig(LONG_CONFIG, '"epochs": 20');
    const before = runs().length;
    await runCommand(page, 'MNIST: Train');
    const view = await trainedDashboard();
    await view.locator('[data-testid="batch-progress"][data-batch]').waitFor({ state: 'attached', timeout: TRAIN_TIMEOUT_MS });
    await runCommand(page, 'MNIST: Stop');
    await waitForStatus(view, 'cancelled', 60_000);
    const cancelled = runs()[before];
    assert.equal(summaryOf(cancelled).status, 'cancelled');

    await openFile(page, 'mnist.config.json');
    await writeConfig(SAMPLE_CONFIG, '"epochs": 2');
    await runCommand(page, 'MNIST: Train');
    await waitForStatus(await trainedDashboard(), 'completed');
    assert.equal(summaryOf(runs()[before + 1]).status, 'completed');
  }));

  test("each run's folder holds its config, events, summary and model", () => {
    const all = runs();
    assert.equal(all.length, 3);
    for (const run of all) {
      for (const file of ['config.json', 'events.jsonl', 'summary.json', 'model/model.json', 'model/weights.bin']) {
        assert.ok(existsSync(join(server.workspace, '.mnist', 'runs', run, file)), `${run}/${file}`);
      }
    }
  });

  // Last: its panel stays open in the editor area, where the tests above type into the config.
  test('MNIST: Preview Augmentation: the config\'s first digit of each class next to its augmented versions, in an editor panel', () => onScreen(page, 'augment', async () => {
    await runCommand(page, 'MNIST: Preview Augmentation');
    const panel = await webviewFrame(page, { extensionId: EXTENSION_ID, where: 'editor' });
    const rows = panel.locator('[data-testid="augment-row"]');
    await rows.nth(9).waitFor({ state: 'attached', timeout: UI_TIMEOUT_MS });
    assert.deepEqual(await rows.evaluateAll((els) => els.map((e) => e.getAttribute('data-label'))), ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    const canvases = panel.locator('[data-testid="augment-row"] canvas');
    assert.equal(await canvases.count(), 10 * 7, 'each digit and six versions');
    const blank = await canvases.evaluateAll((list) =>
      (list as HTMLCanvasElement[]).filter((c) => !c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data.some((v, i) => i % 4 === 3 && v > 0)).length,
    );
    assert.equal(blank, 0, 'every digit drawn');
    // SAMPLE_CONFIG has no data.augment: the defaults are shown, and the panel says augmentation is off.
    assert.match(await panel.locator('[data-testid="augment-description"]').innerText(), /rotation ±10°, shift ±2 px, zoom ±10%/);
    assert.match(await panel.locator('[data-testid="augment-note"]').first().innerText(), /Augmentation is off/);
    await screenshot(page, 'augment-preview');
  }));
});
