// The Compare Runs webview: overlaid validation curves and the table of differing config values
// and results. Everything it shows comes in one `compare` message; it keeps no other state.
import { LineChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TitleComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import { type CompareCurves, type CompareRow, type CompareTable, type CompareTheme, type CurveMetric, type MetricKey, PRINT_THEME, compareChartOption } from '../../src/shared/compare';
import type { FromCompareView, ToCompareView } from '../../src/shared/protocol';
import { formatCount, formatDuration } from '../common/format';

echarts.use([LineChart, GridComponent, LegendComponent, TooltipComponent, TitleComponent, CanvasRenderer]);

interface VsCodeApi { postMessage(message: FromCompareView): void }
declare function acquireVsCodeApi(): VsCodeApi;
const vscode = acquireVsCodeApi();

function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, ...children: (Node | string)[]): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  e.append(...children);
  return e;
}

function readTheme(): CompareTheme {
  const cs = getComputedStyle(document.body);
  const v = (name: string, fallback: string): string => cs.getPropertyValue(name).trim() || fallback;
  const p = PRINT_THEME.palette;
  return {
    foreground: v('--vscode-foreground', '#cccccc'),
    muted: v('--vscode-descriptionForeground', '#9d9d9d'),
    gridLine: v('--vscode-editorWidget-border', v('--vscode-contrastBorder', '#454545')),
    background: 'transparent',
    fontFamily: v('--vscode-font-family', 'system-ui, sans-serif'),
    fontSize: parseFloat(v('--vscode-font-size', '13px')) || 13,
    palette: [
      v('--vscode-charts-blue', p[0]),
      v('--vscode-charts-orange', p[1]),
      v('--vscode-charts-green', p[2]),
      v('--vscode-charts-purple', p[3]),
      v('--vscode-charts-yellow', p[4]),
      v('--vscode-charts-red', '#f14c4c'),
      ...p.slice(5),
    ],
  };
}

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
  const theme = readTheme();
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

window.addEventListener('message', (e: MessageEvent<unknown>) => {
  const m = e.data as ToCompareView;
  if (m && typeof m === 'object' && m.type === 'compare') render(m);
});
document.addEventListener('click', (e) => {
  const a = (e.target as HTMLElement).closest<HTMLElement>('a[data-run]');
  if (!a) return;
  e.preventDefault();
  vscode.postMessage({ type: 'openRun', id: a.dataset.run! });
});
new ResizeObserver(() => charts.forEach((c) => c.resize())).observe(document.body);
// VS Code swaps the body's theme classes on a theme change.
new MutationObserver(() => last && drawCharts(last.curves)).observe(document.body, { attributes: true, attributeFilter: ['class'] });
vscode.postMessage({ type: 'ready' });
