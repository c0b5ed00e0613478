// Whether a config chooses its backend (then mnist.defaultBackend does not apply), read as JSONC.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { configSetsBackend } from '../../src/shared/config-backend';

test('a top-level "backend" key chooses the backend, with comments, a BOM and trailing commas', () => {
  assert.equal(configSetsBackend('{ "backend": "wasm" }'), true);
  assert.equal(configSetsBackend('\uFEFF{\n  // the fast one\n  "backend": "cpu",\n}'), true);
});

test('"backend" in a comment, a string, a layer or an experiment does not: the setting applies', () => {
  assert.equal(configSetsBackend('{\n  // "backend": "wasm",\n  "dataset": "mnist-sample"\n}'), false);
  assert.equal(configSetsBackend('{ /* "backend": "cpu" */ "dataset": "mnist" }'), false);
  assert.equal(configSetsBackend('{ "dataset": "mnist", "name": "\\"backend\\": cpu" }'), false);
  assert.equal(configSetsBackend('{ "experiments": [ { "name": "cpu", "backend": "cpu" } ] }'), false);
  assert.equal(configSetsBackend('{ "model": { "layers": [ { "type": "dense", "backend": 1 } ] } }'), false);
});

test('text that is not an object chooses nothing, and never throws', () => {
  for (const text of ['', '[]', '"backend"', 'null', '[{ "backend": "cpu" }]', '{{{']) {
    assert.equal(configSetsBackend(text), false, JSON.stringify(text));
  }
});
