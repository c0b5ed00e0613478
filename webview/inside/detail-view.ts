// One channel large: its values on hover and, for a Conv2D channel, the 3×3×C filter that made it
// and the input patch under the pointer with the dot product written out; for a max pooling
// channel, the window and its largest value.
import { el } from '../common/dom';
import { activate, convAt, poolAt, windowOf, type Window } from './conv-math';
import { channel, formatValue, mapPixels, type Palette, pixelCanvas, scaleOf } from './heatmap';
import { type DecodedLayer, shapeText } from './layers-view';

const MAX_LISTED_CHANNELS = 8;

/** The large canvas with a marker over the cell under the pointer. */
function largeMap(values: Float32Array, h: number, w: number, d: DecodedLayer, p: Palette, testid: string): { box: HTMLElement; marker: HTMLElement; canvas: HTMLCanvasElement } {
  const canvas = pixelCanvas(mapPixels(values, d.scale, p), w, h, { class: 'large-map', 'data-testid': testid });
  const marker = el('span', { class: 'cell-marker', 'aria-hidden': 'true' });
  const box = el('div', { class: 'large-box' }, canvas, marker);
  return { box, marker, canvas };
}

function place(marker: HTMLElement, top: number, left: number, rows: number, cols: number, h: number, w: number): void {
  marker.style.top = `${(top / h) * 100}%`;
  marker.style.left = `${(left / w) * 100}%`;
  marker.style.height = `${(rows / h) * 100}%`;
  marker.style.width = `${(cols / w) * 100}%`;
  marker.style.display = 'block';
}

function argmax(v: Float32Array): number {
  let best = 0;
  for (let i = 1; i < v.length; i++) if (v[i] > v[best]) best = i;
  return best;
}

/** The panel's large view of channel c of layer d; `onClose` hides it. */
export function renderDetail(d: DecodedLayer, c: number, p: Palette, onClose: () => void, onSave: (canvas: HTMLCanvasElement, name: string) => void): HTMLElement {
  const [h, w] = d.layer.shape;
  const map = channel(d.values, d.layer.shape, c);
  const { box, marker, canvas } = largeMap(map, h, w, d, p, 'detail-map');
  const readout = el('p', { class: 'readout', 'data-testid': 'detail-readout', 'aria-live': 'polite' }, 'Point at the map to read its values.');
  const formula = el('div', { class: 'formula', 'data-testid': 'detail-formula' });
  const window = windowFor(d);
  const inputBox = window ? inputView(d, window, c, p) : null;
  const show = (y: number, x: number) => {
    place(marker, y, x, 1, 1, h, w);
    readout.textContent = `row ${y}, column ${x}: ${formatValue(map[y * w + x])}`;
    readout.dataset.value = String(map[y * w + x]);
    if (window && inputBox) explain(d, window, c, y, x, map[y * w + x], formula, inputBox, p);
  };
  canvas.addEventListener('pointermove', (ev) => {
    const r = canvas.getBoundingClientRect();
    const x = Math.min(w - 1, Math.max(0, Math.floor(((ev.clientX - r.left) / r.width) * w)));
    const y = Math.min(h - 1, Math.max(0, Math.floor(((ev.clientY - r.top) / r.height) * h)));
    show(y, x);
  });
  const best = argmax(map);
  const close = el('button', { class: 'link-button', type: 'button', 'data-testid': 'detail-close' }, 'Close');
  close.addEventListener('click', onClose);
  const save = el('button', { class: 'link-button', type: 'button', 'data-testid': 'detail-save' }, 'PNG');
  save.addEventListener('click', () => onSave(canvas, `${d.layer.name}-channel-${c + 1}`));
  const section = el('section', { class: 'detail', 'data-testid': 'channel-detail', 'data-layer': String(d.index), 'data-channel': String(c) },
    el('div', { class: 'layer-head' }, el('h3', {}, `${d.layer.className} ${d.layer.name}, channel ${c + 1}`), el('span', { class: 'layer-shape' }, `${h}×${w}`), save, close),
    el('div', { class: 'detail-body' },
      el('figure', { class: 'detail-figure' }, box, readout),
      ...(inputBox ? [inputBox.figure] : []),
      ...(d.layer.className === 'Conv2D' && d.kernel ? [filterView(d, c, p)] : []),
      formula));
  show(Math.floor(best / w), best % w);
  return section;
}

function windowFor(d: DecodedLayer): Window | null {
  const l = d.layer;
  if (d.input.shape.length !== 3) return null;
  if (l.className === 'Conv2D' && d.kernel) {
    const [kh, kw] = l.kernel!.shape;
    return windowOf(d.input.shape, l.shape, [kh, kw], l.strides ?? [1, 1], l.padding ?? 'valid');
  }
  if (l.className === 'MaxPooling2D') {
    // The pool size is the input-to-output ratio for the presets' pooling (pool = strides, valid padding).
    const ky = Math.floor(d.input.shape[0] / l.shape[0]);
    const kx = Math.floor(d.input.shape[1] / l.shape[1]);
    return windowOf(d.input.shape, l.shape, [ky, kx], [ky, kx], 'valid');
  }
  return null;
}

interface InputBox { figure: HTMLElement; marker: HTMLElement; caption: HTMLElement; canvas: HTMLCanvasElement; shown: number }

/** The layer's input (one channel of it), with the window under the pointer outlined. */
function inputView(d: DecodedLayer, w: Window, c: number, p: Palette): InputBox {
  const k = d.layer.className === 'MaxPooling2D' ? c : 0;
  const values = channel(d.input.values, d.input.shape, k);
  const canvas = pixelCanvas(mapPixels(values, scaleOf(d.input.values), p), w.inW, w.inH, { class: 'large-map input-map', 'data-testid': 'detail-input' });
  const marker = el('span', { class: 'cell-marker window', 'aria-hidden': 'true' });
  const caption = el('figcaption', { class: 'muted' });
  const figure = el('figure', { class: 'detail-figure' }, el('div', { class: 'large-box' }, canvas, marker), caption);
  return { figure, marker, caption, canvas, shown: k };
}

function showInputChannel(d: DecodedLayer, box: InputBox, k: number, p: Palette): void {
  if (box.shown === k) return;
  box.shown = k;
  const ctx = box.canvas.getContext('2d');
  const values = channel(d.input.values, d.input.shape, k);
  const img = ctx?.createImageData(box.canvas.width, box.canvas.height);
  if (!ctx || !img) return;
  img.data.set(mapPixels(values, scaleOf(d.input.values), p));
  ctx.putImageData(img, 0, 0);
}

/** The 3×3×C filter of channel c: one small image per input channel, on the filter's own ±scale. */
function filterView(d: DecodedLayer, c: number, p: Palette): HTMLElement {
  const [kh, kw, inC, filters] = d.layer.kernel!.shape;
  const weights = new Float32Array(kh * kw * inC);
  for (let t = 0; t < weights.length; t++) weights[t] = d.kernel![t * filters + c];
  const scale = scaleOf(weights);
  const wrap = el('div', { class: 'filter-set', 'data-testid': 'detail-filter', 'data-size': `${kh}×${kw}×${inC}` });
  for (let k = 0; k < inC; k++) {
    const one = new Float32Array(kh * kw);
    for (let t = 0; t < kh * kw; t++) one[t] = weights[t * inC + k];
    wrap.append(pixelCanvas(mapPixels(one, { ...scale, kind: 'diverging' }, p), kw, kh, { class: 'filter', title: `input channel ${k + 1}` }));
  }
  return el('figure', { class: 'detail-figure' }, wrap, el('figcaption', { class: 'muted' },
    `Filter ${c + 1}: ${kh}×${kw}×${inC} weights (${inC === 1 ? 'one input channel' : `one ${kh}×${kw} slice per input channel`}), red negative, blue positive, bias ${formatValue(d.bias?.[c] ?? 0)}.`));
}

/** Writes out how the value at (y, x) was computed. */
function explain(d: DecodedLayer, w: Window, c: number, y: number, x: number, shown: number, formula: HTMLElement, box: InputBox, p: Palette): void {
  if (d.layer.className === 'MaxPooling2D') {
    const pool = poolAt(d.input.values, w, c, y, x);
    place(box.marker, pool.top, pool.left, w.kh, w.kw, w.inH, w.inW);
    box.caption.textContent = `Input channel ${c + 1} (${shapeText(d.input.shape)}), the ${w.kh}×${w.kw} window outlined.`;
    formula.replaceChildren(el('p', {}, el('code', {}, `max(${pool.window.map(formatValue).join(', ')}) = ${formatValue(pool.max)}`)));
    return;
  }
  const filters = d.layer.kernel!.shape[3];
  const t = convAt(d.input.values, d.kernel!, d.bias, filters, w, c, y, x);
  place(box.marker, t.top, t.left, w.kh, w.kw, w.inH, w.inW);
  const act = activate(t.pre, d.layer.activation);
  const end = `${formatValue(t.pre)}${d.layer.activation && d.layer.activation !== 'linear' ? ` → ${d.layer.activation} → ${act === null ? '?' : formatValue(act)}` : ''}`;
  const lines: HTMLElement[] = [];
  if (w.inC === 1) {
    box.caption.textContent = `The input (${shapeText(d.input.shape)}), the ${w.kh}×${w.kw} patch under the filter outlined.`;
    lines.push(patchTable(t.patch, t.weights, w.kh, w.kw));
    const terms = Array.from(t.patch, (v, i) => `${formatValue(v)}×${formatValue(t.weights[i])}`).join(' + ');
    lines.push(el('p', {}, el('code', { 'data-testid': 'dot-product' }, `${terms} + bias ${formatValue(t.bias)} = ${end}`)));
  } else {
    const order = Array.from(t.perChannel.keys()).sort((a, b) => Math.abs(t.perChannel[b]) - Math.abs(t.perChannel[a]));
    showInputChannel(d, box, order[0], p);
    box.caption.textContent = `Input channel ${order[0] + 1} of ${w.inC} (the one contributing most here), the ${w.kh}×${w.kw} patch outlined.`;
    const listed = order.slice(0, MAX_LISTED_CHANNELS);
    const rest = order.slice(MAX_LISTED_CHANNELS).reduce((s, k) => s + t.perChannel[k], 0);
    const parts = listed.map((k) => `ch${k + 1}: ${formatValue(t.perChannel[k])}`);
    if (order.length > listed.length) parts.push(`${order.length - listed.length} more channels: ${formatValue(rest)}`);
    lines.push(el('p', {}, `Σ over the ${w.kh}×${w.kw} patch of each of the ${w.inC} input channels, patch × filter slice, largest first:`));
    lines.push(el('p', {}, el('code', { 'data-testid': 'dot-product' }, `${parts.join(' + ')} + bias ${formatValue(t.bias)} = ${end}`)));
  }
  lines.push(el('p', { class: 'muted' }, `The map shows ${formatValue(shown)} here.`));
  formula.replaceChildren(...lines);
}

/** For a one-channel input: the patch and the weights as two 3×3 tables, side by side. */
function patchTable(patch: Float32Array, weights: Float32Array, kh: number, kw: number): HTMLElement {
  const table = (values: Float32Array, caption: string, testid: string) => {
    const rows: HTMLElement[] = [];
    for (let i = 0; i < kh; i++) rows.push(el('tr', {}, ...Array.from({ length: kw }, (_, j) => el('td', {}, formatValue(values[i * kw + j])))));
    return el('table', { class: 'patch', 'data-testid': testid }, el('caption', {}, caption), el('tbody', {}, ...rows));
  };
  return el('div', { class: 'patch-pair' }, table(patch, 'input patch', 'input-patch'), el('span', { class: 'times' }, '·'), table(weights, 'filter', 'filter-weights'));
}
