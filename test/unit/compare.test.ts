// The comparison's pure builders on recorded runs: the table (differing config values next to the
// results, best marked) and the overlaid chart options.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { PRINT_THEME } from '../../src/shared/chart-theme';
import { compareChartOption, compareCurves, compareTable, configEntries } from '../../src/shared/compare';
import { isFromCompareView } from '../../src/shared/protocol';
import { readRunRecord } from '../../src/node/runs/run-listing';
import { repoRoot } from '../helpers/paths';

const RECORDED = join(repoRoot, 'test', 'fixtures', 'run-history');
const NAMES = ['mlp-12-epochs', 'mlp-dropout-12-epochs', 'cnn-3-epochs'];
const runs = NAMES.map((n) => readRunRecord(join(RECORDED, n))!);
const summaries = NAMES.map((n) => JSON.parse(readFileSync(join(RECORDED, n, 'summary.json'), 'utf8')));

test('config entries: flat paths, the model in words, nested options in one cell', () => {
  const e = configEntries(runs[2].config);
  assert.equal(e['model'], 'cnn');
  assert.equal(e['training.learningRate'], '0.001');
  assert.equal(e['training.batchSize'], '64');
  assert.equal(e['data.dir'], 'none');
  assert.match(e['training.lrSchedule'], /^type constant/);
});

test('the table shows only the config values that differ, highlighted against the first run, next to the results', () => {
  const t = compareTable(runs);
  assert.deepEqual(t.configColumns.sort(), ['model', 'training.batchSize', 'training.epochs'].sort());
  assert.ok(t.common.some((c) => c.key === 'dataset' && c.value === 'mnist-sample'));
  assert.ok(!t.common.some((c) => t.configColumns.includes(c.key)));
  const [mlp, dropout, cnn] = t.rows;
  assert.deepEqual(mlp.differs, [], 'the first run is the baseline');
  assert.deepEqual(dropout.differs, ['model']);
  assert.deepEqual(cnn.differs.sort(), ['model', 'training.batchSize', 'training.epochs'].sort());
  for (const [i, row] of t.rows.entries()) {
    const s = summaries[i];
    assert.equal(row.testAccuracy, s.testAccuracy);
    assert.equal(row.finalValAcc, s.history.valAcc.at(-1));
    assert.equal(row.bestValAcc, Math.max(...s.history.valAcc));
    assert.equal(row.bestValAccEpoch, s.history.valAcc.indexOf(Math.max(...s.history.valAcc)) + 1);
    assert.equal(row.epochs, s.epochsCompleted);
    assert.equal(row.samplesPerSecond, s.trainSamplesPerSecond);
    assert.ok(row.seconds! > s.fitSeconds, 'wall-clock time includes data loading and evaluation');
  }
  assert.ok(cnn.best.includes('testAccuracy'), 'cnn has the best test accuracy (0.948)');
  assert.ok(!mlp.best.includes('testAccuracy'));
  assert.ok(mlp.best.includes('samplesPerSecond'), 'the mlp is the fastest');
});

test('the same config twice: no config columns; two runs with one label are told apart', () => {
  const twin = { ...runs[0], id: 'other-id' };
  const t = compareTable([runs[0], twin]);
  assert.deepEqual(t.configColumns, []);
  const renamed = [{ ...runs[0], label: 'x' }, { ...runs[1], label: 'x' }];
  assert.deepEqual(compareTable(renamed).rows.map((r) => r.label), [`x (${runs[0].id})`, `x (${runs[1].id})`]);
});

test('chart options overlay one line per run with its per-epoch values', () => {
  const curves = compareCurves(runs);
  const acc = compareChartOption(curves, 'valAcc', PRINT_THEME, { title: true });
  const series = acc.series as { name: string; data: [number, number][]; lineStyle: { type: string; color: string } }[];
  assert.deepEqual(series.map((s) => s.name), runs.map((r) => r.label));
  assert.deepEqual(series[2].data, summaries[2].history.valAcc.map((v: number, i: number) => [i + 1, v]));
  assert.notEqual(series[0].lineStyle.color, series[1].lineStyle.color);
  assert.notEqual(series[0].lineStyle.type, series[1].lineStyle.type, 'told apart without colour too');
  const x = acc.xAxis as { max: number };
  assert.equal(x.max, 12);
  const y = acc.yAxis as { scale: boolean; max: (v: { max: number }) => number };
  assert.equal(y.scale, true);
  assert.equal(y.max({ max: 0.9512 }), 0.96);
  assert.equal(y.max({ max: 0.999 }), 1, 'an accuracy axis stops at 100 %');
  assert.equal((acc.title as { text: string }).text, 'Validation accuracy');
  const loss = compareChartOption(curves, 'valLoss', PRINT_THEME);
  assert.deepEqual((loss.series as { data: [number, number][] }[])[0].data.map((p) => p[1]), summaries[0].history.valLoss);
});

test('messages from the compare webview are checked', () => {
  assert.equal(isFromCompareView({ type: 'ready' }), true);
  assert.equal(isFromCompareView({ type: 'openRun', id: '2026-11-26_13-17-49_cnn' }), true);
  assert.equal(isFromCompareView({ type: 'openRun', id: '' }), false);
  assert.equal(isFromCompareView({ type: 'openRun', id: 5 }), false);
  assert.equal(isFromCompareView({ type: 'ready', extra: 1 }), false);
  assert.equal(isFromCompareView({ type: 'train' }), false);
  assert.equal(isFromCompareView(null), false);
});

test('the compare webview bundles for the browser: no Node modules, ECharts tree-shaken', async () => {
  const esbuild = await import('esbuild');
  const { webviewBuildOptions } = await import('../../webview/build.mjs' as string);
  const out = mkdtempSync(join(tmpdir(), 'compare-'));
  const result = await esbuild.build({
    ...webviewBuildOptions,
    absWorkingDir: repoRoot,
    entryPoints: [{ in: 'webview/compare/main.ts', out: 'compare' }, { in: 'webview/compare/styles.css', out: 'compare' }],
    outdir: out,
    metafile: true,
    write: false,
  });
  assert.deepEqual(result.errors, []);
  const inputs = Object.keys(result.metafile!.inputs);
  assert.ok(!inputs.some((i) => i.startsWith('node:') || /^src\/(trainer|host|cli)\//.test(i)), 'no Node modules, nothing from the trainer or host');
  const js = result.outputFiles!.find((f) => f.path.endsWith('compare.js'))!;
  assert.ok(js.contents.length < 800_000, `compare.js is ${js.contents.length} bytes`);
});
