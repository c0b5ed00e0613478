// Provenance folded from events, and the verdict of a reproduction, on recorded runs.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { TrainerEvent } from '../../src/shared/protocol';
import { canonicalJson, compareReproduction, provenanceOf } from '../../src/shared/provenance';
import type { RunRecord } from '../../src/shared/run-record';
import { readRunRecord } from '../../src/node/runs/run-listing';
import { configHash, sha256 } from '../../src/node/runs/provenance';
import { repoRoot } from '../helpers/paths';

const cnn = readRunRecord(join(repoRoot, 'test', 'fixtures', 'run-history', 'cnn-3-epochs'), { events: true })!;

test('canonical JSON: the same config in any key order gives the same text and hash', () => {
  assert.equal(canonicalJson({ b: 1, a: { d: [1, { y: 2, x: 1 }], c: null } }), '{"a":{"c":null,"d":[1,{"x":1,"y":2}]},"b":1}');
  assert.equal(canonicalJson({ a: undefined, b: 1 }), '{"b":1}');
  const config = cnn.config!;
  const shuffled = JSON.parse(JSON.stringify({ training: config.training, backend: config.backend, model: config.model, data: config.data, dataset: config.dataset }));
  assert.equal(configHash(shuffled), configHash(config));
  assert.equal(configHash(config), sha256(canonicalJson(config)));
  assert.match(configHash(config), /^[0-9a-f]{64}$/);
});

test('a run recorded before provenance existed: backend, versions and seed from its events, the rest null', () => {
  const p = provenanceOf(cnn.config, cnnEvents());
  assert.equal(p.backend, 'wasm');
  assert.equal(p.tfjsVersion, '4.22.0');
  assert.equal(p.seed, 42);
  assert.equal(p.threads, 1);
  assert.equal(p.configHash, null);
  assert.equal(p.dataset?.name, 'mnist-sample');
  assert.equal(p.dataset?.checksums, null);
  assert.deepEqual(cnn.provenance, p, 'the run record reads the same');
});

function cnnEvents(): TrainerEvent[] {
  return readFileSync(join(cnn.dir, 'events.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as TrainerEvent);
}

function copyOf(r: RunRecord, change: (c: RunRecord) => void = () => undefined): RunRecord {
  const c = structuredClone(r);
  change(c);
  return c;
}

test('a reproduction with the same numbers matches exactly; within the tolerance it matches, not bit for bit', () => {
  const same = compareReproduction(cnn, copyOf(cnn));
  assert.equal(same.match, true);
  assert.equal(same.identical, true);
  assert.match(same.summary, /^the metrics match exactly \(test accuracy 0\.9480, 3 epochs/);
  const nearly = compareReproduction(cnn, copyOf(cnn, (c) => (c.history.valLoss[1] += 1e-9)));
  assert.equal(nearly.match, true);
  assert.equal(nearly.identical, false);
  assert.match(nearly.summary, /match within 0\.000001 .*not bit for bit/);
});

test('a reproduction that differs says where first, and what differed in how it was made', () => {
  const other = copyOf(cnn, (c) => {
    c.history.valLoss[1] += 0.01;
    c.testAccuracy = 0.9455;
    c.provenance = { ...c.provenance!, backend: 'cpu', tfjsVersion: '4.21.0' };
  });
  const v = compareReproduction(cnn, other);
  assert.equal(v.match, false);
  assert.equal(v.differences[0], `epoch 2 valLoss ${Number(cnn.history.valLoss[1].toFixed(6))} → ${Number((cnn.history.valLoss[1] + 0.01).toFixed(6))}`);
  assert.ok(v.differences.includes('test accuracy 0.948 → 0.9455'));
  assert.deepEqual(v.provenanceDifferences, ['backend wasm → cpu', 'tfjs 4.22.0 → 4.21.0']);
  assert.match(v.summary, /^the metrics differ: epoch 2 valLoss .*How they were made differs: backend wasm → cpu; tfjs 4\.22\.0 → 4\.21\.0$/);
  const cancelled = compareReproduction(cnn, copyOf(cnn, (c) => ((c.state = 'cancelled'), (c.message = 'Stopped by the user'))));
  assert.equal(cancelled.match, false);
  assert.match(cancelled.summary, /did not complete \(cancelled: Stopped by the user\)/);
});
