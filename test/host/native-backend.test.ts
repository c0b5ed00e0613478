// MNIST: Install Native Backend with a real npm child process against a local registry (no
// internet): an install that cannot complete tells the user what failed and leaves nothing the
// trainer would load; a broken tfjs-node in that folder makes `auto` train on wasm and say why.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, test } from 'node:test';
import type { ReadyEvent, TrainerEvent } from '../../src/shared/protocol';
import { Uri, fakeVscode, installFakeVscode, ui } from '../helpers/fake-vscode';
import { repoRoot } from '../helpers/paths';
import { fakeContext, sessionIdle } from '../helpers/host';

installFakeVscode();
const native = require('../../src/host/native-backend') as typeof import('../../src/host/native-backend');
const { TrainingSession } = require('../../src/host/session/training-session') as typeof import('../../src/host/session/training-session');

const TFJS_VERSION = (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { dependencies: Record<string, string> }).dependencies['@tensorflow/tfjs'];
const LIBTENSORFLOW_URL = 'https://storage.googleapis.com/tensorflow/libtensorflow/libtensorflow-cpu-linux-x86_64-2.9.1.tar.gz';

/** What tfjs-node's scripts/install.js does where storage.googleapis.com cannot be reached. */
const FAILING_INSTALL_SCRIPT = `console.log('* Downloading libtensorflow');
console.log(${JSON.stringify(LIBTENSORFLOW_URL)});
const err = new Error('getaddrinfo ENOTFOUND storage.googleapis.com');
err.code = 'ENOTFOUND';
throw err;
`;
/** A package that installs but cannot load its native addon: what a half-finished install leaves. */
const BROKEN_INDEX = `module.exports = require('./lib/napi-v8/tfjs_binding.node');\n`;

let server: Server;
let registry: string;
const served: string[] = [];
/** Set: the registry holds requests open, as a stalled network would. */
let stalled = false;
let onRequest: ((url: string) => void) | undefined;
const savedEnv = { ...process.env };

/** A tarball made by `npm pack`, and its packument entry. */
function pack(dir: string, name: string, version: string, files: Record<string, string>, scripts?: Record<string, string>) {
  const src = join(dir, `${version}-src`);
  mkdirSync(join(src, 'scripts'), { recursive: true });
  writeFileSync(join(src, 'package.json'), JSON.stringify({ name, version, main: 'index.js', ...(scripts ? { scripts } : {}) }));
  for (const [f, text] of Object.entries(files)) writeFileSync(join(src, f), text);
  const file = execFileSync('npm', ['pack', '--silent', '--pack-destination', dir], { cwd: src, encoding: 'utf8', env: process.env }).trim().split('\n').pop()!;
  const tgz = readFileSync(join(dir, file));
  return {
    tgz,
    manifest: (url: string) => ({
      name,
      version,
      ...(scripts ? { scripts, hasInstallScript: true } : {}),
      dist: { tarball: url, shasum: createHash('sha1').update(tgz).digest('hex'), integrity: `sha512-${createHash('sha512').update(tgz).digest('base64')}` },
    }),
  };
}

before(async () => {
  const work = mkdtempSync(join(tmpdir(), 'npm-registry-'));
  // npm reads its settings from the environment: the local registry, a private cache, no update check.
  process.env.npm_config_cache = join(work, 'cache');
  process.env.npm_config_update_notifier = 'false';
  process.env.npm_config_userconfig = join(work, 'npmrc');
  const name = '@tensorflow/tfjs-node';
  const versions = {
    [TFJS_VERSION]: pack(work, name, TFJS_VERSION, { 'index.js': BROKEN_INDEX, 'scripts/install.js': FAILING_INSTALL_SCRIPT }, { install: 'node scripts/install.js' }),
    '0.0.1-broken': pack(work, name, '0.0.1-broken', { 'index.js': BROKEN_INDEX }),
  };
  server = createServer((req, res) => {
    const url = decodeURIComponent(req.url ?? '');
    served.push(url);
    onRequest?.(url);
    if (stalled) return;
    if (url === `/${name}`) {
      const doc = { name, 'dist-tags': { latest: TFJS_VERSION }, versions: Object.fromEntries(Object.entries(versions).map(([v, p]) => [v, p.manifest(`${registry}tarballs/${v}.tgz`)])) };
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(doc));
      return;
    }
    const tarball = /^\/tarballs\/(.+)\.tgz$/.exec(url)?.[1];
    if (tarball && versions[tarball]) {
      res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(versions[tarball].tgz);
      return;
    }
    res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"Not found"}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  registry = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  process.env.npm_config_registry = registry;
});

after(() => {
  server.closeAllConnections();
  server.close();
  process.env = savedEnv;
});

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'ws-'));
  ui.reset(root);
  served.length = 0;
  stalled = false;
});

const context = () => (fakeContext(root));
const log = () => fakeVscode.window.createOutputChannel() as never;

test('the install cannot download libtensorflow: a clear message, training stays on wasm, nothing left to load', { timeout: 120_000 }, async () => {
  const outcome = await native.installNativeBackendCommand(context() as never, log());
  assert.equal(outcome.status, 'failed');
  assert.ok(served.includes('/@tensorflow/tfjs-node'), `npm asked the local registry (${served.join(', ')})`);

  const error = ui.messages.find((m) => m.kind === 'error');
  assert.ok(error, 'an error notification');
  assert.equal(
    error.message,
    `MNIST: the native backend could not be installed: the install script of @tensorflow/tfjs-node could not download libtensorflow (${LIBTENSORFLOW_URL}): getaddrinfo ENOTFOUND storage.googleapis.com. ` +
      'Training stays on wasm. Check the network or proxy (npm needs the npm registry, and tfjs-node downloads libtensorflow from storage.googleapis.com), ' +
      'then run MNIST: Install Native Backend again; the npm output is in the MNIST output channel.',
  );
  assert.deepEqual(error.items, ['Show Output']);
  assert.ok(ui.progressReports.length > 0, 'the notification showed npm\'s progress');
  assert.ok(ui.logLines.some((l) => l.includes(`$ npm install --prefix`) && l.includes(`@tensorflow/tfjs-node@${TFJS_VERSION}`)), 'the npm command is in the output channel');
  assert.ok(ui.logLines.some((l) => l.includes('[npm]') && l.includes('ENOTFOUND storage.googleapis.com')), 'npm\'s output is in the output channel');
  // Neither the folder the trainer reads nor the staging folder is there.
  assert.deepEqual(existsSync(join(root, '.global')) ? readdirSync(join(root, '.global')) : [], []);
});

test('a package that npm installs but that does not load is not kept', { timeout: 120_000 }, async () => {
  const storageDir = join(root, '.global');
  const plan = native.nativeInstallPlan({ storageDir, tfjsVersion: '0.0.1-broken', platform: 'linux', hasCuda: false });
  const lines: string[] = [];
  const outcome = await native.installNativeBackend(plan, { log: (l) => lines.push(l), progress: () => undefined, onCancel: () => undefined });
  assert.equal(outcome.status, 'failed');
  assert.match(outcome.status === 'failed' ? outcome.what : '', /^@tensorflow\/tfjs-node installed but does not load: Error: Cannot find module '\.\/lib\/napi-v8\/tfjs_binding\.node'/);
  assert.deepEqual(readdirSync(storageDir), [], 'nothing is left for the trainer to load');
});

test('a version the registry does not have, a package it does not have: in words', { timeout: 120_000 }, async () => {
  const plan = native.nativeInstallPlan({ storageDir: join(root, '.global'), tfjsVersion: '9.9.9', platform: 'linux', hasCuda: false });
  const outcome = await native.installNativeBackend(plan, { log: () => undefined, progress: () => undefined, onCancel: () => undefined });
  assert.equal(outcome.status, 'failed');
  assert.equal(outcome.status === 'failed' ? outcome.what : '', 'npm could not find @tensorflow/tfjs-node@9.9.9 in the registry (no matching version)');
  const gpu = native.nativeInstallPlan({ storageDir: join(root, '.global'), tfjsVersion: TFJS_VERSION, platform: 'linux', hasCuda: true });
  const missing = await native.installNativeBackend(gpu, { log: () => undefined, progress: () => undefined, onCancel: () => undefined });
  assert.match(missing.status === 'failed' ? missing.what : '', new RegExp(`^npm could not find @tensorflow/tfjs-node-gpu@${TFJS_VERSION} in the registry \\(.*404`));
  assert.deepEqual(readdirSync(join(root, '.global')), []);
});

test('Cancel in the notification ends npm and leaves nothing', { timeout: 120_000 }, async () => {
  stalled = true;
  const storageDir = join(root, '.global');
  const plan = native.nativeInstallPlan({ storageDir, tfjsVersion: TFJS_VERSION, platform: 'linux', hasCuda: false });
  let cancel = () => {};
  const asked = new Promise<void>((resolve) => (onRequest = (url) => url === '/@tensorflow/tfjs-node' && resolve()));
  const installing = native.installNativeBackend(plan, { log: () => undefined, progress: () => undefined, onCancel: (stop) => (cancel = stop) });
  await asked;
  onRequest = undefined;
  cancel();
  assert.deepEqual(await installing, { status: 'cancelled' });
  assert.deepEqual(readdirSync(storageDir), []);
});

test('the GPU package on Linux with CUDA, the CPU one elsewhere, at the tfjs version the trainer bundles', () => {
  const plan = (platform: NodeJS.Platform, hasCuda: boolean) => native.nativeInstallPlan({ storageDir: '/s', tfjsVersion: '4.22.0', platform, hasCuda });
  assert.equal(plan('linux', true).packageName, '@tensorflow/tfjs-node-gpu');
  assert.equal(plan('linux', false).packageName, '@tensorflow/tfjs-node');
  assert.equal(plan('win32', true).packageName, '@tensorflow/tfjs-node');
  assert.deepEqual(plan('linux', false).npmArgs, ['install', '--prefix', '/s/native-backend.installing', '--no-audit', '--no-fund', '--no-save', '@tensorflow/tfjs-node@4.22.0']);
  assert.equal(plan('linux', false).dir, '/s/native-backend');
});

test('a broken tfjs-node in the native-backend folder: auto trains on wasm and says why', { timeout: 120_000 }, async () => {
  const pkg = join(root, '.global', 'native-backend', 'node_modules', '@tensorflow', 'tfjs-node');
  mkdirSync(pkg, { recursive: true });
  writeFileSync(join(pkg, 'package.json'), JSON.stringify({ name: '@tensorflow/tfjs-node', version: TFJS_VERSION, main: 'index.js' }));
  writeFileSync(join(pkg, 'index.js'), BROKEN_INDEX);
  writeFileSync(join(root, 'mnist.config.json'), JSON.stringify({ dataset: 'mnist-sample', backend: 'auto', model: { preset: 'mlp' }, training: { epochs: 1, batchSize: 128 } }));

  const session = new TrainingSession(context() as never, log());
  const events: TrainerEvent[] = [];
  const ready = new Promise<ReadyEvent>((resolve) =>
    session.onDidEvent(({ event }) => {
      events.push(event);
      if (event.type === 'ready') {
        resolve(event);
        session.stop();
      }
    }),
  );
  const idle = sessionIdle(session);
  assert.equal(await session.start(Uri.file(join(root, 'mnist.config.json')) as never), true);
  const r = await ready;
  assert.equal(r.backend, 'wasm');
  assert.match(r.reason, new RegExp(`^tfjs-node in ${join(root, '.global', 'native-backend').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} failed to load \\(Cannot find module '\\./lib/napi-v8/tfjs_binding\\.node'`));
  assert.match(r.reason, /\); using wasm with SIMD(\+FMA)?, \d threads?$/);
  await idle;
});
