import assert from 'node:assert/strict';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { DEFAULT_CONFIG, applyDefaults } from '../../src/shared/config';
import type { TrainerEvent } from '../../src/shared/protocol';
import { summarizeRun } from '../../src/shared/summary';
import { appendEvent, createRunDir, finishAbandonedRun, readEvents, readSummary, runId } from '../../src/node/runs/run-folder';

const config = applyDefaults({ model: { preset: 'cnn' }, training: { epochs: 3 } });

function recordedRun(): TrainerEvent[] {
  const t0 = Date.UTC(2026, 10, 26, 12, 0, 0);
  return [
    { type: 'ready', time: t0, backend: 'wasm', reason: 'test', threads: 1, versions: { tfjs: '4.22.0', node: '20' } },
    { type: 'dataset', time: t0 + 10, name: 'mnist-sample', source: 'bundled', train: 6400, validation: 1600, test: 2000, imageShape: [28, 28, 1], classNames: [] },
    { type: 'epoch', time: t0 + 2000, epoch: 1, epochs: 3, loss: 0.5, acc: 0.85, valLoss: 0.3, valAcc: 0.9, seconds: 2, samplesPerSecond: 3200 },
    { type: 'epoch', time: t0 + 4000, epoch: 2, epochs: 3, loss: 0.25, acc: 0.93, valLoss: 0.2, valAcc: 0.94, seconds: 2, samplesPerSecond: 3200 },
    { type: 'batch', time: t0 + 4500, epoch: 3, epochs: 3, batch: 10, batchesPerEpoch: 200, loss: 0.2, acc: 0.95, samplesPerSecond: 3000 },
  ] as TrainerEvent[];
}

test('run ids sort by time and name the preset', () => {
  assert.equal(runId(config, new Date(2026, 10, 26, 9, 5, 7)), '2026-11-26_09-05-07_cnn');
  assert.equal(runId(DEFAULT_CONFIG, new Date(2026, 0, 2, 3, 4, 5)), '2026-01-02_03-04-05_mlp', "the tutorial's layers are the mlp preset");
  const custom = applyDefaults({ model: { layers: [{ type: 'flatten' }, { type: 'dense', units: 10, activation: 'softmax' }] } });
  assert.equal(runId(custom, new Date(2026, 0, 2, 3, 4, 5)), '2026-01-02_03-04-05_custom');
});

test('two runs started in the same second get two folders, each with its config', () => {
  const root = mkdtempSync(join(tmpdir(), 'runs-'));
  const date = new Date(2026, 10, 26, 12, 0, 0);
  const a = createRunDir(root, config, date);
  const b = createRunDir(root, config, date);
  assert.notEqual(a, b);
  assert.deepEqual(readdirSync(root).sort(), ['2026-11-26_12-00-00_cnn', '2026-11-26_12-00-00_cnn-2']);
  assert.deepEqual(JSON.parse(readFileSync(join(b, 'config.json'), 'utf8')), config);
});

test('summary is a fold over events: history, throughput, status', () => {
  const events = recordedRun();
  const s = summarizeRun(config, [...events, { type: 'done', time: events[4].time + 10, status: 'cancelled', runDir: 'x', message: 'stopped' }]);
  assert.equal(s.status, 'cancelled');
  assert.equal(s.message, 'stopped');
  assert.equal(s.backend, 'wasm');
  assert.equal(s.dataset, 'mnist-sample');
  assert.equal(s.epochs, 3);
  assert.equal(s.epochsCompleted, 2);
  assert.deepEqual(s.history, { loss: [0.5, 0.25], acc: [0.85, 0.93], valLoss: [0.3, 0.2], valAcc: [0.9, 0.94] });
  assert.equal(s.trainSamplesPerSecond, (6400 * 2) / 4);
  assert.equal(s.testAccuracy, null);
  assert.equal(s.startedAt, '2026-11-26T12:00:00.000Z');
});

test('a trainer that died mid-run: every event kept, a failed summary written, a torn last line skipped', () => {
  const root = mkdtempSync(join(tmpdir(), 'runs-'));
  const dir = createRunDir(root, config);
  for (const e of recordedRun()) appendEvent(dir, e);
  appendFileSync(join(dir, 'events.jsonl'), '{"type":"batch","time":17'); // killed mid-write
  const summary = finishAbandonedRun(dir, 'The trainer was killed (SIGKILL) before the run ended.');
  assert.ok(summary);
  assert.equal(summary.status, 'failed');
  assert.match(summary.message ?? '', /SIGKILL/);
  assert.deepEqual(summary.history.valAcc, [0.9, 0.94]);
  const events = readEvents(dir);
  assert.equal(events.length, 6, 'the five whole events and the done event');
  assert.equal(events[5].type, 'done');
  assert.deepEqual(readSummary(dir), summary);
  assert.equal(finishAbandonedRun(dir, 'again'), null, 'a run that has its done event is left alone');
  assert.equal(existsSync(join(dir, 'summary.json.tmp-' + process.pid)), false);
});
