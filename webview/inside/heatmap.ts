// Heatmaps for Look Inside Model: one channel of an H×W×C output as a small image, on a colour
// scale shared by the whole layer and drawn from the theme (background → ink, or a diverging
// red/blue when the values have both signs). The math is pure and tested without a DOM.
import { cssColorToRgb, type Rgb } from '../common/color';

/** The colours of the current theme the maps are drawn with. */
export interface Palette { background: Rgb; ink: Rgb; negative: Rgb; positive: Rgb; highlight: Rgb }

export function themePalette(): Palette {
  const css = getComputedStyle(document.body);
  const v = (name: string, fallback: Rgb) => {
    const raw = css.getPropertyValue(name).trim();
    return raw ? cssColorToRgb(raw, fallback) : fallback; // an unset variable would read as black
  };
  return {
    background: v('--vscode-editor-background', [30, 30, 30]),
    ink: v('--vscode-editor-foreground', [204, 204, 204]),
    negative: v('--vscode-charts-red', [241, 76, 76]),
    positive: v('--vscode-charts-blue', [55, 148, 255]),
    highlight: v('--vscode-charts-orange', [209, 134, 22]),
  };
}

/** A layer's colour scale: 0..max for non-negative values (ReLU, pooling), ±limit when they have both signs. */
export interface Scale { kind: 'sequential' | 'diverging'; min: number; max: number; limit: number }

export function scaleOf(values: ArrayLike<number>): Scale {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const x = values[i];
    if (x < min) min = x;
    if (x > max) max = x;
  }
  if (values.length === 0) min = max = 0;
  if (min >= 0) return { kind: 'sequential', min, max, limit: max > 0 ? max : 1 };
  const limit = Math.max(Math.abs(min), Math.abs(max)) || 1;
  return { kind: 'diverging', min, max, limit };
}

export function mix(a: Rgb, b: Rgb, t: number): Rgb {
  const u = Math.min(1, Math.max(0, t));
  return [a[0] + (b[0] - a[0]) * u, a[1] + (b[1] - a[1]) * u, a[2] + (b[2] - a[2]) * u];
}

export function colourOf(x: number, s: Scale, p: Palette): Rgb {
  if (s.kind === 'sequential') return mix(p.background, p.ink, x / s.limit);
  return x < 0 ? mix(p.background, p.negative, -x / s.limit) : mix(p.background, p.positive, x / s.limit);
}

/** Channel c of an H×W×C tensor (row-major, channels last), as H×W values. */
export function channel(values: ArrayLike<number>, shape: readonly number[], c: number): Float32Array {
  const [h, w, cs] = shape;
  const out = new Float32Array(h * w);
  for (let i = 0; i < h * w; i++) out[i] = values[i * cs + c];
  return out;
}

/** RGBA pixels of an H×W map on a scale. */
export function mapPixels(map: ArrayLike<number>, s: Scale, p: Palette): Uint8ClampedArray {
  const out = new Uint8ClampedArray(map.length * 4);
  for (let i = 0; i < map.length; i++) {
    const [r, g, b] = colourOf(map[i], s, p);
    out.set([r, g, b, 255], i * 4);
  }
  return out;
}

/** A digit (0..1) faintly in ink with a 0..1 map over it in the highlight colour: saliency and Grad-CAM. */
export function overlayPixels(digit: ArrayLike<number>, map: ArrayLike<number>, p: Palette): Uint8ClampedArray {
  const out = new Uint8ClampedArray(digit.length * 4);
  for (let i = 0; i < digit.length; i++) {
    const [r, g, b] = mix(mix(p.background, p.ink, 0.45 * digit[i]), p.highlight, map[i]);
    out.set([r, g, b, 255], i * 4);
  }
  return out;
}

/** A canvas of w×h pixels showing these RGBA values; CSS scales it up, pixelated. */
export function pixelCanvas(rgba: Uint8ClampedArray, w: number, h: number, attrs: Record<string, string> = {}): HTMLCanvasElement {
  const canvas = document.createElement('canvas');
  canvas.width = w;
  canvas.height = h;
  for (const [k, v] of Object.entries(attrs)) canvas.setAttribute(k, v);
  paint(canvas, rgba, w, h);
  return canvas;
}

export function paint(canvas: HTMLCanvasElement, rgba: Uint8ClampedArray, w: number, h: number): void {
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  const img = ctx.createImageData(w, h);
  img.data.set(rgba);
  ctx.putImageData(img, 0, 0);
}

/** The scale as a small gradient with its range written beside it. */
export function legend(s: Scale, p: Palette): HTMLElement {
  const steps = 64;
  const ramp = new Float32Array(steps);
  const lo = s.kind === 'sequential' ? 0 : -s.limit;
  for (let i = 0; i < steps; i++) ramp[i] = lo + ((s.limit - lo) * i) / (steps - 1);
  const bar = pixelCanvas(mapPixels(ramp, s, p), steps, 1, { class: 'legend-ramp', 'aria-hidden': 'true' });
  const wrap = document.createElement('span');
  wrap.className = 'legend';
  wrap.dataset.testid = 'layer-range';
  wrap.dataset.min = String(s.min);
  wrap.dataset.max = String(s.max);
  wrap.append(formatValue(s.kind === 'sequential' ? 0 : -s.limit), bar, formatValue(s.limit), ` (values ${formatValue(s.min)} … ${formatValue(s.max)})`);
  return wrap;
}

export function formatValue(x: number): string {
  if (x === 0) return '0';
  const a = Math.abs(x);
  return a >= 100 ? x.toFixed(0) : a >= 1 ? x.toFixed(2) : a >= 0.001 ? x.toFixed(3) : x.toExponential(1);
}

/** Several same-sized canvases side by side in one image, for a PNG of a whole layer. */
export function mosaic(canvases: readonly HTMLCanvasElement[], scale: number, columns: number, background: Rgb): HTMLCanvasElement {
  const w = canvases[0]?.width ?? 1;
  const h = canvases[0]?.height ?? 1;
  const gap = 2;
  const rows = Math.ceil(canvases.length / columns);
  const out = document.createElement('canvas');
  out.width = columns * (w * scale + gap) + gap;
  out.height = rows * (h * scale + gap) + gap;
  const ctx = out.getContext('2d');
  if (!ctx) return out;
  ctx.fillStyle = `rgb(${background.join(',')})`;
  ctx.fillRect(0, 0, out.width, out.height);
  ctx.imageSmoothingEnabled = false;
  canvases.forEach((c, i) => ctx.drawImage(c, gap + (i % columns) * (w * scale + gap), gap + Math.floor(i / columns) * (h * scale + gap), w * scale, h * scale));
  return out;
}
