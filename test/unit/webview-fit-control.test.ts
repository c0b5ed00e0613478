// The Dashboard's learning-rate chart, early-stop markers and resumed runs, folded from logs the
// real trainer wrote (test/fixtures/webview-runs: early-stop, resumed, uninterrupted; see its README).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { FALLBACK_THEME } from '../../src/shared/chart-theme';
import type { RunInfo, RunSummary, TrainerEvent } from '../../src/shared/protocol';
import {
  accuracyChartOption,
  type ChartOption,
  curveNotes,
  formatRate,
  formatTooltip,
  learningRateChanges,
  learningRateChartOption,
  lossChartOption,
  markersOf,
} from '../../webview/dashboard/charts';
import { chartCsv } from '../../webview/dashboard/csv';
import { applyMessage, displayStatus, initialState, type ViewState } from '../../webview/dashboard/state';
import { repoRoot } from '../helpers/paths';

type Fixture = 'early-stop' | 'resumed' | 'uninterrupted' | 'completed';

function load(kind: Fixture): { events: TrainerEvent[]; summary: RunSummary; info: RunInfo } {
  const dir = join(repoRoot, 'test', 'fixtures', 'webview-runs', kind);
  const events = readFileSync(join(dir, 'events.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as TrainerEvent);
  const summary = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')) as RunSummary;
  const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
  const info: RunInfo = { id: kind, model: 'mlp', dataset: config.dataset, epochs: config.training.epochs, batchSize: config.training.batchSize, live: false };
  return { events, summary, info };
}

function replay(events: readonly TrainerEvent[], info: RunInfo): ViewState {
  const s = applyMessage(initialState(), { type: 'showRun', run: info });
  return applyMessage(s, { type: 'events', runId: info.id, events: [...events] });
}

/** The same events one message each, as a live run streams them. */
function stream(events: readonly TrainerEvent[], info: RunInfo): ViewState {
  let s = applyMessage(initialState(), { type: 'showRun', run: info });
  for (const e of events) s = applyMessage(s, { type: 'events', runId: info.id, events: [e] });
  return s;
}

type MarkLineItem = { name: string; xAxis: number; label: { formatter: string; position: string } };
type Series = { id: string; data: { value: [number, number]; name: string }[]; step?: string; markLine?: { data: MarkLineItem[] } };

function seriesOf(o: ChartOption | null): Record<string, Series> {
  assert.ok(o, 'an option');
  return Object.fromEntries((o.series as unknown as Series[]).map((s) => [s.id, s]));
}

describe('early stopping and a learning-rate schedule on the Dashboard (recorded: step schedule, patience 2)', () => {
  const { events, summary, info } = load('early-stop');
  const s = replay(events, info);

  it('folds the earlyStop event: the epoch, reason and best epoch summary.json has', () => {
    assert.equal(s.status.kind, 'completed');
    assert.ok(summary.earlyStop, 'the recorded run stopped early');
    assert.equal(s.earlyStop?.epoch, summary.earlyStop.epoch);
    assert.equal(s.earlyStop?.reason, summary.earlyStop.reason);
    assert.equal(s.earlyStop?.restoredBestWeights, true);
    assert.equal(s.earlyStop?.bestEpoch, summary.bestEpoch);
    assert.equal(s.history.epoch.length, summary.epochsCompleted);
    assert.ok(summary.epochsCompleted < summary.epochs, `stopped before the planned ${summary.epochs} epochs`);
  });

  it('keeps the learning rate of every epoch, as summary.json records it', () => {
    assert.deepEqual(s.history.learningRate, summary.history.learningRate);
    assert.equal(learningRateChanges(s), true);
  });

  it('the loss and accuracy charts mark the early stop and the restored best epoch on the validation curve', () => {
    for (const option of [lossChartOption(s, FALLBACK_THEME), accuracyChartOption(s, FALLBACK_THEME)]) {
      const series = seriesOf(option);
      const marks = series.validation.markLine?.data ?? [];
      assert.deepEqual(marks.map((m) => [m.xAxis, m.label.formatter]), [[summary.earlyStop!.epoch, `early stop (${summary.earlyStop!.epoch})`], [summary.bestEpoch, `best (${summary.bestEpoch})`]]);
      assert.notEqual(marks[0].label.position, marks[1].label.position, 'the two labels do not sit on each other');
      assert.equal(series.train.markLine, undefined, 'drawn once per chart');
    }
  });

  it('draws the rate and the early stop in the theme\'s colours', () => {
    const theme = { ...FALLBACK_THEME, rate: '#aa00aa', marker: '#ff0001', muted: '#020202' };
    const marks = seriesOf(lossChartOption(s, theme)).validation.markLine?.data as unknown as { lineStyle: { color: string }; label: { color: string } }[];
    assert.deepEqual(marks.map((m) => [m.lineStyle.color, m.label.color]), [['#ff0001', '#ff0001'], ['#020202', '#020202']]);
    assert.equal((seriesOf(learningRateChartOption(s, theme)).rate as unknown as { color: string }).color, '#aa00aa');
  });

  it('without restoreBestWeights only the stop is marked', () => {
    const kept = events.map((e) => (e.type === 'earlyStop' ? { ...e, restoredBestWeights: false } : e));
    const marks = seriesOf(lossChartOption(replay(kept, info), FALLBACK_THEME)).validation.markLine?.data ?? [];
    assert.deepEqual(marks.map((m) => m.name), [`early stop (${summary.earlyStop!.epoch})`]);
  });

  it('says why it stopped and which weights the model kept, in words under the charts', () => {
    const notes = curveNotes(s).join(' ');
    assert.match(notes, new RegExp(`Stopped early after epoch ${summary.earlyStop!.epoch}: ${summary.earlyStop!.reason.replace(/[.()]/g, '\\$&')}\\.`));
    assert.match(notes, new RegExp(`keeps the weights of epoch ${summary.bestEpoch}, the best validation loss \\(${summary.bestMetric!.value.toFixed(4)}\\)`));
    assert.deepEqual(markersOf(s).map((m) => m.kind), ['early-stop', 'best']);
  });

  it('the learning-rate chart draws each epoch\'s rate as a step over that epoch, on the curves\' x axis', () => {
    const option = learningRateChartOption(s, FALLBACK_THEME);
    const rate = seriesOf(option).rate;
    const rates = summary.history.learningRate!;
    assert.equal(rate.step, 'start');
    assert.deepEqual(rate.data.map((d) => d.value), [[0, rates[0]], ...rates.map((r, i) => [i + 1, r])]);
    assert.deepEqual((option!.xAxis as { max: number }).max, summary.epochs, 'the same x range as the loss chart');
    // 0.004 → 0.0005 is a factor 8: a linear axis that spans the range.
    assert.equal((option!.yAxis as { type: string }).type, 'value');
    assert.deepEqual(rate.markLine?.data.map((m) => m.xAxis), [summary.earlyStop!.epoch, summary.bestEpoch]);
    assert.match(formatTooltip({ seriesId: 'rate', seriesName: 'learning rate', name: 'epoch 10', value: [10, rates[9]] }), /epoch 10.*learning rate.*>0\.0005</);
  });

  it('a decay over more than a factor 10 goes on a log axis', () => {
    const steep = events.map((e) => (e.type === 'epoch' ? { ...e, learningRate: 0.01 * 0.5 ** (e.epoch - 1) } : e));
    const option = learningRateChartOption(replay(steep, info), FALLBACK_THEME);
    assert.equal((option!.yAxis as { type: string }).type, 'log');
  });

  it('exports the rates as CSV', () => {
    const csv = chartCsv(s, 'learning-rate')!.trim().split('\r\n');
    assert.equal(csv[0], 'epoch,learning_rate');
    assert.equal(csv.length, summary.epochsCompleted + 1);
    assert.equal(csv[4], `4,${summary.history.learningRate![3]}`);
  });

  it('streamed one event at a time, the view ends the same', () => {
    const live = stream(events, info);
    assert.deepEqual(live.earlyStop, s.earlyStop);
    assert.deepEqual(live.history, s.history);
  });
});

describe('a constant learning rate and an older log', () => {
  it('a run at one rate gets no rate chart, one line instead', () => {
    const { events, info } = load('uninterrupted');
    const flat = replay(events.map((e) => (e.type === 'epoch' ? { ...e, learningRate: 0.001 } : e)), info);
    assert.equal(learningRateChanges(flat), false);
    assert.deepEqual(curveNotes(flat), ['Learning rate 0.001 in every epoch.']);
  });

  it('a log written before rates were recorded: no rate chart, no note, no markers', () => {
    const { events, info } = load('completed');
    const s = replay(events, info);
    assert.ok(s.history.learningRate.every((r) => r === null));
    assert.equal(learningRateChartOption(s, FALLBACK_THEME), null);
    assert.equal(chartCsv(s, 'learning-rate'), null);
    assert.deepEqual(curveNotes(s), []);
    assert.equal(seriesOf(lossChartOption(s, FALLBACK_THEME)).validation.markLine, undefined);
  });

  it('formatRate writes rates as people do', () => {
    assert.equal(formatRate(0.001), '0.001');
    assert.equal(formatRate(0.00034299999999999993), '0.000343');
    assert.equal(formatRate(0.0000125), '1.25e-5');
    assert.equal(formatRate(0.00001), '1e-5');
  });
});

describe('a run killed in epoch 3 and resumed (recorded: SIGKILL, then mnist-train --resume)', () => {
  const resumed = load('resumed');
  const straight = load('uninterrupted');
  const s = replay(resumed.events, resumed.info);
  const reference = replay(straight.events, straight.info);
  const at = resumed.events.findIndex((e) => e.type === 'resume');

  it('the recorded log has the kill: a failed done, then a resume after epoch 2, with epoch-3 batches of the first attempt before it', () => {
    const before = resumed.events.slice(0, at);
    assert.equal(before.at(-1)?.type, 'done');
    assert.ok(before.some((e) => e.type === 'batch' && e.epoch === 3));
    assert.deepEqual(resumed.events[at], { ...resumed.events[at], type: 'resume', epoch: 2, epochs: 4 });
  });

  it('folds to the same view as the same config trained without a break', () => {
    assert.equal(s.status.kind, 'completed');
    assert.equal(displayStatus(s).kind, 'completed');
    assert.equal(s.ended, true);
    const { seconds: _a, ...history } = s.history;
    const { seconds: _b, ...expected } = reference.history;
    assert.deepEqual(history, expected);
    assert.deepEqual(s.evaluation, reference.evaluation);
    assert.deepEqual(s.samples, reference.samples);
    assert.deepEqual({ ...s.progress, samplesPerSecond: 0 }, { ...reference.progress, samplesPerSecond: 0 });
    assert.deepEqual(history.epoch, [1, 2, 3, 4], 'no gap, no duplicate');
    // What the charts draw per epoch is the same.
    for (const build of [accuracyChartOption, lossChartOption, learningRateChartOption]) {
      const a = seriesOf(build(s, FALLBACK_THEME));
      const b = seriesOf(build(reference, FALLBACK_THEME));
      for (const id of ['train', 'validation', 'rate']) if (a[id] || b[id]) assert.deepEqual(a[id].data, b[id].data, id);
    }
  });

  it('the per-batch line is one run: the killed epoch\'s batches are dropped, x only grows', () => {
    const x = s.batches.x;
    for (let i = 1; i < x.length; i++) assert.ok(x[i] > x[i - 1], `x[${i}] = ${x[i]} after ${x[i - 1]}`);
    const epoch3 = resumed.events.slice(at).filter((e) => e.type === 'batch' && e.epoch === 3).length;
    assert.equal(x.filter((v) => v > 2 && v <= 3).length, epoch3, 'epoch 3 as the resumed attempt trained it');
    for (const k of ['loss', 'acc', 'smoothedLoss', 'smoothedAcc'] as const) assert.equal(s.batches[k].length, x.length);
    assert.equal(resumed.summary.resumed, 1);
    assert.deepEqual(curveNotes(s), ['Resumed once from a checkpoint; the curves are one run.']);
  });

  it('at the resume event the view is training again, from epoch 2 of 4, with the failure gone', () => {
    const failed = replay(resumed.events.slice(0, at), resumed.info);
    assert.equal(failed.status.kind, 'failed');
    assert.equal(failed.ended, true);
    const back = replay(resumed.events.slice(0, at + 1), { ...resumed.info, live: true });
    assert.equal(back.status.kind, 'training');
    assert.equal(back.status.message, 'Resuming after epoch 2 of 4…');
    assert.equal(back.ended, false);
    assert.deepEqual(back.history.epoch, [1, 2]);
    assert.ok(Math.max(...back.batches.x) <= 2);
    assert.equal(back.progress.epoch, 2);
    assert.equal(back.progress.fraction, 0.5);
    assert.equal(back.evaluation, null);
  });

  it('the ETA after a resume counts from the resume, not across the time the run was down', () => {
    const afterResume = resumed.events.slice(at).filter((e) => e.type === 'batch');
    const [first, , third] = afterResume;
    const upTo = resumed.events.indexOf(third);
    const v = replay(resumed.events.slice(0, upTo + 1), { ...resumed.info, live: true });
    assert.equal(first.type, 'batch');
    assert.equal(third.type, 'batch');
    if (first.type !== 'batch' || third.type !== 'batch') return;
    const fraction = (third.epoch - 1 + third.batch / third.batchesPerEpoch) / third.epochs;
    const elapsed = (third.time - first.time) / 1000;
    const expected = (elapsed * (1 - fraction)) / (fraction - 0.5);
    assert.ok(Math.abs((v.progress.etaSeconds ?? NaN) - expected) < 1e-9, `${v.progress.etaSeconds} vs ${expected}`);
  });

  it('streamed live, event by event, it ends the same as the replay', () => {
    const live = stream(resumed.events, resumed.info);
    assert.deepEqual(live.history, s.history);
    assert.deepEqual(live.batches, s.batches);
    assert.equal(live.status.kind, 'completed');
  });
});
