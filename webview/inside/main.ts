// MNIST: Look Inside Model's webview: pick a digit (the run's sample grid, its mistakes, or one you
// draw); the host asks the run's model in the predictor process and this page draws what came
// back: where it looked, the first layer's filters, every layer's output, a channel up close.
import '@vscode-elements/elements/dist/vscode-button/index.js';
import { decodeDigit, DIGIT_PIXELS, encodeDigit } from '../../src/shared/digits';
import type { ExportRequest } from '../../src/shared/protocol';
import { decodeTensor, type FromInsideView, type InsideDigit, type Inspection, type InsideRunMessage, isInspection, isToInsideView, type ToInsideView } from '../../src/shared/protocol/inspect';
import { drawDigit } from '../common/digit-view';
import { el } from '../common/dom';
import { startView, vscodeApi } from '../common/vscode';
import { DrawPad } from '../dashboard/draw-pad';
import { renderDetail } from './detail-view';
import { formatValue, mapPixels, mosaic, overlayPixels, type Palette, pixelCanvas, scaleOf, themePalette } from './heatmap';
import { channelCanvases, type DecodedLayer, decodeLayers, layersCsv, renderLayer } from './layers-view';

const vscode = vscodeApi<FromInsideView | ExportRequest>();

interface Input { pixels: Float32Array; digit: InsideDigit | null; what: string }

let run: InsideRunMessage | null = null;
let input: Input | null = null;
let inspection: Inspection | null = null;
let layers: DecodedLayer[] = [];
let selected: { layer: number; channel: number } | null = null;
let nextId = 1;
let waiting: { id: number; draw: number | null } | null = null;
let palette: Palette = themePalette();

const app = document.getElementById('app') ?? document.body;
const header = el('header', { class: 'header', 'data-testid': 'inside-header' });
const picker = el('section', { class: 'picker', 'data-testid': 'inputs' });
const status = el('p', { class: 'status', 'data-testid': 'inside-status', role: 'status' }, 'Loading the run…');
const overview = el('section', { class: 'overview', 'data-testid': 'overview' });
const filters = el('section', { class: 'filters', 'data-testid': 'filters-section' });
const layerList = el('div', { class: 'layers', 'data-testid': 'layers' });
const drawBody = el('div', { class: 'draw-body' });
const drawPad = new DrawPad(drawBody, (req) => ask(Array.from(req.pixels), null, 'your drawing', req.id));
app.append(header, picker, el('details', { class: 'draw-section', 'data-testid': 'draw-section' }, el('summary', {}, 'Draw a digit'), drawBody), status, overview, filters, layerList);

const safeName = (s: string) => s.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[^A-Za-z0-9]+/, '').slice(0, 80) || 'inside';

function save(canvas: HTMLCanvasElement, name: string, scale = 1): void {
  const out = scale === 1 ? canvas : mosaic([canvas], scale, 1, palette.background);
  vscode.postMessage({ type: 'export', format: 'png', fileName: `${safeName(`${run?.run.id ?? 'inside'}-${name}`)}.png`, data: out.toDataURL('image/png') });
}

function saveCsv(rows: readonly DecodedLayer[], name: string): void {
  vscode.postMessage({ type: 'export', format: 'csv', fileName: `${safeName(`${run?.run.id ?? 'inside'}-${name}`)}.csv`, data: layersCsv(rows) });
}

function ask(pixels: number[], digit: InsideDigit | null, what: string, drawId: number | null = null): void {
  if (pixels.length !== DIGIT_PIXELS) return;
  const id = nextId++;
  waiting = { id, draw: drawId };
  input = { pixels: Float32Array.from(pixels), digit, what };
  status.textContent = `Looking inside for ${what}…`;
  status.dataset.state = 'busy';
  vscode.postMessage({ type: 'inspect', id, pixels: pixels.map((v) => Math.min(1, Math.max(0, v))) });
}

function askDigit(d: InsideDigit): void {
  const bytes = decodeDigit(d.image);
  if (!bytes) return;
  for (const b of picker.querySelectorAll<HTMLElement>('[data-index]')) b.classList.toggle('chosen', b.dataset.index === String(d.index));
  const note = picker.querySelector<HTMLElement>('[data-testid="index-note"]');
  if (note && d.source !== 'index') note.textContent = '';
  ask(Array.from(bytes, (v) => v / 255), d, `test digit #${d.index}`);
}

function renderRun(m: InsideRunMessage): void {
  const acc = m.run.testAccuracy !== null ? ` · test accuracy ${(m.run.testAccuracy * 100).toFixed(2)}%` : '';
  header.replaceChildren(
    el('h1', {}, 'Look Inside Model'),
    el('p', { class: 'muted', 'data-testid': 'inside-run' }, `${m.run.id} · ${m.run.model} · ${m.run.dataset}${acc}`));
  const strip = (source: InsideDigit['source'], title: string) => {
    const digits = m.digits.filter((d) => d.source === source);
    if (digits.length === 0) return el('p', { class: 'muted' }, `${title}: none in this run's log.`);
    return el('div', { class: 'strip' }, el('h2', {}, title), el('div', { class: 'digit-strip', role: 'list' }, ...digits.map((d) => digitButton(d, m.classNames))));
  };
  const index = el('input', { type: 'number', min: '0', class: 'index-input', 'data-testid': 'index-input', 'aria-label': 'Test digit index' });
  const go = el('vscode-button', { secondary: '', 'data-testid': 'index-go' }, 'Show');
  const note = el('span', { class: 'muted', 'data-testid': 'index-note' });
  const show = () => {
    const n = Number(index.value.trim());
    if (!Number.isSafeInteger(n) || n < 0 || index.value.trim() === '') {
      note.textContent = 'Type a test digit’s index: 0, 1, 2…';
      return;
    }
    const d = m.digits.find((x) => x.index === n);
    note.textContent = d ? '' : `Reading test digit #${n}…`;
    if (d) askDigit(d);
    else vscode.postMessage({ type: 'testDigit', index: n });
  };
  go.addEventListener('click', show);
  index.addEventListener('keydown', (ev) => ev.key === 'Enter' && show());
  picker.replaceChildren(strip('sample', 'Sample grid'), strip('mistake', 'Mistakes on the test set'), el('div', { class: 'index-row' }, el('label', {}, 'Test digit #'), index, go, note));
  drawPad.setContext(m.run.id, palette.ink, m.classNames, null);
  const first = m.digits.find((d) => d.index === m.initial) ?? m.digits[0];
  if (first) askDigit(first);
  else status.textContent = 'This run logged no test digits: draw one.';
}

function digitButton(d: InsideDigit, names: readonly string[]): HTMLElement {
  const canvas = el('canvas', { width: '28', height: '28', 'aria-hidden': 'true' });
  drawDigit(canvas, decodeDigit(d.image), palette.ink);
  const wrong = d.predicted !== d.label && d.predicted >= 0;
  const name = (c: number) => names[c] ?? String(c);
  const b = el('button', {
    class: `digit${wrong ? ' wrong' : ''}`, type: 'button', role: 'listitem', 'data-testid': 'inside-digit', 'data-index': String(d.index), 'data-label': String(d.label), 'data-predicted': String(d.predicted),
    title: `Test digit #${d.index}: label ${name(d.label)}, the run predicted ${name(d.predicted)}`,
  }, canvas, el('span', { class: 'digit-caption' }, `${name(d.label)}→${name(d.predicted)}`));
  b.addEventListener('click', () => askDigit(d));
  return b;
}

function figure(canvas: HTMLCanvasElement, caption: string, testid: string, name: string): HTMLElement {
  canvas.classList.add('big');
  canvas.dataset.testid = testid;
  const png = el('button', { class: 'link-button', type: 'button' }, 'PNG');
  png.addEventListener('click', () => save(canvas, name, 10));
  return el('figure', { class: 'map-figure' }, canvas, el('figcaption', {}, caption, ' ', png));
}

function renderOverview(r: Inspection, inp: Input): void {
  const names = run?.classNames ?? [];
  const saliency = decodeTensor(r.saliency)!;
  const digitRgba = mapPixels(inp.pixels, scaleOf([0, 1]), palette);
  const figures = [
    figure(pixelCanvas(digitRgba, 28, 28), 'Input, 28×28', 'input-image', 'input'),
    figure(pixelCanvas(overlayPixels(inp.pixels, saliency, palette), 28, 28), `Saliency: |∂ ${r.saliencyOf} of ${names[r.predicted] ?? r.predicted} / ∂ pixel|`, 'saliency-map', 'saliency'),
  ];
  if (r.gradCam) {
    const cam = decodeTensor(r.gradCam.map)!;
    figures.push(figure(pixelCanvas(overlayPixels(inp.pixels, cam, palette), 28, 28), `Grad-CAM of ${r.gradCam.layer} (HiResCAM form), upsampled`, 'grad-cam', 'grad-cam'));
  }
  const p = r.probabilities[r.predicted];
  const run0 = inp.digit && inp.digit.predicted < 0 ? ` Its label is ${names[inp.digit.label] ?? inp.digit.label}.` : inp.digit ? ` The run's log says it predicted ${names[inp.digit.predicted] ?? inp.digit.predicted} for this digit (label ${names[inp.digit.label] ?? inp.digit.label}).` : '';
  overview.replaceChildren(
    el('h2', {}, 'Where it looked'),
    el('p', { 'data-testid': 'inside-answer', 'data-predicted': String(r.predicted), 'data-index': inp.digit ? String(inp.digit.index) : '' },
      el('b', {}, `Answer: ${names[r.predicted] ?? r.predicted}`), ` with ${(p * 100).toFixed(1)}% for ${inp.what}.${run0}`,
      el('span', { class: 'muted', 'data-testid': 'inspect-ms' }, ` Computed in ${r.millis.toFixed(0)} ms in the predictor process.`)),
    el('div', { class: 'maps' }, ...figures),
    el('p', { class: 'muted' }, 'Highlighted: where a change of the pixel would change the answer\u2019s score most (saliency), and which parts of the last conv layer\u2019s output supported the answer (Grad-CAM).'));
}

function renderFilters(r: Inspection): void {
  const f = r.filters;
  if (!f) {
    filters.replaceChildren();
    return;
  }
  const tiles: HTMLCanvasElement[] = [];
  let caption = '';
  if (f.kind === 'conv') {
    const k = decodeTensor(f.kernel)!;
    const [kh, kw, inC, n] = f.kernel.shape;
    const scale = { ...scaleOf(k), kind: 'diverging' as const };
    for (let c = 0; c < n; c++) {
      const one = new Float32Array(kh * kw);
      for (let t = 0; t < kh * kw; t++) one[t] = k[(t * inC) * n + c];
      tiles.push(pixelCanvas(mapPixels(one, scale, palette), kw, kh, { class: 'filter', 'data-testid': 'filter', title: `filter ${c + 1}` }));
    }
    caption = `The ${n} ${kh}×${kw} filters of ${f.layer}, the first layer (shared scale ±${formatValue(scale.limit)}; red negative, blue positive). Each slides over the digit and makes one channel below.`;
  } else {
    const w = decodeTensor(f.weights)!;
    const scale = { ...scaleOf(w), kind: 'diverging' as const };
    f.units.forEach((u, i) => tiles.push(pixelCanvas(mapPixels(w.subarray(i * 784, (i + 1) * 784), scale, palette), 28, 28, { class: 'filter unit', 'data-testid': 'filter', title: `unit ${u}: activation ${formatValue(f.activations[i])}` })));
    caption = `What the ${f.units.length} most active units of ${f.layer} look for: each unit's 784 input weights as a 28×28 image (blue: ink here raises it, red: lowers it).`;
  }
  const png = el('button', { class: 'link-button', type: 'button' }, 'PNG');
  png.addEventListener('click', () => save(mosaic(tiles, f.kind === 'conv' ? 12 : 3, 8, palette.background), 'filters'));
  filters.replaceChildren(el('h2', {}, 'Filters ', png), el('p', { class: 'muted' }, caption), el('div', { class: `filter-grid ${f.kind}`, 'data-testid': 'filters' }, ...tiles));
}

function renderLayers(): void {
  const names = run?.classNames ?? [];
  const csv = el('button', { class: 'link-button', type: 'button', 'data-testid': 'export-csv' }, 'Export all layers as CSV');
  csv.addEventListener('click', () => saveCsv(layers, 'layers'));
  layerList.replaceChildren(el('h2', {}, 'Every layer, in order ', csv), ...layers.map((d) => renderLayer(d, palette, names)));
  if (selected) openDetail(selected.layer, selected.channel);
}

function openDetail(layer: number, c: number): void {
  const d = layers[layer];
  layerList.querySelector('[data-testid="channel-detail"]')?.remove();
  if (!d || d.layer.shape.length !== 3 || c >= d.layer.shape[2]) {
    selected = null;
    return;
  }
  selected = { layer, channel: c };
  for (const b of layerList.querySelectorAll<HTMLElement>('[data-testid="channel"]')) b.classList.toggle('chosen', b.dataset.layer === String(layer) && b.dataset.channel === String(c));
  const detail = renderDetail(d, c, palette, () => {
    detail.remove();
    selected = null;
  }, (canvas, name) => save(canvas, name, 10));
  layerList.querySelectorAll('[data-testid="layer"]')[layer]?.after(detail);
  detail.scrollIntoView({ block: 'nearest' });
}

layerList.addEventListener('click', (ev) => {
  const target = ev.target as HTMLElement;
  const ch = target.closest<HTMLElement>('[data-testid="channel"]');
  if (ch) return openDetail(Number(ch.dataset.layer), Number(ch.dataset.channel));
  const exp = target.closest<HTMLElement>('[data-export-layer]');
  if (!exp) return;
  const d = layers[Number(exp.dataset.exportLayer)];
  if (!d) return;
  if (exp.dataset.format === 'csv') saveCsv([d], d.layer.name);
  else save(mosaic(channelCanvases(d, palette), 4, Math.min(16, d.layer.shape[2]), palette.background), d.layer.name);
});

function render(): void {
  if (!inspection || !input) return;
  renderOverview(inspection, input);
  renderFilters(inspection);
  renderLayers();
}

function onInspection(m: Extract<ToInsideView, { type: 'inspection' }>): void {
  if (!waiting || m.id !== waiting.id) return; // an answer to an earlier choice
  const drawId = waiting.draw;
  waiting = null;
  const decoded = m.inspection && isInspection(m.inspection) && input ? decodeLayers(m.inspection, input.pixels) : null;
  if (drawId !== null) drawPad.onPrediction({ type: 'prediction', id: drawId, probabilities: decoded ? m.inspection!.probabilities : [], ...(decoded ? {} : { error: m.error ?? 'No answer.' }) });
  if (!decoded) {
    status.textContent = m.error ?? 'The answer could not be read.';
    status.dataset.state = 'error';
    return;
  }
  inspection = m.inspection!;
  layers = decoded;
  status.textContent = '';
  status.dataset.state = 'done';
  render();
}

startView({
  accept: isToInsideView,
  onMessage: (m) => {
    if (m.type === 'insideRun') {
      run = m;
      renderRun(m);
    } else if (m.type === 'inspection') onInspection(m);
    else if (m.type === 'follow') {
      // The same test digit when this run's log has it (same dataset), else just the pixels.
      const image = encodeDigit(m.pixels.map((v) => Math.round(v * 255)));
      const same = run?.digits.find((d) => d.image === image);
      if (same) askDigit(same);
      else {
        for (const b of picker.querySelectorAll<HTMLElement>('[data-index]')) b.classList.remove('chosen');
        ask(m.pixels, null, `the input chosen beside (in ${m.from})`);
      }
    } else {
      const note = picker.querySelector<HTMLElement>('[data-testid="index-note"]');
      if (note) note.textContent = m.error ?? (m.digit ? `Label ${run?.classNames[m.digit.label] ?? m.digit.label}, read from the run's test set.` : '');
      if (m.digit) askDigit(m.digit);
    }
  },
  // A theme change redraws every map in the new colours.
  onThemeChange: () => {
    palette = themePalette();
    if (run) drawPad.setContext(run.run.id, palette.ink, run.classNames, null);
    render();
  },
});
