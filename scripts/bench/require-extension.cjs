// Time to require() the extension host bundle and run its activate(), in plain Node, with a
// stand-in `vscode` module. Not VS Code's activation time: VS Code's own work is left out, and
// calls into the stand-in cost nothing; it is the part that the bundle's size, its top-level code
// and activate()'s own work decide. Prints JSON: { requireMs, activateMs, ms (both), subscriptions }.
'use strict';
const Module = require('node:module');
const { mkdtempSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');

const bundle = process.argv[2];
// Anything: every property read gives another anything (or what was assigned), every call and
// `new` gives a fresh one, so `new vscode.EventEmitter().event(…)`, `class X extends
// vscode.TreeItem`, `createStatusBarItem().show()` and enum reads all work. It is not a thenable
// (so `await` on it resolves) and iterates as empty.
function anything() {
  const own = new Map();
  const target = function vscodeStub() {};
  const proxy = new Proxy(target, {
    get(t, key) {
      if (key === 'prototype') return t.prototype;
      if (key === 'then') return undefined;
      if (key === Symbol.toPrimitive) return () => 0;
      if (key === Symbol.iterator) return function* () {};
      if (!own.has(key)) own.set(key, anything());
      return own.get(key);
    },
    set(_, key, value) {
      own.set(key, value);
      return true;
    },
    has: () => true,
    // esbuild's ESM interop copies a module's own properties into an object whose prototype is
    // the module's prototype, so reads through the prototype must answer too.
    getPrototypeOf: () => new Proxy({}, { get: (_, key) => proxy[key] }),
    apply: () => anything(),
    construct: () => anything(),
  });
  return proxy;
}
const vscode = anything();
// What activate() reads as values (paths, settings, the workspace) gets real ones.
const uri = (p) => ({ fsPath: p, path: p, scheme: 'file', toString: () => `file://${p}`, with: () => uri(p) });
vscode.Uri = { file: uri, joinPath: (base, ...parts) => uri(join(base.fsPath, ...parts)), parse: (s) => uri(s.replace(/^file:\/\//, '')) };
const workspace = mkdtempSync(join(tmpdir(), 'mnist-activate-'));
vscode.workspace.workspaceFolders = [{ uri: uri(workspace), name: 'ws', index: 0 }];
vscode.workspace.getConfiguration = () => ({ get: (_key, fallback) => fallback, has: () => false, inspect: () => undefined });
vscode.workspace.isTrusted = true;
vscode.workspace.textDocuments = [];
const stubPath = join(__dirname, '__vscode_stub__.js');
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  return request === 'vscode' ? stubPath : resolve.call(this, request, ...rest);
};
require.cache[stubPath] = { id: stubPath, filename: stubPath, loaded: true, exports: vscode };

const subscriptions = [];
const context = anything();
context.subscriptions = subscriptions;
context.extensionPath = join(bundle, '..', '..');
context.extensionUri = uri(context.extensionPath);
context.globalStorageUri = uri(join(workspace, '.global'));
context.storageUri = uri(join(workspace, '.storage'));
context.asAbsolutePath = (p) => join(context.extensionPath, p);

// CPU time beside wall time: on a shared machine the wall time mostly measures the other jobs.
const cpu = process.cpuUsage();
const start = process.hrtime.bigint();
const ext = require(bundle);
const required = process.hrtime.bigint();
ext.activate(context);
const activated = process.hrtime.bigint();
const used = process.cpuUsage(cpu);
const ms = (a, b) => Number(b - a) / 1e6;
process.stdout.write(
  JSON.stringify({ requireMs: ms(start, required), activateMs: ms(required, activated), ms: ms(start, activated), cpuMs: (used.user + used.system) / 1000, subscriptions: subscriptions.length }) + '\n',
);
rmSync(workspace, { recursive: true, force: true });
// activate() may have started timers or watchers on the stand-in; the figures are out.
process.exit(0);
