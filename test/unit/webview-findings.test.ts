// The Dashboard's Findings, from the view's folded state of runs the real trainer recorded: the
// same findings as the engine on the event log, live while training, and the chart mark they name.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RunInfo, TrainerEvent } from '../../src/shared/protocol';
import { runFindings } from '../../src/shared/runs/findings';
import { FALLBACK_THEME } from '../../src/shared/chart-theme';
import { lossChartOption } from '../../webview/dashboard/charts';
import { findingMarkers, findingsOfState, weakCells } from '../../webview/dashboard/findings-view';
import { applyMessage, initialState, type ViewState } from '../../webview/dashboard/state';
import { recordedRun } from '../helpers/recorded-runs';

function replay(events: readonly TrainerEvent[], live = false): ViewState {
  const info: RunInfo = { id: 'r', model: 'mlp', dataset: 'mnist', epochs: 25, batchSize: 32, live };
  let s = applyMessage(initialState(), { type: 'showRun', run: info });
  if (live) s = applyMessage(s, { type: 'session', state: 'training' });
  // One message per event, as a live run streams them.
  for (const e of events) s = applyMessage(s, { type: 'events', runId: 'r', events: [e] });
  return s;
}

const upToEpoch = (events: TrainerEvent[], epoch: number) => events.slice(0, events.findIndex((e) => e.type === 'epoch' && e.epoch === epoch) + 1);

test('a finished run: the Dashboard shows what the engine finds in the event log (without quick fixes: those are in the Problems panel)', () => {
  for (const name of ['mnist10k-overfitting-25-epochs', 'mnist10k-sgd-lr20-diverges', 'mnist10k-sgd-still-improving', 'mnist10k-healthy-early-stop']) {
    const { events } = recordedRun(name);
    assert.deepEqual(findingsOfState(replay(events)), runFindings(null, events), name);
  }
});

test('live: overfitting appears at epoch 9 of the 25-epoch run, with "lowest val loss (6)" marked on the loss chart', () => {
  const { events } = recordedRun('mnist10k-overfitting-25-epochs');
  assert.deepEqual(findingsOfState(replay(upToEpoch(events, 8), true)), []);
  const s = replay(upToEpoch(events, 9), true);
  assert.deepEqual(findingsOfState(s).map((f) => f.id), ['overfitting'], 'only what the curves so far show; no gap or digits yet');
  assert.deepEqual(findingMarkers(s).map((m) => [m.kind, m.epoch, m.label]), [['finding', 6, 'lowest val loss (6)']]);
  const series = (lossChartOption(s, FALLBACK_THEME).series as { markLine?: { data: { xAxis: number; name: string }[] } }[]).find((x) => x.markLine);
  assert.deepEqual(series?.markLine?.data.map((d) => [d.xAxis, d.name]), [[6, 'lowest val loss (6)']]);
});

test('live: sgd at rate 20 is flagged after its first epoch as no learning, naming the rate', () => {
  const { events } = recordedRun('mnist10k-sgd-lr20-diverges');
  const f = findingsOfState(replay(upToEpoch(events, 1), true));
  assert.deepEqual(f.map((x) => [x.id, x.severity]), [['noLearning', 'error']]);
  assert.match(f[0].message, /Validation accuracy stayed at chance \(10\.1 % after epoch 1; chance is 10\.0 %\), loss 14\.4764: the model learned nothing\. The learning rate 20 is likely too high/);
});

test('weakest digits link to the confusion-matrix cell of their most common mistake', () => {
  const { events } = recordedRun('mnist10k-sgd-still-improving');
  const s = replay(events);
  const weak = findingsOfState(s).find((f) => f.id === 'weakDigits')!;
  assert.deepEqual(weakCells(s, weak), [{ label: 5, predicted: 3 }, { label: 8, predicted: 5 }], 'as the finding says: 5 mostly read as 3, 8 as 5');
});
