// VS Code's http.proxy reaches the trainer: a real forked trainer downloads MNIST from a local
// mirror, and a local proxy sees the requests. Only the user's setting counts, not a workspace's.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { TrainerEvent } from '../../src/shared/protocol';
import { Uri, fakeVscode, installFakeVscode, ui } from '../helpers/fake-vscode';
import { startMirrorServer, type MirrorServer } from '../helpers/idx-server';
import { repoRoot } from '../helpers/paths';
import { startProxyServer, type ProxyServer } from '../helpers/proxy-server';

installFakeVscode();
const { TrainingSession } = require('../../src/host/session/training-session') as typeof import('../../src/host/session/training-session');
const { proxyEnvironment } = require('../../src/host/settings') as typeof import('../../src/host/settings');

let mirror: MirrorServer;
let proxy: ProxyServer;
before(async () => {
  for (const k of ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy', 'NO_PROXY', 'no_proxy']) delete process.env[k];
  mirror = await startMirrorServer(); // answers 404: enough to see where the request went
  proxy = await startProxyServer();
});
after(async () => Promise.all([mirror.close(), proxy.close()]));

/** Train on "mnist" with the mirror setting at the local server; the trainer's events until it ends. */
async function train(): Promise<TrainerEvent[]> {
  const root = mkdtempSync(join(tmpdir(), 'ws-proxy-'));
  const settings = { ...ui.settings };
  const workspace = { ...ui.workspaceSettings };
  ui.reset(root);
  Object.assign(ui.settings, settings, { mirrorUrl: mirror.base('m') });
  Object.assign(ui.workspaceSettings, workspace);
  writeFileSync(join(root, 'mnist.config.json'), JSON.stringify({ dataset: 'mnist', backend: 'cpu', training: { epochs: 1 } }));
  const context = { globalStorageUri: Uri.file(join(root, '.global')), asAbsolutePath: (p: string) => join(repoRoot, p), subscriptions: [] };
  const session = new TrainingSession(context as never, fakeVscode.window.createOutputChannel() as never);
  const events: TrainerEvent[] = [];
  session.onDidEvent(({ event }) => events.push(event));
  const idle = new Promise<void>((resolve) => session.onDidChange(() => session.state === 'idle' && resolve()));
  assert.equal(await session.start(Uri.file(join(root, 'mnist.config.json')) as never), true);
  await idle;
  return events;
}

test('http.proxy (a user setting): the trainer\'s download goes through it, and the failure names the file and the mirror', async () => {
  proxy.requests.length = 0;
  ui.settings.proxy = proxy.url;
  const events = await train();
  assert.deepEqual(proxy.requests, [`GET ${mirror.base('m')}train-images-idx3-ubyte.gz`]);
  const done = events.find((e) => e.type === 'done');
  assert.match(done?.type === 'done' ? (done.message ?? '') : '', new RegExp(`^Could not download train-images-idx3-ubyte\\.gz from any mirror \\(${mirror.base('m')}train-images-idx3-ubyte\\.gz: HTTP 404`));
});

test('http.proxy set only by the workspace (.vscode/settings.json) is not used', async () => {
  proxy.requests.length = 0;
  delete ui.settings.proxy;
  ui.workspaceSettings.proxy = proxy.url;
  await train();
  assert.deepEqual(proxy.requests, []);
  delete ui.workspaceSettings.proxy;
});

test('proxyEnvironment: the setting over the environment, http.noProxy as NO_PROXY, nothing set: the environment as it is', () => {
  const env = { PATH: '/bin', HTTPS_PROXY: 'http://old:1' };
  assert.equal(proxyEnvironment('', undefined, env), env);
  assert.equal(proxyEnvironment(undefined, ['a.org'], env), env);
  const out = proxyEnvironment(' http://p:3128 ', ['intranet.local', 42, ''], env);
  assert.equal(out.HTTPS_PROXY, 'http://p:3128');
  assert.equal(out.HTTP_PROXY, 'http://p:3128');
  assert.equal(out.NO_PROXY, 'intranet.local');
  assert.equal(out.PATH, '/bin');
});
