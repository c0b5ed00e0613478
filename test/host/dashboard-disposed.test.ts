// A dashboard closed while an answer is on its way: VS Code rejects postMessage on a disposed
// webview (or throws at once); the dashboard drops the message instead of an unhandled rejection.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { EventEmitter, Uri, fakeVscode, installFakeVscode, ui } from '../helpers/fake-vscode';
import { repoRoot } from '../helpers/paths';

installFakeVscode();
const { Dashboard } = require('../../src/host/panels/dashboard') as typeof import('../../src/host/panels/dashboard');

/** A webview view as VS Code gives it, whose postMessage fails once it is disposed: `throws` at once, or by rejecting. */
function closableView(throws: boolean) {
  const received = new EventEmitter<unknown>();
  const disposed = new EventEmitter<void>();
  const state = { disposed: false, posted: [] as unknown[] };
  const webview = {
    options: {},
    html: '',
    cspSource: 'vscode-webview://fake',
    asWebviewUri: (u: Uri) => u,
    onDidReceiveMessage: received.event,
    postMessage: (m: unknown): Promise<boolean> => {
      if (!state.disposed) {
        state.posted.push(m);
        return Promise.resolve(true);
      }
      if (throws) throw new Error('Webview is disposed');
      return Promise.reject(new Error('Webview is disposed'));
    },
  };
  return { view: { webview, onDidDispose: disposed.event }, received, state, dispose: () => ((state.disposed = true), disposed.fire()) };
}

for (const throws of [false, true]) {
  test(`a drawn digit answered after the view closed (postMessage ${throws ? 'throws' : 'rejects'}): dropped, no unhandled rejection`, async () => {
    ui.reset(mkdtempSync(join(tmpdir(), 'dash-')));
    const unhandled: unknown[] = [];
    const onUnhandled = (err: unknown) => unhandled.push(err);
    process.on('unhandledRejection', onUnhandled);
    const session = { state: 'idle', onDidStartRun: new EventEmitter().event, onDidEvent: new EventEmitter().event, onDidChange: new EventEmitter().event };
    const log = fakeVscode.window.createOutputChannel();
    const dashboard = new Dashboard(Uri.file(repoRoot) as never, session as never, { train() {}, stop() {}, openRun() {}, createConfig() {} }, log as never);
    const v = closableView(throws);
    dashboard.resolveWebviewView(v.view as never);
    v.received.fire({ type: 'ready' });
    assert.ok(v.state.posted.some((m) => (m as { type: string }).type === 'showRun'), 'the open view got its replay');
    v.received.fire({ type: 'predict', id: 1, pixels: new Array(784).fill(0) });
    v.received.fire({ type: 'ready' }); // a replay requested just as it closes
    v.dispose();
    await new Promise((resolve) => setTimeout(resolve, 50));
    dashboard.show({ info: { id: 'r', model: 'mlp', dataset: 'mnist', epochs: 1, batchSize: 32, live: false }, events: [] });
    await new Promise((resolve) => setImmediate(resolve));
    process.off('unhandledRejection', onUnhandled);
    dashboard.dispose();
    assert.deepEqual(unhandled, []);
  });
}
