// Not part of the suite (no .test.ts): records what VS Code's command palette lists, in order, for
// manifests of the shape ours may take. One fresh code-server per variant (fresh history).
// Run: node --import tsx --test test/e2e/palette-order.explore.ts
import { rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { after, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { launchBrowser, missingPrerequisite, openWorkbench, paletteLabels, runCommand, startCodeServer } from './harness';
import { buildSmokeVsix, type SmokeCommand, type SmokeOptions } from './smoke-extension';

const TRAIN = { command: 'mnist.train', title: 'Train' };
const manifest = (stop: SmokeCommand, panel: string): SmokeCommand[] => [
  TRAIN, stop,
  { command: 'mnist.createConfig', title: 'Create Config' },
  { command: 'mnist.showPanel', title: panel },
  { command: 'mnist.openRun', title: 'Open Run…' },
];

const variants: Record<string, SmokeOptions> = {
  'Train + Stop Training, view Dashboard': { commands: [TRAIN, { command: 'mnist.stop', title: 'Stop Training' }] },
  'Train only, view Dashboard': { commands: [TRAIN] },
  'Train only, view Training': { commands: [TRAIN], viewName: 'Training' },
  'five commands as in package.json today, Stop visible': { commands: manifest({ command: 'mnist.stop', title: 'Stop Training' }, 'Show Training Panel') },
  'five commands as in package.json today, Stop when mnist.training (idle)': { commands: manifest({ command: 'mnist.stop', title: 'Stop Training', when: 'mnist.training' }, 'Show Training Panel') },
  'renamed: Stop, Show Panel': { commands: manifest({ command: 'mnist.stop', title: 'Stop' }, 'Show Panel') },
};

const queries = ['MNIST: Train', 'MNIST: Tr', 'Train', 'MNIST:'];
let browser: Browser | undefined;
after(async () => { await browser?.close(); });

for (const [name, options] of Object.entries(variants)) {
  test(name, { skip: missingPrerequisite() ?? false, timeout: 180_000 }, async (t) => {
    browser ??= await launchBrowser();
    const vsix = buildSmokeVsix(options);
    const server = await startCodeServer({ vsix: [vsix] });
    try {
      const page = await openWorkbench(browser, server);
      for (const query of queries) {
        t.diagnostic(`${JSON.stringify(query)} → ${JSON.stringify(await paletteLabels(page, query, 'MNIST: Train'))}`);
      }
      // "recently used": after Train has run once (picked with the arrow keys if it is not first).
      const labels = await paletteLabels(page, 'MNIST: Train', 'MNIST: Train');
      if (labels[0] === 'MNIST: Train') {
        await runCommand(page, 'MNIST: Train');
      } else {
        await page.keyboard.press('F1');
        await page.locator('.quick-input-box input').fill('>MNIST: Train');
        await page.locator('.quick-input-list .monaco-list-row .label-name', { hasText: /^MNIST: Train$/ }).click();
      }
      await page.locator('.notifications-toasts', { hasText: 'Smoke: Train ran 1' }).waitFor({ state: 'visible' });
      for (const query of ['MNIST: Train', 'MNIST: Tr', 'MNIST:']) {
        t.diagnostic(`after running Train once: ${JSON.stringify(query)} → ${JSON.stringify(await paletteLabels(page, query, 'MNIST: Train'))}`);
      }
    } finally {
      await server.stop();
      rmSync(dirname(vsix), { recursive: true, force: true });
    }
  });
}
