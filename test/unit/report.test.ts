// The report on recorded runs: SVG curves rendered by ECharts in Node, and numbers equal to summary.json.
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { PRINT_THEME } from '../../src/shared/chart-theme';
import { compareChartOption, compareCurves } from '../../src/shared/compare';
import { mdCell } from '../../src/shared/report';
import { renderChartSvg } from '../../src/shared/report-svg';
import { readRunsForReport, writeReport } from '../../src/node/runs/report-files';
import { repoRoot } from '../helpers/paths';
import { assertRowMatchesSummary, assertWellFormedSvg, confusionTable, resultsTable } from '../helpers/report-check';

const RECORDED = join(repoRoot, 'test', 'fixtures', 'run-history');
const NAMES = ['mlp-12-epochs', 'mlp-dropout-12-epochs', 'cnn-3-epochs'];
const dirs = NAMES.map((n) => join(RECORDED, n));
const summaries = NAMES.map((n) => JSON.parse(readFileSync(join(RECORDED, n, 'summary.json'), 'utf8')));

test('ECharts renders the curves to a well-formed SVG in Node, one line per run, labelled', () => {
  const runs = readRunsForReport(dirs);
  const svg = renderChartSvg(compareChartOption(compareCurves(runs), 'valAcc', PRINT_THEME, { title: true }), 720, 360);
  assertWellFormedSvg(svg);
  assert.match(svg, /^<svg width="720" height="360"/);
  assert.match(svg, /Validation accuracy/);
  for (const n of NAMES) assert.ok(svg.includes(`>${n}<`), `the legend names ${n}`);
  // A line per run: an unfilled path stroked in each run's colour.
  const lines = PRINT_THEME.palette.slice(0, 3).map((colour) => svg.match(new RegExp(`<path d="(M[^"]+)" fill="none"[^>]*stroke="${colour}"`, 'i'))?.[1]);
  assert.deepEqual(lines.map((d) => d?.split('L').length), [12, 12, 3], 'a point per epoch: 12, 12 and 3');
  assert.match(svg, /<text[^>]*>epoch<\/text>/);
});

test('the report: every number in the results table and the confusion matrix is the one in summary.json', () => {
  const out = mkdtempSync(join(tmpdir(), 'reports-'));
  const written = writeReport(readRunsForReport(dirs), out, { date: new Date(2026, 10, 26, 14, 0, 0), runsLocation: '../runs' });
  assert.equal(written.file, join(out, '2026-11-26_14-00-00-report.md'));
  const md = readFileSync(written.file, 'utf8');
  const rows = resultsTable(md);
  assert.deepEqual(rows.map((r) => r.Run), NAMES);
  rows.forEach((row, i) => assertRowMatchesSummary(row, summaries[i]));
  assert.deepEqual(rows.map((r) => r['model']), ['mlp', 'mlp-dropout', 'cnn'], 'the varied settings are columns');
  assert.deepEqual(confusionTable(md), summaries[2].confusionMatrix, 'the best run (cnn) confusion matrix');
  assert.match(md, /## Confusion matrix of the best run: cnn-3-epochs/);
  assert.match(md, /## Findings\n\n- \*\*Best configuration:\*\* cnn-3-epochs/);
  assert.match(md, /overfitting began after epoch 9/);
  // The images are written and linked relative to the report.
  for (const img of written.report.images) {
    const path = join(written.imagesDir, img.file);
    assert.ok(existsSync(path));
    assert.ok(md.includes(`](images/2026-11-26_14-00-00-report/${img.file})`));
    assertWellFormedSvg(readFileSync(path, 'utf8'));
  }
  assert.deepEqual(written.report.images.map((i) => i.file), ['validation-accuracy.svg', 'validation-loss.svg', 'best-run-loss.svg']);
  // A second report the same second does not replace the first.
  const again = writeReport(readRunsForReport(dirs), out, { date: new Date(2026, 10, 26, 14, 0, 0) });
  assert.equal(again.file, join(out, '2026-11-26_14-00-00-report-2.md'));
});

test('a report on folders from an older version and a crashed run is written, saying what it lacks', () => {
  const root = mkdtempSync(join(tmpdir(), 'old-'));
  for (const n of ['completed', 'cancelled', 'failed']) cpSync(join(repoRoot, 'test', 'fixtures', 'webview-runs', n), join(root, n), { recursive: true });
  const out = join(root, 'reports');
  const written = writeReport(readRunsForReport(['completed', 'cancelled', 'failed'].map((n) => join(root, n))), out);
  const md = readFileSync(written.file, 'utf8');
  const rows = resultsTable(md);
  assert.deepEqual(rows.map((r) => r.Status), ['completed', 'cancelled', 'failed']);
  assert.equal(rows[2]['Test accuracy'], '—');
  assert.match(md, /cancelled did not complete \(cancelled/);
  assert.match(md, /## Provenance\n/);
  assert.match(md, /Runs written before provenance was recorded show — where their event log lacks it\./);
  assert.throws(() => readRunsForReport([join(root, 'nope')]), /not a run folder .*nope/);
});

test('run names cannot break the Markdown table', () => {
  assert.equal(mdCell('a|b *c* [d](e) <f>'), 'a\\|b \\*c\\* \\[d\\](e) \\<f\\>');
});
