// Time to require() the extension host bundle in plain Node, with a stub `vscode` module.
// Not VS Code's activation time: it leaves out VS Code's own work and activate() itself; it is
// the part the bundle's size and top-level code decide. Prints JSON: { ms, activateExported }.
'use strict';
const Module = require('node:module');
const { join } = require('node:path');

const bundle = process.argv[2];
// Any property is a callable, constructible stub, so top-level `new vscode.EventEmitter()`,
// `class X extends vscode.TreeItem` and enum reads all work.
// esbuild's ESM interop copies a module's own properties into a new object whose prototype is
// the module's, so the stub answers through its prototype too.
const stub = new Proxy(function vscodeStub() {}, {
  get: (target, key) => (key === 'prototype' ? target.prototype : key === Symbol.toPrimitive ? () => 0 : stub),
  apply: () => stub,
  construct: () => ({}),
  getPrototypeOf: () => anything,
});
const anything = new Proxy({}, { get: (_, key) => (key === Symbol.toPrimitive ? () => 0 : stub) });
const stubPath = join(__dirname, '__vscode_stub__.js');
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  return request === 'vscode' ? stubPath : resolve.call(this, request, ...rest);
};
require.cache[stubPath] = { id: stubPath, filename: stubPath, loaded: true, exports: stub };

const start = process.hrtime.bigint();
const ext = require(bundle);
const ms = Number(process.hrtime.bigint() - start) / 1e6;
process.stdout.write(JSON.stringify({ ms, activateExported: typeof ext.activate === 'function' }) + '\n');
