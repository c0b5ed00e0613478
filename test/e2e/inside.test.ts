// MNIST: Look Inside Model in a real VS Code (code-server 4.100 = VS Code 1.100): train the CNN
// preset for one epoch on mnist-sample, open the panel from the Dashboard's button, and check what
// a person sees: 32 + 32 + 64 + 64 channel heatmaps, 10 softmax bars agreeing with the Dashboard,
// the 32 first-layer filters, a saliency map, and a channel's large view on click.
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, FrameLocator, Page } from 'playwright-core';
import {
  UI_TIMEOUT_MS, launchBrowser, missingPrerequisite, openWorkbench, paletteLabels, repoRoot, screenshot, startCodeServer, webviewFrame, runCommand, type CodeServer, onScreen,
} from './harness';

const EXTENSION_ID = 'mnist-trainer.mnist-trainer';
const vsix = process.env.MNIST_E2E_VSIX;
const skip = missingPrerequisite() ?? (vsix && existsSync(vsix) ? false : 'no mnist-trainer.vsix (npm run package; scripts/e2e/run.mjs does it)');
const TRAIN_TIMEOUT_MS = 300_000;
const CNN_CONFIG = JSON.stringify({ dataset: 'mnist-sample', model: { preset: 'cnn' }, training: { epochs: 1, batchSize: 128 }, backend: 'wasm' }, null, 2);

describe('Look Inside Model in code-server', { skip, timeout: 900_000 }, () => {
  let server: CodeServer;
  let browser: Browser;
  let page: Page;

  /** The Dashboard's prediction for each test digit of its sample grid, by test index. */
  async function dashboardPredictions(view: FrameLocator): Promise<Map<string, string>> {
    const cells = await view.locator('[data-testid="sample"]').evaluateAll((els) => els.map((e) => [e.getAttribute('data-index') ?? '', e.getAttribute('data-predicted') ?? ''] as const));
    return new Map(cells);
  }

  /** The softmax bars' probabilities and the class the panel marks as its answer, once the panel shows its answer for `index`. */
  async function answerFor(panel: FrameLocator, index: string): Promise<{ probabilities: number[]; predicted: string }> {
    await panel.locator(`[data-testid="inside-digit"][data-index="${index}"].chosen`).waitFor({ state: 'attached', timeout: UI_TIMEOUT_MS });
    await panel.locator('[data-testid="inside-status"][data-state="done"]').waitFor({ state: 'attached', timeout: 60_000 });
    await panel.locator(`[data-testid="inside-answer"][data-index="${index}"]`).waitFor({ state: 'attached', timeout: 60_000 });
    const probabilities = await panel.locator('[data-testid="softmax-bar"]').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-probability'))));
    const predicted = (await panel.locator('[data-testid="softmax-bars"]').getAttribute('data-predicted')) ?? '';
    return { probabilities, predicted };
  }

  before(async () => {
    server = await startCodeServer({ vsix: [vsix!], files: { 'mnist.config.json': CNN_CONFIG } });
    browser = await launchBrowser();
    page = await openWorkbench(browser, server, { activityBarItem: 'MNIST' });
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  test('the palette lists MNIST: Look Inside Model', async () => {
    const labels = await paletteLabels(page, 'MNIST: Look Inside', 'MNIST: Look Inside Model');
    assert.equal(labels[0], 'MNIST: Look Inside Model');
    await page.keyboard.press('Escape');
  });

  test('after training the CNN preset: every layer, the filters, saliency and Grad-CAM; a channel up close', () => onScreen(page, 'inside', async () => {
    await runCommand(page, 'MNIST: Train');
    // Train brings the Dashboard into view; clicking the MNIST icon as it does could close the sidebar.
    const view = await webviewFrame(page, { extensionId: EXTENSION_ID, where: 'sidebar' }, TRAIN_TIMEOUT_MS);
    await view.locator('[data-testid="status"][data-status="completed"]').waitFor({ state: 'attached', timeout: TRAIN_TIMEOUT_MS });
    const predictions = await dashboardPredictions(view);
    assert.ok(predictions.size >= 16, `the Dashboard's sample grid: ${predictions.size} digits`);

    // The Dashboard's button on the finished run opens the panel in the editor area.
    await view.locator('[data-testid="look-inside"]').click();
    const panel = await webviewFrame(page, { extensionId: EXTENSION_ID, where: 'editor' });
    const [first] = predictions.keys();
    const answer = await answerFor(panel, first);

    const channels = async (className: string) => panel.locator(`[data-testid="layer"][data-class-name="${className}"]`).evaluateAll((els) =>
      els.map((e) => e.querySelectorAll('[data-testid="channel"]').length));
    assert.deepEqual(await channels('Conv2D'), [32, 64], 'Conv2D channel heatmaps');
    assert.deepEqual(await channels('MaxPooling2D'), [32, 64], 'MaxPooling2D channel heatmaps');
    assert.equal(await panel.locator('[data-testid="channel"]').count(), 32 + 32 + 64 + 64);
    const order = await panel.locator('[data-testid="layer"]').evaluateAll((els) => els.map((e) => `${e.getAttribute('data-class-name')}:${e.getAttribute('data-kind')}`));
    assert.deepEqual(order, ['Conv2D:values', 'MaxPooling2D:values', 'Conv2D:values', 'MaxPooling2D:values', 'Flatten:reshape', 'Dropout:identity', 'Dense:values']);
    assert.match(await panel.locator('[data-class-name="Dropout"] [data-testid="layer-note"]').innerText(), /identity at inference/);
    assert.equal(await panel.locator('[data-testid="layer-range"]').count(), 4, 'a colour scale with its range per conv/pool layer');

    assert.equal(answer.probabilities.length, 10);
    assert.ok(Math.abs(answer.probabilities.reduce((a, b) => a + b, 0) - 1) < 1e-3, `probabilities sum to 1: ${answer.probabilities}`);
    assert.equal(String(answer.probabilities.indexOf(Math.max(...answer.probabilities))), answer.predicted);
    assert.equal(answer.predicted, predictions.get(first), `the panel's answer for test digit #${first} is the Dashboard's`);

    assert.equal(await panel.locator('[data-testid="filters"] [data-testid="filter"]').count(), 32, 'the 32 first-layer filters');
    for (const map of ['saliency-map', 'grad-cam', 'input-image']) {
      const lit = await panel.locator(`[data-testid="${map}"]`).evaluate((c) => {
        const data = (c as HTMLCanvasElement).getContext('2d')!.getImageData(0, 0, 28, 28).data;
        return new Set(Array.from({ length: 784 }, (_, i) => `${data[i * 4]},${data[i * 4 + 1]},${data[i * 4 + 2]}`)).size;
      });
      assert.ok(lit > 10, `${map} is drawn (${lit} colours)`);
    }

    // A channel of the second conv layer, large: values on hover, its 3×3×32 filter, the dot product.
    await panel.locator('[data-testid="layer"][data-class-name="Conv2D"]').nth(1).locator('[data-testid="channel"]').nth(5).click();
    const detail = panel.locator('[data-testid="channel-detail"]');
    await detail.waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });
    assert.equal(await detail.getAttribute('data-channel'), '5');
    await detail.locator('[data-testid="detail-map"]').hover({ position: { x: 120, y: 120 } });
    assert.match(await detail.locator('[data-testid="detail-readout"]').innerText(), /^row \d+, column \d+: /);
    assert.equal(await detail.locator('[data-testid="detail-filter"]').getAttribute('data-size'), '3×3×32');
    assert.match(await detail.locator('[data-testid="dot-product"]').innerText(), /bias .* = /);
    await detail.scrollIntoViewIfNeeded();
    await screenshot(page, 'inside-detail');

    // Two more digits of the grid: the panel agrees with the Dashboard on each.
    for (const index of [...predictions.keys()].slice(1, 3)) {
      await panel.locator(`[data-testid="inside-digit"][data-index="${index}"]`).click();
      const a = await answerFor(panel, index);
      assert.equal(a.predicted, predictions.get(index), `test digit #${index}`);
    }
    // Any test digit by its index: one the run's log does not hold comes from the test set on disk.
    const logged = new Set(await panel.locator('[data-testid="inside-digit"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-index'))));
    const other = String([...Array(2000).keys()].find((i) => !logged.has(String(i))));
    await panel.locator('[data-testid="index-input"]').fill(other);
    await panel.locator('[data-testid="index-go"]').click();
    await panel.locator(`[data-testid="inside-answer"][data-index="${other}"]`).waitFor({ state: 'attached', timeout: 60_000 });
    assert.match(await panel.locator('[data-testid="inside-answer"]').innerText(), new RegExp(`test digit #${other}\\. Its label is \\d`));
    assert.equal(await panel.locator('[data-testid="softmax-bar"]').count(), 10);

    // Back to the first digit for the picture, without the notification toasts over it.
    await panel.locator(`[data-testid="inside-digit"][data-index="${first}"]`).click();
    await answerFor(panel, first);
    await runCommand(page, 'Notifications: Clear All Notifications').catch(() => undefined);
    await panel.locator('[data-testid="overview"]').scrollIntoViewIfNeeded();
    const shot = await screenshot(page, 'inside-model');
    // MNIST_E2E_DOCS=1 refreshes the README's picture of the panel.
    if (process.env.MNIST_E2E_DOCS === '1') {
      mkdirSync(join(repoRoot, 'docs'), { recursive: true });
      copyFileSync(shot, join(repoRoot, 'docs', 'inside-model.png'));
    }
  }));
});
