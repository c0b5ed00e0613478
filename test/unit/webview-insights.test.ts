// The dashboard's model summary, dataset explorer and evaluation views as a fold over recorded runs:
// `completed-with-examples` (the trainer with class counts and images) and `completed` (an older log).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { decodeDigit } from '../../src/shared/digits';
import { type DatasetEvent, type EvaluationEvent, type ModelEvent, type RunInfo, type RunSummary, type TrainerEvent, isToWebview } from '../../src/shared/protocol';
import { chartCsv, exportFileName, toCsv } from '../../webview/dashboard/csv';
import { FALLBACK_THEME } from '../../src/shared/chart-theme';
import { classCountsChartOption, confusionChartOption, perClassChartOption, shortPercent, withAlpha } from '../../webview/dashboard/eval-charts';
import { cellDetail, datasetShapes, formatShape, pixelStats, rankClasses, rowRates, topConfusions, worstMistakes } from '../../webview/dashboard/insights';
import { applyMessage, initialState, type ViewState } from '../../webview/dashboard/state';
import { repoRoot } from '../helpers/paths';

type Kind = 'completed-with-examples' | 'completed' | 'cancelled';

function load(kind: Kind): { events: TrainerEvent[]; summary: RunSummary; info: RunInfo } {
  const dir = join(repoRoot, 'test', 'fixtures', 'webview-runs', kind);
  const events = readFileSync(join(dir, 'events.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as TrainerEvent);
  const summary = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')) as RunSummary;
  const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
  return { events, summary, info: { id: kind, model: 'mlp', dataset: config.dataset, epochs: config.training.epochs, batchSize: 32, live: false } };
}

function replay(events: readonly TrainerEvent[], info: RunInfo): ViewState {
  const s = applyMessage(initialState(), { type: 'showRun', run: info });
  return applyMessage(s, { type: 'events', runId: info.id, events: [...events] });
}

const find = <T extends TrainerEvent['type']>(events: TrainerEvent[], type: T) => events.find((e) => e.type === type) as Extract<TrainerEvent, { type: T }>;

describe('fold: a run recorded with class counts and images', () => {
  const { events, summary, info } = load('completed-with-examples');
  const s = replay(events, info);
  const dataset = find(events, 'dataset') as DatasetEvent;
  const model = find(events, 'model') as ModelEvent;
  const evaluation = find(events, 'evaluation') as EvaluationEvent;

  it('the model summary: layers, output shapes, parameters, trainable and non-trainable totals', () => {
    assert.ok(s.model);
    assert.deepEqual(s.model.layers.map((l) => l.type), ['Flatten', 'Dense', 'Dense', 'Dense']);
    assert.deepEqual(s.model.layers.map((l) => formatShape(l.outputShape)), ['(None, 784)', '(None, 128)', '(None, 64)', '(None, 10)']);
    assert.deepEqual(s.model.layers.map((l) => l.params), [0, 784 * 128 + 128, 128 * 64 + 64, 64 * 10 + 10]);
    assert.equal(s.model.totalParams, 109386);
    assert.equal(s.model.trainableParams, 109386);
    assert.equal(s.model.nonTrainableParams, 0);
    assert.equal(model.nonTrainableParams, 0, 'the trainer sends it');
  });

  it('shows the model as soon as its event arrives, before any batch', () => {
    const upToModel = events.slice(0, events.indexOf(model) + 1);
    const early = replay(upToModel, { ...info, live: true });
    assert.equal(early.model?.totalParams, 109386);
    assert.equal(early.history.epoch.length, 0);
  });

  it('the dataset: shapes, per-class counts per split, 30 decoded training digits', () => {
    const d = s.dataset!;
    assert.deepEqual(datasetShapes(d), [
      { split: 'train', count: 6400, x: '(6400, 28, 28, 1)', y: '(6400, 10)' },
      { split: 'validation', count: 1600, x: '(1600, 28, 28, 1)', y: '(1600, 10)' },
      { split: 'test', count: 2000, x: '(2000, 28, 28, 1)', y: '(2000, 10)' },
    ]);
    assert.deepEqual(d.classCounts, dataset.classCounts);
    const sum = (a: number[]) => a.reduce((x, y) => x + y, 0);
    assert.equal(sum(d.classCounts!.train), 6400);
    assert.equal(sum(d.classCounts!.validation), 1600);
    assert.equal(sum(d.classCounts!.test), 2000);
    assert.equal(d.examples.length, 30);
    for (const [i, x] of d.examples.entries()) {
      assert.equal(x.index, dataset.examples!.indices[i]);
      assert.equal(x.label, dataset.examples!.labels[i]);
      assert.equal(x.pixels?.length, 784);
      const p = pixelStats(x.pixels!);
      assert.equal(p.min, 0);
      assert.ok(p.max > 200 && p.inked > 40, 'real ink');
    }
  });

  it('the evaluation: test metrics of summary.json, and the examples decoded and sorted by index', () => {
    const ev = s.evaluation!;
    assert.equal(ev.testAccuracy, summary.testAccuracy);
    assert.equal(ev.testLoss, summary.testLoss);
    assert.deepEqual(ev.confusionMatrix, summary.confusionMatrix);
    assert.deepEqual(ev.perClassAccuracy, summary.perClassAccuracy);
    assert.equal(ev.examples.length, evaluation.examples!.length);
    assert.ok(ev.examples.length > 100 && ev.examples.length <= 200);
    for (let i = 1; i < ev.examples.length; i++) assert.ok(ev.examples[i].index > ev.examples[i - 1].index);
    for (const x of ev.examples) {
      assert.equal(x.pixels?.length, 784, `#${x.index}`);
      assert.equal(x.top[0], x.predicted);
      assert.equal(x.top.length, 3);
      assert.ok(x.topProbabilities[0] >= x.topProbabilities[1] && x.topProbabilities[1] >= x.topProbabilities[2]);
    }
    // Per-class accuracy is the diagonal over the row, as the confusion matrix says.
    ev.perClassAccuracy.forEach((acc, c) => {
      const row = ev.confusionMatrix[c];
      assert.ok(Math.abs(acc - row[c] / row.reduce((a, b) => a + b, 0)) < 1e-12);
    });
  });

  it('a confusion cell: its count, its row, and its images (mistakes most confident first)', () => {
    const ev = s.evaluation!;
    const [top] = topConfusions(ev, 1);
    assert.ok(top.count >= ev.confusionMatrix.flatMap((r, t) => r.filter((_, p) => p !== t)).reduce((a, b) => Math.max(a, b), 0));
    const cell = cellDetail(ev, top);
    assert.equal(cell.count, ev.confusionMatrix[top.label][top.predicted]);
    assert.equal(cell.rowTotal, ev.confusionMatrix[top.label].reduce((a, b) => a + b, 0));
    assert.ok(cell.examples.length >= 1 && cell.examples.length <= cell.count);
    for (const x of cell.examples) assert.deepEqual([x.label, x.predicted], [top.label, top.predicted]);
    for (let i = 1; i < cell.examples.length; i++) assert.ok(cell.examples[i - 1].topProbabilities[0] >= cell.examples[i].topProbabilities[0]);
    const right = cellDetail(ev, { label: 3, predicted: 3 });
    assert.equal(right.examples.length, 3, 'three right answers per class');
    for (let i = 1; i < 3; i++) assert.ok(right.examples[i - 1].topProbabilities[0] <= right.examples[i].topProbabilities[0], 'least confident first');
  });

  it('the misclassified gallery: most confident first, every one with its image', () => {
    const ev = s.evaluation!;
    const mistakes = worstMistakes(ev);
    assert.equal(mistakes.length, 100);
    for (let i = 1; i < mistakes.length; i++) assert.ok(mistakes[i - 1].confidence >= mistakes[i].confidence);
    for (const m of mistakes) {
      assert.notEqual(m.label, m.predicted);
      assert.ok(m.example?.pixels, `#${m.index} has its image`);
      assert.equal(m.example!.predicted, m.predicted);
      assert.ok(Math.abs(m.example!.topProbabilities[0] - m.confidence) < 1e-4);
    }
  });

  it('chart options: a heatmap with the diagonal apart, per-class bars, class counts per split', () => {
    const ev = s.evaluation!;
    const theme = FALLBACK_THEME;
    const o = confusionChartOption(ev, 'counts', theme, [], { label: 7, predicted: 9 });
    const series = o.series as { id: string; data: [number, number, number][] }[];
    const byId = Object.fromEntries(series.map((x) => [x.id, x]));
    assert.equal(byId.mistakes.data.length, 90);
    assert.equal(byId.right.data.length, 10);
    for (const [p, t, v] of byId.right.data) {
      assert.equal(p, t);
      assert.equal(v, ev.confusionMatrix[t][p]);
    }
    for (const [p, t, v] of byId.mistakes.data) {
      assert.notEqual(p, t);
      assert.equal(v, ev.confusionMatrix[t][p]);
    }
    assert.deepEqual(byId.selected.data, [[9, 7, ev.confusionMatrix[7][9]]]);
    const vm = o.visualMap as { seriesIndex: number; max: number };
    assert.equal(vm.seriesIndex, 0, 'the visual map colours mistakes only');
    assert.equal(vm.max, Math.max(...byId.mistakes.data.map((d) => d[2])));
    const rates = confusionChartOption(ev, 'rates', theme);
    const rateData = (rates.series as { id: string; data: [number, number, number][] }[])[1].data;
    const r = rowRates(ev.confusionMatrix);
    for (const [p, t, v] of rateData) assert.equal(v, r[t][p]);
    for (const row of r) assert.ok(Math.abs(row.reduce((a, b) => a + b, 0) - 1) < 1e-12);

    const bars = perClassChartOption(ev, theme);
    const data = (bars.series as { data: { value: number; itemStyle: { color: string } }[] }[])[0].data;
    assert.deepEqual(data.map((d) => d.value), ev.perClassAccuracy);
    const worst = ev.perClassAccuracy.indexOf(Math.min(...ev.perClassAccuracy));
    assert.equal(data[worst].itemStyle.color, theme.wrong);

    const counts = classCountsChartOption(s.dataset!, theme);
    assert.deepEqual((counts.series as { id: string; data: number[] }[]).map((x) => [x.id, x.data]), [
      ['train', s.dataset!.classCounts!.train],
      ['validation', s.dataset!.classCounts!.validation],
      ['test', s.dataset!.classCounts!.test],
    ]);
  });

  it('the same state one event at a time, and the input state is never changed', () => {
    let one = applyMessage(initialState(), { type: 'showRun', run: info });
    for (const e of events) one = applyMessage(one, { type: 'events', runId: info.id, events: [e] });
    assert.deepEqual(one, s);
    const half = replay(events.slice(0, events.indexOf(evaluation)), info);
    const snapshot = structuredClone(half);
    const next = applyMessage(half, { type: 'events', runId: info.id, events: events.slice(events.indexOf(evaluation)) });
    assert.deepEqual(half, snapshot);
    assert.deepEqual(next, s);
  });

  it('CSV for every chart, and file names the host accepts', () => {
    const acc = chartCsv(s, 'accuracy')!.trim().split('\r\n');
    assert.equal(acc[0], 'epoch,acc,val_acc,batch_acc,batch_acc_smoothed');
    assert.equal(acc.length, 1 + s.history.epoch.length + s.batches.x.length);
    assert.ok(acc.includes(`1,${s.history.acc[0]},${s.history.valAcc[0]},,`));
    const loss = chartCsv(s, 'loss')!.split('\r\n');
    assert.equal(loss[0], 'epoch,loss,val_loss,batch_loss,batch_loss_smoothed');
    const confusion = chartCsv(s, 'confusion')!.trim().split('\r\n');
    assert.equal(confusion.length, 101);
    assert.equal(confusion[0], 'true,predicted,count,rate_of_true_class');
    assert.equal(confusion[1].split(',')[2], String(s.evaluation!.confusionMatrix[0][0]));
    const perClass = chartCsv(s, 'per-class')!.trim().split('\r\n');
    assert.equal(perClass.length, 11);
    assert.equal(perClass[1], `0,${s.evaluation!.perClassAccuracy[0]},${s.evaluation!.confusionMatrix[0][0]},${s.dataset!.classCounts!.test[0]}`);
    const counts = chartCsv(s, 'class-counts')!.trim().split('\r\n');
    assert.equal(counts[0], 'class,train,validation,test');
    assert.equal(counts.length, 11);
    assert.equal(toCsv([['a,b', 'say "hi"', null, 3]]), '"a,b","say ""hi""",,3\r\n');
    assert.equal(exportFileName('2026-11-26_13-28-17_mlp', 'confusion', 'png'), '2026-11-26_13-28-17_mlp-confusion.png');
    assert.equal(exportFileName('../../etc/x y', 'loss', 'csv'), 'etc-x-y-loss.csv');
    assert.equal(exportFileName(undefined, 'per-class', 'svg'), 'per-class.svg');
  });
});

describe('fold: an older log without class counts and images', () => {
  const { events, info } = load('completed');
  const s = replay(events, info);

  it('still shows the summary, the counts, the matrix and the mistakes, with no images', () => {
    assert.equal(s.dataset?.classCounts, null);
    assert.deepEqual(s.dataset?.examples, []);
    assert.equal(s.model?.nonTrainableParams, 0, 'total − trainable');
    assert.ok(s.evaluation);
    assert.deepEqual(s.evaluation.examples, []);
    const mistakes = worstMistakes(s.evaluation);
    assert.equal(mistakes.length, s.evaluation.misclassified.length);
    assert.ok(mistakes.every((m) => m.example === null));
    assert.equal(chartCsv(s, 'class-counts'), null);
    assert.ok(chartCsv(s, 'confusion'));
    assert.equal(cellDetail(s.evaluation, { label: 7, predicted: 9 }).examples.length, 0);
  });

  it('a cancelled run has no evaluation to show', () => {
    const c = load('cancelled');
    const cs = replay(c.events, c.info);
    assert.equal(cs.evaluation, null);
    assert.equal(chartCsv(cs, 'confusion'), null);
    assert.ok(chartCsv(cs, 'loss'));
  });

  it('an unreadable image decodes to null instead of failing the fold', () => {
    const { events: full, info: fi } = load('completed-with-examples');
    const broken = full.map((e) =>
      e.type === 'evaluation' ? { ...e, examples: e.examples!.map((x, i) => (i === 0 ? { ...x, image: 'not base64!' } : x)) } : e,
    );
    const s2 = replay(broken, fi);
    assert.equal(s2.evaluation!.examples[0].pixels, null);
    assert.ok(s2.evaluation!.examples[1].pixels);
    assert.equal(decodeDigit('not base64!'), null);
  });
});

describe('small pure helpers', () => {
  it('row rates, ranks, percentages, colours', () => {
    assert.deepEqual(rowRates([[3, 1], [0, 0]]), [[0.75, 0.25], [0, 0]]);
    assert.deepEqual(rankClasses([0.1, 0.6, 0.3]), [1, 2, 0]);
    assert.deepEqual([shortPercent(0), shortPercent(0.0123), shortPercent(0.456), shortPercent(1)], ['0', '1.2%', '46%', '100%']);
    assert.equal(withAlpha('#73c991', 0.4), 'rgba(115, 201, 145, 0.4)');
    assert.equal(withAlpha('var(--x)', 0.4), 'var(--x)');
  });

  it('the prediction message may carry an error instead of probabilities', () => {
    assert.ok(isToWebview({ type: 'prediction', id: 3, probabilities: [], error: 'no model' }));
    assert.ok(!isToWebview({ type: 'prediction', id: 3, probabilities: [], error: 42 }));
  });
});
