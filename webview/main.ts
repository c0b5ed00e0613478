// The Dashboard webview (sidebar view and editor panel): messages in, fold, render from state.
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-progress-bar/index.js';
import { LineChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import type { FromWebview } from '../src/shared/protocol';
import { accuracyChartOption, FALLBACK_THEME, lossChartOption, type ChartOption, type ChartTheme } from './charts';
import { formatBytes, formatCount, formatDuration, formatPercent, splitMessage } from './format';
import { cssColorToRgb, PredictionGrid, type Rgb } from './grid';
import { applyMessage, displayStatus, initialState, isToWebview, plannedEpochs, type StatusKind, type ViewState } from './state';

echarts.use([LineChart, GridComponent, TooltipComponent, LegendComponent, CanvasRenderer]);

interface VsCodeApi {
  postMessage(message: FromWebview): void;
  getState(): unknown;
  setState(state: UiPrefs): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

/** UI preferences only; everything the view shows comes from the event log. */
interface UiPrefs { modelOpen: boolean }

const vscode = acquireVsCodeApi();
const prefs: UiPrefs = { modelOpen: false, ...(vscode.getState() as Partial<UiPrefs> | undefined) };

const STATUS_TEXT: Record<StatusKind, string> = {
  idle: 'No run',
  preparing: 'Preparing',
  downloading: 'Downloading',
  training: 'Training',
  completed: 'Completed',
  cancelled: 'Cancelled',
  failed: 'Failed',
};

function $(testid: string): HTMLElement {
  const el = document.querySelector<HTMLElement>(`[data-testid="${testid}"]`);
  if (!el) throw new Error(`missing element ${testid}`);
  return el;
}

function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, ...children: (Node | string)[]): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  e.append(...children);
  return e;
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
        el('span', { class: 'result-value small', 'data-testid': 'test-loss' }))),
    el('section', { class: 'progress', 'data-testid': 'progress' },
      el('div', { class: 'progress-line' },
        el('span', { 'data-testid': 'epoch-progress' }),
        el('span', { 'data-testid': 'batch-progress-text' }),
        el('span', { 'data-testid': 'samples-per-second' }),
        el('span', { 'data-testid': 'eta' })),
      el('vscode-progress-bar', { 'data-testid': 'batch-progress', 'aria-label': 'Batches in this epoch' })),
    el('section', { class: 'charts', 'data-testid': 'charts' },
      el('figure', { class: 'chart' }, el('figcaption', {}, 'Accuracy'),
        el('div', { class: 'chart-canvas', 'data-testid': 'accuracy-chart', role: 'img', 'aria-label': 'Accuracy per epoch' })),
      el('figure', { class: 'chart' }, el('figcaption', {}, 'Loss'),
        el('div', { class: 'chart-canvas', 'data-testid': 'loss-chart', role: 'img', 'aria-label': 'Loss per epoch' }))),
    el('section', { class: 'samples', 'data-testid': 'samples' },
      el('h3', { 'data-testid': 'samples-title' }),
      el('div', { class: 'sample-grid', 'data-testid': 'sample-grid' })),
    el('details', { class: 'model', 'data-testid': 'model-details' },
      el('summary', {}, 'Model and data'),
      el('div', { class: 'details-body', 'data-testid': 'details-body' })),
  );
  root.addEventListener('click', (ev) => {
    const target = (ev.target as HTMLElement).closest<HTMLElement>('[data-action]');
    if (!target || target.hasAttribute('disabled')) return;
    ev.preventDefault();
    const action = target.dataset.action;
    if (action === 'train' || action === 'stop' || action === 'openRun' || action === 'createConfig') vscode.postMessage({ type: action });
  });
  const details = $('model-details') as HTMLDetailsElement;
  details.open = prefs.modelOpen;
  details.addEventListener('toggle', () => {
    prefs.modelOpen = details.open;
    vscode.setState(prefs);
  });
}

// ---------------------------------------------------------------- theme

function readTheme(): { chart: ChartTheme; ink: Rgb } {
  const cs = getComputedStyle(document.body);
  const v = (name: string, fallback: string): string => cs.getPropertyValue(name).trim() || fallback;
  const f = FALLBACK_THEME;
  const foreground = v('--vscode-foreground', f.foreground);
  const border = v('--vscode-editorWidget-border', v('--vscode-contrastBorder', f.gridLine));
  const chart: ChartTheme = {
    foreground,
    muted: v('--vscode-descriptionForeground', f.muted),
    gridLine: border,
    tooltipBackground: v('--vscode-editorHoverWidget-background', v('--vscode-editorWidget-background', f.tooltipBackground)),
    tooltipBorder: v('--vscode-editorHoverWidget-border', border),
    train: v('--vscode-charts-blue', f.train),
    validation: v('--vscode-charts-orange', f.validation),
    batch: v('--vscode-charts-green', f.batch),
    fontFamily: v('--vscode-font-family', f.fontFamily),
    fontSize: parseFloat(v('--vscode-font-size', `${f.fontSize}px`)) || f.fontSize,
  };
  return { chart, ink: cssColorToRgb(foreground, [204, 204, 204]) };
}

// ---------------------------------------------------------------- render

class Chart {
  private instance: echarts.ECharts | null = null;
  private dataKey = '';
  private styleKey = '';

  constructor(private readonly container: HTMLElement, onShown: () => void) {
    // A chart first drawn while hidden waits for its container to get a size.
    new ResizeObserver(() => (this.instance ? this.instance.resize() : onShown())).observe(container);
  }

  /** Sets the option when its data changed; replaces everything only for a new run or theme, so a live update keeps an open tooltip. */
  update(dataKey: string, styleKey: string, option: () => ChartOption): void {
    if (dataKey === this.dataKey && styleKey === this.styleKey) return;
    if (!this.instance) {
      if (this.container.clientWidth === 0) return; // hidden: wait for the next render
      this.instance = echarts.init(this.container, null, { renderer: 'canvas' });
    }
    const reset = styleKey !== this.styleKey;
    this.dataKey = dataKey;
    this.styleKey = styleKey;
    this.instance.setOption(option(), { notMerge: reset });
  }
}

let state: ViewState = initialState();
let theme = readTheme();
let themeVersion = 0;
let framePending = false;

let accuracyChart: Chart;
let lossChart: Chart;
let grid: PredictionGrid;

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
  let { message, hint } = terminal ? splitMessage(status.message, status.hint) : { message: status.message ?? '', hint: '' };
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
  const dataKey = `${epochs}|${s.history.epoch.length}|${s.batches.x.length}|${p.batchesPerEpoch}`;
  const styleKey = `${s.run?.id}|${themeVersion}`;
  accuracyChart.update(dataKey, styleKey, () => accuracyChartOption(s, theme.chart));
  lossChart.update(dataKey, styleKey, () => lossChartOption(s, theme.chart));

  // Grid
  show('samples', hasRun && s.samples !== null);
  if (s.samples) {
    const wrong = s.samples.cells.filter((c) => c.correct === false).length;
    const when = s.samples.epoch === 0 ? 'before training' : `after epoch ${s.samples.epoch}`;
    setText('samples-title', `Predictions on ${s.samples.cells.length} test digits, ${when}: ${wrong} wrong`);
    $('sample-grid').dataset.epoch = String(s.samples.epoch);
  }
  grid.render(s.samples, theme.ink, s.dataset?.classNames);

  show('model-details', hasRun && (s.model !== null || s.dataset !== null || s.backend !== null));
  renderDetails(s);
}

let detailsKey = '';
function renderDetails(s: ViewState): void {
  const key = `${s.run?.id}|${s.model !== null}|${s.dataset !== null}|${s.backend !== null}`;
  if (key === detailsKey) return;
  detailsKey = key;
  const body = $('details-body');
  body.replaceChildren();
  if (s.dataset) {
    const d = s.dataset;
    body.append(el('p', {}, el('b', {}, d.name), ` from ${d.source}: ${formatCount(d.train)} train, ${formatCount(d.validation)} validation, ${formatCount(d.test)} test`));
  }
  if (s.backend) body.append(el('p', {}, el('b', {}, `Backend ${s.backend.name}`), `: ${s.backend.reason} (tfjs ${s.backend.tfjs})`));
  if (s.run) body.append(el('p', {}, `Batch size ${s.run.batchSize}, ${s.run.epochs} epochs`));
  if (s.model) {
    const rows = s.model.layers.map((l) =>
      el('tr', {}, el('td', {}, l.type), el('td', {}, `(${l.outputShape.map((d) => (d === null ? 'None' : String(d))).join(', ')})`), el('td', { class: 'num' }, formatCount(l.params))));
    body.append(
      el('table', { class: 'layers', 'data-testid': 'model-summary' },
        el('thead', {}, el('tr', {}, el('th', {}, 'Layer'), el('th', {}, 'Output shape'), el('th', { class: 'num' }, 'Params'))),
        el('tbody', {}, ...rows),
        el('tfoot', {}, el('tr', {}, el('td', { colspan: '2' }, 'Total'), el('td', { class: 'num' }, formatCount(s.model.totalParams))))),
    );
  }
}

// ---------------------------------------------------------------- wiring

function start(): void {
  const root = document.getElementById('app') ?? document.body;
  buildSkeleton(root);
  accuracyChart = new Chart($('accuracy-chart'), scheduleRender);
  lossChart = new Chart($('loss-chart'), scheduleRender);
  grid = new PredictionGrid($('sample-grid'));

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
    state = applyMessage(state, msg);
    scheduleRender();
  });
  render(state);
  vscode.postMessage({ type: 'ready' });
}

start();
