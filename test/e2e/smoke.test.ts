// Proves the harness without our extension: a throwaway .vsix with the same contributions shape,
// installed into code-server, driven through Chromium.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import {
  launchBrowser, missingPrerequisite, recordTiming, notifications, openViewContainer, openWorkbench, paletteLabels, runCommand, screenshot,
  startCodeServer, webviewContentFrame, webviewFrame, type CodeServer,
} from './harness';
import { buildSmokeVsix, SMOKE_EXTENSION_ID } from './smoke-extension';

// As our package.json has it: Stop is in the palette only while training. Visible, "MNIST: Stop
// Training" would be listed above "MNIST: Train" for "MNIST: Train" (VS Code sorts matches by label;
// see palette-order.explore.ts).
const COMMANDS = [
  { command: 'mnist.train', title: 'Train' },
  { command: 'mnist.stop', title: 'Stop Training', when: 'mnist.training' },
];

const missing = missingPrerequisite();

describe('e2e harness smoke (throwaway extension)', { skip: missing ?? false, timeout: 240_000 }, () => {
  let server: CodeServer;
  let browser: Browser;
  let page: Page;
  let vsix: string | undefined;

  before(async () => {
    const started = Date.now();
    vsix = buildSmokeVsix({ commands: COMMANDS });
    recordTiming('smoke .vsix packaged', (Date.now() - started) / 1000);
    server = await startCodeServer({ vsix: [vsix], files: { 'mnist.config.json': '{ "model": { "preset": "mlp" } }\n' } });
    browser = await launchBrowser();
    page = await openWorkbench(browser, server, { activityBarItem: 'MNIST' });
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
    if (vsix) rmSync(dirname(vsix), { recursive: true, force: true });
  });

  // Before any command runs: "recently used" reorders the palette afterwards.
  test('the command palette lists MNIST: Train first for "MNIST: Train"', async (t) => {
    for (const query of ['MNIST: Train', 'MNIST: Tr', 'Train']) {
      const labels = await paletteLabels(page, query, 'MNIST: Train');
      t.diagnostic(`"${query}" → ${JSON.stringify(labels)}`);
      if (query === 'MNIST: Train') assert.equal(labels[0], 'MNIST: Train', `shown: ${JSON.stringify(labels)}`);
    }
    const all = await paletteLabels(page, 'MNIST:', 'MNIST: Train');
    t.diagnostic(`"MNIST:" → ${JSON.stringify(all)}`);
    assert.deepEqual(all.filter((l) => l.startsWith('MNIST:')), ['MNIST: Focus on Dashboard View', 'MNIST: Train']);
  });

  test('Enter on MNIST: Train runs it, and the webview shows its effect', async () => {
    await runCommand(page, 'MNIST: Train');
    await page.locator('.notifications-toasts', { hasText: 'Smoke: Train ran 1 time(s)' }).waitFor({ state: 'visible' });
    assert.ok((await notifications(page)).some((m) => m.includes('Smoke: Train ran 1 time(s)')));

    const view = await webviewFrame(page, { extensionId: SMOKE_EXTENSION_ID, where: 'sidebar' });
    await view.locator('#trains', { hasText: 'trains: 1' }).waitFor({ state: 'visible' });
    assert.equal(await view.locator('#title').innerText(), 'Smoke dashboard');

    // A canvas drawn by the webview's script is not blank.
    const frame = await webviewContentFrame(page, { extensionId: SMOKE_EXTENSION_ID, where: 'sidebar' });
    await frame.waitForFunction(() => {
      const c = document.querySelector<HTMLCanvasElement>('#digit');
      const data = c?.getContext('2d')?.getImageData(0, 0, c.width, c.height).data;
      return !!data && data.some((v, i) => i % 4 !== 3 && v > 0);
    }, undefined, { timeout: 10_000 });
    await screenshot(page, 'smoke-after-train');
  });

  test('a second Train replaces the webview content and the frame locator follows it', async () => {
    const labels = await runCommand(page, 'MNIST: Train');
    assert.equal(labels[0], 'MNIST: Train');
    const view = await webviewFrame(page, { extensionId: SMOKE_EXTENSION_ID, where: 'sidebar' });
    await view.locator('#trains', { hasText: 'trains: 2' }).waitFor({ state: 'visible' });
  });

  test('the view comes back from the activity bar after another container was shown', async () => {
    await openViewContainer(page, 'Explorer');
    await openViewContainer(page, 'MNIST');
    const view = await webviewFrame(page, { extensionId: SMOKE_EXTENSION_ID, where: 'sidebar' });
    await view.locator('#trains', { hasText: 'trains: 2' }).waitFor({ state: 'visible' });
    await screenshot(page, 'smoke-view-restored');
  });

  test('runCommand fails within its bound, saying what was shown, when the command is absent', async () => {
    await assert.rejects(runCommand(page, 'MNIST: No Such Command', 3_000), /no "MNIST: No Such Command" for/);
  });
});
