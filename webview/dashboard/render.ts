// Fills the Dashboard's skeleton from the view state, one function per part of the page. Every
// call draws the whole state: showing a live run, a restored view and an old run are one path.
import type { ChartTheme } from '../../src/shared/chart-theme';
import type { Chart } from '../common/chart-host';
import type { Rgb } from '../common/color';
import { $ } from '../common/dom';
import { formatBytes, formatCount, formatDuration, formatPercent, splitMessage } from '../common/format';
import { accuracyChartOption, curveNotes, learningRateChanges, learningRateChartOption, lossChartOption, markersOf } from './charts';
import type { DatasetView } from './dataset-view';
import type { DrawPad } from './draw-pad';
import type { EvaluationView, MisclassifiedView } from './evaluation-view';
import type { PredictionGrid } from './grid';
import { renderModelDetails } from './model-view';
import { displayStatus, plannedEpochs, type StatusKind, type ViewState } from './state';
import type { FindingsView } from './findings-view';

/** The parts of the page that keep their own DOM (charts, canvases) between renders. */
export interface DashboardParts {
  accuracyChart: Chart;
  lossChart: Chart;
  rateChart: Chart;
  grid: PredictionGrid;
  drawPad: DrawPad;
  datasetView: DatasetView;
  evaluationView: EvaluationView;
  misclassifiedView: MisclassifiedView;
  findingsView: FindingsView;
}

/** The page's colours; `version` changes with the theme, so charts redraw in full. */
export interface Look {
  chart: ChartTheme;
  ink: Rgb;
  version: number;
}

type Status = ReturnType<typeof displayStatus>;

const STATUS_TEXT: Record<StatusKind, string> = {
  idle: 'No run',
  preparing: 'Preparing',
  downloading: 'Downloading',
  training: 'Training',
  completed: 'Completed',
  cancelled: 'Cancelled',
  failed: 'Failed',
};

function show(testid: string, visible: boolean): void {
  $(testid).hidden = !visible;
}

function setText(testid: string, text: string): void {
  const e = $(testid);
  if (e.textContent !== text) e.textContent = text;
}

export function render(s: ViewState, parts: DashboardParts, look: Look): void {
  const status = displayStatus(s);
  const hasRun = s.run !== null;
  document.body.dataset.status = status.kind;
  document.body.dataset.hasRun = String(hasRun);
  renderHeader(s, status);
  renderSessionButtons(s);
  show('empty-state', !hasRun);
  show('header', hasRun); // the empty state has its own heading and buttons
  renderMessage(s, status);
  renderDownload(s, status);
  renderResult(s);
  renderProgress(s, status);
  renderCurves(s, parts, look);
  renderSamples(s, parts, look);
  renderSections(s, status, parts, look);
}

function renderHeader(s: ViewState, status: Status): void {
  setText('run-name', s.run ? s.run.id : 'MNIST Trainer');
  const statusEl = $('status');
  statusEl.dataset.status = status.kind;
  setText('status', STATUS_TEXT[status.kind]);
  statusEl.title = status.message ?? '';
  show('status', s.run !== null);
  const meta: string[] = [];
  if (s.run) meta.push(s.run.model);
  meta.push(s.dataset?.name ?? s.run?.dataset ?? '');
  if (s.backend) meta.push(`${s.backend.name}${s.backend.threads > 1 ? ` ×${s.backend.threads}` : ''}`);
  const metaEl = $('run-meta');
  metaEl.textContent = s.run ? meta.filter(Boolean).join(' · ') : '';
  metaEl.title = s.backend?.reason ?? '';
  metaEl.dataset.backend = s.backend?.name ?? '';
  metaEl.dataset.dataset = s.dataset?.name ?? s.run?.dataset ?? '';
}

/** Train/Stop follows the session, wherever the button is (header, empty state). */
function renderSessionButtons(s: ViewState): void {
  const stop = s.session !== 'idle';
  for (const button of document.querySelectorAll<HTMLElement>('[data-session-button]')) {
    button.dataset.action = stop ? 'stop' : 'train';
    button.dataset.session = s.session;
    button.toggleAttribute('secondary', stop);
    button.toggleAttribute('disabled', s.session === 'stopping');
    const label = s.session === 'stopping' ? 'Stopping…' : stop ? 'Stop' : 'Train';
    if (button.textContent !== label) button.textContent = label;
  }
}

/** What is happening, or what went wrong and what to do. */
function renderMessage(s: ViewState, status: Status): void {
  const terminal = status.kind === 'failed' || status.kind === 'cancelled';
  const split = terminal ? splitMessage(status.message, status.hint) : { message: status.message ?? '', hint: '' };
  const hint = split.hint;
  let message = split.message;
  if (terminal && !message) message = status.kind === 'failed' ? 'The run failed.' : 'The run was stopped.';
  if (!terminal && s.run?.live && s.session === 'stopping') message = 'Stopping after the current batch…';
  show('run-message', s.run !== null && message !== '' && status.kind !== 'completed');
  $('run-message').dataset.kind = status.kind;
  setText('run-message-text', message);
  setText('run-hint', hint);
  show('run-hint', hint !== '');
}

function renderDownload(s: ViewState, status: Status): void {
  show('download', s.run !== null && s.download !== null && status.kind === 'downloading');
  if (!s.download) return;
  const d = s.download;
  setText('download-text', `${d.file}: ${formatBytes(d.receivedBytes)}${d.totalBytes ? ` of ${formatBytes(d.totalBytes)}` : ''}`);
  const bar = $('download-progress');
  if (d.totalBytes) {
    bar.setAttribute('max', String(d.totalBytes));
    bar.setAttribute('value', String(d.receivedBytes));
    bar.removeAttribute('indeterminate');
  } else bar.setAttribute('indeterminate', '');
}

/** The result, prominently, once the test set is scored. */
function renderResult(s: ViewState): void {
  show('result', s.run !== null && s.evaluation !== null);
  if (!s.evaluation) return;
  $('test-accuracy').dataset.value = String(s.evaluation.testAccuracy);
  setText('test-accuracy', formatPercent(s.evaluation.testAccuracy));
  $('test-loss').dataset.value = String(s.evaluation.testLoss);
  setText('test-loss', s.evaluation.testLoss.toFixed(4));
}

function renderProgress(s: ViewState, status: Status): void {
  const p = s.progress;
  const epochs = plannedEpochs(s);
  show('progress', s.run !== null && (p.epoch > 0 || status.kind === 'training'));
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
}

/** Shown once there is something to plot, rebuilt only when their data or the theme changed. */
function renderCurves(s: ViewState, parts: DashboardParts, look: Look): void {
  show('charts', s.run !== null && (s.batches.x.length > 0 || s.history.epoch.length > 0));
  const markers = markersOf(s);
  const dataKey = `${plannedEpochs(s)}|${s.history.epoch.length}|${s.batches.x.length}|${s.progress.batchesPerEpoch}|${s.resumed}|${markers.map((m) => m.label).join()}`;
  const styleKey = `${s.run?.id}|${look.version}`;
  parts.accuracyChart.update(dataKey, styleKey, () => accuracyChartOption(s, look.chart));
  parts.lossChart.update(dataKey, styleKey, () => lossChartOption(s, look.chart));
  // The rate gets a chart when it changes; a constant rate is one line in the notes below.
  const rateShown = learningRateChanges(s);
  parts.rateChart.container.closest('figure')!.hidden = !rateShown;
  if (rateShown) parts.rateChart.update(dataKey, styleKey, () => learningRateChartOption(s, look.chart) ?? {});
  const notes = curveNotes(s);
  setText('curve-notes', notes.join(' '));
  show('curve-notes', notes.length > 0);
  $('curve-notes').dataset.earlyStop = String(s.earlyStop?.epoch ?? '');
  $('curve-notes').dataset.bestEpoch = String(s.earlyStop?.restoredBestWeights ? s.earlyStop.bestEpoch : '');
}

function renderSamples(s: ViewState, parts: DashboardParts, look: Look): void {
  show('samples', s.run !== null && s.samples !== null);
  if (s.samples) {
    const wrong = s.samples.cells.filter((c) => c.correct === false).length;
    const when = s.samples.epoch === 0 ? 'before training' : `after epoch ${s.samples.epoch}`;
    setText('samples-title', `Predictions on ${s.samples.cells.length} test digits, ${when}: ${wrong} wrong`);
    $('sample-grid').dataset.epoch = String(s.samples.epoch);
  }
  parts.grid.render(s.samples, look.ink, s.dataset?.classNames);
  parts.findingsView.render(s);
}

/** The collapsible sections: draw a digit, evaluation, misclassified, dataset, model. */
function renderSections(s: ViewState, status: Status, parts: DashboardParts, look: Look): void {
  const hasRun = s.run !== null;
  const styleKey = `${s.run?.id}|${look.version}`;
  const names = s.dataset?.classNames ?? [];

  // Draw a digit: the shown run's saved model answers; a live run saves it when training ends.
  show('draw-section', hasRun);
  const ended = s.ended || (s.run !== null && !s.run.live && s.eventCount > 0);
  const drawStatus = !hasRun ? null : !ended ? 'The model is saved when training ends; you can draw then.' : status.kind === 'failed' ? 'This run failed; it may have no saved model to ask.' : null;
  parts.drawPad.setContext(s.run?.id ?? '', look.ink, names, drawStatus);

  show('evaluation-section', hasRun && s.evaluation !== null);
  parts.evaluationView.render(s, look.chart, look.ink, styleKey);
  show('misclassified-section', hasRun && s.evaluation !== null && s.evaluation.misclassified.length > 0);
  parts.misclassifiedView.render(s, look.ink);
  if (s.evaluation) setText('misclassified-section-title', `Misclassified (${formatCount(s.evaluation.misclassified.length)} most confident)`);

  show('dataset-section', hasRun && s.dataset !== null);
  parts.datasetView.render(s, look.chart, look.ink, styleKey);

  show('model-details', hasRun && (s.model !== null || s.backend !== null));
  renderModelDetails($('details-body'), s);
}
