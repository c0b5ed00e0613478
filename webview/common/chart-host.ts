// One ECharts instance in a container: created once the container has a size, updated only when
// its data or style changed, and exportable as PNG or SVG.
import * as echarts from 'echarts/core';

type Option = Parameters<echarts.ECharts['setOption']>[0];

export class Chart {
  private instance: echarts.ECharts | null = null;
  private dataKey = '';
  private styleKey = '';
  private option: (() => Option) | null = null;
  private clickHandler: ((params: { seriesId?: string; value?: unknown; dataIndex?: number }) => void) | null = null;

  constructor(readonly container: HTMLElement, onShown: () => void) {
    // A chart first drawn while hidden waits for its container to get a size.
    new ResizeObserver(() => (this.instance ? this.instance.resize() : onShown())).observe(container);
  }

  /** Sets the option when its data changed; replaces everything only for a new run or theme, so a live update keeps an open tooltip. */
  update(dataKey: string, styleKey: string, option: () => Option): void {
    this.option = option;
    if (dataKey === this.dataKey && styleKey === this.styleKey) return;
    if (!this.instance) {
      if (this.container.clientWidth === 0) return; // hidden: wait for the next render
      this.instance = echarts.init(this.container, null, { renderer: 'canvas' });
      if (this.clickHandler) this.instance.on('click', this.clickHandler);
    }
    const reset = styleKey !== this.styleKey;
    this.dataKey = dataKey;
    this.styleKey = styleKey;
    const drawn = option();
    this.instance.setOption(drawn, { notMerge: reset });
    // What is drawn, readable from the DOM (end-to-end tests compare it with summary.json).
    const series = (drawn as { series?: { name?: unknown; data?: unknown }[] }).series ?? [];
    this.container.dataset.series = JSON.stringify(series.map((s) => ({ name: s.name, data: s.data })));
  }

  onClick(handler: (params: { seriesId?: string; value?: unknown; dataIndex?: number }) => void): void {
    this.clickHandler = handler;
    this.instance?.on('click', handler);
  }

  /** The chart as drawn, on the given background, at twice its pixels: a data:image/png;base64 URL. */
  png(background: string): string | null {
    return this.instance ? this.instance.getDataURL({ type: 'png', pixelRatio: 2, backgroundColor: background }) : null;
  }

  /** The same chart drawn by ECharts' SVG renderer at the on-screen size. */
  svg(background: string): string | null {
    if (!this.instance || !this.option) return null;
    const svg = echarts.init(null, null, { renderer: 'svg', ssr: true, width: this.instance.getWidth(), height: this.instance.getHeight() });
    try {
      svg.setOption({ ...(this.option() as object), backgroundColor: background, animation: false } as Option);
      return svg.renderToSVGString();
    } finally {
      svg.dispose();
    }
  }
}

export type ExportFormat = 'png' | 'svg' | 'csv';

/**
 * A chart's figure: caption with its title and Save buttons (PNG, SVG, CSV), and the container
 * ECharts draws into. Buttons carry data-export/data-chart for main.ts's click handler.
 */
export function chartFigure(chart: string, title: string, testid: string, ariaLabel: string): { figure: HTMLElement; canvas: HTMLElement; tools: HTMLElement } {
  const button = (format: ExportFormat) => {
    const b = document.createElement('button');
    b.type = 'button';
    b.className = 'link export-button';
    b.dataset.export = format;
    b.dataset.chart = chart;
    b.dataset.testid = `export-${chart}-${format}`;
    b.title = format === 'csv' ? `Save the ${title.toLowerCase()} data as CSV` : `Save the ${title.toLowerCase()} chart as ${format.toUpperCase()}`;
    b.textContent = format.toUpperCase();
    return b;
  };
  const exportGroup = document.createElement('span');
  exportGroup.className = 'export';
  exportGroup.setAttribute('role', 'group');
  exportGroup.setAttribute('aria-label', `Save ${title}`);
  exportGroup.append(button('png'), button('svg'), button('csv'));
  const tools = document.createElement('span');
  tools.className = 'chart-tools';
  tools.append(exportGroup);
  const titleEl = document.createElement('span');
  titleEl.className = 'chart-title';
  titleEl.textContent = title;
  const caption = document.createElement('figcaption');
  caption.append(titleEl, tools);
  const canvas = document.createElement('div');
  canvas.className = 'chart-canvas';
  canvas.dataset.testid = testid;
  canvas.setAttribute('role', 'img');
  canvas.setAttribute('aria-label', ariaLabel);
  const figure = document.createElement('figure');
  figure.className = 'chart';
  figure.dataset.chart = chart;
  figure.append(caption, canvas);
  return { figure, canvas, tools };
}
