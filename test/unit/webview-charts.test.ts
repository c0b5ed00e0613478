// The ECharts option builders over the state of a recorded run, and the view's small pure helpers.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { RunInfo, TrainerEvent } from '../../src/shared/protocol';
import { type ChartTheme, FALLBACK_THEME } from '../../src/shared/chart-theme';
import { accuracyChartOption, type ChartOption, formatTooltip, lossChartOption } from '../../webview/dashboard/charts';
import { formatBytes, formatCount, formatDuration, formatPercent, splitMessage } from '../../webview/common/format';
import { parseColor } from '../../webview/common/color';
import { inkImage } from '../../webview/common/digit-view';
import { cellText } from '../../webview/dashboard/grid';
import { applyMessage, initialState, type ViewState } from '../../webview/dashboard/state';
import { repoRoot } from '../helpers/paths';

function replayFixture(kind: 'completed' | 'cancelled'): ViewState {
  const dir = join(repoRoot, 'test', 'fixtures', 'webview-runs', kind);
  const events = readFileSync(join(dir, 'events.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as TrainerEvent);
  const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
  const info: RunInfo = { id: kind, model: 'mlp', dataset: config.dataset, epochs: config.training.epochs, batchSize: 32, live: false };
  const s = applyMessage(initialState(), { type: 'showRun', run: info });
  return applyMessage(s, { type: 'events', runId: kind, events });
}

// Deliberately unlike the fallback theme, so a test sees where each colour goes; the colours of
// the evaluation charts and of Compare Runs stay the fallback's.
const THEME: ChartTheme = {
  ...FALLBACK_THEME,
  foreground: '#010101',
  muted: '#020202',
  gridLine: '#030303',
  tooltipBackground: '#040404',
  tooltipBorder: '#050505',
  train: '#0000aa',
  validation: '#aa5500',
  batch: '#00aa00',
  rate: '#aa00aa',
  marker: '#ff0000',
  fontFamily: 'Test Sans',
  fontSize: 13,
};

type Series = { id: string; name: string; color: string; data: { value: [number, number]; name: string }[]; lineStyle: { color: string; type?: string } };

function seriesOf(o: ChartOption): Record<string, Series> {
  const list = o.series as unknown as Series[];
  return Object.fromEntries(list.map((s) => [s.id, s]));
}

const ys = (s: Series): number[] => s.data.map((d) => d.value[1]);
const xs = (s: Series): number[] => s.data.map((d) => d.value[0]);

describe('chart options', () => {
  const s = replayFixture('completed');

  it('accuracy: train and validation per epoch equal the history, plus the smoothed batch line', () => {
    const series = seriesOf(accuracyChartOption(s, THEME));
    assert.deepEqual(Object.keys(series).sort(), ['batch', 'train', 'validation']);
    assert.deepEqual(xs(series.train), [1, 2]);
    assert.deepEqual(ys(series.train), s.history.acc);
    assert.deepEqual(xs(series.validation), [1, 2]);
    assert.deepEqual(ys(series.validation), s.history.valAcc);
    assert.deepEqual(xs(series.batch), s.batches.x);
    assert.deepEqual(ys(series.batch), s.batches.smoothedAcc);
  });

  it('loss: train and validation per epoch equal the history, plus the smoothed per-batch loss', () => {
    const o = lossChartOption(s, THEME);
    const series = seriesOf(o);
    assert.deepEqual(ys(series.train), s.history.loss);
    assert.deepEqual(ys(series.validation), s.history.valLoss);
    assert.deepEqual(ys(series.batch), s.batches.smoothedLoss);
    assert.notDeepEqual(ys(series.batch), s.batches.loss, 'the line is smoothed, not raw');
    assert.equal(series.batch.data[0].name, `epoch 1, batch ${Math.round(s.batches.x[0] * 200)}/200`);
    assert.equal(series.train.data[1].name, 'epoch 2');
  });

  it('the x axis spans the planned epochs, so a cancelled run shows how far it got', () => {
    const axis = (o: ChartOption): { min: number; max: number } => o.xAxis as { min: number; max: number };
    assert.deepEqual([axis(lossChartOption(s, THEME)).min, axis(lossChartOption(s, THEME)).max], [0, 2]);
    const cancelled = replayFixture('cancelled');
    assert.equal(axis(accuracyChartOption(cancelled, THEME)).max, 4);
    assert.equal(seriesOf(accuracyChartOption(cancelled, THEME)).train.data.length, 1);
  });

  it('uses the theme: series colours, text, grid lines, tooltip, font', () => {
    for (const o of [accuracyChartOption(s, THEME), lossChartOption(s, THEME)]) {
      const series = seriesOf(o);
      assert.equal(series.train.color, THEME.train);
      assert.equal(series.train.lineStyle.color, THEME.train);
      assert.equal(series.validation.color, THEME.validation);
      assert.equal(series.batch.color, THEME.batch);
      assert.notEqual(series.train.lineStyle.type, series.validation.lineStyle.type, 'not told apart by colour alone');
      const json = JSON.stringify(o);
      // The rate line and the early-stop markers have their own charts and runs (webview-fit-control.test.ts).
      for (const k of ['foreground', 'muted', 'gridLine', 'tooltipBackground', 'tooltipBorder', 'train', 'validation', 'batch', 'fontFamily'] as const) assert.ok(json.includes(THEME[k]), `${k} ${THEME[k]} used`);
      assert.equal((o.textStyle as { color: string }).color, THEME.foreground);
      assert.equal((o.tooltip as { backgroundColor: string }).backgroundColor, THEME.tooltipBackground);
    }
  });

  it('builds for an empty run without data', () => {
    const empty = applyMessage(initialState(), { type: 'showRun', run: { id: 'e', model: 'mlp', dataset: 'mnist', epochs: 5, batchSize: 32, live: true } });
    const series = seriesOf(lossChartOption(empty, THEME));
    assert.equal(series.train.data.length, 0);
    assert.equal((lossChartOption(empty, THEME).xAxis as { max: number }).max, 5);
    assert.equal(seriesOf(accuracyChartOption(initialState(), THEME)).batch.data.length, 0);
  });

  it('tooltips give exact values to 4 decimals, with classes and no inline styles (the CSP drops them)', () => {
    const html = formatTooltip([
      { seriesId: 'train', seriesName: 'train', name: 'epoch 2', value: [2, 0.25544601678848267] },
      { seriesId: 'validation', seriesName: 'validation <b>', name: 'epoch 2', value: [2, 0.2902147173881531] },
      { seriesId: 'batch', seriesName: 'x', name: 'n', value: 'not a point' },
    ]);
    assert.match(html, />0\.2554</);
    assert.match(html, />0\.2902</);
    assert.match(html, /mnist-tt-validation/);
    assert.ok(!html.includes('<b>'), 'names are escaped');
    assert.ok(!/style=/.test(html));
    assert.equal((html.match(/mnist-tt-row/g) ?? []).length, 2);
  });
});

describe('view helpers', () => {
  it('formats durations, percentages, counts and bytes', () => {
    assert.equal(formatDuration(65), '1:05');
    assert.equal(formatDuration(3723.4), '1:02:03');
    assert.equal(formatDuration(null), null);
    assert.equal(formatDuration(Number.NaN), null);
    assert.equal(formatPercent(0.9025), '90.25%');
    assert.equal(formatCount(2391.87), '2,392');
    assert.equal(formatBytes(2765529), '2.6 MB');
  });

  it('shows a hint once when the message already ends with it', () => {
    assert.deepEqual(splitMessage('It broke. Do X.', 'Do X.'), { message: 'It broke.', hint: 'Do X.' });
    assert.deepEqual(splitMessage('It broke.', 'Do X.'), { message: 'It broke.', hint: 'Do X.' });
    assert.deepEqual(splitMessage(undefined, undefined), { message: '', hint: '' });
  });

  it('parses the colour forms VS Code variables use', () => {
    assert.deepEqual(parseColor('#cccccc'), [204, 204, 204]);
    assert.deepEqual(parseColor(' #3b3b3bcc'), [59, 59, 59]);
    assert.deepEqual(parseColor('#fff'), [255, 255, 255]);
    assert.deepEqual(parseColor('rgba(97, 97, 97, 0.5)'), [97, 97, 97]);
    assert.deepEqual(parseColor('rgb(1 2 3)'), [1, 2, 3]);
    assert.equal(parseColor('var(--x)'), null);
  });

  it('draws a digit as ink of the foreground colour whose alpha is the pixel value', () => {
    const rgba = inkImage(Uint8Array.from([0, 128, 255]), [10, 20, 30]);
    assert.deepEqual([...rgba], [10, 20, 30, 0, 10, 20, 30, 128, 10, 20, 30, 255]);
  });

  it('marks a wrong prediction with text, not colour only', () => {
    const wrong = cellText({ index: 7, label: 7, pixels: null, predicted: 9, confidence: 0.6399, correct: false });
    assert.equal(wrong.mark, '✗');
    assert.equal(wrong.predicted, '9');
    assert.equal(wrong.confidence, '64%');
    assert.equal(wrong.truth, 'true 7');
    assert.match(wrong.description, /label 7: predicted 9 with 64\.0% confidence \(wrong\)/);
    const right = cellText({ index: 0, label: 0, pixels: null, predicted: 0, confidence: 0.9976, correct: true });
    assert.deepEqual([right.mark, right.truth], ['✓', '']);
    assert.equal(cellText({ index: 1, label: 3, pixels: null, predicted: null, confidence: null, correct: null }).mark, '');
  });
});
