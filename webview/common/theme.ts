// The chart theme and the digits' ink, read from the CSS variables VS Code sets on the page; every
// webview reads them here, so a chart looks the same in each.
import { type ChartTheme, FALLBACK_THEME } from '../../src/shared/chart-theme';
import { cssColorToRgb, type Rgb } from './color';

/** The theme of the page as it is now; FALLBACK_THEME's value where a variable is missing. */
export function readChartTheme(): ChartTheme {
  const cs = getComputedStyle(document.body);
  const v = (name: string, fallback: string): string => cs.getPropertyValue(name).trim() || fallback;
  const f = FALLBACK_THEME;
  const border = v('--vscode-editorWidget-border', v('--vscode-contrastBorder', f.gridLine));
  const light = document.body.classList.contains('vscode-light');
  return {
    foreground: v('--vscode-foreground', f.foreground),
    muted: v('--vscode-descriptionForeground', f.muted),
    gridLine: border,
    tooltipBackground: v('--vscode-editorHoverWidget-background', v('--vscode-editorWidget-background', f.tooltipBackground)),
    tooltipBorder: v('--vscode-editorHoverWidget-border', border),
    // What an exported chart is drawn on: the sidebar's or the editor's background.
    background: v('--vscode-sideBar-background', v('--vscode-editor-background', light ? '#ffffff' : f.background)),
    fontFamily: v('--vscode-font-family', f.fontFamily),
    fontSize: parseFloat(v('--vscode-font-size', `${f.fontSize}px`)) || f.fontSize,
    train: v('--vscode-charts-blue', f.train),
    validation: v('--vscode-charts-orange', f.validation),
    batch: v('--vscode-charts-green', f.batch),
    rate: v('--vscode-charts-purple', f.rate),
    marker: v('--vscode-charts-red', f.marker),
    right: v('--vscode-testing-iconPassed', v('--vscode-charts-green', f.right)),
    wrong: v('--vscode-testing-iconFailed', v('--vscode-errorForeground', f.wrong)),
    empty: f.empty,
    test: v('--vscode-charts-green', f.test),
    // VS Code's six chart colours first, then Okabe–Ito's remaining ones for a seventh run and on.
    palette: [
      v('--vscode-charts-blue', f.palette[0]),
      v('--vscode-charts-orange', f.palette[1]),
      v('--vscode-charts-green', f.palette[2]),
      v('--vscode-charts-purple', f.palette[3]),
      v('--vscode-charts-yellow', f.palette[4]),
      v('--vscode-charts-red', f.marker),
      ...f.palette.slice(5),
    ],
  };
}

/** The colour digits are drawn in: the theme's foreground. */
export function inkOf(theme: ChartTheme): Rgb {
  return cssColorToRgb(theme.foreground, [204, 204, 204]);
}

/**
 * Calls `redraw` when VS Code changes the colour theme: it swaps the body's classes
 * (vscode-light/-dark/-high-contrast) and the variables on <html>.
 */
export function onThemeChange(redraw: () => void): void {
  const observer = new MutationObserver(redraw);
  observer.observe(document.body, { attributes: true, attributeFilter: ['class'] });
  observer.observe(document.documentElement, { attributes: true, attributeFilter: ['style', 'class'] });
}
