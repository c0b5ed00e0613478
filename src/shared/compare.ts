// Comparing runs: the table (config values that differ, next to the results) and the ECharts
// options overlaying their curves. Pure: the compare webview draws them on a canvas, the report
// renders them to SVG in Node.
import type { LineSeriesOption } from 'echarts/charts';
import type { GridComponentOption, LegendComponentOption, TitleComponentOption, TooltipComponentOption } from 'echarts/components';
import type { ComposeOption } from 'echarts/core';
import { type ChartTheme, axisStyle, legendStyle, splitLines, textStyle, tooltipStyle } from './chart-theme';
import type { MnistConfig } from './config';
import { type RunRecord, type RunState, describeModel, durationSeconds, isRecord } from './run-record';

export type CompareChartOption = ComposeOption<LineSeriesOption | GridComponentOption | LegendComponentOption | TooltipComponentOption | TitleComponentOption>;

/** A config as flat "path → shown value" pairs: `training.learningRate` → "0.001", `model` → "cnn". */
export function configEntries(config: MnistConfig | null): Record<string, string> {
  if (!config) return {};
  const out: Record<string, string> = {};
  out['dataset'] = String(config.dataset);
  for (const section of ['data', 'training'] as const) {
    const values = config[section] as unknown as Record<string, unknown>;
    if (!isRecord(values)) continue;
    for (const [k, v] of Object.entries(values)) out[`${section}.${k}`] = showValue(v);
  }
  out['model'] = describeModel(config);
  out['backend'] = String(config.backend);
  return out;
}

/** 0.001 → "0.001"; null → "none"; { monitor: 'valLoss', patience: 3 } → "monitor valLoss, patience 3". */
export function showValue(v: unknown): string {
  if (v === null || v === undefined) return 'none';
  if (Array.isArray(v)) return v.map(showValue).join(', ');
  if (isRecord(v)) {
    return Object.entries(v)
      .map(([k, x]) => (isRecord(x) ? `${k} (${showValue(x)})` : `${k} ${showValue(x)}`))
      .join(', ');
  }
  return String(v);
}

export type MetricKey = 'bestValAcc' | 'finalValAcc' | 'testAccuracy' | 'testLoss' | 'epochs' | 'seconds' | 'samplesPerSecond';

export interface CompareRow {
  id: string;
  label: string;
  state: RunState;
  /** Shown values of the table's config columns. */
  config: Record<string, string>;
  /** Config columns whose value differs from the first run's: highlighted. */
  differs: string[];
  bestValAcc: number | null;
  /** 1-based epoch of bestValAcc. */
  bestValAccEpoch: number | null;
  finalValAcc: number | null;
  testAccuracy: number | null;
  testLoss: number | null;
  /** Epochs completed, and planned. */
  epochs: number;
  plannedEpochs: number | null;
  /** Wall-clock seconds of the run. */
  seconds: number | null;
  samplesPerSecond: number | null;
  /** Metrics on which this run is the best of those compared. */
  best: MetricKey[];
}

export interface CompareTable {
  /** The config paths whose values differ between the runs, in config order. */
  configColumns: string[];
  /** What every run has in common. */
  common: { key: string; value: string }[];
  rows: CompareRow[];
}

/** One run's curves, for the charts. */
export interface CompareCurves {
  id: string;
  label: string;
  valAcc: number[];
  valLoss: number[];
  acc: number[];
  loss: number[];
}

const HIGHER_IS_BETTER: Record<MetricKey, boolean | null> = {
  bestValAcc: true,
  finalValAcc: true,
  testAccuracy: true,
  testLoss: false,
  epochs: null,
  seconds: false,
  samplesPerSecond: true,
};

function argBest(values: (number | null)[], higher: boolean): Set<number> {
  const known = values.filter((v): v is number => v !== null);
  if (known.length < 2) return new Set();
  const target = higher ? Math.max(...known) : Math.min(...known);
  return new Set(values.flatMap((v, i) => (v === target ? [i] : [])));
}

/** Index and value of the highest validation accuracy (the first epoch reaching it). */
export function bestOf(values: readonly number[]): { epoch: number; value: number } | null {
  if (values.length === 0) return null;
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i] > values[best]) best = i;
  return { epoch: best + 1, value: values[best] };
}

export function compareTable(runs: readonly RunRecord[]): CompareTable {
  const entries = runs.map((r) => configEntries(r.config));
  const keys: string[] = [];
  for (const e of entries) for (const k of Object.keys(e)) if (!keys.includes(k)) keys.push(k);
  const configColumns = keys.filter((k) => new Set(entries.map((e) => e[k] ?? '—')).size > 1);
  const common = runs.length > 0 ? keys.filter((k) => !configColumns.includes(k) && entries[0][k] !== undefined).map((key) => ({ key, value: entries[0][key] })) : [];
  const labels = uniqueLabels(runs);
  const rows: CompareRow[] = runs.map((r, i) => {
    const best = bestOf(r.history.valAcc);
    const config = Object.fromEntries(configColumns.map((k) => [k, entries[i][k] ?? '—']));
    return {
      id: r.id,
      label: labels[i],
      state: r.state,
      config,
      differs: i === 0 ? [] : configColumns.filter((k) => config[k] !== (entries[0][k] ?? '—')),
      bestValAcc: best?.value ?? null,
      bestValAccEpoch: best?.epoch ?? null,
      finalValAcc: r.history.valAcc.at(-1) ?? null,
      testAccuracy: r.testAccuracy,
      testLoss: r.testLoss,
      epochs: r.epochsCompleted,
      plannedEpochs: r.epochs,
      seconds: durationSeconds(r),
      samplesPerSecond: r.samplesPerSecond,
      best: [],
    };
  });
  for (const [metric, higher] of Object.entries(HIGHER_IS_BETTER) as [MetricKey, boolean | null][]) {
    if (higher === null) continue;
    for (const i of argBest(rows.map((row) => row[metric]), higher)) rows[i].best.push(metric);
  }
  return { configColumns, common, rows };
}

export function compareCurves(runs: readonly RunRecord[]): CompareCurves[] {
  const labels = uniqueLabels(runs);
  return runs.map((r, i) => ({ id: r.id, label: labels[i], valAcc: r.history.valAcc, valLoss: r.history.valLoss, acc: r.history.acc, loss: r.history.loss }));
}

/** Run labels, with the folder id added where two runs share one (two sweeps' "preset=cnn"). */
export function uniqueLabels(runs: readonly Pick<RunRecord, 'label' | 'id'>[]): string[] {
  return runs.map((r) => (runs.filter((x) => x.label === r.label).length > 1 && r.label !== r.id ? `${r.label} (${r.id})` : r.label));
}

const DASHES = ['solid', 'dashed', 'dotted'] as const;
const SYMBOLS = ['circle', 'diamond', 'triangle', 'rect', 'roundRect', 'pin'] as const;

export type CurveMetric = 'valAcc' | 'valLoss' | 'acc' | 'loss';
export const CURVE_TITLES: Record<CurveMetric, string> = {
  valAcc: 'Validation accuracy',
  valLoss: 'Validation loss',
  acc: 'Training accuracy',
  loss: 'Training loss',
};

export interface ChartSeries {
  name: string;
  /** Per epoch, epoch 1 first. */
  values: readonly number[];
}

/**
 * Lines per epoch, one per series; a run is told apart by colour, dash and marker, so the chart
 * also reads in greyscale.
 */
export function lineChartOption(series: readonly ChartSeries[], theme: ChartTheme, opts: { title?: string; yName?: string; percent?: boolean } = {}): CompareChartOption {
  const epochs = Math.max(1, ...series.map((s) => s.values.length));
  const axisCommon = axisStyle(theme);
  return {
    animation: false,
    backgroundColor: theme.background,
    textStyle: textStyle(theme),
    title: opts.title ? { text: opts.title, left: 0, top: 0, textStyle: { ...textStyle(theme, 1), fontWeight: 600 } } : undefined,
    legend: {
      type: 'plain',
      top: opts.title ? 26 : 0,
      left: 0,
      itemWidth: 22,
      itemHeight: 10,
      ...legendStyle(theme),
    },
    tooltip: { ...tooltipStyle(theme), trigger: 'axis', valueFormatter: (v) => (typeof v === 'number' ? v.toFixed(4) : String(v)) },
    grid: { left: 8, right: 48, top: opts.title ? 64 : 36, bottom: 24 },
    xAxis: {
      type: 'value',
      name: 'epoch',
      nameLocation: 'end',
      nameGap: 6,
      min: 1,
      max: Math.max(2, epochs),
      minInterval: 1,
      interval: epochs <= 15 ? 1 : undefined,
      ...axisCommon,
      splitLine: { show: false },
    },
    yAxis: {
      type: 'value',
      name: opts.yName,
      // Nice bounds around the data; an accuracy axis never passes 100 %, a loss axis never goes below 0.
      scale: true,
      ...(opts.percent ? { max: (v: { max: number }) => Math.min(1, niceCeil(v.max)) } : { min: (v: { min: number }) => Math.max(0, niceFloor(v.min)) }),
      ...axisCommon,
      axisLabel: { ...axisCommon.axisLabel, formatter: (v: number) => (opts.percent ? `${Math.round(v * 1000) / 10}%` : String(Math.round(v * 1000) / 1000)) },
      splitLine: splitLines(theme, 0.6),
    },
    series: series.map((s, i): LineSeriesOption => {
      const color = theme.palette[i % theme.palette.length];
      return {
        type: 'line',
        name: s.name,
        id: `s${i}`,
        data: s.values.map((v, e) => [e + 1, v]),
        color,
        showSymbol: s.values.length <= 30,
        symbol: SYMBOLS[i % SYMBOLS.length],
        symbolSize: 6,
        lineStyle: { width: 2, color, type: DASHES[i % DASHES.length] },
        itemStyle: { color },
      };
    }),
  };
}

function niceCeil(x: number): number {
  return Math.ceil(x * 100) / 100;
}
function niceFloor(x: number): number {
  return Math.floor(x * 100) / 100;
}

/** The same metric of every run, overlaid. */
export function compareChartOption(curves: readonly CompareCurves[], metric: CurveMetric, theme: ChartTheme, opts: { title?: boolean } = {}): CompareChartOption {
  return lineChartOption(
    curves.map((c) => ({ name: c.label, values: c[metric] })),
    theme,
    { title: opts.title ? CURVE_TITLES[metric] : undefined, percent: metric === 'valAcc' || metric === 'acc' },
  );
}
