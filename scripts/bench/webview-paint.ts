// First paint of the Dashboard webview: the page the extension serves (renderWebviewHtml, the same
// CSP and nonce), dist/webview.js and webview.css from file: URLs, and a stand-in acquireVsCodeApi,
// in headless Chromium. Not VS Code (no webview iframe, no host round trip): the part the bundle's
// size and its start-up code decide. Prints JSON: { firstContentfulPaintMs: number[] }, one per fresh page.
//   node --import tsx scripts/bench/webview-paint.ts [--runs N] [--chromium PATH]
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { makeNonce, renderWebviewHtml } from '../../src/host/panels/webview-html';

const DIST = resolve(__dirname, '..', '..', 'dist');

async function main(): Promise<void> {
  const arg = (name: string) => process.argv[process.argv.indexOf(name) + 1];
  const runs = process.argv.includes('--runs') ? Number(arg('--runs')) : 5;
  const executablePath = process.argv.includes('--chromium') ? arg('--chromium') : process.env.MNIST_E2E_CHROMIUM || '/usr/bin/chromium';
  const dir = mkdtempSync(join(tmpdir(), 'mnist-paint-'));
  const nonce = makeNonce();
  const html = renderWebviewHtml({
    cspSource: 'file:',
    scriptUri: pathToFileURL(join(DIST, 'webview.js')).href,
    styleUri: pathToFileURL(join(DIST, 'webview.css')).href,
    nonce,
    title: 'MNIST Training',
  }).replace(
    `<script nonce="${nonce}"`,
    `<script nonce="${nonce}">window.acquireVsCodeApi = () => ({ postMessage() {}, getState() { return undefined; }, setState() {} });</script>\n<script nonce="${nonce}"`,
  );
  const page = join(dir, 'webview.html');
  writeFileSync(page, html);
  const browser = await chromium.launch({ executablePath, args: ['--headless', '--no-sandbox', '--disable-gpu', '--allow-file-access-from-files'], timeout: 60_000 });
  const result = { firstContentfulPaintMs: [] as number[] };
  try {
    for (let i = 0; i < runs; i++) {
      // A fresh context each time: no cache, as a webview that is opened for the first time.
      const context = await browser.newContext({ viewport: { width: 400, height: 900 } });
      const tab = await context.newPage();
      await tab.goto(pathToFileURL(page).href, { waitUntil: 'load' });
      await tab.waitForSelector('[data-testid="empty-state"]');
      // Paint entries are queued after the frame is drawn: observe rather than poll.
      const fcp = await tab.evaluate(
        () =>
          new Promise<number>((done) =>
            new PerformanceObserver((list, observer) => {
              const entry = list.getEntriesByName('first-contentful-paint')[0];
              if (!entry) return;
              observer.disconnect();
              done(entry.startTime);
            }).observe({ type: 'paint', buffered: true }),
          ),
      );
      result.firstContentfulPaintMs.push(fcp);
      await context.close();
    }
  } finally {
    await browser.close();
    rmSync(dir, { recursive: true, force: true });
  }
  process.stdout.write(JSON.stringify(result) + '\n');
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
