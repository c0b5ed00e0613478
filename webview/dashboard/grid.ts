// The prediction grid: fixed test digits drawn from their bytes, with the model's latest guess.
import type { SampleCell, SampleGrid } from './state';

export type Rgb = readonly [number, number, number];

const SIZE = 28;

/** "#abc", "#aabbcc", "#aabbccdd", "rgb(1, 2, 3)", "rgba(1,2,3,0.5)" → [r, g, b]; null otherwise. */
export function parseColor(css: string): Rgb | null {
  const c = css.trim();
  const hex = (h: string): number => parseInt(h, 16);
  const short = /^#([0-9a-f])([0-9a-f])([0-9a-f])[0-9a-f]?$/i.exec(c);
  if (short) return [hex(short[1] + short[1]), hex(short[2] + short[2]), hex(short[3] + short[3])];
  const long = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})(?:[0-9a-f]{2})?$/i.exec(c);
  if (long) return [hex(long[1]), hex(long[2]), hex(long[3])];
  const fn = /^rgba?\(\s*(\d+)[\s,]+(\d+)[\s,]+(\d+)/i.exec(c);
  if (fn) return [Number(fn[1]), Number(fn[2]), Number(fn[3])];
  return null;
}

/** RGBA for a 28×28 digit: ink in the given colour, its coverage as alpha, transparent paper. */
export function inkImage(pixels: Uint8Array, ink: Rgb): Uint8ClampedArray {
  const out = new Uint8ClampedArray(pixels.length * 4);
  for (let i = 0; i < pixels.length; i++) {
    out[i * 4] = ink[0];
    out[i * 4 + 1] = ink[1];
    out[i * 4 + 2] = ink[2];
    out[i * 4 + 3] = pixels[i];
  }
  return out;
}

export interface CellText {
  /** "✓ 7" or "✗ 9"; the mark is text, so wrong ones do not rely on colour. */
  mark: string;
  predicted: string;
  confidence: string;
  /** For wrong ones: "true 7". */
  truth: string;
  /** A sentence for screen readers and the hover title. */
  description: string;
}

export function cellText(cell: SampleCell, classNames: readonly string[] = []): CellText {
  const name = (c: number): string => classNames[c] ?? String(c);
  if (cell.predicted === null || cell.confidence === null) {
    return { mark: '', predicted: '–', confidence: '', truth: '', description: `Test digit #${cell.index}, label ${name(cell.label)}, no prediction yet` };
  }
  const pct = `${Math.round(cell.confidence * 100)}%`;
  const right = cell.correct === true;
  return {
    mark: right ? '✓' : '✗',
    predicted: name(cell.predicted),
    confidence: pct,
    truth: right ? '' : `true ${name(cell.label)}`,
    description:
      `Test digit #${cell.index}, label ${name(cell.label)}: predicted ${name(cell.predicted)} ` +
      `with ${(cell.confidence * 100).toFixed(1)}% confidence${right ? '' : ' (wrong)'}`,
  };
}

interface CellView {
  root: HTMLElement;
  canvas: HTMLCanvasElement;
  mark: HTMLElement;
  predicted: HTMLElement;
  confidence: HTMLElement;
  truth: HTMLElement;
  drawn: { pixels: Uint8Array | null; ink: string } | null;
}

/** Keeps the DOM of one grid container in step with the state; redraws a canvas only when its pixels or ink change. */
export class PredictionGrid {
  private cells: CellView[] = [];

  constructor(private readonly container: HTMLElement) {}

  render(grid: SampleGrid | null, ink: Rgb, classNames: readonly string[] = []): void {
    const cells = grid?.cells ?? [];
    while (this.cells.length > cells.length) this.cells.pop()!.root.remove();
    while (this.cells.length < cells.length) this.cells.push(this.createCell());
    const inkKey = ink.join(',');
    cells.forEach((cell, i) => this.update(this.cells[i], cell, ink, inkKey, classNames));
  }

  private createCell(): CellView {
    const root = document.createElement('figure');
    root.className = 'sample';
    root.dataset.testid = 'sample';
    const canvas = document.createElement('canvas');
    canvas.width = SIZE;
    canvas.height = SIZE;
    canvas.setAttribute('role', 'img');
    const caption = document.createElement('figcaption');
    const line = document.createElement('span');
    line.className = 'sample-line';
    const mark = span('sample-mark');
    const predicted = span('sample-predicted');
    predicted.dataset.testid = 'sample-predicted';
    const confidence = span('sample-confidence');
    const truth = span('sample-truth');
    line.append(mark, predicted, confidence);
    caption.append(line, truth);
    root.append(canvas, caption);
    this.container.append(root);
    return { root, canvas, mark, predicted, confidence, truth, drawn: null };
  }

  private update(v: CellView, cell: SampleCell, ink: Rgb, inkKey: string, classNames: readonly string[]): void {
    const t = cellText(cell, classNames);
    const d = v.root.dataset;
    d.index = String(cell.index);
    d.label = String(cell.label);
    d.predicted = cell.predicted === null ? '' : String(cell.predicted);
    d.confidence = cell.confidence === null ? '' : cell.confidence.toFixed(4);
    d.correct = cell.correct === null ? '' : String(cell.correct);
    v.root.classList.toggle('wrong', cell.correct === false);
    v.root.classList.toggle('right', cell.correct === true);
    v.root.title = t.description;
    v.canvas.setAttribute('aria-label', t.description);
    v.mark.textContent = t.mark;
    v.predicted.textContent = t.predicted;
    v.confidence.textContent = t.confidence;
    v.truth.textContent = t.truth;
    if (!v.drawn || v.drawn.pixels !== cell.pixels || v.drawn.ink !== inkKey) {
      drawDigit(v.canvas, cell.pixels, ink);
      v.drawn = { pixels: cell.pixels, ink: inkKey };
    }
  }
}

function span(className: string): HTMLElement {
  const s = document.createElement('span');
  s.className = className;
  return s;
}

// The canvas stays 28×28; CSS scales it with `image-rendering: pixelated`, so pixels stay crisp at any size.
export function drawDigit(canvas: HTMLCanvasElement, pixels: Uint8Array | null, ink: Rgb): void {
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  ctx.clearRect(0, 0, SIZE, SIZE);
  if (!pixels) return;
  const image = ctx.createImageData(SIZE, SIZE);
  image.data.set(inkImage(pixels, ink));
  ctx.putImageData(image, 0, 0);
}

/** Any CSS colour → rgb, through a canvas when it is not a plain hex/rgb() string. */
export function cssColorToRgb(css: string, fallback: Rgb): Rgb {
  const direct = parseColor(css);
  if (direct) return direct;
  const ctx = document.createElement('canvas').getContext('2d');
  if (!ctx) return fallback;
  ctx.fillStyle = '#000';
  ctx.fillStyle = css;
  return parseColor(String(ctx.fillStyle)) ?? fallback;
}
