// Pure ECharts option builders: state + theme in, option out. No DOM and no echarts runtime here.
import type { LineSeriesOption } from 'echarts/charts';
import type { GridComponentOption, LegendComponentOption, MarkLineComponentOption, TooltipComponentOption } from 'echarts/components';
import type { ComposeOption } from 'echarts/core';
import { axisStyle, type ChartTheme, legendStyle, splitLines, textStyle, tooltipStyle } from '../../src/shared/chart-theme';
import { plannedEpochs, type ViewState } from './state';
import { findingMarkers } from './findings-view';

export type ChartOption = ComposeOption<LineSeriesOption | GridComponentOption | LegendComponentOption | TooltipComponentOption | MarkLineComponentOption>;

/** Which line a series is; the tooltip marks rows with a CSS class per role. */
export type SeriesRole = 'train' | 'validation' | 'batch' | 'rate';

export const SERIES_NAMES = {
  train: 'train',
  validation: 'validation',
  batch: 'per batch (smoothed)',
  rate: 'learning rate',
} as const;

type Point = { value: [number, number]; name: string };

function epochPoints(epochs: readonly number[], values: readonly number[]): Point[] {
  return epochs.map((e, i) => ({ value: [e, values[i]], name: `epoch ${e}` }));
}

function batchPoints(state: ViewState, values: readonly number[]): Point[] {
  const perEpoch = state.progress.batchesPerEpoch;
  return state.batches.x.map((x, i) => {
    const epoch = Math.max(1, Math.ceil(x));
    const where = perEpoch > 0 ? `epoch ${epoch}, batch ${Math.round((x - epoch + 1) * perEpoch)}/${perEpoch}` : `epoch ${x.toFixed(2)}`;
    return { value: [x, values[i]], name: where };
  });
}

function series(role: Exclude<SeriesRole, 'rate'>, data: Point[], theme: ChartTheme): LineSeriesOption {
  const color = theme[role];
  if (role === 'batch') {
    return {
      id: role,
      name: SERIES_NAMES[role],
      type: 'line',
      data,
      color,
      showSymbol: false,
      symbol: 'none',
      sampling: 'lttb',
      lineStyle: { width: 1.5, color, opacity: 0.85 },
      z: 1,
    };
  }
  // Validation differs from train by dash and marker shape too, not by colour alone.
  return {
    id: role,
    name: SERIES_NAMES[role],
    type: 'line',
    data,
    color,
    showSymbol: true,
    symbol: role === 'train' ? 'circle' : 'diamond',
    symbolSize: 7,
    lineStyle: { width: 2, color, type: role === 'train' ? 'solid' : 'dashed' },
    itemStyle: { color },
    z: 3,
  };
}

function baseOption(state: ViewState, theme: ChartTheme, yAxis: { min?: number; max?: number }): ChartOption {
  const epochs = Math.max(1, plannedEpochs(state));
  const axisCommon = { ...axisStyle(theme), splitLine: splitLines(theme) };
  return {
    animation: false,
    textStyle: textStyle(theme),
    grid: { left: 4, right: 14, top: 40, bottom: 4 },
    legend: {
      top: 0,
      left: 0,
      itemWidth: 16,
      itemHeight: 8,
      itemGap: 10,
      ...legendStyle(theme),
    },
    tooltip: {
      ...tooltipStyle(theme),
      trigger: 'axis',
      axisPointer: { type: 'line', lineStyle: { color: theme.muted } },
      formatter: formatTooltip as TooltipComponentOption['formatter'],
    },
    xAxis: {
      type: 'value',
      name: 'epoch',
      nameLocation: 'end',
      nameGap: 4,
      min: 0,
      max: epochs,
      minInterval: 1,
      interval: epochs <= 10 ? 1 : undefined,
      ...axisCommon,
      splitLine: { show: false },
    },
    // The figure caption names the y axis; an axis name would crowd the legend in a narrow sidebar.
    yAxis: { type: 'value', min: yAxis.min, max: yAxis.max, ...axisCommon },
  };
}

/** Train vs validation accuracy per epoch, plus the smoothed per-batch training accuracy. */
export function accuracyChartOption(state: ViewState, theme: ChartTheme): ChartOption {
  const h = state.history;
  const all = [...h.acc, ...h.valAcc, ...state.batches.smoothedAcc];
  const min = all.length ? Math.max(0, Math.floor(Math.min(...all) * 10) / 10) : 0;
  return {
    ...baseOption(state, theme, { min: Math.min(min, 0.9), max: 1 }),
    series: [
      series('train', epochPoints(h.epoch, h.acc), theme),
      { ...series('validation', epochPoints(h.epoch, h.valAcc), theme), ...epochMarkers(state, theme) },
      series('batch', batchPoints(state, state.batches.smoothedAcc), theme),
    ],
  };
}

/** Train vs validation loss per epoch, plus the smoothed per-batch training loss. */
export function lossChartOption(state: ViewState, theme: ChartTheme): ChartOption {
  const h = state.history;
  return {
    ...baseOption(state, theme, { min: 0 }),
    series: [
      series('train', epochPoints(h.epoch, h.loss), theme),
      { ...series('validation', epochPoints(h.epoch, h.valLoss), theme), ...epochMarkers(state, theme) },
      series('batch', batchPoints(state, state.batches.smoothedLoss), theme),
    ],
  };
}

/** A marked epoch on the curve charts: where early stopping ended the fit, and the epoch it went back to. */
export interface EpochMarker {
  kind: 'early-stop' | 'best' | 'finding';
  epoch: number;
  /** Drawn on the chart, short enough for the sidebar. */
  label: string;
  /** The whole story, for the notes under the charts. */
  detail: string;
}

/** The early stop at its epoch, and the best epoch when its weights were restored. */
export function markersOf(state: ViewState): EpochMarker[] {
  const stop = state.earlyStop;
  if (!stop) return [];
  const markers: EpochMarker[] = [{ kind: 'early-stop', epoch: stop.epoch, label: `early stop (${stop.epoch})`, detail: `Stopped early after epoch ${stop.epoch}: ${stop.reason}.` }];
  if (stop.restoredBestWeights) {
    markers.push({
      kind: 'best',
      epoch: stop.bestEpoch,
      label: `best (${stop.bestEpoch})`,
      detail: `The model keeps the weights of epoch ${stop.bestEpoch}, the best ${stop.monitor === 'valAcc' ? 'validation accuracy' : 'validation loss'} (${stop.best.toFixed(4)}).`,
    });
  }
  return markers;
}

function epochMarkers(state: ViewState, theme: ChartTheme): Pick<LineSeriesOption, 'markLine'> {
  const markers = [...markersOf(state), ...findingMarkers(state)];
  if (markers.length === 0) return {};
  return {
    markLine: {
      symbol: 'none',
      animation: false,
      silent: true,
      data: markers.map((m) => ({
        name: m.label,
        xAxis: m.epoch,
        lineStyle: { color: m.kind === 'early-stop' ? theme.marker : theme.muted, type: m.kind === 'early-stop' ? 'solid' : m.kind === 'finding' ? 'dashed' : 'dotted', width: 1.5 },
        label: {
          show: true,
          formatter: m.label,
          // Along the line, inside the plot: clear of the legend and of each other.
          position: m.kind === 'early-stop' ? 'insideEndTop' : m.kind === 'finding' ? 'insideMiddleTop' : 'insideStartTop',
          color: m.kind === 'early-stop' ? theme.marker : theme.muted,
          fontFamily: theme.fontFamily,
          fontSize: theme.fontSize - 2,
        },
      })),
    },
  };
}

/** Rates that differ by this factor or more are drawn on a log axis, so a decay stays readable. */
export const LOG_RATE_RATIO = 10;

/**
 * The learning rate each epoch trained with, as steps: epoch k's rate holds over (k−1, k], the
 * x range of that epoch on the curve charts above. Null when the log has no rates.
 */
export function learningRateChartOption(state: ViewState, theme: ChartTheme): ChartOption | null {
  const h = state.history;
  const points: Point[] = [];
  h.epoch.forEach((e, i) => {
    const r = h.learningRate[i];
    if (typeof r === 'number' && r > 0) points.push({ value: [e, r], name: `epoch ${e}` });
  });
  if (points.length === 0) return null;
  // Epoch 1's step starts at 0.
  const first = points[0];
  const data = [{ value: [first.value[0] - 1, first.value[1]] as [number, number], name: first.name }, ...points];
  const rates = points.map((p) => p.value[1]);
  const lo = Math.min(...rates);
  const hi = Math.max(...rates);
  const log = hi / lo >= LOG_RATE_RATIO;
  const base = baseOption(state, theme, {});
  return {
    ...base,
    grid: { left: 4, right: 14, top: 24, bottom: 4 },
    legend: { ...(base.legend as LegendComponentOption), show: false },
    yAxis: {
      ...(base.yAxis as object),
      type: log ? 'log' : 'value',
      // A flat rate gets some room above and below; a decay spans its range.
      min: log ? undefined : lo === hi ? 0 : undefined,
      max: log ? undefined : lo === hi ? hi * 2 : undefined,
      scale: !log && lo !== hi,
      axisLabel: { ...((base.yAxis as { axisLabel?: object }).axisLabel ?? {}), formatter: (v: number) => formatRate(v) },
    },
    series: [
      {
        id: 'rate',
        name: SERIES_NAMES.rate,
        type: 'line',
        data,
        step: 'start',
        color: theme.rate,
        showSymbol: false,
        symbol: 'circle',
        lineStyle: { width: 2, color: theme.rate },
        itemStyle: { color: theme.rate },
        ...epochMarkers(state, theme),
      },
    ],
  };
}

/** Whether the learning rate chart says anything: the rate changed during the run. */
export function learningRateChanges(state: ViewState): boolean {
  const rates = state.history.learningRate.filter((r): r is number => typeof r === 'number');
  return rates.some((r) => r !== rates[0]);
}

/**
 * What the curves alone do not say, in sentences under them: a constant learning rate, a resumed
 * run, an early stop and the epoch whose weights the model kept.
 */
export function curveNotes(state: ViewState): string[] {
  const notes: string[] = [];
  const rates = state.history.learningRate.filter((r): r is number => typeof r === 'number');
  if (rates.length > 0 && !learningRateChanges(state)) notes.push(`Learning rate ${formatRate(rates[0])} in every epoch.`);
  if (state.resumed > 0) notes.push(state.resumed === 1 ? 'Resumed once from a checkpoint; the curves are one run.' : `Resumed ${state.resumed} times from checkpoints; the curves are one run.`);
  for (const m of markersOf(state)) notes.push(m.detail);
  return notes;
}

/** A learning rate as people write it: 0.001, 0.0005, 1.25e-5. */
export function formatRate(r: number): string {
  if (!Number.isFinite(r)) return String(r);
  if (r === 0) return '0';
  if (Math.abs(r) >= 1e-4) return String(Number(r.toPrecision(3)));
  return r.toExponential(2).replace(/\.?0+e/, 'e');
}

/** The part of ECharts' tooltip callback parameter this formatter reads. */
export interface TooltipParam {
  seriesId?: string;
  seriesName?: string;
  name?: string;
  value?: unknown;
}

/**
 * Tooltip HTML with exact values. Only class attributes: the webview's CSP blocks inline style
 * attributes in markup, which ECharts' default formatter relies on for its colour markers.
 */
export function formatTooltip(params: TooltipParam | TooltipParam[]): string {
  const list = Array.isArray(params) ? params : [params];
  // Rows grouped under where they are from: "epoch 2" for the epoch series, "epoch 2, batch 32/200" for the batch line.
  const groups = new Map<string, string[]>();
  for (const p of list) {
    if (!Array.isArray(p.value) || typeof p.value[1] !== 'number') continue;
    const role = (p.seriesId ?? '').replace(/[^a-z]/g, '') || 'train';
    const row =
      `<div class="mnist-tt-row"><span class="mnist-tt-key mnist-tt-${role}"></span>` +
      `<span class="mnist-tt-name">${escapeHtml(p.seriesName ?? '')}</span>` +
      `<span class="mnist-tt-value">${role === 'rate' ? formatRate(p.value[1] as number) : (p.value[1] as number).toFixed(4)}</span></div>`;
    const where = p.name ?? '';
    groups.set(where, [...(groups.get(where) ?? []), row]);
  }
  return [...groups].map(([where, rows]) => `<div class="mnist-tt-head">${escapeHtml(where)}</div>${rows.join('')}`).join('');
}

/** Any value, as text safe inside tooltip HTML: a run's files (events.jsonl) may hold anything, strings and numbers alike. */
export function escapeHtml(s: unknown): string {
  return String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
