// The Compare Runs webview: overlaid validation curves and the table of differing config values
// and results. Everything it shows comes in one `compare` message; it keeps no other state.
import { LineChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TitleComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import { type CompareCurves, type CompareRow, type CompareTable, type CurveMetric, type MetricKey, compareChartOption } from '../../src/shared/compare';
import { type FromCompareView, type ToCompareView, isToCompareView } from '../../src/shared/protocol';
import { el } from '../common/dom';
import { formatCount, formatDuration } from '../common/format';
import { readChartTheme } from '../common/theme';
import { startView, vscodeApi } from '../common/vscode';

echarts.use([LineChart, GridComponent, LegendComponent, TooltipComponent, TitleComponent, CanvasRenderer]);

const vscode = vscodeApi<FromCompareView>();

const METRICS: { key: MetricKey; title: string; show: (r: CompareRow) => string }[] = [
  { key: 'bestValAcc', title: 'Best val. acc.', show: (r) => (r.bestValAcc === null ? '—' : `${r.bestValAcc.toFixed(4)} (ep. ${r.bestValAccEpoch})`) },
  { key: 'finalValAcc', title: 'Final val. acc.', show: (r) => r.finalValAcc?.toFixed(4) ?? '—' },
  { key: 'testAccuracy', title: 'Test acc.', show: (r) => r.testAccuracy?.toFixed(4) ?? '—' },
  { key: 'testLoss', title: 'Test loss', show: (r) => r.testLoss?.toFixed(4) ?? '—' },
  { key: 'epochs', title: 'Epochs', show: (r) => `${r.epochs}${r.plannedEpochs !== null && r.plannedEpochs !== r.epochs ? ` of ${r.plannedEpochs}` : ''}` },
  { key: 'seconds', title: 'Time', show: (r) => formatDuration(r.seconds) ?? '—' },
  { key: 'samplesPerSecond', title: 'Samples/s', show: (r) => (r.samplesPerSecond === null ? '—' : formatCount(r.samplesPerSecond)) },
];

function renderTable(table: CompareTable): HTMLElement {
  const head = el('tr', {}, el('th', { scope: 'col' }, 'Run'));
  // Config paths may break after a dot, never inside a name.
  for (const k of table.configColumns) head.append(el('th', { scope: 'col', class: 'config' }, ...k.split('.').flatMap((part, i) => (i === 0 ? [part] : [el('wbr'), `.${part}`]))));
  for (const m of METRICS) head.append(el('th', { scope: 'col', class: 'num' }, m.title));
  const body = el('tbody');
  for (const r of table.rows) {
    const open = el('a', { href: '#', 'data-run': r.id, title: `Open ${r.id} in the Dashboard` }, r.label);
    const tr = el('tr', { 'data-state': r.state }, el('th', { scope: 'row' }, open, r.state === 'completed' ? '' : el('span', { class: 'state' }, ` (${r.state})`)));
    for (const k of table.configColumns) {
      const differs = r.differs.includes(k);
      tr.append(el('td', { class: differs ? 'config differs' : 'config', ...(differs ? { title: 'differs from the first run' } : {}) }, r.config[k]));
    }
    for (const m of METRICS) {
      const best = r.best.includes(m.key);
      tr.append(el('td', { class: best ? 'num best' : 'num', ...(best ? { title: 'best of these runs' } : {}) }, m.show(r)));
    }
    body.append(tr);
  }
  const t = el('table', { 'data-testid': 'compare-table' }, el('thead', {}, head), body);
  const wrap = el('div', { class: 'table-wrap' }, t);
  if (table.configColumns.length === 0) wrap.prepend(el('p', { class: 'note' }, 'These runs have the same config.'));
  return wrap;
}

function renderCommon(table: CompareTable): HTMLElement {
  const list = el('dl');
  for (const c of table.common) list.append(el('dt', {}, c.key), el('dd', {}, c.value));
  return el('details', { class: 'common' }, el('summary', {}, `Same in every run (${table.common.length} settings)`), list);
}

const charts: echarts.ECharts[] = [];
let last: { curves: CompareCurves[] } | undefined;

function drawCharts(curves: CompareCurves[]): void {
  // On screen the charts sit on the page's own background.
  const theme = { ...readChartTheme(), background: 'transparent' };
  const metrics: CurveMetric[] = ['valAcc', 'valLoss'];
  metrics.forEach((metric, i) => charts[i]?.setOption(compareChartOption(curves, metric, theme, { title: true }), { notMerge: true }));
}

function render(m: ToCompareView): void {
  const app = document.getElementById('app')!;
  app.replaceChildren();
  const n = m.table.rows.length;
  app.append(el('h1', {}, `Comparing ${n} run${n === 1 ? '' : 's'}`));
  const chartBox = el('section', { class: 'charts' });
  const boxes = [el('div', { class: 'chart', 'data-testid': 'chart-valAcc' }), el('div', { class: 'chart', 'data-testid': 'chart-valLoss' })];
  chartBox.append(...boxes);
  app.append(chartBox, renderTable(m.table), renderCommon(m.table));
  for (const c of charts.splice(0)) c.dispose();
  for (const b of boxes) charts.push(echarts.init(b, null, { renderer: 'canvas' }));
  last = { curves: m.curves };
  drawCharts(m.curves);
}

document.addEventListener('click', (e) => {
  const a = (e.target as HTMLElement).closest<HTMLElement>('a[data-run]');
  if (!a) return;
  e.preventDefault();
  vscode.postMessage({ type: 'openRun', id: a.dataset.run! });
});
new ResizeObserver(() => charts.forEach((c) => c.resize())).observe(document.body);
startView({ accept: isToCompareView, onMessage: render, onThemeChange: () => last && drawCharts(last.curves) });
