// End-to-end harness: a real VS Code (code-server, from npm) on 127.0.0.1, driven by Debian's
// Chromium through playwright-core. Every wait is on something a person would see, bounded in time.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { chromium, type Browser, type Frame, type FrameLocator, type Page } from 'playwright-core';
import type { RunSummary } from '../../src/shared/protocol';

export const repoRoot = resolve(__dirname, '..', '..');
/** Gitignored (the repo's .gitignore has `screenshots/`). */
export const screenshotDir = process.env.MNIST_E2E_SCREENSHOTS || join(repoRoot, 'test', 'e2e', 'screenshots');

export const STARTUP_TIMEOUT_MS = 90_000;
const INSTALL_EXTENSION_TIMEOUT_MS = 120_000;
const STOP_TIMEOUT_MS = 10_000;
/** Default bound for waits on the UI. */
export const UI_TIMEOUT_MS = 30_000;

/** Appends a timing to MNIST_E2E_TIMINGS (a JSON-lines file scripts/e2e/run.mjs summarizes), and says it. */
export function recordTiming(what: string, seconds: number): void {
  console.log(`${what}: ${seconds.toFixed(1)} s`);
  if (process.env.MNIST_E2E_TIMINGS) appendFileSync(process.env.MNIST_E2E_TIMINGS, JSON.stringify({ what, seconds }) + '\n');
}

export const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

/** Where code-server's entry script is: MNIST_E2E_CODE_SERVER (set by scripts/e2e/run.mjs), else the cache's default (as scripts/e2e/install-code-server.mjs puts it). */
export function codeServerEntry(): string {
  const fromEnv = process.env.MNIST_E2E_CODE_SERVER;
  if (fromEnv) return fromEnv;
  const cache = process.env.MNIST_E2E_CACHE
    || join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'mnist-trainer-e2e');
  const version = process.env.MNIST_E2E_CODE_SERVER_VERSION || '4.100.3';
  return join(cache, `code-server-${version}`, 'node_modules', 'code-server', 'out', 'node', 'entry.js');
}

/** Null when the e2e suite can run here, else one line saying what is missing (for `t.skip`). */
export function missingPrerequisite(): string | null {
  if (!existsSync(codeServerEntry())) return `code-server is not installed at ${codeServerEntry()}: run node scripts/e2e/install-code-server.mjs (or npm run test:e2e)`;
  if (!existsSync(chromiumPath())) return `${chromiumPath()} is absent: apt-get install -y chromium`;
  return null;
}

export function chromiumPath(): string {
  return process.env.MNIST_E2E_CHROMIUM || '/usr/bin/chromium';
}

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

export interface CodeServerOptions {
  /** .vsix files to install before start. */
  vsix?: string[];
  /** Files to write into the workspace folder: relative path → content. */
  files?: Record<string, string>;
  /** Extra user settings, merged over the harness's quiet defaults. */
  settings?: Record<string, unknown>;
  /** Keep the temp folder after stop (to look at logs). Default: MNIST_E2E_KEEP=1. */
  keep?: boolean;
  /**
   * Workspace Trust on (the workspace starts in restricted mode, behind VS Code's trust dialog).
   * Default off (`--disable-workspace-trust`): everything is trusted, as a user who said "Yes, I trust
   * the authors" sees it; our extension needs trust to train.
   */
  workspaceTrust?: boolean;
}

export interface CodeServer {
  url: string;
  port: number;
  /** The opened workspace folder. */
  workspace: string;
  /** http://127.0.0.1:PORT/?folder=<workspace> */
  workspaceUrl: string;
  /** The temp folder holding workspace, user data, extensions and logs. */
  root: string;
  userDataDir: string;
  extensionsDir: string;
  /** code-server's stdout+stderr so far. */
  output(): string;
  /** Seconds from spawn until it answered. */
  startupSeconds: number;
  /** Kills the whole process group; idempotent. */
  stop(): Promise<void>;
}

// Quiet defaults: nothing that pops over the workbench or talks to the network.
const DEFAULT_SETTINGS: Record<string, unknown> = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'git.enabled': false,
  'chat.commandCenter.enabled': false,
};

const live = new Set<() => void>();
// Last resort when a test crashes past its `after`, or the run is interrupted (scripts/e2e/run.mjs
// sends SIGTERM on its timeout): code-server runs in a group of its own, so kill it here.
process.once('exit', () => { for (const kill of live) kill(); });
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => { for (const kill of live) kill(); process.exit(128 + (signal === 'SIGINT' ? 2 : 15)); });
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try { process.kill(-child.pid, signal); } catch { /* the group is gone */ }
}

function groupAlive(pid: number): boolean {
  try { process.kill(-pid, 0); return true; } catch { return false; }
}

/** Runs the code-server CLI (not the server) with the harness's folders, bounded. */
function codeServerCli(args: string[], env: NodeJS.ProcessEnv, timeout: number): string {
  const r = spawnSync(process.execPath, [codeServerEntry(), ...args], { encoding: 'utf8', env, timeout, killSignal: 'SIGKILL' });
  const out = `${r.stdout ?? ''}${r.stderr ?? ''}`;
  if (r.error) throw new Error(`code-server ${args.join(' ')}: ${r.error.message}\n${out}`);
  if (r.status !== 0) throw new Error(`code-server ${args.join(' ')} exited with ${r.status}\n${out}`);
  return out;
}

/**
 * Installs the .vsix files into fresh folders, starts code-server on 127.0.0.1 (free port, no auth,
 * no telemetry, no update check, workspace trust off) and waits until it answers (90 s at most).
 */
export async function startCodeServer(options: CodeServerOptions = {}): Promise<CodeServer> {
  const entry = codeServerEntry();
  if (!existsSync(entry)) throw new Error(`code-server not found at ${entry}`);
  const root = mkdtempSync(join(tmpdir(), 'mnist-e2e-'));
  const workspace = join(root, 'workspace');
  const userDataDir = join(root, 'user-data');
  const extensionsDir = join(root, 'extensions');
  for (const dir of [workspace, join(userDataDir, 'User'), extensionsDir]) mkdirSync(dir, { recursive: true });
  for (const [path, content] of Object.entries(options.files ?? {})) {
    mkdirSync(dirname(join(workspace, path)), { recursive: true });
    writeFileSync(join(workspace, path), content);
  }
  writeFileSync(join(userDataDir, 'User', 'settings.json'),
    JSON.stringify({ ...DEFAULT_SETTINGS, 'security.workspace.trust.enabled': !!options.workspaceTrust, ...options.settings }, null, 2));

  // code-server keeps its own config and state under XDG folders: keep them in the temp folder too.
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    XDG_CONFIG_HOME: join(root, 'xdg-config'),
    XDG_DATA_HOME: join(root, 'xdg-data'),
    XDG_CACHE_HOME: join(root, 'xdg-cache'),
    TMPDIR: join(root, 'tmp'),
  };
  mkdirSync(env.TMPDIR!, { recursive: true });
  const dirs = ['--user-data-dir', userDataDir, '--extensions-dir', extensionsDir];
  const installStarted = Date.now();
  for (const vsix of options.vsix ?? []) {
    codeServerCli(['--install-extension', vsix, ...dirs], env, INSTALL_EXTENSION_TIMEOUT_MS);
  }
  if (options.vsix?.length) recordTiming('extension installed into code-server', (Date.now() - installStarted) / 1000);

  const port = await freePort();
  const args = [
    entry,
    '--bind-addr', `127.0.0.1:${port}`,
    '--auth', 'none',
    '--disable-telemetry',
    '--disable-update-check',
    ...(options.workspaceTrust ? [] : ['--disable-workspace-trust']),
    '--disable-getting-started-override',
    '--config', join(root, 'config.yaml'),
    ...dirs,
    workspace,
  ];
  const started = Date.now();
  // Its own process group, so stop() reaches the extension host, the trainer and anything else it forks.
  const child = spawn(process.execPath, args, { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => { output += d.toString(); });
  child.stderr!.on('data', (d: Buffer) => { output += d.toString(); });
  let exited: string | null = null;
  const exitPromise = new Promise<void>((resolveExit) => {
    child.once('exit', (code, signal) => { exited = `exited with ${code ?? signal}`; resolveExit(); });
  });
  const keep = options.keep ?? process.env.MNIST_E2E_KEEP === '1';
  const hardKill = () => killGroup(child, 'SIGKILL');
  const lastResort = () => { hardKill(); if (!keep) rmSync(root, { recursive: true, force: true }); };
  live.add(lastResort);

  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    killGroup(child, 'SIGTERM');
    const deadline = Date.now() + STOP_TIMEOUT_MS;
    await Promise.race([exitPromise, new Promise((r) => setTimeout(r, STOP_TIMEOUT_MS))]);
    // The leader may be gone while children of the group linger: wait for the whole group, then force.
    while (child.pid !== undefined && groupAlive(child.pid) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
    }
    live.delete(lastResort);
    lastResort();
  };

  const url = `http://127.0.0.1:${port}`;
  try {
    await waitForHttp(`${url}/healthz`, () => exited, () => output);
  } catch (e) {
    await stop();
    throw e;
  }
  const startupSeconds = (Date.now() - started) / 1000;
  recordTiming(`code-server answering at ${url}`, startupSeconds);
  return {
    url, port, workspace, root, userDataDir, extensionsDir,
    workspaceUrl: `${url}/?folder=${encodeURIComponent(workspace)}`,
    output: () => output,
    startupSeconds,
    stop,
  };
}

async function waitForHttp(url: string, exited: () => string | null, output: () => string): Promise<void> {
  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  let last = '';
  while (Date.now() < deadline) {
    const why = exited();
    if (why) throw new Error(`code-server ${why} before answering\n${output()}`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      if (res.ok) return;
      last = `HTTP ${res.status}`;
    } catch (e) {
      last = e instanceof Error ? e.message : String(e);
    }
    await new Promise((r) => setTimeout(r, 200)); // polling interval, not a wait for the UI
  }
  throw new Error(`code-server did not answer ${url} within ${STARTUP_TIMEOUT_MS / 1000} s (last: ${last})\n${output()}`);
}

export async function launchBrowser(): Promise<Browser> {
  const started = Date.now();
  const browser = await chromium.launch({ executablePath: chromiumPath(), args: CHROMIUM_ARGS, timeout: 60_000 });
  recordTiming('chromium launched', (Date.now() - started) / 1000);
  return browser;
}

/**
 * Opens the workspace in a new page (1400×900) and waits for the workbench, then, when given, for a
 * view container's activity-bar icon: the sign that the extension's contributions are registered.
 */
export async function openWorkbench(browser: Browser, server: CodeServer, options: { activityBarItem?: string } = {}): Promise<Page> {
  const started = Date.now();
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const page = await context.newPage();
  page.setDefaultTimeout(UI_TIMEOUT_MS);
  await page.goto(server.workspaceUrl, { timeout: 60_000 });
  await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: 60_000 });
  recordTiming('workbench shown', (Date.now() - started) / 1000);
  if (options.activityBarItem) {
    await activityBarItem(page, options.activityBarItem).waitFor({ state: 'visible', timeout: 60_000 });
    recordTiming(`"${options.activityBarItem}" in the activity bar`, (Date.now() - started) / 1000);
  }
  return page;
}

const quickInput = (page: Page) => page.locator('.quick-input-widget');
const quickInputBox = (page: Page) => quickInput(page).locator('.quick-input-box input');
const quickRows = (page: Page) => quickInput(page).locator('.quick-input-list .monaco-list-row');

/** The labels of the quick pick's rows, top to bottom (rows are virtualized: sorted by data-index). */
export async function quickPickLabels(page: Page): Promise<string[]> {
  return quickRows(page).evaluateAll((rows) => rows
    .map((row) => ({
      index: Number(row.getAttribute('data-index')),
      label: (row.querySelector('.label-name')?.textContent ?? row.getAttribute('aria-label') ?? '').trim(),
    }))
    .sort((a, b) => a.index - b.index)
    .map((r) => r.label));
}

/** Opens the command palette; types `query` (without the `>`). */
export async function openCommandPalette(page: Page, query: string): Promise<void> {
  if (await quickInput(page).isVisible()) {
    await page.keyboard.press('Escape');
    await quickInput(page).waitFor({ state: 'hidden', timeout: 5_000 });
  }
  await page.keyboard.press('F1');
  try {
    await quickInputBox(page).waitFor({ state: 'visible', timeout: 5_000 });
  } catch {
    await page.keyboard.press('Control+Shift+P');
    await quickInputBox(page).waitFor({ state: 'visible', timeout: 10_000 });
  }
  await quickInputBox(page).fill(`>${query}`);
}

function exactText(text: string): RegExp {
  return new RegExp(`^\\s*${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*$`);
}

/**
 * Opens the palette, types `query` and waits until a row labelled exactly `expect` (else any row)
 * is listed. The palette filters once, when typed: commands contributed by an extension that the
 * remote extension host has not registered yet never appear in an open palette, so it is closed
 * and typed again (each try bounded) until `timeout`.
 */
async function typeInPalette(page: Page, query: string, expect: string | undefined, timeout: number): Promise<void> {
  const deadline = Date.now() + timeout;
  let seen: string[] = [];
  for (let attempt = 0; ; attempt++) {
    await openCommandPalette(page, query);
    const row = expect
      ? quickRows(page).locator('.label-name', { hasText: exactText(expect) }).first()
      : quickRows(page).first();
    try {
      await row.waitFor({ state: 'visible', timeout: Math.max(500, Math.min(attempt === 0 ? 3_000 : 5_000, deadline - Date.now())) });
      return;
    } catch {
      seen = await quickPickLabels(page).catch(() => []);
      await page.keyboard.press('Escape');
      if (Date.now() >= deadline) break;
    }
  }
  throw new Error(`command palette: no "${expect ?? 'row'}" for "${query}" within ${timeout / 1000} s; shown: ${JSON.stringify(seen)}`);
}

/** Types `query` in the command palette; returns every label shown, top first; closes the palette. */
export async function paletteLabels(page: Page, query: string, expect?: string, timeout = UI_TIMEOUT_MS): Promise<string[]> {
  await typeInPalette(page, query, expect, timeout);
  const labels = await quickPickLabels(page);
  await page.keyboard.press('Escape');
  await quickInput(page).waitFor({ state: 'hidden', timeout: 5_000 });
  return labels;
}

/**
 * Runs a command the way a person does: F1, type `label`, Enter on the first match. Throws (and
 * runs nothing) when the first match is not `label`. Returns the labels that were shown, top first.
 */
export async function runCommand(page: Page, label: string, timeout = UI_TIMEOUT_MS): Promise<string[]> {
  await typeInPalette(page, label, label, timeout);
  const labels = await quickPickLabels(page);
  if (labels[0] !== label) {
    await page.keyboard.press('Escape');
    throw new Error(`command palette: first match for "${label}" is "${labels[0]}", not the command (shown: ${JSON.stringify(labels)})`);
  }
  await page.keyboard.press('Enter');
  await quickInput(page).waitFor({ state: 'hidden', timeout: 5_000 });
  return labels;
}

export interface WebviewQuery {
  /** `publisher.name`: webview iframes carry `extensionId=<id>` in their src. */
  extensionId?: string;
  /** Where on screen: the primary sidebar, the editor area (a panel from createWebviewPanel), the bottom panel, the secondary sidebar. */
  where?: 'sidebar' | 'editor' | 'panel' | 'auxiliarybar';
}

/**
 * The outer iframe of a webview: the first visible one that matches, once there is one. The DOM
 * does not carry a view's id (`mnist.trainingView`): VS Code names the iframe by a uuid, puts
 * `extensionId` in its src, and lays it over the part that shows it (it is not inside that part in
 * the DOM, and `purpose=webviewView` is gone from the src after a hide/show), so `where` compares
 * positions.
 */
async function outerWebview(page: Page, { extensionId, where }: WebviewQuery, timeout: number) {
  const selector = extensionId ? `iframe.webview[src*="extensionId=${extensionId}&"]` : 'iframe.webview';
  const handle = await page.waitForFunction(([sel, partSel]) => {
    const part = partSel ? document.querySelector(partSel)?.getBoundingClientRect() : undefined;
    if (partSel && !part) return 0;
    const index = Array.from(document.querySelectorAll(sel)).findIndex((frame) => {
      const r = frame.getBoundingClientRect();
      if (r.width === 0 || r.height === 0 || !frame.checkVisibility({ visibilityProperty: true })) return false;
      if (!part) return true;
      const x = r.left + r.width / 2;
      const y = r.top + r.height / 2;
      return x >= part.left && x <= part.right && y >= part.top && y <= part.bottom;
    });
    return index + 1; // 0 (not found) keeps waitForFunction waiting
  }, [selector, where ? `.part.${where}` : ''] as const, { timeout });
  const index = (await handle.jsonValue()) - 1;
  await handle.dispose();
  return page.locator(selector).nth(index);
}

/**
 * The content of a webview: an iframe (`iframe.webview`, VS Code's host page) inside which
 * `iframe#active-frame` holds the extension's HTML. A FrameLocator re-resolves on each use, so it
 * survives VS Code swapping the inner frame when the HTML is set again. Waits until the content has
 * a body.
 */
export async function webviewFrame(page: Page, query: WebviewQuery = {}, timeout = UI_TIMEOUT_MS): Promise<FrameLocator> {
  const outer = await outerWebview(page, query, timeout);
  const inner = outer.contentFrame().locator('iframe#active-frame').contentFrame();
  await inner.locator('body').waitFor({ state: 'attached', timeout });
  return inner;
}

/** The same content as a Frame, for `evaluate`/`waitForFunction` (valid until VS Code replaces the inner frame). */
export async function webviewContentFrame(page: Page, query: WebviewQuery = {}, timeout = UI_TIMEOUT_MS): Promise<Frame> {
  const outerHandle = await (await outerWebview(page, query, timeout)).elementHandle({ timeout });
  const outer = await outerHandle.contentFrame();
  if (!outer) throw new Error('webview: the outer iframe has no frame');
  const innerHandle = await outer.waitForSelector('iframe#active-frame', { state: 'attached', timeout });
  const inner = await innerHandle.contentFrame();
  if (!inner) throw new Error('webview: iframe#active-frame has no frame');
  await inner.waitForSelector('body', { state: 'attached', timeout });
  return inner;
}

/** A view container's icon in the activity bar, by its title ("MNIST"); it appears once the extension's contributions are registered. */
export function activityBarItem(page: Page, title: string) {
  return page.locator(`.activitybar .action-item a.action-label[aria-label="${title}"], .activitybar .action-item a.action-label[aria-label^="${title} ("]`).first();
}

/** Opens a view container from the activity bar by its title, and waits for the sidebar to show it. */
export async function openViewContainer(page: Page, title: string): Promise<void> {
  const item = activityBarItem(page, title);
  await item.waitFor({ state: 'visible' });
  if (await item.locator('xpath=..').getAttribute('aria-selected') !== 'true') {
    await item.click();
    await page.mouse.move(700, 450); // off the icon, so its hover label is not in screenshots
  }
  await page.locator('.part.sidebar .composite.title .title-label h2', { hasText: title }).first().waitFor({ state: 'visible' });
}

/** The text of the notification toasts now on screen. */
export async function notifications(page: Page): Promise<string[]> {
  return page.locator('.notifications-toasts .notification-list-item-message').allInnerTexts();
}

/** Saves a full-window PNG into the gitignored screenshot folder; returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(screenshotDir, { recursive: true });
  const path = join(screenshotDir, `${name.replace(/[^\w.-]+/g, '-')}.png`);
  await page.screenshot({ path });
  return path;
}

/** Quick Open, as a person opens a file; the editor then has the keyboard. */
export async function openFile(page: Page, name: string): Promise<void> {
  await page.keyboard.press('Control+P');
  const input = page.locator('.quick-input-widget .quick-input-box input');
  await input.waitFor({ state: 'visible' });
  await input.fill(name);
  await page.locator('.quick-input-widget .monaco-list-row', { hasText: name }).first().waitFor({ state: 'visible' });
  await page.keyboard.press('Enter');
  await page.locator('.tabs-container .tab.active', { hasText: name }).waitFor({ state: 'visible' });
}

/** The run folders in the workspace's runs folder, oldest first (none before the first run). */
export function runFolders(server: CodeServer): string[] {
  const dir = join(server.workspace, '.mnist', 'runs');
  return existsSync(dir) ? readdirSync(dir).sort() : [];
}

/** A run's summary.json, as the trainer wrote it. */
export function runSummary(server: CodeServer, run: string): RunSummary {
  return JSON.parse(readFileSync(join(server.workspace, '.mnist', 'runs', run, 'summary.json'), 'utf8')) as RunSummary;
}

/** The train and validation curves a Dashboard chart draws (its data-series attribute): y values in order. */
export async function chartCurves(view: FrameLocator, chart: 'accuracy-chart' | 'loss-chart'): Promise<{ train?: number[]; validation?: number[] }> {
  const series = JSON.parse((await view.locator(`[data-testid="${chart}"]`).getAttribute('data-series')) ?? '[]') as { name: string; data: { value: [number, number] }[] }[];
  const byName = (re: RegExp) => series.find((s) => re.test(s.name))?.data.map((p) => p.value[1]);
  return { train: byName(/^train/i), validation: byName(/^validation/i) };
}

/** Runs a test's body; when it fails, a screenshot of what was on screen is saved first. */
export async function onScreen(page: Page, name: string, body: () => Promise<void>): Promise<void> {
  try {
    await body();
  } catch (err) {
    await screenshot(page, `failed-${name}`).catch(() => undefined);
    throw err;
  }
}
