// Every layer of the model for the chosen input, in order: channel heatmaps for Conv2D and
// pooling outputs (one shared scale per layer), a note for Dropout and Flatten, bars for Dense
// units and labelled probability bars for the softmax.
import { decodeTensor, type InspectedLayer, type Inspection } from '../../src/shared/protocol/inspect';
import { el } from '../common/dom';
import { channel, formatValue, legend, mapPixels, type Palette, pixelCanvas, type Scale, scaleOf } from './heatmap';

/** A layer with its values decoded (identity and reshape layers share the layer before's) and the input it was given. */
export interface DecodedLayer {
  index: number;
  layer: InspectedLayer;
  values: Float32Array;
  scale: Scale;
  input: { values: Float32Array; shape: number[] };
  kernel: Float32Array | null;
  bias: Float32Array | null;
}

/** The layers in order, each with its values; null when a tensor does not decode. */
export function decodeLayers(inspection: Inspection, pixels: Float32Array): DecodedLayer[] | null {
  let previous = { values: pixels, shape: [28, 28, 1] };
  const out: DecodedLayer[] = [];
  for (const [index, layer] of inspection.layers.entries()) {
    const values = layer.kind === 'values' ? decodeTensor(layer.output) : previous.values;
    if (!values) return null;
    out.push({
      index,
      layer,
      values,
      scale: scaleOf(values),
      input: previous,
      kernel: layer.kernel ? decodeTensor(layer.kernel) : null,
      bias: layer.bias ? decodeTensor(layer.bias) : null,
    });
    previous = { values, shape: layer.shape };
  }
  return out;
}

export const shapeText = (shape: readonly number[]): string => shape.join('×');

const isSoftmax = (l: InspectedLayer) => l.activation === 'softmax' && l.shape.length === 1;

/** Thumbnail canvases of every channel of an H×W×C layer, on its shared scale. */
export function channelCanvases(d: DecodedLayer, p: Palette): HTMLCanvasElement[] {
  const [h, w, cs] = d.layer.shape;
  return Array.from({ length: cs }, (_, c) => pixelCanvas(mapPixels(channel(d.values, d.layer.shape, c), d.scale, p), w, h));
}

function heading(d: DecodedLayer, tools: HTMLElement[]): HTMLElement {
  const l = d.layer;
  return el('div', { class: 'layer-head' },
    el('h3', {}, el('span', { class: 'layer-index' }, `${d.index + 1}`), ` ${l.className} `, el('span', { class: 'layer-name' }, l.name)),
    el('span', { class: 'layer-shape', 'data-testid': 'layer-shape' }, shapeText(l.shape) + (l.activation && l.activation !== 'linear' ? ` · ${l.activation}` : '')),
    ...tools);
}

function tool(label: string, attrs: Record<string, string>): HTMLElement {
  return el('button', { class: 'link-button', type: 'button', ...attrs }, label);
}

function channelGrid(d: DecodedLayer, p: Palette): HTMLElement {
  const grid = el('div', { class: 'channel-grid', 'data-testid': 'channel-grid', role: 'list' });
  channelCanvases(d, p).forEach((canvas, c) => {
    canvas.setAttribute('aria-hidden', 'true');
    const [h, w] = d.layer.shape;
    grid.append(el('button', {
      class: 'channel', type: 'button', role: 'listitem', 'data-testid': 'channel', 'data-layer': String(d.index), 'data-channel': String(c),
      title: `${d.layer.name}, channel ${c + 1}: ${h}×${w}; click to see it large`, 'aria-label': `${d.layer.className} channel ${c + 1}`,
    }, canvas));
  });
  return grid;
}

/** Hidden Dense units as a bar each, the largest five labelled. */
function unitBars(d: DecodedLayer): HTMLElement {
  const n = d.values.length;
  const top = new Set(Array.from(d.values.keys()).sort((a, b) => d.values[b] - d.values[a]).slice(0, 5));
  const limit = Math.max(Math.abs(d.scale.min), Math.abs(d.scale.max)) || 1;
  const bars = el('div', { class: 'unit-bars', 'data-testid': 'unit-bars', role: 'img', 'aria-label': `${n} units; the largest: ${[...top].map((u) => `unit ${u}`).join(', ')}` });
  for (let u = 0; u < n; u++) {
    const v = d.values[u];
    const bar = el('span', { class: `unit-bar${v < 0 ? ' negative' : ''}${top.has(u) ? ' top' : ''}`, 'data-testid': 'unit-bar', title: `unit ${u}: ${formatValue(v)}` });
    bar.style.height = `${Math.round((Math.abs(v) / limit) * 100)}%`;
    bars.append(bar);
  }
  const labels = el('p', { class: 'unit-top', 'data-testid': 'unit-top' }, 'Largest: ', [...top].map((u) => `unit ${u} = ${formatValue(d.values[u])}`).join(', '));
  return el('div', {}, bars, labels);
}

/** The softmax: one labelled bar per class, the answer marked. */
export function probabilityBars(probabilities: ArrayLike<number>, classNames: readonly string[]): HTMLElement {
  let best = 0;
  for (let c = 1; c < probabilities.length; c++) if (probabilities[c] > probabilities[best]) best = c;
  const bars = el('div', { class: 'prob-bars', 'data-testid': 'softmax-bars', 'data-predicted': String(best), role: 'list', 'aria-label': 'Probability of each class' });
  for (let c = 0; c < probabilities.length; c++) {
    const fill = el('span', { class: 'prob-fill' });
    fill.style.width = `${(probabilities[c] * 100).toFixed(1)}%`;
    bars.append(el('div', { class: `prob-row${c === best ? ' top' : ''}`, role: 'listitem', 'data-testid': 'softmax-bar', 'data-class': String(c), 'data-probability': String(probabilities[c]) },
      el('span', { class: 'prob-label' }, classNames[c] ?? String(c)),
      el('span', { class: 'prob-track' }, fill),
      el('span', { class: 'prob-value' }, `${(probabilities[c] * 100).toFixed(1)}%`)));
  }
  return bars;
}

export function renderLayer(d: DecodedLayer, p: Palette, classNames: readonly string[]): HTMLElement {
  const l = d.layer;
  const section = el('section', { class: 'layer', 'data-testid': 'layer', 'data-class-name': l.className, 'data-name': l.name, 'data-kind': l.kind });
  if (l.kind === 'identity') {
    section.append(heading(d, []), el('p', { class: 'muted', 'data-testid': 'layer-note' },
      `${l.className} is the identity at inference: it only zeroes inputs while training. Its output is the layer before's, unchanged.`));
    return section;
  }
  if (l.kind === 'reshape') {
    section.classList.add('skipped');
    section.append(heading(d, []), el('p', { class: 'muted', 'data-testid': 'layer-note' },
      `Skipped: ${l.className} lays the ${shapeText(d.input.shape)} values out as one row of ${d.values.length}; nothing is computed.`));
    return section;
  }
  const tools = [tool('CSV', { 'data-export-layer': String(d.index), 'data-format': 'csv' })];
  if (l.shape.length === 3) {
    tools.unshift(tool('PNG', { 'data-export-layer': String(d.index), 'data-format': 'png' }));
    section.append(heading(d, tools), el('div', { class: 'layer-scale' }, legend(d.scale, p), el('span', { class: 'muted' }, ` · ${l.shape[2]} channels`)), channelGrid(d, p));
  } else if (isSoftmax(l)) {
    section.append(heading(d, tools), probabilityBars(d.values, classNames));
  } else if (l.shape.length === 1) {
    section.append(heading(d, tools), el('div', { class: 'layer-scale muted' }, `values ${formatValue(d.scale.min)} … ${formatValue(d.scale.max)}`), unitBars(d));
  } else {
    section.append(heading(d, tools), el('p', { class: 'muted' }, `An output of shape ${shapeText(l.shape)} is listed in the CSV export only.`));
  }
  return section;
}

/** Every layer's output as CSV rows: layer, class, row, column, channel or unit, value. */
export function layersCsv(layers: readonly DecodedLayer[]): string {
  const lines = ['layer,class,row,column,channel_or_unit,value'];
  for (const d of layers) {
    if (d.layer.kind !== 'values') continue;
    const [h, w, cs] = d.layer.shape;
    if (d.layer.shape.length === 3) {
      for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let c = 0; c < cs; c++) lines.push(`${d.layer.name},${d.layer.className},${y},${x},${c},${d.values[(y * w + x) * cs + c]}`);
    } else for (let u = 0; u < d.values.length; u++) lines.push(`${d.layer.name},${d.layer.className},,,${u},${d.values[u]}`);
  }
  return lines.join('\n') + '\n';
}
