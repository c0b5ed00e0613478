// The Dashboard webview (sidebar view and editor panel): messages in, fold, render from state.
import { BarChart, HeatmapChart, LineChart } from 'echarts/charts';
import { GridComponent, LegendComponent, MarkLineComponent, TooltipComponent, VisualMapContinuousComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer, SVGRenderer } from 'echarts/renderers';
import { type ExportFormat, type FromWebview, isToWebview } from '../../src/shared/protocol';
import { Chart } from '../common/chart-host';
import { $ } from '../common/dom';
import { inkOf, readChartTheme } from '../common/theme';
import { startView, vscodeApi } from '../common/vscode';
import { chartCsv, type ChartId, exportFileName } from './csv';
import { DatasetView } from './dataset-view';
import { DrawPad } from './draw-pad';
import { FindingsView } from './findings-view';
import { EvaluationView, MisclassifiedView } from './evaluation-view';
import { PredictionGrid } from './grid';
import { type DashboardParts, type Look, render } from './render';
import { buildSkeleton, readPrefs, type UiPrefs } from './skeleton';
import { applyMessage, initialState, type ViewState } from './state';

echarts.use([LineChart, BarChart, HeatmapChart, GridComponent, TooltipComponent, LegendComponent, MarkLineComponent, VisualMapContinuousComponent, CanvasRenderer, SVGRenderer]);

const vscode = vscodeApi<FromWebview, UiPrefs>();
const prefs = readPrefs(vscode.getState());

let state: ViewState = initialState();
let look: Look = readLook(0);
let framePending = false;
let parts: DashboardParts;

function readLook(version: number): Look {
  const chart = readChartTheme();
  return { chart, ink: inkOf(chart), version };
}

function scheduleRender(): void {
  if (framePending) return;
  framePending = true;
  requestAnimationFrame(() => {
    framePending = false;
    render(state, parts, look);
  });
}

function chartsById(): Record<ChartId, Chart> {
  return {
    accuracy: parts.accuracyChart,
    loss: parts.lossChart,
    'learning-rate': parts.rateChart,
    confusion: parts.evaluationView.confusionChart,
    'per-class': parts.evaluationView.perClassChart,
    'class-counts': parts.datasetView.chart,
  };
}

/** Sends the chart (PNG, SVG) or its data (CSV) to the host, which asks where to save it. */
function exportChart(chart: ChartId, format: ExportFormat): void {
  const c = chartsById()[chart];
  if (!c) return;
  const background = look.chart.background;
  const data = format === 'csv' ? chartCsv(state, chart) : format === 'png' ? c.png(background) : c.svg(background);
  if (!data) return;
  vscode.postMessage({ type: 'export', format, fileName: exportFileName(state.run?.id, chart, format), data });
}

function listenForClicks(root: HTMLElement): void {
  root.addEventListener('click', (ev) => {
    const target = (ev.target as HTMLElement).closest<HTMLElement>('[data-action]');
    if (!target || target.hasAttribute('disabled')) return;
    ev.preventDefault();
    const action = target.dataset.action;
    if (action === 'train' || action === 'stop' || action === 'openRun' || action === 'createConfig' || action === 'lookInside') vscode.postMessage({ type: action });
  });
  root.addEventListener('click', (ev) => {
    const button = (ev.target as HTMLElement).closest<HTMLElement>('[data-export]');
    if (button) exportChart(button.dataset.chart as ChartId, button.dataset.export as ExportFormat);
  });
}

function start(): void {
  const root = document.getElementById('app') ?? document.body;
  buildSkeleton(root, prefs, () => vscode.setState(prefs));
  listenForClicks(root);
  parts = {
    accuracyChart: new Chart($('accuracy-chart'), scheduleRender),
    lossChart: new Chart($('loss-chart'), scheduleRender),
    rateChart: new Chart($('learning-rate-chart'), scheduleRender),
    grid: new PredictionGrid($('sample-grid')),
    drawPad: new DrawPad($('draw-body'), (req) => vscode.postMessage(req)),
    evaluationView: new EvaluationView($('evaluation-body'), scheduleRender),
    misclassifiedView: new MisclassifiedView($('misclassified-body')),
    datasetView: new DatasetView($('dataset-body'), scheduleRender),
    findingsView: new FindingsView($('charts'), (cell) => {
      parts.evaluationView.select(cell);
      const section = $('evaluation-section') as HTMLDetailsElement;
      section.open = true;
      section.scrollIntoView({ block: 'start' });
    }),
  };
  render(state, parts, look);
  startView({
    accept: isToWebview,
    onMessage: (msg) => {
      if (msg.type === 'prediction') return parts.drawPad.onPrediction(msg); // the pad's own answer, not part of the run
      state = applyMessage(state, msg);
      scheduleRender();
    },
    onThemeChange: () => {
      look = readLook(look.version + 1);
      scheduleRender();
    },
  });
}

start();
