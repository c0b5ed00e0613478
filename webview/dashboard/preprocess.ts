// A drawn digit → the model's 28×28 input, the way MNIST was made: crop to the ink's bounding box,
// scale it to fit 20×20 keeping its aspect (area-averaged, so edges become grey), then place it in
// 28×28 with its centre of mass at the centre, pixel (14, 14). Pure: the draw pad and the tests call the same code.

export interface Point {
  /** 0..1 across the pad. */
  x: number;
  /** 0..1 down the pad. */
  y: number;
}
export type Stroke = readonly Point[];

/** The pad's strokes are rasterised at this many pixels a side, whatever its size on screen. */
export const PAD_RESOLUTION = 280;
/** Pen width as a share of the pad side: a digit drawn across most of the pad gets MNIST's stroke weight. */
export const PEN_WIDTH = 0.075;

const SIZE = 28;
const BOX = 20;
const CENTER = 14;

/** Ink coverage 0..1 of strokes drawn with a round pen, row-major size×size, with a one-pixel soft edge. */
export function rasterizeStrokes(strokes: readonly Stroke[], size = PAD_RESOLUTION, penWidth = PEN_WIDTH): Float32Array {
  const out = new Float32Array(size * size);
  const r = (penWidth * size) / 2;
  for (const stroke of strokes) {
    for (let i = 0; i < stroke.length; i++) {
      const a = stroke[Math.max(0, i - 1)];
      const b = stroke[i];
      if (i > 0 || stroke.length === 1) capsule(out, size, a.x * size, a.y * size, b.x * size, b.y * size, r);
    }
  }
  return out;
}

function capsule(out: Float32Array, size: number, ax: number, ay: number, bx: number, by: number, r: number): void {
  const x0 = Math.max(0, Math.floor(Math.min(ax, bx) - r - 1));
  const x1 = Math.min(size - 1, Math.ceil(Math.max(ax, bx) + r + 1));
  const y0 = Math.max(0, Math.floor(Math.min(ay, by) - r - 1));
  const y1 = Math.min(size - 1, Math.ceil(Math.max(ay, by) + r + 1));
  const dx = bx - ax;
  const dy = by - ay;
  const len2 = dx * dx + dy * dy;
  const reach2 = (r + 0.5) * (r + 0.5);
  for (let y = y0; y <= y1; y++) {
    for (let x = x0; x <= x1; x++) {
      const k = y * size + x;
      if (out[k] === 1) continue;
      const px = x + 0.5 - ax;
      const py = y + 0.5 - ay;
      const t = len2 === 0 ? 0 : Math.min(1, Math.max(0, (px * dx + py * dy) / len2));
      const ex = px - t * dx;
      const ey = py - t * dy;
      const d2 = ex * ex + ey * ey;
      if (d2 >= reach2) continue;
      const coverage = Math.min(1, r + 0.5 - Math.sqrt(d2));
      if (coverage > out[k]) out[k] = coverage;
    }
  }
}

export interface MnistInput {
  /** 784 values in 0..1, row-major: what the model is given. */
  pixels: Float32Array;
  /** The same as bytes 0..255, for drawing. */
  bytes: Uint8Array;
  /** Where the scaled digit sits in the 28×28 field. */
  box: { left: number; top: number; width: number; height: number };
  /** Centre of mass in the 28×28 field, in pixel indices: within half a pixel of (14, 14), as MNIST's digits are. */
  centerOfMass: { x: number; y: number };
}

/** The model input for an ink bitmap (values 0..1, row-major width×height); null when there is no ink. */
export function toMnistInput(ink: ArrayLike<number>, width: number, height: number): MnistInput | null {
  if (ink.length !== width * height) throw new Error(`expected ${width * height} values, got ${ink.length}`);
  let left = width;
  let right = -1;
  let top = height;
  let bottom = -1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (ink[y * width + x] > 0) {
        if (x < left) left = x;
        if (x > right) right = x;
        if (y < top) top = y;
        if (y > bottom) bottom = y;
      }
    }
  }
  if (right < 0) return null;
  const w = right - left + 1;
  const h = bottom - top + 1;
  const scale = BOX / Math.max(w, h);
  const tw = Math.max(1, Math.min(BOX, Math.round(w * scale)));
  const th = Math.max(1, Math.min(BOX, Math.round(h * scale)));

  // Area averaging, one axis at a time: each output pixel is the mean of the input area it covers.
  const crop = new Float32Array(w * h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) crop[y * w + x] = Math.min(1, Math.max(0, ink[(top + y) * width + left + x]));
  const rows = new Float32Array(tw * h);
  for (let y = 0; y < h; y++) resampleLine(crop, y * w, 1, w, rows, y * tw, 1, tw);
  const scaled = new Float32Array(tw * th);
  for (let x = 0; x < tw; x++) resampleLine(rows, x, tw, h, scaled, x, tw, th);

  // MNIST's digits have their centre of mass, in pixel indices, within half a pixel of (14, 14).
  let mass = 0;
  let mx = 0;
  let my = 0;
  for (let y = 0; y < th; y++) {
    for (let x = 0; x < tw; x++) {
      const v = scaled[y * tw + x];
      mass += v;
      mx += v * x;
      my += v * y;
    }
  }
  const cx = mass > 0 ? mx / mass : (tw - 1) / 2;
  const cy = mass > 0 ? my / mass : (th - 1) / 2;
  const ox = Math.min(SIZE - tw, Math.max(0, Math.round(CENTER - cx)));
  const oy = Math.min(SIZE - th, Math.max(0, Math.round(CENTER - cy)));

  const pixels = new Float32Array(SIZE * SIZE);
  for (let y = 0; y < th; y++) for (let x = 0; x < tw; x++) pixels[(oy + y) * SIZE + ox + x] = Math.min(1, Math.max(0, scaled[y * tw + x]));
  const bytes = new Uint8Array(SIZE * SIZE);
  for (let i = 0; i < pixels.length; i++) bytes[i] = Math.round(pixels[i] * 255);
  return { pixels, bytes, box: { left: ox, top: oy, width: tw, height: th }, centerOfMass: { x: cx + ox, y: cy + oy } };
}

/** Resamples n values (src[start + i*stride]) to m values by area averaging. */
function resampleLine(src: Float32Array, start: number, stride: number, n: number, dst: Float32Array, dStart: number, dStride: number, m: number): void {
  const step = n / m; // input pixels per output pixel
  for (let j = 0; j < m; j++) {
    const from = j * step;
    const to = from + step;
    let sum = 0;
    for (let i = Math.floor(from); i < Math.min(n, Math.ceil(to)); i++) {
      const overlap = Math.min(to, i + 1) - Math.max(from, i);
      if (overlap > 0) sum += src[start + i * stride] * overlap;
    }
    dst[dStart + j * dStride] = sum / step;
  }
}

/** The model input as the predict request carries it: 784 plain numbers, rounded so the message stays small. */
export function inputForRequest(input: MnistInput): number[] {
  return Array.from(input.pixels, (v) => Math.round(v * 1000) / 1000);
}
