// One chart theme for every chart: the Dashboard's curves and evaluation charts, Compare Runs and
// a report's SVG files. Plain data, so tests and the report pass one; the webviews read VS Code's
// CSS variables into it (webview/common/theme.ts). The style helpers below are the one place axis,
// legend and tooltip styling is written. Pure: no DOM, no echarts runtime.

/** Colours and font of a chart. */
export interface ChartTheme {
  foreground: string;
  muted: string;
  gridLine: string;
  tooltipBackground: string;
  tooltipBorder: string;
  /** Behind an exported chart (PNG, SVG); on screen a chart is drawn on the page. */
  background: string;
  fontFamily: string;
  fontSize: number;
  /** A run's lines: training, validation, the smoothed per-batch line and the learning rate. */
  train: string;
  validation: string;
  batch: string;
  rate: string;
  /** Early-stop and best-epoch markers. */
  marker: string;
  /** Right answers: the confusion matrix's diagonal. */
  right: string;
  /** Mistakes: the hot end of the off-diagonal scale, the weakest class. */
  wrong: string;
  /** The cold end of the off-diagonal scale (no mistakes). */
  empty: string;
  /** The test split in the class histogram. */
  test: string;
  /** One colour per run where several are overlaid (Compare Runs, a report). */
  palette: string[];
}

/** Okabe–Ito: told apart with the common colour-vision deficiencies. */
const OKABE_ITO = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#000000', '#F0E442'];

/** VS Code's Dark Modern values, used where a variable is missing (a test page, an old VS Code). */
export const FALLBACK_THEME: ChartTheme = {
  foreground: '#cccccc',
  muted: '#9d9d9d',
  gridLine: '#454545',
  tooltipBackground: '#202020',
  tooltipBorder: '#454545',
  background: '#1e1e1e',
  fontFamily: 'system-ui, sans-serif',
  fontSize: 12,
  train: '#3794ff',
  validation: '#d18616',
  batch: '#89d185',
  rate: '#b180d7',
  marker: '#f14c4c',
  right: '#73c991',
  wrong: '#f14c4c',
  empty: 'rgba(128, 128, 128, 0.08)',
  test: '#89d185',
  palette: OKABE_ITO,
};

/** For SVG files: dark ink on white, readable in a light or dark Markdown preview and on GitHub. */
export const PRINT_THEME: ChartTheme = {
  foreground: '#1f2328',
  muted: '#59636e',
  gridLine: '#d1d9e0',
  tooltipBackground: '#ffffff',
  tooltipBorder: '#d1d9e0',
  background: '#ffffff',
  fontFamily: 'Helvetica, Arial, sans-serif',
  fontSize: 13,
  train: OKABE_ITO[0],
  validation: OKABE_ITO[1],
  batch: OKABE_ITO[2],
  rate: OKABE_ITO[3],
  marker: OKABE_ITO[1],
  right: OKABE_ITO[2],
  wrong: OKABE_ITO[1],
  empty: 'rgba(128, 128, 128, 0.08)',
  test: OKABE_ITO[2],
  palette: OKABE_ITO,
};

/** Text in the theme's font; `delta` points larger or smaller than the theme's size. */
export function textStyle(theme: ChartTheme, delta = 0, color = theme.foreground): { color: string; fontFamily: string; fontSize: number } {
  return { color, fontFamily: theme.fontFamily, fontSize: theme.fontSize + delta };
}

/** An axis's line, ticks, labels and name; `ticks: false` for category axes whose cells need none. */
export function axisStyle(theme: ChartTheme, opts: { ticks?: boolean } = {}) {
  return {
    axisLine: { lineStyle: { color: theme.gridLine } },
    axisTick: opts.ticks === false ? { show: false } : { lineStyle: { color: theme.gridLine } },
    axisLabel: textStyle(theme, -1, theme.muted),
    nameTextStyle: textStyle(theme, -1, theme.muted),
  };
}

/** Faint lines across the plot at the axis's ticks. */
export function splitLines(theme: ChartTheme, opacity = 0.5): { lineStyle: { color: string; opacity: number } } {
  return { lineStyle: { color: theme.gridLine, opacity } };
}

/** The legend's text and the colour of a series switched off; placement stays with each chart. */
export function legendStyle(theme: ChartTheme): { textStyle: ReturnType<typeof textStyle>; inactiveColor: string } {
  return { textStyle: textStyle(theme, -1), inactiveColor: theme.muted };
}

/**
 * The tooltip's box: the editor's hover colours, kept inside the chart, no fade. Its class is
 * styled by each webview's stylesheet (rows, keys, values).
 */
export function tooltipStyle(theme: ChartTheme) {
  return {
    confine: true,
    transitionDuration: 0,
    className: 'mnist-tooltip',
    backgroundColor: theme.tooltipBackground,
    borderColor: theme.tooltipBorder,
    textStyle: textStyle(theme),
  };
}
