// Data augmentation for 28×28 grayscale digits: random rotation, shift, zoom and (optionally)
// elastic distortion, as one inverse-mapped bilinear warp per image. Pure TypedArray code with
// no tensors, so the trainer, the preview and tests all run the same function on any backend.
import type { AugmentConfig } from './config';
import { Mulberry32, mixSeed } from './prng';

const SIDE = 28;
const PIXELS = SIDE * SIDE;
/** The image centre in pixel-index coordinates: rotation and zoom keep it fixed. */
const CENTRE = (SIDE - 1) / 2;

/** Buffers reused across images, so a batch allocates nothing per image. */
export class AugmentScratch {
  readonly dx = new Float32Array(PIXELS);
  readonly dy = new Float32Array(PIXELS);
  readonly tmp = new Float32Array(PIXELS);
  private kernelSigma = NaN;
  private kernelWeights = new Float32Array(1);
  private padded = new Float32Array(1);

  /** A scratch line of at least `n` values. */
  line(n: number): Float32Array {
    if (this.padded.length !== n) this.padded = new Float32Array(n);
    return this.padded;
  }

  /** A normalised 1-D Gaussian, cut at 3σ (at most the image's width). */
  kernel(sigma: number): Float32Array {
    if (sigma !== this.kernelSigma) {
      const radius = Math.min(Math.ceil(3 * sigma), SIDE - 1);
      const k = new Float32Array(2 * radius + 1);
      let sum = 0;
      for (let i = -radius; i <= radius; i++) sum += k[i + radius] = Math.exp(-(i * i) / (2 * sigma * sigma));
      for (let i = 0; i < k.length; i++) k[i] /= sum;
      this.kernelSigma = sigma;
      this.kernelWeights = k;
    }
    return this.kernelWeights;
  }
}

/** True when the config changes nothing (all ranges 0 and no elastic): the warp is skipped. */
export function isIdentity(config: AugmentConfig): boolean {
  return config.rotation === 0 && config.shift === 0 && config.zoom === 0 && !config.elastic;
}

/**
 * Writes one augmented image into `out[outOffset … +784]` as floats in [0, 1], reading bytes
 * (0..255) from `src[srcOffset … +784]`. Draws 4 numbers from `rand` (angle, zoom, shift x, shift y),
 * plus 2 × 784 for the elastic field when it is on.
 */
export function augmentImage(
  src: Uint8Array,
  srcOffset: number,
  out: Float32Array,
  outOffset: number,
  config: AugmentConfig,
  rand: () => number,
  scratch: AugmentScratch,
): void {
  const angle = ((rand() * 2 - 1) * config.rotation * Math.PI) / 180;
  const scale = 1 + (rand() * 2 - 1) * config.zoom;
  const shiftX = (rand() * 2 - 1) * config.shift;
  const shiftY = (rand() * 2 - 1) * config.shift;
  const elastic = config.elastic && config.elastic.alpha > 0 ? config.elastic : null;
  if (elastic) {
    displacementField(scratch.dx, elastic.alpha, elastic.sigma, rand, scratch);
    displacementField(scratch.dy, elastic.alpha, elastic.sigma, rand, scratch);
  }
  // Output pixel → source pixel: undo the shift, then the rotation and zoom about the centre.
  const cos = Math.cos(angle) / scale;
  const sin = Math.sin(angle) / scale;
  for (let y = 0; y < SIDE; y++) {
    for (let x = 0; x < SIDE; x++) {
      const i = y * SIDE + x;
      let u = x - CENTRE - shiftX;
      let v = y - CENTRE - shiftY;
      if (elastic) {
        u += scratch.dx[i];
        v += scratch.dy[i];
      }
      const sx = cos * u + sin * v + CENTRE;
      const sy = -sin * u + cos * v + CENTRE;
      out[outOffset + i] = bilinear(src, srcOffset, sx, sy);
    }
  }
}

/** Bilinear sample of a byte image at (sx, sy), zero outside, scaled to [0, 1]. */
function bilinear(src: Uint8Array, offset: number, sx: number, sy: number): number {
  if (sx <= -1 || sy <= -1 || sx >= SIDE || sy >= SIDE) return 0;
  // sx > -1, so truncating sx + 1 is floor(sx) + 1 without Math.floor.
  const x0 = ((sx + 1) | 0) - 1;
  const y0 = ((sy + 1) | 0) - 1;
  const fx = sx - x0;
  const fy = sy - y0;
  let p00: number, p01: number, p10: number, p11: number;
  const i = offset + y0 * SIDE + x0;
  if (x0 >= 0 && y0 >= 0 && x0 < SIDE - 1 && y0 < SIDE - 1) {
    p00 = src[i];
    p01 = src[i + 1];
    p10 = src[i + SIDE];
    p11 = src[i + SIDE + 1];
  } else {
    const left = x0 >= 0;
    const right = x0 < SIDE - 1;
    const up = y0 >= 0;
    const down = y0 < SIDE - 1;
    p00 = left && up ? src[i] : 0;
    p01 = right && up ? src[i + 1] : 0;
    p10 = left && down ? src[i + SIDE] : 0;
    p11 = right && down ? src[i + SIDE + 1] : 0;
  }
  const top = p00 + (p01 - p00) * fx;
  const bottom = p10 + (p11 - p10) * fx;
  // A convex combination of bytes stays in [0, 255]; min() only guards float rounding.
  return Math.min(1, (top + (bottom - top) * fy) / 255);
}

/** Simard et al. (2003): uniform noise in [-1, 1], Gaussian-smoothed with σ, scaled by α (pixels). */
function displacementField(field: Float32Array, alpha: number, sigma: number, rand: () => number, scratch: AugmentScratch): void {
  for (let i = 0; i < PIXELS; i++) field[i] = rand() * 2 - 1;
  const k = scratch.kernel(sigma);
  const r = (k.length - 1) / 2;
  const tmp = scratch.tmp;
  const line = scratch.line(SIDE + 2 * r);
  // Separable blur; each row/column is copied into a line padded with its edge values, so the
  // border moves like its neighbours and the inner loop has no bounds checks.
  for (let y = 0; y < SIDE; y++) {
    for (let j = 0; j < line.length; j++) line[j] = field[y * SIDE + clamp(j - r)];
    for (let x = 0; x < SIDE; x++) {
      let s = 0;
      for (let j = 0; j < k.length; j++) s += k[j] * line[x + j];
      tmp[y * SIDE + x] = s;
    }
  }
  for (let x = 0; x < SIDE; x++) {
    for (let j = 0; j < line.length; j++) line[j] = tmp[clamp(j - r) * SIDE + x];
    for (let y = 0; y < SIDE; y++) {
      let s = 0;
      for (let j = 0; j < k.length; j++) s += k[j] * line[y + j];
      field[y * SIDE + x] = s * alpha;
    }
  }
}

function clamp(i: number): number {
  return i < 0 ? 0 : i >= SIDE ? SIDE - 1 : i;
}

/**
 * Augments the images at `indices` (into `images`, 784 bytes each) into `out` as floats in [0, 1],
 * one after another. With an identity config the pixels are only scaled.
 */
export function augmentBatch(
  images: Uint8Array,
  indices: ArrayLike<number>,
  config: AugmentConfig,
  rand: () => number,
  out: Float32Array,
  scratch = new AugmentScratch(),
): void {
  const identity = isIdentity(config);
  for (let b = 0; b < indices.length; b++) {
    const srcOffset = indices[b] * PIXELS;
    if (identity) {
      for (let i = 0; i < PIXELS; i++) out[b * PIXELS + i] = images[srcOffset + i] / 255;
    } else {
      augmentImage(images, srcOffset, out, b * PIXELS, config, rand, scratch);
    }
  }
}

/**
 * For `MNIST: Preview Augmentation`: `count` augmented versions of each 28×28 byte image, as bytes,
 * the same for the same seed. Uses the trainer's code path with its own random stream.
 */
export function previewAugmentation(images: readonly Uint8Array[], config: AugmentConfig, seed: number, count: number): Uint8Array[][] {
  const scratch = new AugmentScratch();
  const floats = new Float32Array(PIXELS);
  return images.map((image, n) => {
    if (image.length !== PIXELS) throw new Error(`image ${n} has ${image.length} bytes; a 28×28 image has ${PIXELS}`);
    const rng = new Mulberry32(mixSeed(seed, n));
    const rand = () => rng.next();
    return Array.from({ length: count }, () => {
      augmentImage(image, 0, floats, 0, config, rand, scratch);
      return Uint8Array.from(floats, (v) => Math.round(v * 255));
    });
  });
}
