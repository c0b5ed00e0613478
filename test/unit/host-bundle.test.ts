// What the extension host loads on activation: dist/extension.js without TensorFlow.js or ECharts
// (the trainer is a child process; the report's charts load when a report is written), and every
// file it requires from dist/ built and packaged. Run after `npm run build` (npm test does).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { distDir, repoRoot } from '../helpers/paths';

const hostBundle = join(distDir, 'extension.js');

test('dist/extension.js holds neither TensorFlow.js nor ECharts', () => {
  const code = readFileSync(hostBundle, 'utf8');
  // Code, not names: tfjs-core's global engine, ECharts' instance key and its renderer library.
  for (const marker of ['_tfengine', 'tfjs-core', '_echarts_instance_', 'zrender']) {
    assert.ok(!code.includes(marker), `dist/extension.js contains "${marker}": something imports tfjs or echarts into the host bundle (see esbuild.mjs)`);
  }
  assert.ok(code.length < 800_000, `dist/extension.js is ${code.length} bytes`);
});

test('every file dist/extension.js requires from dist/ is built and goes into the .vsix', () => {
  const code = readFileSync(hostBundle, 'utf8');
  const local = [...new Set([...code.matchAll(/require\("\.\/([^"]+)"\)/g)].map((m) => m[1]))];
  assert.ok(local.includes('report-svg.js'), 'the report renderer is required lazily from its own bundle');
  const packaged = readFileSync(join(repoRoot, '.vscodeignore'), 'utf8').split('\n').map((l) => l.trim());
  for (const file of local) {
    assert.ok(existsSync(join(distDir, file)), `dist/${file} is built`);
    assert.ok(packaged.includes(`!dist/${file}`), `.vscodeignore lets dist/${file} into the .vsix`);
  }
});

test('dist/report-svg.js, loaded on its own, draws a chart as SVG', () => {
  const script = `const { renderChartSvg } = require(${JSON.stringify(join(distDir, 'report-svg.js'))});
process.stdout.write(renderChartSvg({ title: { text: 'Validation accuracy' }, xAxis: { type: 'category', data: [1, 2, 3] }, yAxis: { type: 'value' }, series: [{ type: 'line', data: [0.9, 0.95, 0.97] }] }, 300, 200));`;
  const svg = execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' });
  assert.match(svg, /^<svg width="300" height="200"/);
  assert.match(svg, /Validation accuracy/);
  assert.match(svg, /<path d="M[^"]+" fill="none"/, 'the line is drawn');
});
