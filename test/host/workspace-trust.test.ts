// Workspace trust and where the extension may write, through activate() on the recording stand-in
// for VS Code (isTrusted false, then true), with the real trainer once trust is granted.
import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { join, relative, resolve, sep } from 'node:path';
import { afterEach, beforeEach, describe, test } from 'node:test';
import type { RunRecord } from '../../src/shared/run-record';
import { type FakeTreeView, Uri, fakeVscode, installFakeVscode, resolveWebviewView, ui } from '../helpers/fake-vscode';
import { distDir, repoRoot } from '../helpers/paths';
import { fakeContext, until } from '../helpers/host';

const fs = require('node:fs') as typeof import('node:fs');
const childProcess = require('node:child_process') as typeof import('node:child_process');

installFakeVscode();
const extension = require('../../src/host/extension') as typeof import('../../src/host/extension');
const { resolveOutputFolder, SettingError } = require('../../src/host/settings') as typeof import('../../src/host/settings');
const { parseRunMeta } = require('../../src/shared/run-record') as typeof import('../../src/shared/run-record');
const { writeReport, readRunsForReport, ReportError } = require('../../src/node/runs/report-files') as typeof import('../../src/node/runs/report-files');

const RECORDED = join(repoRoot, 'test', 'fixtures', 'run-history');
const MLP_RUN = '2026-11-26_13-16-54_mlp';
const TINY = { dataset: 'mnist-sample', backend: 'wasm', model: { layers: [{ type: 'flatten' }, { type: 'dense', units: 10, activation: 'softmax' }] }, training: { epochs: 1, batchSize: 128 } };

let base: string;
let root: string;
let context: { subscriptions: { dispose(): void }[] } & Record<string, unknown>;
let forks: string[];
let restoreFork: () => void;

function activate(trusted: boolean): void {
  ui.trusted = trusted;
  context = fakeContext(base, join(base, 'global'));
  extension.activate(context as never);
}

beforeEach(() => {
  // The workspace is a folder inside `base`, so a write that climbs out of it is seen.
  base = fs.mkdtempSync(join(tmpdir(), 'trust-'));
  root = join(base, 'ws');
  fs.mkdirSync(join(root, '.mnist', 'runs'), { recursive: true });
  fs.cpSync(join(RECORDED, 'mlp-12-epochs'), join(root, '.mnist', 'runs', MLP_RUN), { recursive: true });
  fs.writeFileSync(join(root, 'mnist.config.json'), JSON.stringify({ ...TINY, experiments: [{ name: 'a', set: { 'training.batchSize': 64 } }] }));
  ui.reset(root);
  forks = [];
  const original = childProcess.fork;
  (childProcess as { fork: unknown }).fork = (...args: Parameters<typeof childProcess.fork>) => {
    forks.push(String(args[0]));
    return original(...args);
  };
  restoreFork = () => ((childProcess as { fork: unknown }).fork = original);
});

afterEach(async () => {
  for (const d of context.subscriptions) d.dispose();
  await extension.deactivate();
  restoreFork();
  fs.rmSync(base, { recursive: true, force: true });
});

/** Every file under `base` (the workspace and beside it) with its size. */
function tree(): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (relative(base, p) === 'global') continue;
      out.push(`${relative(base, p)} ${e.isDirectory() ? '/' : fs.statSync(p).size}`);
      if (e.isDirectory()) walk(p);
    }
  };
  walk(base);
  return out.sort();
}

function runsView(): FakeTreeView {
  return ui.treeViews.get('mnist.runsView') as FakeTreeView;
}

function listedRuns(): RunRecord[] {
  return runsView().provider.getChildren() as RunRecord[];
}

async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
}


/** Everything in the extension that would train, or write into the workspace, and how a user asks for it. */
const GATED: { name: string; word: RegExp; ask(): Promise<unknown> }[] = [
  { name: 'MNIST: Train', word: /Training/, ask: () => fakeVscode.commands.executeCommand('mnist.train') },
  { name: 'CodeLens ▶ Train on the config', word: /Training/, ask: () => fakeVscode.commands.executeCommand('mnist.train', Uri.file(join(root, 'mnist.config.json'))) },
  { name: "the Dashboard's Train button", word: /Training/, ask: async () => resolveWebviewView('mnist.trainingView').receive({ type: 'train' }) },
  { name: 'MNIST: Run Sweep', word: /Run Sweep/, ask: () => fakeVscode.commands.executeCommand('mnist.runSweep') },
  { name: 'MNIST: Write Report', word: /Write Report/, ask: () => fakeVscode.commands.executeCommand('mnist.writeReport', listedRuns()[0], [listedRuns()[0]]) },
  { name: 'MNIST: Create Config', word: /Create Config/, ask: () => fakeVscode.commands.executeCommand('mnist.createConfig', Uri.file(join(root, 'experiments'))) },
  { name: "the Dashboard's Create Config button", word: /Create Config/, ask: async () => resolveWebviewView('mnist.trainingView').receive({ type: 'createConfig' }) },
  { name: 'Train Again from This Config', word: /Train Again/, ask: () => fakeVscode.commands.executeCommand('mnist.runs.trainAgain', listedRuns()[0]) },
  { name: 'Reproduce Run', word: /Reproduce Run/, ask: () => fakeVscode.commands.executeCommand('mnist.runs.reproduce', listedRuns()[0]) },
  {
    name: 'Rename Run (writes meta.json)',
    word: /Rename Run/,
    ask: () => {
      ui.inputAnswer = 'renamed';
      return fakeVscode.commands.executeCommand('mnist.runs.rename', listedRuns()[0]);
    },
  },
];

describe('an untrusted workspace (Restricted Mode)', () => {
  test(`${GATED.length} ways to train or write each say so, offer "Manage Workspace Trust", and change nothing`, async () => {
    fs.mkdirSync(join(root, 'experiments'));
    activate(false);
    const before = tree();
    for (const g of GATED) {
      const shown = ui.messages.length;
      await g.ask();
      await settle();
      const said = ui.messages.slice(shown);
      assert.equal(said.length, 1, `${g.name}: one message (${said.map((m) => m.message).join(' | ')})`);
      assert.equal(said[0].kind, 'warning', g.name);
      assert.match(said[0].message, g.word, `${g.name}: names what waits`);
      assert.match(said[0].message, /waits until you trust this workspace/, g.name);
      assert.deepEqual(said[0].items, ['Manage Workspace Trust'], g.name);
      assert.deepEqual(tree(), before, `${g.name}: nothing written`);
      assert.deepEqual(forks, [], `${g.name}: no trainer started`);
      assert.equal(ui.contexts.get('mnist.training'), undefined, `${g.name}: not training`);
    }
  });

  test('"Manage Workspace Trust" opens the Workspace Trust editor', async () => {
    activate(false);
    ui.answer = 'Manage Workspace Trust';
    await fakeVscode.commands.executeCommand('mnist.train');
    await settle();
    assert.ok(ui.commandsRun.some((c) => c.command === 'workbench.trust.manage'));
  });

  test('runs can still be looked at: the Runs view lists them and says why the rest waits; a run opens in the Dashboard', async () => {
    activate(false);
    const view = runsView();
    assert.deepEqual(listedRuns().map((r) => r.id), [MLP_RUN]);
    assert.match(view.message ?? '', /Restricted Mode: .*trust this workspace/);
    const dashboard = resolveWebviewView('mnist.trainingView');
    await fakeVscode.commands.executeCommand('mnist.runs.open', listedRuns()[0]);
    dashboard.receive({ type: 'ready' });
    assert.ok(dashboard.posted.some((m) => (m as { type: string; run?: { id: string } }).type === 'showRun' && (m as { run: { id: string } }).run?.id === MLP_RUN));
  });

  test("the workspace's runsFolder, dataCacheFolder and mirrorUrl settings are ignored; the user's own count", () => {
    const pkg = JSON.parse(fs.readFileSync(join(repoRoot, 'package.json'), 'utf8'));
    const caps = pkg.capabilities.untrustedWorkspaces;
    assert.equal(caps.supported, 'limited');
    assert.deepEqual([...caps.restrictedConfigurations].sort(), ['mnist.dataCacheFolder', 'mnist.mirrorUrl', 'mnist.runsFolder']);
    for (const key of caps.restrictedConfigurations) assert.ok(pkg.contributes.configuration.properties[key], `${key} is a contributed setting`);

    const { readSettings } = require('../../src/host/settings') as typeof import('../../src/host/settings');
    const folder = { uri: Uri.file(root), name: 'ws', index: 0 };
    ui.workspaceSettings = { runsFolder: 'planted', mirrorUrl: 'http://127.0.0.1:9/evil' };
    ui.trusted = false;
    let s = readSettings(folder as never, Uri.file(join(base, 'global')) as never);
    assert.equal(s.runsFolder, join(root, '.mnist', 'runs'));
    assert.equal(s.mirrors, undefined);
    ui.settings = { runsFolder: join(base, 'my-runs') };
    s = readSettings(folder as never, Uri.file(join(base, 'global')) as never);
    assert.equal(s.runsFolder, join(base, 'my-runs'), "the user's absolute choice stands");
    ui.trusted = true;
    s = readSettings(folder as never, Uri.file(join(base, 'global')) as never);
    assert.equal(s.runsFolder, join(root, 'planted'), 'trusted: the workspace value counts');
    assert.deepEqual(s.mirrors, ['http://127.0.0.1:9/evil']);
  });
});

test('trust granted: no reload; the Runs view takes the workspace setting, and Train trains from the config, data.dir relative to the config file', async () => {
  // The config lives in exp/, its data.dir is "../digits": relative to the config file, not the workspace.
  fs.mkdirSync(join(root, 'exp'));
  fs.cpSync(join(distDir, 'data', 'mnist-sample'), join(root, 'digits'), { recursive: true });
  fs.rmSync(join(root, 'mnist.config.json'));
  const configFile = join(root, 'exp', 'mnist.config.json');
  fs.writeFileSync(configFile, JSON.stringify({ ...TINY, dataset: 'mnist', data: { dir: '../digits' } }));
  ui.workspaceSettings = { runsFolder: 'my-runs' };
  activate(false);
  assert.equal((runsView().provider as unknown as { runsFolder: string }).runsFolder, join(root, '.mnist', 'runs'), 'untrusted: the default');
  await fakeVscode.commands.executeCommand('mnist.train', Uri.file(configFile));
  assert.equal(forks.length, 0, 'untrusted: no trainer');

  ui.grantTrust();
  assert.equal((runsView().provider as unknown as { runsFolder: string }).runsFolder, join(root, 'my-runs'), "trusted: the workspace's setting");
  assert.equal(runsView().message, undefined, 'the Restricted Mode note is gone');

  await fakeVscode.commands.executeCommand('mnist.train', Uri.file(configFile));
  await until(() => ui.contexts.get('mnist.training') === false, 'the run to end');
  assert.ok(forks.some((f) => f.endsWith(`${sep}trainer.js`)), 'the trainer ran');
  const [id] = fs.readdirSync(join(root, 'my-runs'));
  const run = join(root, 'my-runs', id);
  assert.equal(JSON.parse(fs.readFileSync(join(run, 'summary.json'), 'utf8')).status, 'completed');
  assert.equal(JSON.parse(fs.readFileSync(join(run, 'config.json'), 'utf8')).data.dir, join(root, 'digits'));
  const dataset = fs.readFileSync(join(run, 'events.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l)).find((e) => e.type === 'dataset');
  assert.equal(dataset.source, `folder ${join(root, 'digits')}`);
});

describe('outputs stay where the user chose', () => {
  test('resolveOutputFolder: relative stays inside the workspace, `..` out is refused naming the setting, absolute is taken', () => {
    const ws = resolve('/home/me/project');
    assert.equal(resolveOutputFolder('mnist.runsFolder', '.mnist/runs', ws, 'project'), join(ws, '.mnist', 'runs'));
    assert.equal(resolveOutputFolder('mnist.runsFolder', 'a/../runs', ws, 'project'), join(ws, 'runs'));
    assert.equal(resolveOutputFolder('mnist.runsFolder', '.', ws, 'project'), ws);
    assert.equal(resolveOutputFolder('mnist.runsFolder', '..foo', ws, 'project'), join(ws, '..foo'), 'a name starting with dots is not a climb');
    assert.equal(resolveOutputFolder('mnist.runsFolder', '/data/runs', ws, 'project'), resolve('/data/runs'));
    for (const bad of ['..', '../runs', '../../etc', 'runs/../../x', './../x']) {
      assert.throws(
        () => resolveOutputFolder('mnist.runsFolder', bad, ws, 'project'),
        (err: unknown) => err instanceof SettingError && /"mnist\.runsFolder" setting \(".*"\) points outside the workspace folder "project"/.test((err as Error).message),
        bad,
      );
    }
  });

  test('a workspace runsFolder that climbs out: Train says which setting and writes nothing outside', async () => {
    ui.workspaceSettings = { runsFolder: '../outside-runs' };
    activate(true);
    const startup = ui.messages.find((m) => m.kind === 'error');
    assert.match(startup?.message ?? '', /"mnist\.runsFolder" setting \("\.\.\/outside-runs"\) points outside the workspace folder "ws"/, 'said at activation');
    const before = tree();
    const shown = ui.messages.length;
    await fakeVscode.commands.executeCommand('mnist.train');
    await settle();
    assert.match(ui.messages.slice(shown).map((m) => m.message).join('\n'), /mnist\.runsFolder.*outside the workspace folder/);
    assert.deepEqual(tree(), before, 'nothing written');
    assert.ok(!fs.existsSync(join(base, 'outside-runs')));
    assert.deepEqual(forks, []);
  });

  test('a sweep id in meta.json cannot name a report outside reports/', async () => {
    const run = join(root, '.mnist', 'runs', MLP_RUN);
    fs.writeFileSync(join(run, 'meta.json'), JSON.stringify({ sweep: { id: '../../../escaped', experiment: 'a', index: 1, total: 1 } }));
    assert.equal(parseRunMeta(JSON.parse(fs.readFileSync(join(run, 'meta.json'), 'utf8'))).sweep, undefined, 'not a sweep id');
    assert.deepEqual(parseRunMeta({ sweep: { id: 'sweep-2026-11-26_12-30-05' } }).sweep?.id, 'sweep-2026-11-26_12-30-05');

    activate(true);
    await fakeVscode.commands.executeCommand('mnist.writeReport', listedRuns()[0], [listedRuns()[0]]);
    const reports = fs.readdirSync(join(root, 'reports')).filter((f) => f.endsWith('.md'));
    assert.equal(reports.length, 1);
    assert.doesNotMatch(reports[0], /escaped/);
    assert.ok(!fs.readdirSync(base).some((f) => f.includes('escaped')), 'nothing beside the workspace');

    const records = readRunsForReport([run]);
    for (const id of ['../x', '/tmp/x', '..', 'a/b', '.hidden', 'a\\..\\b']) {
      assert.throws(() => writeReport(records, join(root, 'reports'), { sweepId: id }), (e: unknown) => e instanceof ReportError && /not a plain name/.test((e as Error).message), id);
    }
  });
});
