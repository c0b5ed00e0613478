// The Dashboard webview (sidebar view and editor panel): messages in, fold, render from state.
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-progress-bar/index.js';
import { BarChart, HeatmapChart, LineChart } from 'echarts/charts';
import { GridComponent, LegendComponent, MarkLineComponent, TooltipComponent, VisualMapContinuousComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer, SVGRenderer } from 'echarts/renderers';
import type { ExportFormat, FromWebview } from '../src/shared/protocol';
import { Chart, chartFigure } from './chart-host';
import { accuracyChartOption, curveNotes, learningRateChanges, learningRateChartOption, lossChartOption, markersOf } from './charts';
import { chartCsv, type ChartId, exportFileName } from './csv';
import { DatasetView } from './dataset-view';
import { $, el } from './dom';
import { DrawPad } from './draw-pad';
import { FALLBACK_INSIGHT_THEME, type InsightTheme } from './eval-charts';
import { EvaluationView, MisclassifiedView } from './evaluation-view';
import { formatBytes, formatCount, formatDuration, formatPercent, splitMessage } from './format';
import { cssColorToRgb, PredictionGrid, type Rgb } from './grid';
import { renderModelDetails } from './model-view';
import { applyMessage, displayStatus, initialState, isToWebview, plannedEpochs, type StatusKind, type ViewState } from './state';

echarts.use([LineChart, BarChart, HeatmapChart, GridComponent, TooltipComponent, LegendComponent, MarkLineComponent, VisualMapContinuousComponent, CanvasRenderer, SVGRenderer]);

interface VsCodeApi {
  postMessage(message: FromWebview): void;
  getState(): unknown;
  setState(state: UiPrefs): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

/** UI preferences only; everything the view shows comes from the event log. */
interface UiPrefs {
  /** Which collapsible sections are open, by data-testid; missing means the section's default. */
  open: Record<string, boolean>;
}

const vscode = acquireVsCodeApi();
const saved = vscode.getState() as Partial<UiPrefs> & { modelOpen?: boolean } | undefined;
const prefs: UiPrefs = { open: { ...(saved?.modelOpen !== undefined ? { 'model-details': saved.modelOpen } : {}), ...saved?.open } };

const STATUS_TEXT: Record<StatusKind, string> = {
  idle: 'No run',
  preparing: 'Preparing',
  downloading: 'Downloading',
  training: 'Training',
  completed: 'Completed',
  cancelled: 'Cancelled',
  failed: 'Failed',
};

/** A collapsible section; open unless the user closed it (remembered per section). */
function section(testid: string, title: string, bodyTestid: string, extraClass = ''): HTMLDetailsElement {
  const d = el('details', { class: `section ${extraClass}`.trim(), 'data-testid': testid },
    el('summary', { 'data-testid': `${testid}-title` }, title),
    el('div', { class: 'section-body', 'data-testid': bodyTestid }));
  d.open = prefs.open[testid] ?? true;
  d.addEventListener('toggle', () => {
    prefs.open[testid] = d.open;
    vscode.setState(prefs);
  });
  return d;
}

// ---------------------------------------------------------------- skeleton, built once

function buildSkeleton(root: HTMLElement): void {
  const trainButton = el('vscode-button', { 'data-testid': 'train-button', 'data-action': 'train', 'data-session-button': '' }, 'Train');
  const openRun = el('a', { href: '#', role: 'button', 'data-testid': 'open-run', 'data-action': 'openRun' }, 'Open Run…');
  root.append(
    el('header', { class: 'header', 'data-testid': 'header' },
      el('div', { class: 'title-line' },
        el('span', { class: 'run-name', 'data-testid': 'run-name' }),
        el('span', { class: 'status', 'data-testid': 'status' })),
      el('div', { class: 'meta', 'data-testid': 'run-meta' }),
      el('div', { class: 'actions' }, trainButton, openRun)),
    el('section', { class: 'empty', 'data-testid': 'empty-state' },
      el('h2', {}, 'No training run yet'),
      el('p', {}, 'Create a config, then Train. ', el('b', {}, 'MNIST: Create Config'),
        ' writes mnist.config.json with the Keras tutorial\u2019s model (Train offers to create it too). ',
        el('b', {}, 'Train'), ' runs it in the background and the curves and predictions appear here.'),
      el('p', {}, 'Set "dataset": "mnist-sample" to train offline on the bundled digits in under a minute.'),
      el('div', { class: 'actions' },
        el('vscode-button', { 'data-action': 'createConfig', 'data-testid': 'empty-create-config' }, 'Create Config'),
        el('vscode-button', { secondary: '', 'data-action': 'train', 'data-testid': 'empty-train', 'data-session-button': '' }, 'Train'),
        el('vscode-button', { secondary: '', 'data-action': 'openRun', 'data-testid': 'empty-open-run' }, 'Open Run…'))),
    el('section', { class: 'message', 'data-testid': 'run-message', role: 'status' },
      el('p', { class: 'message-text', 'data-testid': 'run-message-text' }),
      el('p', { class: 'message-hint', 'data-testid': 'run-hint' })),
    el('section', { class: 'download', 'data-testid': 'download' },
      el('div', { class: 'download-text', 'data-testid': 'download-text' }),
      el('vscode-progress-bar', { 'data-testid': 'download-progress', 'aria-label': 'Download' })),
    el('section', { class: 'result', 'data-testid': 'result' },
      el('div', { class: 'result-item' }, el('span', { class: 'result-label' }, 'Test accuracy'),
        el('span', { class: 'result-value', 'data-testid': 'test-accuracy' })),
      el('div', { class: 'result-item' }, el('span', { class: 'result-label' }, 'Test loss'),
        el('span', { class: 'result-value small', 'data-testid': 'test-loss' })),
      el('vscode-button', { secondary: '', 'data-action': 'lookInside', 'data-testid': 'look-inside', title: 'Every layer\u2019s output for a digit, the filters, and where the model looked' }, 'Look Inside Model')),
    el('section', { class: 'progress', 'data-testid': 'progress' },
      el('div', { class: 'progress-line' },
        el('span', { 'data-testid': 'epoch-progress' }),
        el('span', { 'data-testid': 'batch-progress-text' }),
        el('span', { 'data-testid': 'samples-per-second' }),
        el('span', { 'data-testid': 'eta' })),
      el('vscode-progress-bar', { 'data-testid': 'batch-progress', 'aria-label': 'Batches in this epoch' })),
    el('section', { class: 'charts', 'data-testid': 'charts' },
      chartFigure('accuracy', 'Accuracy', 'accuracy-chart', 'Accuracy per epoch').figure,
      chartFigure('loss', 'Loss', 'loss-chart', 'Loss per epoch').figure,
      chartFigure('learning-rate', 'Learning rate', 'learning-rate-chart', 'Learning rate per epoch').figure,
      el('p', { class: 'note curve-notes', 'data-testid': 'curve-notes' })),
    el('section', { class: 'samples', 'data-testid': 'samples' },
      el('h3', { 'data-testid': 'samples-title' }),
      el('div', { class: 'sample-grid', 'data-testid': 'sample-grid' })),
    section('draw-section', 'Draw a digit', 'draw-body'),
    section('evaluation-section', 'Evaluation on the test set', 'evaluation-body'),
    section('misclassified-section', 'Misclassified', 'misclassified-body'),
    section('dataset-section', 'Dataset', 'dataset-body'),
    section('model-details', 'Model', 'details-body', 'model'),
  );
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

// ---------------------------------------------------------------- theme

function readTheme(): { chart: InsightTheme; ink: Rgb; background: string } {
  const cs = getComputedStyle(document.body);
  const v = (name: string, fallback: string): string => cs.getPropertyValue(name).trim() || fallback;
  const f = FALLBACK_INSIGHT_THEME;
  const foreground = v('--vscode-foreground', f.foreground);
  const border = v('--vscode-editorWidget-border', v('--vscode-contrastBorder', f.gridLine));
  const chart: InsightTheme = {
    ...FALLBACK_INSIGHT_THEME,
    foreground,
    muted: v('--vscode-descriptionForeground', f.muted),
    gridLine: border,
    tooltipBackground: v('--vscode-editorHoverWidget-background', v('--vscode-editorWidget-background', f.tooltipBackground)),
    tooltipBorder: v('--vscode-editorHoverWidget-border', border),
    train: v('--vscode-charts-blue', f.train),
    validation: v('--vscode-charts-orange', f.validation),
    batch: v('--vscode-charts-green', f.batch),
    rate: v('--vscode-charts-purple', f.rate),
    marker: v('--vscode-charts-red', f.marker),
    fontFamily: v('--vscode-font-family', f.fontFamily),
    fontSize: parseFloat(v('--vscode-font-size', `${f.fontSize}px`)) || f.fontSize,
    right: v('--vscode-testing-iconPassed', v('--vscode-charts-green', FALLBACK_INSIGHT_THEME.right)),
    wrong: v('--vscode-testing-iconFailed', v('--vscode-errorForeground', FALLBACK_INSIGHT_THEME.wrong)),
    test: v('--vscode-charts-green', FALLBACK_INSIGHT_THEME.test),
  };
  const background = v('--vscode-sideBar-background', v('--vscode-editor-background', document.body.classList.contains('vscode-light') ? '#ffffff' : '#1e1e1e'));
  return { chart, ink: cssColorToRgb(foreground, [204, 204, 204]), background };
}

// ---------------------------------------------------------------- render

let state: ViewState = initialState();
let theme = readTheme();
let themeVersion = 0;
let framePending = false;

let accuracyChart: Chart;
let lossChart: Chart;
let rateChart: Chart;
let grid: PredictionGrid;
let drawPad: DrawPad;
let datasetView: DatasetView;
let evaluationView: EvaluationView;
let misclassifiedView: MisclassifiedView;

function scheduleRender(): void {
  if (framePending) return;
  framePending = true;
  requestAnimationFrame(() => {
    framePending = false;
    render(state);
  });
}

function show(testid: string, visible: boolean): void {
  $(testid).hidden = !visible;
}

function setText(testid: string, text: string): void {
  const e = $(testid);
  if (e.textContent !== text) e.textContent = text;
}

// ---------------------------------------------------------------- export

function chartsById(): Record<ChartId, Chart> {
  return {
    accuracy: accuracyChart,
    loss: lossChart,
    'learning-rate': rateChart,
    confusion: evaluationView.confusionChart,
    'per-class': evaluationView.perClassChart,
    'class-counts': datasetView.chart,
  };
}

/** Sends the chart (PNG, SVG) or its data (CSV) to the host, which asks where to save it. */
function exportChart(chart: ChartId, format: ExportFormat): void {
  const c = chartsById()[chart];
  if (!c) return;
  const data = format === 'csv' ? chartCsv(state, chart) : format === 'png' ? c.png(theme.background) : c.svg(theme.background);
  if (!data) return;
  vscode.postMessage({ type: 'export', format, fileName: exportFileName(state.run?.id, chart, format), data });
}

function render(s: ViewState): void {
  const status = displayStatus(s);
  const hasRun = s.run !== null;
  document.body.dataset.status = status.kind;
  document.body.dataset.hasRun = String(hasRun);

  // Header
  setText('run-name', s.run ? s.run.id : 'MNIST Trainer');
  const statusEl = $('status');
  statusEl.dataset.status = status.kind;
  setText('status', STATUS_TEXT[status.kind]);
  statusEl.title = status.message ?? '';
  show('status', hasRun);
  const meta: string[] = [];
  if (s.run) meta.push(s.run.model);
  meta.push(s.dataset?.name ?? s.run?.dataset ?? '');
  if (s.backend) meta.push(`${s.backend.name}${s.backend.threads > 1 ? ` ×${s.backend.threads}` : ''}`);
  const metaEl = $('run-meta');
  metaEl.textContent = hasRun ? meta.filter(Boolean).join(' · ') : '';
  metaEl.title = s.backend?.reason ?? '';
  metaEl.dataset.backend = s.backend?.name ?? '';
  metaEl.dataset.dataset = s.dataset?.name ?? s.run?.dataset ?? '';

  // Train/Stop follows the session, wherever the button is (header, empty state).
  const stop = s.session !== 'idle';
  for (const button of document.querySelectorAll<HTMLElement>('[data-session-button]')) {
    button.dataset.action = stop ? 'stop' : 'train';
    button.dataset.session = s.session;
    button.toggleAttribute('secondary', stop);
    button.toggleAttribute('disabled', s.session === 'stopping');
    const label = s.session === 'stopping' ? 'Stopping…' : stop ? 'Stop' : 'Train';
    if (button.textContent !== label) button.textContent = label;
  }

  show('empty-state', !hasRun);
  show('header', hasRun); // the empty state has its own heading and buttons

  // Status message: what is happening, or what went wrong and what to do.
  const terminal = status.kind === 'failed' || status.kind === 'cancelled';
  const split = terminal ? splitMessage(status.message, status.hint) : { message: status.message ?? '', hint: '' };
  const hint = split.hint;
  let message = split.message;
  if (terminal && !message) message = status.kind === 'failed' ? 'The run failed.' : 'The run was stopped.';
  if (!terminal && s.run?.live && s.session === 'stopping') message = 'Stopping after the current batch…';
  show('run-message', hasRun && message !== '' && status.kind !== 'completed');
  $('run-message').dataset.kind = status.kind;
  setText('run-message-text', message);
  setText('run-hint', hint);
  show('run-hint', hint !== '');

  // Download
  show('download', hasRun && s.download !== null && status.kind === 'downloading');
  if (s.download) {
    const d = s.download;
    setText('download-text', `${d.file}: ${formatBytes(d.receivedBytes)}${d.totalBytes ? ` of ${formatBytes(d.totalBytes)}` : ''}`);
    const bar = $('download-progress');
    if (d.totalBytes) {
      bar.setAttribute('max', String(d.totalBytes));
      bar.setAttribute('value', String(d.receivedBytes));
      bar.removeAttribute('indeterminate');
    } else bar.setAttribute('indeterminate', '');
  }

  // Result, prominently, once the test set is scored.
  show('result', hasRun && s.evaluation !== null);
  if (s.evaluation) {
    const acc = $('test-accuracy');
    acc.dataset.value = String(s.evaluation.testAccuracy);
    setText('test-accuracy', formatPercent(s.evaluation.testAccuracy));
    $('test-loss').dataset.value = String(s.evaluation.testLoss);
    setText('test-loss', s.evaluation.testLoss.toFixed(4));
  }

  // Progress
  const p = s.progress;
  const epochs = plannedEpochs(s);
  show('progress', hasRun && (p.epoch > 0 || status.kind === 'training'));
  const epochEl = $('epoch-progress');
  epochEl.dataset.epoch = String(p.epoch);
  epochEl.dataset.epochs = String(epochs);
  setText('epoch-progress', `Epoch ${p.epoch}/${epochs}`);
  setText('batch-progress-text', p.batchesPerEpoch ? `batch ${p.batch}/${p.batchesPerEpoch}` : '');
  setText('samples-per-second', p.samplesPerSecond !== null ? `${formatCount(p.samplesPerSecond)} samples/s` : '');
  const eta = formatDuration(p.etaSeconds);
  setText('eta', eta !== null && !s.ended ? `ETA ${eta}` : '');
  const bar = $('batch-progress');
  bar.setAttribute('max', String(p.batchesPerEpoch || 1));
  bar.setAttribute('value', String(p.batch));
  bar.dataset.batch = String(p.batch);
  bar.dataset.batches = String(p.batchesPerEpoch);

  // Charts: shown once there is something to plot, rebuilt only when their data or the theme changed.
  show('charts', hasRun && (s.batches.x.length > 0 || s.history.epoch.length > 0));
  const markers = markersOf(s);
  const dataKey = `${epochs}|${s.history.epoch.length}|${s.batches.x.length}|${p.batchesPerEpoch}|${s.resumed}|${markers.map((m) => m.label).join()}`;
  const styleKey = `${s.run?.id}|${themeVersion}`;
  accuracyChart.update(dataKey, styleKey, () => accuracyChartOption(s, theme.chart));
  lossChart.update(dataKey, styleKey, () => lossChartOption(s, theme.chart));
  // The rate gets a chart when it changes; a constant rate is one line in the notes below.
  const rateShown = learningRateChanges(s);
  rateChart.container.closest('figure')!.hidden = !rateShown;
  if (rateShown) rateChart.update(dataKey, styleKey, () => learningRateChartOption(s, theme.chart) ?? {});
  const notes = curveNotes(s);
  setText('curve-notes', notes.join(' '));
  show('curve-notes', notes.length > 0);
  $('curve-notes').dataset.earlyStop = String(s.earlyStop?.epoch ?? '');
  $('curve-notes').dataset.bestEpoch = String(s.earlyStop?.restoredBestWeights ? s.earlyStop.bestEpoch : '');

  // Grid
  show('samples', hasRun && s.samples !== null);
  if (s.samples) {
    const wrong = s.samples.cells.filter((c) => c.correct === false).length;
    const when = s.samples.epoch === 0 ? 'before training' : `after epoch ${s.samples.epoch}`;
    setText('samples-title', `Predictions on ${s.samples.cells.length} test digits, ${when}: ${wrong} wrong`);
    $('sample-grid').dataset.epoch = String(s.samples.epoch);
  }
  grid.render(s.samples, theme.ink, s.dataset?.classNames);

  const styleKey2 = `${s.run?.id}|${themeVersion}`;
  const names = s.dataset?.classNames ?? [];

  // Draw a digit: the shown run's saved model answers; a live run saves it when training ends.
  show('draw-section', hasRun);
  const ended = s.ended || (s.run !== null && !s.run.live && s.eventCount > 0);
  const drawStatus = !hasRun ? null : !ended ? 'The model is saved when training ends; you can draw then.' : status.kind === 'failed' ? 'This run failed; it may have no saved model to ask.' : null;
  drawPad.setContext(s.run?.id ?? '', theme.ink, names, drawStatus);

  show('evaluation-section', hasRun && s.evaluation !== null);
  evaluationView.render(s, theme.chart, theme.ink, styleKey2);
  show('misclassified-section', hasRun && s.evaluation !== null && s.evaluation.misclassified.length > 0);
  misclassifiedView.render(s, theme.ink);
  if (s.evaluation) setText('misclassified-section-title', `Misclassified (${formatCount(s.evaluation.misclassified.length)} most confident)`);

  show('dataset-section', hasRun && s.dataset !== null);
  datasetView.render(s, theme.chart, theme.ink, styleKey2);

  show('model-details', hasRun && (s.model !== null || s.backend !== null));
  renderModelDetails($('details-body'), s);
}

// ---------------------------------------------------------------- wiring

function start(): void {
  const root = document.getElementById('app') ?? document.body;
  buildSkeleton(root);
  accuracyChart = new Chart($('accuracy-chart'), scheduleRender);
  lossChart = new Chart($('loss-chart'), scheduleRender);
  rateChart = new Chart($('learning-rate-chart'), scheduleRender);
  grid = new PredictionGrid($('sample-grid'));
  drawPad = new DrawPad($('draw-body'), (req) => vscode.postMessage(req));
  evaluationView = new EvaluationView($('evaluation-body'), scheduleRender);
  misclassifiedView = new MisclassifiedView($('misclassified-body'));
  datasetView = new DatasetView($('dataset-body'), scheduleRender);

  // VS Code swaps body classes (vscode-light/-dark/-high-contrast) and the variables on <html> on a theme change.
  const onTheme = (): void => {
    theme = readTheme();
    themeVersion++;
    scheduleRender();
  };
  const observer = new MutationObserver(onTheme);
  observer.observe(document.body, { attributes: true, attributeFilter: ['class'] });
  observer.observe(document.documentElement, { attributes: true, attributeFilter: ['style', 'class'] });

  window.addEventListener('message', (ev: MessageEvent<unknown>) => {
    const msg = ev.data;
    if (!isToWebview(msg)) return;
    if (msg.type === 'prediction') return drawPad.onPrediction(msg); // the pad's own answer, not part of the run
    state = applyMessage(state, msg);
    scheduleRender();
  });
  render(state);
  vscode.postMessage({ type: 'ready' });
}

start();
