// 28×28 digits in event logs: a compact text form, small enough to send hundreds per run.
// Pure: no node, no DOM, so the trainer writes it and the webview reads it with the same code.

export const DIGIT_SIZE = 28;
export const DIGIT_PIXELS = DIGIT_SIZE * DIGIT_SIZE;

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const B64_INDEX = new Map([...B64].map((c, i) => [c, i]));

export function toBase64(bytes: ArrayLike<number>): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const a = bytes[i];
    const b = i + 1 < bytes.length ? bytes[i + 1] : 0;
    const c = i + 2 < bytes.length ? bytes[i + 2] : 0;
    const n = (a << 16) | (b << 8) | c;
    out += B64[(n >> 18) & 63] + B64[(n >> 12) & 63];
    out += i + 1 < bytes.length ? B64[(n >> 6) & 63] : '=';
    out += i + 2 < bytes.length ? B64[n & 63] : '=';
  }
  return out;
}

/** null for anything that is not canonical base64. */
export function fromBase64(text: string): Uint8Array | null {
  if (text.length % 4 !== 0) return null;
  const pad = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  const out = new Uint8Array((text.length / 4) * 3 - pad);
  let o = 0;
  for (let i = 0; i < text.length; i += 4) {
    let n = 0;
    for (let j = 0; j < 4; j++) {
      const ch = text[i + j];
      const v = ch === '=' && i + 4 === text.length && j >= 4 - pad ? 0 : B64_INDEX.get(ch);
      if (v === undefined) return null;
      n = (n << 6) | v;
    }
    if (o < out.length) out[o++] = (n >> 16) & 255;
    if (o < out.length) out[o++] = (n >> 8) & 255;
    if (o < out.length) out[o++] = n & 255;
  }
  return out;
}

/**
 * A 28×28 digit (bytes 0..255) as base64 of its zero-run-length form: a 0 byte is followed by
 * how many zero pixels it stands for (1..255); any other byte is one pixel. MNIST digits are
 * about four fifths background, so this is a third of the raw 784 bytes.
 */
export function encodeDigit(pixels: ArrayLike<number>): string {
  if (pixels.length !== DIGIT_PIXELS) throw new Error(`a digit has ${DIGIT_PIXELS} pixels, got ${pixels.length}`);
  const out: number[] = [];
  for (let i = 0; i < pixels.length; ) {
    if (pixels[i] === 0) {
      let run = 0;
      while (i < pixels.length && pixels[i] === 0 && run < 255) {
        run++;
        i++;
      }
      out.push(0, run);
    } else {
      out.push(Math.min(255, Math.max(1, Math.round(pixels[i]))));
      i++;
    }
  }
  return toBase64(out);
}

/** The 784 bytes of an encodeDigit string; null when it is not one. */
export function decodeDigit(text: unknown): Uint8Array | null {
  if (typeof text !== 'string' || text.length === 0) return null;
  const bytes = fromBase64(text);
  if (!bytes) return null;
  const out = new Uint8Array(DIGIT_PIXELS);
  let o = 0;
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] === 0) {
      const run = bytes[++i];
      if (!run || o + run > DIGIT_PIXELS) return null;
      o += run; // already zero
    } else {
      if (o >= DIGIT_PIXELS) return null;
      out[o++] = bytes[i];
    }
  }
  return o === DIGIT_PIXELS ? out : null;
}

/** Smallest and largest pixel value. */
export function pixelRange(pixels: ArrayLike<number>): { min: number; max: number } {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < pixels.length; i++) {
    if (pixels[i] < min) min = pixels[i];
    if (pixels[i] > max) max = pixels[i];
  }
  return pixels.length ? { min, max } : { min: 0, max: 0 };
}
