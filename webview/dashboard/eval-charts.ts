// Pure ECharts option builders for the evaluation and dataset views: confusion matrix heatmap,
// per-class accuracy and the class histogram. No DOM and no echarts runtime here.
import type { BarSeriesOption, HeatmapSeriesOption } from 'echarts/charts';
import type { GridComponentOption, LegendComponentOption, TooltipComponentOption, VisualMapComponentOption } from 'echarts/components';
import type { ComposeOption } from 'echarts/core';
import { axisStyle as sharedAxisStyle, type ChartTheme, legendStyle, splitLines, textStyle, tooltipStyle } from '../../src/shared/chart-theme';
import { escapeHtml } from './charts';
import { parseColor } from '../common/color';
import { rowRates } from './insights';
import type { DatasetInfo, Evaluation } from './state';

export type InsightOption = ComposeOption<
  HeatmapSeriesOption | BarSeriesOption | GridComponentOption | LegendComponentOption | TooltipComponentOption | VisualMapComponentOption
>;

export type ConfusionMode = 'counts' | 'rates';

/** These charts' axes are categories (classes) or percentages: no ticks. */
const axisStyle = (theme: ChartTheme) => sharedAxisStyle(theme, { ticks: false });

function names(classNames: readonly string[], n: number): string[] {
  return Array.from({ length: n }, (_, c) => String(classNames[c] ?? c));
}

function tooltip(theme: ChartTheme, formatter: (p: { value?: unknown; seriesId?: string; dataIndex?: number }) => string): TooltipComponentOption {
  return { ...tooltipStyle(theme), trigger: 'item', formatter: formatter as TooltipComponentOption['formatter'] };
}

/** A translucent fill of a theme colour, so the cell's label keeps full contrast. */
export function withAlpha(css: string, alpha: number): string {
  const rgb = parseColor(css);
  return rgb ? `rgba(${rgb[0]}, ${rgb[1]}, ${rgb[2]}, ${alpha})` : css;
}

/** 0.0123 → "1.2%", 1 → "100%". */
export function shortPercent(v: number): string {
  if (v === 0) return '0';
  const p = v * 100;
  return `${p >= 99.95 || p < 9.95 ? p.toFixed(p >= 99.95 ? 0 : 1) : p.toFixed(0)}%`;
}

/**
 * The confusion matrix as a heatmap: rows are the true class (0 at the top), columns the predicted
 * one. Mistakes are coloured by the visual map (counts, or rates of the true class's row);
 * the diagonal is its own series in the "right" colour, so right answers never read as mistakes.
 */
export function confusionChartOption(
  ev: Evaluation,
  mode: ConfusionMode,
  theme: ChartTheme,
  classNames: readonly string[] = [],
  selected: { label: number; predicted: number } | null = null,
): InsightOption {
  const n = ev.confusionMatrix.length;
  const labels = names(classNames, n);
  const rates = rowRates(ev.confusionMatrix);
  const value = (t: number, p: number): number => (mode === 'rates' ? rates[t][p] : ev.confusionMatrix[t][p]);
  const off: [number, number, number][] = [];
  const diagonal: [number, number, number][] = [];
  let max = 0;
  for (let t = 0; t < n; t++) {
    for (let p = 0; p < n; p++) {
      const v = value(t, p);
      if (t === p) diagonal.push([p, t, v]);
      else {
        off.push([p, t, v]);
        max = Math.max(max, v);
      }
    }
  }
  const label = (v: number): string => (v === 0 ? '' : mode === 'rates' ? shortPercent(v) : String(v));
  const cellLabel = {
    show: true,
    fontFamily: theme.fontFamily,
    fontSize: Math.max(9, theme.fontSize - 3),
    formatter: (p: { value?: unknown }) => label((p.value as [number, number, number])[2]),
  };
  return {
    animation: false,
    textStyle: textStyle(theme),
    grid: { left: 34, right: 6, top: 6, bottom: 62 },
    tooltip: tooltip(theme, (p) => {
      const [pred, t] = p.value as [number, number, number];
      const count = ev.confusionMatrix[t][pred];
      const total = ev.confusionMatrix[t].reduce((s, v) => s + v, 0);
      const what = t === pred ? 'right' : `predicted ${escapeHtml(labels[pred])}`;
      return (
        `<div class="mnist-tt-head">true ${escapeHtml(labels[t])}, ${what}</div>` +
        `<div class="mnist-tt-row"><span class="mnist-tt-value">${escapeHtml(count)}</span>` +
        `<span class="mnist-tt-name">of ${escapeHtml(total)} (${(total ? (100 * count) / total : 0).toFixed(1)}%)</span></div>`
      );
    }),
    xAxis: {
      type: 'category',
      data: labels,
      name: 'predicted',
      nameLocation: 'middle',
      nameGap: 22,
      position: 'bottom',
      splitArea: { show: false },
      ...axisStyle(theme),
    },
    yAxis: {
      type: 'category',
      data: labels,
      inverse: true,
      name: 'true',
      nameLocation: 'middle',
      nameGap: 22,
      ...axisStyle(theme),
    },
    visualMap: {
      type: 'continuous',
      seriesIndex: 0,
      dimension: 2,
      min: 0,
      max: max || 1,
      calculable: false,
      orient: 'horizontal',
      left: 'center',
      bottom: 0,
      itemWidth: 10,
      itemHeight: 120,
      text: [mode === 'rates' ? shortPercent(max) : String(max), 'mistakes 0'],
      textGap: 6,
      textStyle: textStyle(theme, -2, theme.muted),
      inRange: { color: [theme.empty, theme.validation, theme.wrong] },
    },
    series: [
      {
        id: 'mistakes',
        name: 'mistakes',
        type: 'heatmap',
        data: off,
        label: { ...cellLabel, color: theme.foreground },
        itemStyle: { borderColor: theme.gridLine, borderWidth: 0.5 },
        emphasis: { itemStyle: { borderColor: theme.foreground, borderWidth: 2 } },
      },
      {
        id: 'right',
        name: 'right',
        type: 'heatmap',
        data: diagonal,
        label: { ...cellLabel, color: theme.foreground, fontWeight: 'bold' },
        itemStyle: { color: withAlpha(theme.right, 0.4), borderColor: theme.right, borderWidth: 1 },
        emphasis: { itemStyle: { borderColor: theme.foreground, borderWidth: 2 } },
      },
      // The cell whose digits are shown: an outline drawn over it.
      {
        id: 'selected',
        name: 'selected',
        type: 'heatmap',
        data: selected ? [[selected.predicted, selected.label, value(selected.label, selected.predicted)]] : [],
        silent: true,
        label: { show: false },
        itemStyle: { color: 'rgba(0, 0, 0, 0)', borderColor: theme.foreground, borderWidth: 2.5 },
        z: 3,
      },
    ],
  };
}

/** Accuracy per class as bars; the weakest class in the "wrong" colour. */
export function perClassChartOption(ev: Evaluation, theme: ChartTheme, classNames: readonly string[] = []): InsightOption {
  const acc = ev.perClassAccuracy;
  const labels = names(classNames, acc.length);
  const worst = acc.indexOf(Math.min(...acc));
  const min = acc.length ? Math.min(0.8, Math.floor(Math.min(...acc) * 10) / 10) : 0;
  const interval = 1 - min <= 0.2 ? 0.05 : 1 - min <= 0.5 ? 0.1 : 0.2;
  return {
    animation: false,
    textStyle: textStyle(theme),
    grid: { left: 4, right: 6, top: 20, bottom: 4, containLabel: true },
    tooltip: tooltip(theme, (p) => {
      const c = p.dataIndex ?? 0;
      const row = ev.confusionMatrix[c] ?? [];
      const total = row.reduce((s, v) => s + v, 0);
      return (
        `<div class="mnist-tt-head">class ${escapeHtml(labels[c])}</div>` +
        `<div class="mnist-tt-row"><span class="mnist-tt-value">${(acc[c] * 100).toFixed(2)}%</span>` +
        `<span class="mnist-tt-name">${escapeHtml(row[c] ?? 0)} of ${escapeHtml(total)} right</span></div>`
      );
    }),
    xAxis: { type: 'category', data: labels, ...axisStyle(theme) },
    yAxis: {
      type: 'value',
      min,
      max: 1,
      interval,
      ...axisStyle(theme),
      axisLabel: { ...axisStyle(theme).axisLabel, formatter: (v: number) => `${Math.round(v * 100)}%` },
      splitLine: splitLines(theme),
    },
    series: [
      {
        id: 'accuracy',
        name: 'accuracy',
        type: 'bar',
        data: acc.map((v, c) => ({ value: v, itemStyle: { color: c === worst ? theme.wrong : theme.train } })),
        barMaxWidth: 28,
        label: {
          show: true,
          position: 'top',
          color: theme.muted,
          fontFamily: theme.fontFamily,
          fontSize: Math.max(9, theme.fontSize - 3),
          formatter: (p: { value?: unknown }) => ((p.value as number) * 100).toFixed(1),
        },
      },
    ],
  };
}

/** Images per class in each split, grouped bars with the splits' colours. */
export function classCountsChartOption(d: DatasetInfo, theme: ChartTheme): InsightOption {
  const counts = d.classCounts ?? { train: [], validation: [], test: [] };
  const labels = names(d.classNames, Math.max(counts.train.length, d.classNames.length));
  const splits = [
    { id: 'train', color: theme.train, data: counts.train },
    { id: 'validation', color: theme.validation, data: counts.validation },
    { id: 'test', color: theme.test, data: counts.test },
  ];
  return {
    animation: false,
    textStyle: textStyle(theme),
    legend: {
      top: 0,
      left: 0,
      itemWidth: 12,
      itemHeight: 8,
      ...legendStyle(theme),
    },
    grid: { left: 4, right: 6, top: 30, bottom: 4, containLabel: true },
    tooltip: {
      ...tooltip(theme, () => ''),
      trigger: 'axis',
      axisPointer: { type: 'shadow' },
      formatter: ((params: { dataIndex: number }[]) => {
        const c = params[0]?.dataIndex ?? 0;
        return (
          `<div class="mnist-tt-head">class ${escapeHtml(labels[c])}</div>` +
          splits
            .map(
              (s) =>
                `<div class="mnist-tt-row"><span class="mnist-tt-key mnist-tt-${s.id}"></span>` +
                `<span class="mnist-tt-name">${s.id}</span><span class="mnist-tt-value">${escapeHtml(s.data[c] ?? 0)}</span></div>`,
            )
            .join('')
        );
      }) as TooltipComponentOption['formatter'],
    },
    xAxis: { type: 'category', data: labels, ...axisStyle(theme) },
    yAxis: { type: 'value', ...axisStyle(theme), splitLine: splitLines(theme) },
    series: splits.map((s) => ({ id: s.id, name: s.id, type: 'bar' as const, data: s.data, color: s.color, barGap: '10%' })),
  };
}
