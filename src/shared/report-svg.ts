// ECharts rendered to SVG text without a DOM (server-side rendering), for the report's images.
// Imported by the CLI and the extension host bundles only: the webview draws on a canvas.
import { LineChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TitleComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { SVGRenderer } from 'echarts/renderers';
import type { CompareChartOption } from './compare';

echarts.use([LineChart, GridComponent, LegendComponent, TitleComponent, SVGRenderer]);

/** An SVG document of the chart; `option` is any of the builders' options (a tooltip means nothing in a file and is dropped). */
export function renderChartSvg(option: CompareChartOption, width = 720, height = 360): string {
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width, height });
  try {
    const { tooltip: _tooltip, ...rest } = option;
    chart.setOption({ ...rest, animation: false });
    return chart.renderToSVGString();
  } finally {
    chart.dispose();
  }
}
