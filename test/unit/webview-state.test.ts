// The dashboard's state as a fold over recorded run logs (test/fixtures/webview-runs, written by the real trainer).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { type BatchEvent, type RunInfo, type RunSummary, type SamplesEvent, type ToWebview, type TrainerEvent, isToWebview } from '../../src/shared/protocol';
import { splitMessage } from '../../webview/common/format';
import {
  applyEvent,
  applyMessage,
  displayStatus,
  initialState,
  SMOOTHING,
  type ViewState,
} from '../../webview/dashboard/state';
import { repoRoot } from '../helpers/paths';

type Kind = 'completed' | 'cancelled' | 'failed';

function load(kind: Kind): { events: TrainerEvent[]; summary: RunSummary; info: RunInfo } {
  const dir = join(repoRoot, 'test', 'fixtures', 'webview-runs', kind);
  const events = readFileSync(join(dir, 'events.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as TrainerEvent);
  const summary = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')) as RunSummary;
  const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
  const info: RunInfo = { id: `fixture-${kind}`, model: 'Flatten → Dense 128 → Dense 64 → Dense 10', dataset: config.dataset, epochs: config.training.epochs, batchSize: config.training.batchSize, live: false };
  return { events, summary, info };
}

/** What the host sends for a run: showRun, then its events in one message. */
function replay(events: readonly TrainerEvent[], info: RunInfo, from: ViewState = initialState()): ViewState {
  let s = applyMessage(from, { type: 'showRun', run: info });
  s = applyMessage(s, { type: 'events', runId: info.id, events: [...events] });
  return s;
}

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object' && !ArrayBuffer.isView(o) && !Object.isFrozen(o)) {
    Object.freeze(o);
    for (const v of Object.values(o)) deepFreeze(v);
  }
  return o;
}

describe('webview state: a completed run', () => {
  const { events, summary, info } = load('completed');
  const s = replay(events, info);

  it('ends completed, with the backend, dataset and model from the log', () => {
    assert.equal(s.status.kind, 'completed');
    assert.equal(displayStatus(s).kind, 'completed');
    assert.equal(s.ended, true);
    assert.equal(s.backend?.name, summary.backend);
    assert.equal(s.dataset?.name, 'mnist-sample');
    assert.equal(s.dataset?.train, 6400);
    assert.equal(s.model?.totalParams, 109386);
    assert.equal(s.eventCount, events.length);
  });

  it('keeps the per-epoch history summary.json has', () => {
    assert.equal(s.history.epoch.length, summary.epochsCompleted);
    assert.deepEqual(s.history.epoch, [1, 2]);
    assert.deepEqual(s.history.loss, summary.history.loss);
    assert.deepEqual(s.history.acc, summary.history.acc);
    assert.deepEqual(s.history.valLoss, summary.history.valLoss);
    assert.deepEqual(s.history.valAcc, summary.history.valAcc);
  });

  it('has the test accuracy and loss of summary.json', () => {
    assert.ok(s.evaluation);
    assert.equal(s.evaluation.testAccuracy, summary.testAccuracy);
    assert.equal(s.evaluation.testLoss, summary.testLoss);
    assert.deepEqual(s.evaluation.confusionMatrix, summary.confusionMatrix);
  });

  it('keeps every batch point, on a fractional-epoch axis, with a debiased EMA', () => {
    const batches = events.filter((e): e is BatchEvent => e.type === 'batch');
    assert.equal(s.batches.x.length, batches.length);
    assert.deepEqual(s.batches.loss, batches.map((b) => b.loss));
    for (let i = 1; i < s.batches.x.length; i++) assert.ok(s.batches.x[i] > s.batches.x[i - 1], 'x increases');
    assert.equal(s.batches.x.at(-1), 2);
    // The textbook definition, computed independently.
    let ema = 0;
    const expected = batches.map((b, i) => {
      ema = SMOOTHING * ema + (1 - SMOOTHING) * b.loss;
      return ema / (1 - SMOOTHING ** (i + 1));
    });
    s.batches.smoothedLoss.forEach((v, i) => assert.ok(Math.abs(v - expected[i]) < 1e-12, `point ${i}`));
    assert.equal(s.batches.smoothedLoss[0], batches[0].loss);
    // Smoothing shrinks the step-to-step jitter of real per-batch losses.
    const jitter = (a: number[]): number => a.slice(1).reduce((t, v, i) => t + Math.abs(v - a[i]), 0);
    assert.ok(jitter(s.batches.smoothedLoss) < jitter(s.batches.loss) / 2);
  });

  it('decodes the 20 sample digits once and marks wrong predictions from labels vs predicted', () => {
    const samples = events.filter((e): e is SamplesEvent => e.type === 'samples');
    const last = samples.at(-1)!;
    assert.ok(s.samples);
    assert.equal(s.samples.epoch, 2);
    assert.equal(s.samples.cells.length, 20);
    for (const [i, c] of s.samples.cells.entries()) {
      assert.equal(c.index, last.indices[i]);
      assert.equal(c.label, last.labels[i]);
      assert.equal(c.predicted, last.predicted[i]);
      assert.equal(c.confidence, last.confidence[i]);
      assert.equal(c.correct, last.labels[i] === last.predicted[i]);
      assert.ok(c.pixels, `cell ${i} has pixels`);
      assert.equal(c.pixels.length, 784);
      assert.equal(c.pixels.join(','), Buffer.from(samples[0].images![i], 'base64').join(','));
      assert.ok(c.pixels.some((p) => p > 200), 'real ink');
    }
    const wrong = s.samples.cells.filter((c) => c.correct === false).map((c) => `${c.label}→${c.predicted}`);
    assert.deepEqual(wrong, last.labels.flatMap((l, i) => (l === last.predicted[i] ? [] : [`${l}→${last.predicted[i]}`])));
    assert.ok(wrong.length > 0, 'the recorded run has at least one wrong sample');
  });

  it('shows progress at a mid-run batch: epoch, batch, samples/s and an ETA from event times', () => {
    const i = events.findIndex((e) => e.type === 'batch' && e.epoch === 1 && e.batch >= 100);
    const b = events[i] as BatchEvent;
    let mid = applyMessage(initialState(), { type: 'showRun', run: { ...info, live: true } });
    mid = applyMessage(mid, { type: 'events', runId: info.id, events: events.slice(0, i + 1) });
    assert.equal(mid.status.kind, 'training');
    assert.equal(displayStatus(mid).kind, 'training');
    assert.equal(mid.progress.epoch, 1);
    assert.equal(mid.progress.epochs, 2);
    assert.equal(mid.progress.batch, b.batch);
    assert.equal(mid.progress.batchesPerEpoch, 200);
    assert.equal(mid.progress.samplesPerSecond, b.samplesPerSecond);
    const fraction = b.batch / 200 / 2;
    assert.equal(mid.progress.fraction, fraction);
    const fitStart = events.find((e) => e.type === 'samples')!.time;
    const elapsed = (b.time - fitStart) / 1000;
    assert.ok(Math.abs(mid.progress.etaSeconds! - (elapsed * (1 - fraction)) / fraction) < 1e-9);
    // Half an epoch in, about three halves remain: the ETA is about three times the time so far.
    assert.ok(mid.progress.etaSeconds! > 2 * elapsed && mid.progress.etaSeconds! < 4 * elapsed);
    assert.equal(mid.history.epoch.length, 0);
    assert.equal(mid.evaluation, null);
    assert.equal(mid.samples?.epoch, 0, 'the before-training predictions show until epoch 1 ends');
  });

  it('gives the same state for a replay after a replay (showRun resets), and for one event at a time', () => {
    const twice = replay(events, info, replay(events, info));
    assert.deepEqual(twice, s);
    let one = applyMessage(initialState(), { type: 'showRun', run: info });
    for (const e of events) one = applyEvent(one, e);
    assert.deepEqual(one, s);
  });

  it('never changes the state it is given', () => {
    const half = deepFreeze(replay(events.slice(0, 30), info));
    const snapshot = structuredClone(half);
    const next = applyMessage(half, { type: 'events', runId: info.id, events: events.slice(30) });
    assert.deepEqual(half, snapshot);
    assert.deepEqual(next, s);
  });

  it('ignores events for another run, and events before any showRun', () => {
    assert.equal(applyMessage(s, { type: 'events', runId: 'other', events }), s);
    const empty = initialState();
    assert.equal(applyMessage(empty, { type: 'events', runId: info.id, events }), empty);
  });

  it('a new showRun clears the previous run but keeps the session state', () => {
    const training = applyMessage(s, { type: 'session', state: 'training' });
    assert.equal(training.session, 'training');
    const next = applyMessage(training, { type: 'showRun', run: { ...info, id: 'next', live: true } });
    assert.equal(next.session, 'training');
    assert.equal(next.history.epoch.length, 0);
    assert.equal(next.samples, null);
    assert.equal(next.evaluation, null);
    assert.equal(next.status.kind, 'preparing');
    const none = applyMessage(next, { type: 'showRun', run: null });
    assert.equal(none.run, null);
    assert.equal(none.status.kind, 'idle');
  });

  it('reads logs written before batch events carried `epochs`', () => {
    const old = events.map((e) => {
      if (e.type !== 'batch') return e;
      const { epochs: _drop, ...rest } = e;
      return rest as unknown as TrainerEvent;
    });
    const i = old.findIndex((e) => e.type === 'batch');
    let mid = applyMessage(initialState(), { type: 'showRun', run: info });
    mid = applyMessage(mid, { type: 'events', runId: info.id, events: old.slice(0, i + 1) });
    assert.equal(mid.progress.epochs, 2);
    assert.deepEqual(replay(old, info).history, s.history);
  });
});

describe('webview state: a cancelled run', () => {
  const { events, summary, info } = load('cancelled');
  const s = replay(events, info);

  it('ends cancelled with the trainer message, one epoch of history and no evaluation', () => {
    assert.equal(s.status.kind, 'cancelled');
    assert.equal(displayStatus(s).kind, 'cancelled');
    assert.match(s.status.message ?? '', /Stopped by the user/);
    assert.equal(s.history.epoch.length, summary.epochsCompleted);
    assert.equal(s.history.epoch.length, 1);
    assert.equal(s.evaluation, null);
    assert.equal(s.progress.epochs, 4);
    assert.equal(s.progress.epoch, 2, 'stopped inside epoch 2');
    assert.ok(s.progress.batch < s.progress.batchesPerEpoch);
    assert.equal(s.progress.etaSeconds, null, 'no ETA once the run is over');
    assert.equal(s.samples?.epoch, 1);
  });
});

describe('webview state: a failed run', () => {
  const { events, info } = load('failed');
  const s = replay(events, info);

  it('ends failed with the message and the hint, after the download progress', () => {
    assert.equal(s.status.kind, 'failed');
    assert.match(s.status.message ?? '', /Could not download train-images-idx3-ubyte\.gz/);
    assert.match(s.status.hint ?? '', /mnist-sample/);
    assert.equal(s.download?.file, 'train-images-idx3-ubyte.gz');
    assert.equal(s.download?.totalBytes, null);
    assert.ok((s.download?.receivedBytes ?? 0) > 1_000_000);
    assert.equal(s.dataset, null);
    assert.equal(s.history.epoch.length, 0);
    // The trainer repeats the hint at the end of the message; the view shows it once.
    const shown = splitMessage(s.status.message, s.status.hint);
    assert.ok(!shown.message.includes(shown.hint));
    assert.match(shown.message, /ended after 3000000 of 9912422 bytes\)\.$/);
  });

  it('is downloading while the download events arrive', () => {
    const i = events.findIndex((e) => e.type === 'download' && e.receivedBytes > 0);
    const mid = replay(events.slice(0, i + 1), { ...info, live: true });
    assert.equal(mid.status.kind, 'downloading');
    assert.equal(mid.download?.receivedBytes, (events[i] as { receivedBytes: number }).receivedBytes);
  });
});

describe('webview state: runs that stopped without a done event', () => {
  const { events, info } = load('completed');
  const cut = events.slice(0, events.findIndex((e) => e.type === 'epoch') + 1);

  it('a finished run from disk without `done` shows as failed, saying the trainer stopped unexpectedly', () => {
    const s = replay(cut, info);
    assert.equal(s.status.kind, 'training');
    const shown = displayStatus(s);
    assert.equal(shown.kind, 'failed');
    assert.match(shown.message ?? '', /without a final event/);
  });

  it('a live run without `done` is still training', () => {
    assert.equal(displayStatus(replay(cut, { ...info, live: true })).kind, 'training');
  });
});

describe('webview state: messages', () => {
  it('accepts the host message shapes and nothing else', () => {
    const good: ToWebview[] = [
      { type: 'showRun', run: null },
      { type: 'events', runId: 'x', events: [] },
      { type: 'session', state: 'stopping' },
      { type: 'prediction', id: 1, probabilities: [] },
    ];
    for (const m of good) assert.ok(isToWebview(m), m.type);
    for (const m of [null, 'showRun', [], {}, { type: 'train' }, { type: 'events', runId: 1, events: [] }, { type: 'session', state: 'busy' }, { type: 'showRun', run: { id: 3 } }]) {
      assert.equal(isToWebview(m), false, JSON.stringify(m));
    }
  });

  it('the session message sets the button state and nothing else', () => {
    const s = initialState();
    const t = applyMessage(s, { type: 'session', state: 'training' });
    assert.equal(t.session, 'training');
    assert.deepEqual({ ...t, session: 'idle' }, s);
    assert.equal(applyMessage(t, { type: 'session', state: 'training' }), t);
  });
});
