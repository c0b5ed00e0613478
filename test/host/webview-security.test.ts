// Every webview the extension creates, opened through activate() on the recording stand-in for VS Code:
// its HTML has a strict nonce CSP and its options let it load only the bundle; and hostile messages
// (malformed, unknown, oversized, cyclic, prototype tricks, paths) are ignored, logged to the MNIST
// output channel, and lead to no file read or write, no process and no command outside the extension's own.
import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { isAbsolute, join, relative, sep } from 'node:path';
import { afterEach, beforeEach, describe, test } from 'node:test';
import type { RunRecord } from '../../src/shared/run-record';
import { type FakePanel, type FakeTreeView, fakeVscode, installFakeVscode, resolveWebviewView, ui } from '../helpers/fake-vscode';
import { repoRoot } from '../helpers/paths';
import { fakeContext } from '../helpers/host';

// The modules themselves (not ES namespace copies), so the spies below see the host's calls.
const fs = require('node:fs') as typeof import('node:fs');
const childProcess = require('node:child_process') as typeof import('node:child_process');

installFakeVscode();
const extension = require('../../src/host/extension') as typeof import('../../src/host/extension');

const RECORDED = join(repoRoot, 'test', 'fixtures', 'run-history');
const DIST = join(repoRoot, 'dist');

let root: string;
let runsDir: string;
let context: { subscriptions: { dispose(): void }[] } & Record<string, unknown>;

beforeEach(() => {
  root = fs.mkdtempSync(join(tmpdir(), 'ws-sec-'));
  runsDir = join(root, '.mnist', 'runs');
  fs.mkdirSync(runsDir, { recursive: true });
  fs.cpSync(join(RECORDED, 'mlp-12-epochs'), join(runsDir, '2026-11-26_13-16-54_mlp'), { recursive: true });
  fs.cpSync(join(RECORDED, 'cnn-3-epochs'), join(runsDir, '2026-11-26_13-17-49_cnn'), { recursive: true });
  ui.reset(root);
  context = fakeContext(root);
  extension.activate(context as never);
});

afterEach(async () => {
  for (const d of context.subscriptions) d.dispose();
  await extension.deactivate();
  fs.rmSync(root, { recursive: true, force: true });
});

function runs(): RunRecord[] {
  return (ui.treeViews.get('mnist.runsView') as FakeTreeView).provider.getChildren() as RunRecord[];
}

/** Every webview the extension makes, and how a user opens it. A new one goes here. */
const WEBVIEWS: { name: string; source: string; script: string; open(): Promise<FakePanel> }[] = [
  { name: 'Dashboard (sidebar view)', source: 'src/host/panels/dashboard.ts', script: 'webview.js', open: async () => resolveWebviewView('mnist.trainingView') },
  {
    name: 'Dashboard (editor panel)',
    source: 'src/host/panels/dashboard.ts',
    script: 'webview.js',
    open: async () => {
      await fakeVscode.commands.executeCommand('mnist.showPanel');
      return ui.panels.at(-1)!;
    },
  },
  {
    name: 'Compare Runs panel',
    source: 'src/host/panels/compare-panel.ts',
    script: 'compare.js',
    open: async () => {
      const [a, b] = runs();
      await fakeVscode.commands.executeCommand('mnist.runs.compare', a, [a, b]);
      return ui.panels.at(-1)!;
    },
  },
  {
    name: 'Look Inside Model panel',
    source: 'src/host/panels/inside-panel.ts',
    script: 'inside.js',
    open: async () => {
      // A run with a saved model (its content is not read before a request asks).
      const run = runs().find((r) => r.id.endsWith('_cnn'))!;
      fs.mkdirSync(join(run.dir, 'model'), { recursive: true });
      fs.writeFileSync(join(run.dir, 'model', 'model.json'), '{}');
      await fakeVscode.commands.executeCommand('mnist.lookInside', run);
      return ui.panels.at(-1)!;
    },
  },
  {
    name: 'Augmentation Preview panel',
    source: 'src/host/panels/augment-preview.ts',
    script: 'augment.js',
    open: async () => {
      await fakeVscode.commands.executeCommand('mnist.previewAugmentation');
      return ui.panels.at(-1)!;
    },
  },
];

// ---------------------------------------------------------------- the HTML and the options

function cspOf(html: string): Map<string, string[]> {
  const m = /<meta http-equiv="Content-Security-Policy" content="([^"]*)">/.exec(html);
  assert.ok(m, 'a CSP meta tag');
  return new Map(
    m[1]
      .split(';')
      .map((d) => d.trim())
      .filter(Boolean)
      .map((d) => {
        const [name, ...sources] = d.split(/\s+/);
        return [name, sources] as [string, string[]];
      }),
  );
}

function nonceOf(html: string): string {
  const m = /script-src 'nonce-([0-9a-f]+)'/.exec(html);
  assert.ok(m, 'a script nonce');
  return m[1];
}

function inside(dir: string, p: string): boolean {
  const rel = relative(dir, p);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
}

describe(`the HTML and options of each of the ${WEBVIEWS.length} webviews`, () => {
  for (const w of WEBVIEWS) {
    test(`${w.name}: default-src 'none', scripts only by a fresh nonce, no eval, no inline, nothing remote, resources only from dist/`, async () => {
      const panel = await w.open();
      const html = panel.html;
      const csp = cspOf(html);
      const nonce = nonceOf(html);
      const cspSource = 'vscode-webview://fake';
      assert.deepEqual(csp.get('default-src'), ["'none'"]);
      assert.deepEqual(csp.get('script-src'), [`'nonce-${nonce}'`], 'scripts only by nonce');
      assert.ok(!/unsafe-eval|unsafe-inline|unsafe-hashes|wasm-unsafe-eval/.test(html), 'no unsafe-* source');
      for (const [name, sources] of csp) {
        for (const s of sources) assert.ok([cspSource, "'none'", `'nonce-${nonce}'`, 'data:'].includes(s), `${name} allows only the webview's own origin: ${s}`);
      }
      assert.ok(!/https?:\/\//.test(html), 'no http(s) URL anywhere in the page');

      const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
      assert.equal(scripts.length, 1, 'one script');
      assert.match(scripts[0][1], new RegExp(`nonce="${nonce}"`));
      assert.equal(scripts[0][2].trim(), '', 'no inline script');
      assert.ok(!/\son[a-z]+=/i.test(html), 'no inline event handler');

      // Options: scripts on (the page is its script), and nothing loadable but the bundle folder.
      assert.equal(panel.options.enableScripts, true);
      assert.deepEqual((panel.options.localResourceRoots ?? []).map((u) => u.fsPath), [DIST]);
      assert.ok(!panel.options.enableCommandUris, 'no command: links');
      const assets = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]);
      assert.ok(assets.some((a) => a.endsWith(w.script)), `loads ${w.script}`);
      for (const a of assets) {
        const p = a.replace(/^file:\/\//, '');
        assert.ok(inside(DIST, p) && fs.existsSync(p), `${a} is a built file in dist/`);
      }
    });

    test(`${w.name}: a new random nonce on every render`, async () => {
      const first = await w.open();
      const nonces = [nonceOf(first.html)];
      first.dispose();
      const second = await w.open();
      assert.notEqual(second, first, 'a new webview');
      nonces.push(nonceOf(second.html));
      assert.equal(new Set(nonces).size, 2, `nonces differ: ${nonces.join(' ')}`);
      for (const n of nonces) assert.match(n, /^[0-9a-f]{32}$/);
    });
  }

  test('no webview is left out of this table', () => {
    // Panels are made through the helper (openWebviewPanel, SinglePanel); its callers are what counts.
    const HELPER = join(repoRoot, 'src', 'host', 'panels', 'webview-panel.ts');
    const found: string[] = [];
    const walk = (dir: string) => {
      for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
        const p = join(dir, e.name);
        if (e.isDirectory()) walk(p);
        else if (e.name.endsWith('.ts') && p !== HELPER) {
          const text = fs.readFileSync(p, 'utf8');
          const n = (text.match(/createWebviewPanel\(|resolveWebviewView\(|openWebviewPanel\(|new SinglePanel\(/g) ?? []).length;
          for (let i = 0; i < n; i++) found.push(relative(repoRoot, p).split(sep).join('/'));
        }
      }
    };
    walk(join(repoRoot, 'src', 'host'));
    const covered = new Set(WEBVIEWS.map((w) => w.source));
    for (const f of new Set(found)) {
      assert.ok(covered.has(f), `${f} makes a webview: add it to WEBVIEWS in test/host/webview-security.test.ts so its HTML and messages are checked`);
    }
  });
});

// ---------------------------------------------------------------- hostile messages

const PIXELS = Array.from({ length: 784 }, (_, i) => (i % 29) / 28);
const PNG = 'data:image/png;base64,' + Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).toString('base64');
const cyclic: Record<string, unknown> = { type: 'train' };
cyclic.self = cyclic;

/** Each is ignored by every webview: a wrong shape for all of them. */
const MALFORMED: [string, unknown][] = [
  ['null', null],
  ['undefined', undefined],
  ['a number', 42],
  ['a bare string', 'train'],
  ['a 20 MB string', 'x'.repeat(20_000_000)],
  ['true', true],
  ['an empty array', []],
  ['an array of a message', [{ type: 'train' }]],
  ['an empty object', {}],
  ['a numeric type', { type: 42 }],
  ['an unknown type', { type: 'deleteEverything' }],
  ['a type in the wrong case', { type: 'TRAIN' }],
  ['type "constructor"', { type: 'constructor' }],
  ['type "__proto__"', { type: '__proto__' }],
  ['type "toString"', { type: 'toString' }],
  ['a 1 MB type', { type: 't'.repeat(1_000_000) }],
  ['a command id to run', { type: 'executeCommand', command: 'workbench.action.terminal.new', args: ['rm -rf ~'] }],
  ['a command id on train', { type: 'train', command: 'workbench.action.terminal.sendSequence' }],
  ['a command id on ready', { type: 'ready', command: 'vscode.open', args: ['file:///etc/passwd'] }],
  ['an own __proto__ (JSON.parse)', JSON.parse('{"type":"train","__proto__":{"polluted":true,"type":"train"}}')],
  ['only an own __proto__ with a type', JSON.parse('{"__proto__":{"type":"ready"}}')],
  ['a type inherited from a prototype', Object.create({ type: 'ready' })],
  ['a predict inherited from a prototype', Object.assign(Object.create({ type: 'predict' }), { id: 1, pixels: PIXELS, x: 1 })],
  ['a constructor.prototype payload', JSON.parse('{"type":"ready","constructor":{"prototype":{"polluted":true}}}')],
  ['a cyclic object', cyclic],
  ['a Map', new Map([['type', 'train']])],
  ['a Date', new Date(0)],
  ['a bigint id', { type: 'predict', id: 1n, pixels: PIXELS }],
  ['predict with 10⁷ pixels', { type: 'predict', id: 1, pixels: new Array(10_000_000).fill(0.5) }],
  ['predict with 783 pixels', { type: 'predict', id: 1, pixels: PIXELS.slice(1) }],
  ['predict with NaN', { type: 'predict', id: 1, pixels: PIXELS.map((v, i) => (i === 3 ? NaN : v)) }],
  ['predict with a sparse array', { type: 'predict', id: 1, pixels: new Array(784) }],
  ['predict with a model folder', { type: 'predict', id: 1, pixels: PIXELS, modelDir: '/etc' }],
  ['predict with a runDir', { type: 'predict', id: 1, pixels: PIXELS, runDir: '../../..' }],
  ['predict with a negative id', { type: 'predict', id: -1, pixels: PIXELS }],
  ['export to ../../etc/x', { type: 'export', format: 'csv', fileName: '../../etc/x.csv', data: 'a,b' }],
  ['export to /etc/x', { type: 'export', format: 'csv', fileName: '/etc/x.csv', data: 'a,b' }],
  ['export to a Windows path', { type: 'export', format: 'csv', fileName: 'C:\\Windows\\x.csv', data: 'a,b' }],
  ['export to ..\\..\\x', { type: 'export', format: 'csv', fileName: '..\\..\\x.csv', data: 'a,b' }],
  ['export to a dot file', { type: 'export', format: 'csv', fileName: '.bashrc.csv', data: 'a,b' }],
  ['export with a NUL in its name', { type: 'export', format: 'png', fileName: 'a.png\u0000.sh', data: PNG }],
  ['export with a target path', { type: 'export', format: 'csv', fileName: 'x.csv', data: 'a,b', target: '/etc/passwd' }],
  ['export of 17 MB', { type: 'export', format: 'csv', fileName: 'x.csv', data: 'x'.repeat(17 * 1024 * 1024) }],
  ['export as .sh', { type: 'export', format: 'sh', fileName: 'x.sh', data: 'rm -rf ~' }],
  ['export of HTML as SVG', { type: 'export', format: 'svg', fileName: 'x.svg', data: '<html><script>alert(1)</script></html>' }],
  ['openRun with ../ in the id and an extra field', { type: 'openRun', id: '../../etc', dir: '/etc' }],
  ['openRun with an absolute id and an extra field', { type: 'openRun', id: '/etc/passwd', path: '/etc/passwd' }],
  ['openRun with a number id', { type: 'openRun', id: 7 }],
  ['openRun with a 1 MB id', { type: 'openRun', id: 'a'.repeat(1_000_000) }],
];

/** Well-shaped but hostile: each webview must still do nothing with it (an id names no shown run). */
const HOSTILE_COMPARE: [string, unknown][] = [
  ['openRun of ../../etc', { type: 'openRun', id: '../../etc' }],
  ['openRun of /etc/passwd', { type: 'openRun', id: '/etc/passwd' }],
  ['openRun of a runs-folder sibling', { type: 'openRun', id: '../2026-11-26_13-16-54_mlp' }],
  ['openRun of a run not in the panel', { type: 'openRun', id: '2026-11-26_13-16-54_mlp/../../..' }],
  ['openRun of __proto__', { type: 'openRun', id: '__proto__' }],
  ['openRun of constructor', { type: 'openRun', id: 'constructor' }],
];

/** Records every file system path touched and every process started while a message is handled. */
function watchHost() {
  const touched: string[] = [];
  const processes: string[] = [];
  const restore: (() => void)[] = [];
  const wrap = (obj: Record<string, unknown>, names: string[], record: (args: unknown[]) => void) => {
    for (const name of names) {
      const original = obj[name] as (...a: unknown[]) => unknown;
      if (typeof original !== 'function') continue;
      obj[name] = function (this: unknown, ...args: unknown[]) {
        record(args);
        return original.apply(this, args);
      };
      restore.push(() => (obj[name] = original));
    }
  };
  const pathArg = (args: unknown[]) => {
    const p = args[0];
    touched.push(p instanceof URL ? p.pathname : String(p));
  };
  wrap(fs as unknown as Record<string, unknown>, ['readFileSync', 'writeFileSync', 'existsSync', 'statSync', 'lstatSync', 'readdirSync', 'mkdirSync', 'openSync', 'renameSync', 'appendFileSync', 'rmSync', 'cpSync', 'realpathSync', 'createReadStream', 'createWriteStream'], pathArg);
  wrap(fs.promises as unknown as Record<string, unknown>, ['readFile', 'writeFile', 'stat', 'readdir', 'mkdir', 'open', 'rename', 'rm', 'appendFile'], pathArg);
  wrap(childProcess as unknown as Record<string, unknown>, ['fork', 'spawn', 'exec', 'execFile', 'execSync', 'execFileSync', 'spawnSync'], (args) => processes.push(String(args[0])));
  return { touched, processes, stop: () => restore.forEach((r) => r()) };
}

/** What a message changed that a user (or an attacker) could notice. */
async function deliver(panel: FakePanel, m: unknown) {
  const before = { posted: panel.posted.length, commands: ui.commandsRun.length, messages: ui.messages.length, logs: ui.logLines.length, dialogs: ui.saveDialogs.length, written: ui.written.length };
  const watch = watchHost();
  try {
    assert.doesNotThrow(() => panel.receive(m), 'the handler never throws');
    for (let i = 0; i < 3; i++) await new Promise((r) => setImmediate(r));
  } finally {
    watch.stop();
  }
  return {
    posted: panel.posted.slice(before.posted),
    commands: ui.commandsRun.slice(before.commands).map((c) => c.command),
    messages: ui.messages.slice(before.messages),
    logs: ui.logLines.slice(before.logs),
    dialogs: ui.saveDialogs.length - before.dialogs,
    written: ui.written.slice(before.written),
    touched: watch.touched,
    processes: watch.processes,
  };
}

function assertIgnored(what: Awaited<ReturnType<typeof deliver>>, label: string, view: RegExp): void {
  assert.deepEqual(what.posted, [], `${label}: nothing answered`);
  assert.deepEqual(what.commands, [], `${label}: no command run`);
  assert.deepEqual(what.messages, [], `${label}: no notification`);
  assert.equal(what.dialogs, 0, `${label}: no save dialog`);
  assert.deepEqual(what.written, [], `${label}: nothing written`);
  assert.deepEqual(what.touched, [], `${label}: no file read or written`);
  assert.deepEqual(what.processes, [], `${label}: no process started`);
  assert.equal(what.logs.length, 1, `${label}: one log line`);
  assert.match(what.logs[0], /^warn Ignored /, label);
  assert.match(what.logs[0], view, `${label}: the log names the view`);
  assert.ok(what.logs[0].length < 600, `${label}: the log line stays short (${what.logs[0].length} characters)`);
}

function workspaceTree(): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      out.push(`${relative(root, p)} ${e.isDirectory() ? '' : fs.statSync(p).size}`);
      if (e.isDirectory()) walk(p);
    }
  };
  walk(root);
  return out.sort();
}

describe(`${MALFORMED.length} malformed messages thrown at each of the ${WEBVIEWS.length} webviews`, () => {
  for (const w of WEBVIEWS) {
    test(`${w.name}: each is ignored and logged to the MNIST output; nothing is read, written, started or run`, async () => {
      const panel = await w.open();
      const tree = workspaceTree();
      const view = w.source.includes('compare') ? /compare view/ : w.source.includes('augment') ? /augmentation preview/ : w.source.includes('inside') ? /Look Inside Model panel/ : /dashboard/;
      for (const [label, m] of MALFORMED) assertIgnored(await deliver(panel, m), label, view);
      assert.deepEqual(workspaceTree(), tree, 'the workspace is as it was');
      assert.ok(ui.channels.includes('MNIST'), 'logged to the MNIST output channel');
      const probe: Record<string, unknown> = {};
      assert.equal(probe.polluted, undefined, 'Object.prototype untouched');
      assert.equal(probe.type, undefined, 'Object.prototype untouched');
    });
  }
});

describe('size and floods', () => {
  for (const w of WEBVIEWS) {
    test(`${w.name}: a 10⁷-item payload is refused without reading its items; 250 bad messages make at most 100 log lines`, async () => {
      const panel = await w.open();
      let reads = 0;
      const pixels = new Array(10_000_000);
      for (const i of [0, 783, 5_000_000, 9_999_999]) Object.defineProperty(pixels, i, { get: () => (reads++, 0.5), enumerable: true });
      const view = w.source.includes('compare') ? /compare view/ : w.source.includes('augment') ? /augmentation preview/ : w.source.includes('inside') ? /Look Inside Model panel/ : /dashboard/;
      assertIgnored(await deliver(panel, { type: 'predict', id: 1, pixels }), '10⁷ pixels', view);
      assertIgnored(await deliver(panel, { type: 'openRun', id: pixels }), '10⁷ ids', view);
      assert.equal(reads, 0, 'the work does not grow with the payload');

      const logs = ui.logLines.length;
      for (let i = 0; i < 250; i++) panel.receive({ type: `junk-${i}` });
      const lines = ui.logLines.slice(logs);
      assert.equal(lines.length, 98, '100 a minute, 2 used above');
      assert.match(lines.at(-1) ?? '', /further ones from this view are not logged for a minute/);
    });
  }
});

describe('well-shaped messages that ask for too much', () => {
  test(`Compare Runs panel: ${HOSTILE_COMPARE.length} openRun ids that are paths or no shown run open nothing and are logged`, async () => {
    const panel = await WEBVIEWS[2].open();
    const shown: unknown[] = [];
    const before = ui.commandsRun.length;
    for (const [label, m] of HOSTILE_COMPARE) {
      const what = await deliver(panel, m);
      assert.deepEqual(what.commands, [], `${label}: the Dashboard is not asked to show anything`);
      assert.deepEqual(what.touched, [], `${label}: no file read`);
      assert.equal(what.logs.length, 1, label);
      assert.match(what.logs[0], /compare view.*does not show/, label);
      shown.push(...what.commands);
    }
    assert.equal(ui.commandsRun.length, before);
    // The harness sees a real request: a shown run's id opens it in the Dashboard, and only that.
    const [a] = runs();
    const ok = await deliver(panel, { type: 'openRun', id: a.id });
    assert.deepEqual(ok.commands, ['mnist.trainingView.focus']);
    for (const p of ok.touched) assert.ok(inside(runsDir, p), `only the run's own folder is read: ${p}`);
  });

  test('Dashboard: an export goes only where the user picks in the save dialog; cancelled, nothing is written', async () => {
    const panel = resolveWebviewView('mnist.trainingView');
    const csv = { type: 'export', format: 'csv', fileName: 'accuracy.csv', data: 'epoch,acc\n1,0.9\n' };
    ui.saveAnswer = undefined;
    const cancelled = await deliver(panel, csv);
    assert.equal(cancelled.dialogs, 1, 'the save dialog is asked');
    assert.deepEqual(cancelled.written, [], 'cancelled: nothing written');
    assert.deepEqual(cancelled.touched, []);
    const dialog = ui.saveDialogs.at(-1)!;
    assert.ok(dialog.defaultUri && inside(root, dialog.defaultUri.fsPath), `the suggested place is in the workspace: ${dialog.defaultUri?.fsPath}`);

    const chosen = join(fs.mkdtempSync(join(tmpdir(), 'chosen-')), 'mine.csv');
    ui.saveAnswer = chosen;
    const saved = await deliver(panel, csv);
    assert.deepEqual(saved.written, [chosen], 'written exactly where the user chose');
    assert.equal(fs.readFileSync(chosen, 'utf8'), 'epoch,acc\n1,0.9\n');
    assert.deepEqual(saved.commands, []);
  });

  test('Dashboard: a drawn digit with no run shown is answered with an error; no model is loaded from anywhere', async () => {
    const panel = resolveWebviewView('mnist.trainingView');
    const what = await deliver(panel, { type: 'predict', id: 9, pixels: PIXELS });
    assert.deepEqual(what.processes, [], 'no predictor started for nothing');
    assert.deepEqual(what.touched, []);
    assert.equal(what.posted.length, 1);
    assert.match(JSON.stringify(what.posted[0]), /"type":"prediction","id":9,"probabilities":\[\],"error":/);
  });

  test("Dashboard: the buttons' messages run only the extension's own commands", async () => {
    const panel = resolveWebviewView('mnist.trainingView');
    const commands: string[] = [];
    for (const type of ['ready', 'train', 'stop', 'openRun']) commands.push(...(await deliver(panel, { type })).commands);
    assert.deepEqual(commands, ['mnist.train', 'mnist.openRun'], 'Train and Open Run go through their commands; ready answers, stop stops');
    const registered = new Set(ui.registered.keys());
    for (const c of commands) assert.ok(registered.has(c) && c.startsWith('mnist.'), c);
  });
});
