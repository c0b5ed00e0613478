// `npm run screenshots`: the README's pictures, taken in a real VS Code (code-server 4.100) in the
// light and the dark theme, written to docs/. Not part of the suite (not *.test.ts). Two runs are
// trained first with the built mnist-train on the bundled digits, then shown as a user opens them:
// a completed run's curves, its evaluation, the Runs view, and Compare.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import {
  UI_TIMEOUT_MS, launchBrowser, missingPrerequisite, openCommandPalette, openViewContainer, openWorkbench, quickPickLabels, repoRoot, runCommand,
  startCodeServer, webviewFrame, type CodeServer,
} from './harness';

const EXTENSION_ID = 'mnist-trainer.mnist-trainer';
const vsix = process.env.MNIST_E2E_VSIX;
const skip = missingPrerequisite() ?? (vsix && existsSync(vsix) ? false : 'no mnist-trainer.vsix (npm run package; scripts/e2e/run.mjs does it)');
const DOCS = process.env.MNIST_DOCS_DIR ?? join(repoRoot, 'docs');
const THEMES = { light: 'Default Light Modern', dark: 'Default Dark Modern' } as const;

/** Two finished runs (the tutorial's mlp, and with dropout), made once for both themes. */
function trainRuns(): string {
  const dir = mkdtempSync(join(tmpdir(), 'mnist-docs-runs-'));
  for (const preset of ['mlp', 'mlp-dropout']) {
    execFileSync(process.execPath, [join(repoRoot, 'dist', 'cli.js'), '--dataset', 'mnist-sample', '--preset', preset, '--epochs', '4', '--backend', 'wasm', '--out', join(dir, 'runs')], {
      cwd: dir,
      stdio: 'ignore',
      env: { ...process.env, XDG_CACHE_HOME: join(dir, 'cache') },
    });
  }
  return join(dir, 'runs');
}

async function shoot(page: Page, name: string): Promise<void> {
  await page.mouse.move(700, 880); // no hover label over what is shown
  mkdirSync(DOCS, { recursive: true });
  await page.screenshot({ path: join(DOCS, `${name}.png`) });
}

/** A quick pick opened from the palette: its rows, once the command has put them up. */
async function commandWithPick(page: Page, label: string, title: string): Promise<void> {
  await openCommandPalette(page, label);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: label }).first().waitFor({ state: 'visible' });
  await page.keyboard.press('Enter');
  await page.locator('.quick-input-widget .quick-input-title', { hasText: title }).waitFor({ state: 'visible' });
}

describe('README screenshots', { skip, timeout: 900_000 }, () => {
  let runs: string;
  let browser: Browser;
  before(async () => {
    runs = trainRuns();
    assert.equal(readdirSync(runs).length, 2);
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
  });

  for (const [theme, colorTheme] of Object.entries(THEMES)) {
    test(`${theme} theme`, async () => {
      const server: CodeServer = await startCodeServer({
        vsix: [vsix!],
        files: { 'mnist.config.json': '{ "dataset": "mnist-sample", "training": { "epochs": 4 } }\n' },
        settings: { 'workbench.colorTheme': colorTheme },
      });
      let page: Page | undefined;
      try {
        cpSync(runs, join(server.workspace, '.mnist', 'runs'), { recursive: true });
        page = await openWorkbench(browser, server, { activityBarItem: 'MNIST' });
        await page.bringToFront();
        await page.locator('.part.editor').click(); // the keyboard in the workbench, for the palette
        const [first] = readdirSync(runs).sort();

        // A completed run: the Dashboard in an editor tab beside the config, the Runs view in the sidebar.
        await openCommandPalette(page, '');
        await page.locator('.quick-input-widget .quick-input-box input').fill('mnist.config.json'); // without ">": Quick Open
        await page.locator('.quick-input-widget .monaco-list-row', { hasText: 'mnist.config.json' }).first().waitFor({ state: 'visible' });
        await page.keyboard.press('Enter');
        await page.locator('.tabs-container .tab.active', { hasText: 'mnist.config.json' }).waitFor({ state: 'visible' });
        await commandWithPick(page, 'MNIST: Open Run…', 'MNIST: Open Run');
        await page.locator('.quick-input-widget .quick-input-box input').fill(first);
        await page.locator('.quick-input-list .monaco-list-row', { hasText: first }).first().waitFor({ state: 'visible' });
        await page.keyboard.press('Enter');
        // Open Run focuses the sidebar's Dashboard, whose webview then has the keyboard: take it back.
        const sidebar = await webviewFrame(page, { extensionId: EXTENSION_ID, where: 'sidebar' });
        await sidebar.locator('[data-testid="status"][data-status="completed"]').waitFor({ state: 'attached', timeout: UI_TIMEOUT_MS });
        await page.locator('.editor-instance .monaco-editor').first().click();
        await runCommand(page, 'MNIST: Show Dashboard in Editor');
        const panel = await webviewFrame(page, { extensionId: EXTENSION_ID, where: 'editor' });
        await panel.locator('[data-testid="status"][data-status="completed"]').waitFor({ state: 'attached', timeout: UI_TIMEOUT_MS });
        await panel.locator('[data-testid="accuracy-chart"] canvas, [data-testid="accuracy-chart"] svg').first().waitFor({ state: 'visible' });
        await openViewContainer(page, 'MNIST');
        await page.locator('.sidebar .monaco-list-row', { hasText: 'mlp-dropout' }).first().waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });
        await shoot(page, `dashboard-${theme}`);
        await panel.locator('[data-testid="confusion-table"]').scrollIntoViewIfNeeded();
        await panel.locator('[data-testid="confusion-table"]').waitFor({ state: 'visible' });
        await shoot(page, `evaluation-${theme}`);
        await page.locator('.editor-instance .monaco-editor').first().click(); // the keyboard back to the workbench
        await runCommand(page, 'View: Close All Editors');

        // Compare: both runs, picked in the quick pick.
        await commandWithPick(page, 'MNIST: Compare Runs', 'MNIST: Compare Runs');
        assert.ok((await quickPickLabels(page)).length >= 2);
        for (const run of readdirSync(runs)) await page.locator('.quick-input-list .monaco-list-row', { hasText: run }).first().click(); // ticks it
        await page.keyboard.press('Enter');
        const compare = await webviewFrame(page, { extensionId: EXTENSION_ID, where: 'editor' });
        await compare.locator('[data-testid="compare-table"]').waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });
        await compare.locator('[data-testid="chart-valAcc"] canvas, [data-testid="chart-valAcc"] svg').first().waitFor({ state: 'visible' });
        await shoot(page, `compare-${theme}`);
      } catch (err) {
        await page?.screenshot({ path: join(repoRoot, 'test', 'e2e', 'screenshots', `failed-docs-${theme}.png`) }).catch(() => undefined);
        throw err;
      } finally {
        await page?.context().close();
        await server.stop();
      }
    });
  }
});
