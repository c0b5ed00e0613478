// The computation behind one output value of a Conv2D or MaxPooling2D channel, redone in the
// panel from the layer's input, kernel and bias so it can be written out term by term (CNN
// Explainer's "interactive formula"). Pure: tested against the predictor's own outputs.

/** Where a layer's window sits on its input: sizes, strides and the top/left padding TensorFlow adds for 'same'. */
export interface Window { inH: number; inW: number; inC: number; kh: number; kw: number; sy: number; sx: number; padTop: number; padLeft: number }

export function windowOf(inShape: readonly number[], outShape: readonly number[], size: readonly [number, number], strides: readonly [number, number], padding: 'valid' | 'same'): Window {
  const [inH, inW, inC] = inShape;
  const [kh, kw] = size;
  const [sy, sx] = strides;
  const pad = (out: number, s: number, k: number, n: number) => (padding === 'same' ? Math.floor(Math.max((out - 1) * s + k - n, 0) / 2) : 0);
  return { inH, inW, inC, kh, kw, sy, sx, padTop: pad(outShape[0], sy, kh, inH), padLeft: pad(outShape[1], sx, kw, inW) };
}

/** The input value at (row, col, channel), 0 in the padding. */
function at(input: ArrayLike<number>, w: Window, row: number, col: number, k: number): number {
  if (row < 0 || col < 0 || row >= w.inH || col >= w.inW) return 0;
  return input[(row * w.inW + col) * w.inC + k];
}

export interface ConvTerms {
  /** patch[(i·kw + j)·inC + k]: the input under the filter; weights the same layout. */
  patch: Float32Array;
  weights: Float32Array;
  /** Σ over the 3×3 window, per input channel. */
  perChannel: Float32Array;
  bias: number;
  /** Σ patch·weights + bias, before the activation. */
  pre: number;
  /** The first input row and column under the filter (may be negative: padding). */
  top: number;
  left: number;
}

/** Output (y, x) of filter c: the dot product of the filter with the input patch under it, plus the bias. */
export function convAt(input: ArrayLike<number>, kernel: ArrayLike<number>, bias: ArrayLike<number> | null, filters: number, w: Window, c: number, y: number, x: number): ConvTerms {
  const n = w.kh * w.kw * w.inC;
  const patch = new Float32Array(n);
  const weights = new Float32Array(n);
  const perChannel = new Float32Array(w.inC);
  const top = y * w.sy - w.padTop;
  const left = x * w.sx - w.padLeft;
  let sum = 0;
  for (let i = 0; i < w.kh; i++) {
    for (let j = 0; j < w.kw; j++) {
      for (let k = 0; k < w.inC; k++) {
        const t = (i * w.kw + j) * w.inC + k;
        patch[t] = at(input, w, top + i, left + j, k);
        weights[t] = kernel[t * filters + c];
        const term = patch[t] * weights[t];
        perChannel[k] += term;
        sum += term;
      }
    }
  }
  const b = bias ? bias[c] : 0;
  return { patch, weights, perChannel, bias: b, pre: sum + b, top, left };
}

/** The activations Look Inside Model knows how to redo; anything else is shown as "f(…)". */
export function activate(pre: number, activation: string | undefined): number | null {
  switch (activation ?? 'linear') {
    case 'linear':
      return pre;
    case 'relu':
      return Math.max(0, pre);
    case 'sigmoid':
      return 1 / (1 + Math.exp(-pre));
    case 'tanh':
      return Math.tanh(pre);
    case 'elu':
      return pre >= 0 ? pre : Math.exp(pre) - 1;
    default:
      return null;
  }
}

/** Output (y, x) of channel c of a max pooling: its window of the input and the largest value. */
export function poolAt(input: ArrayLike<number>, w: Window, c: number, y: number, x: number): { window: number[]; max: number; top: number; left: number } {
  const top = y * w.sy - w.padTop;
  const left = x * w.sx - w.padLeft;
  const window: number[] = [];
  for (let i = 0; i < w.kh; i++) for (let j = 0; j < w.kw; j++) {
    const row = top + i;
    const col = left + j;
    window.push(row < 0 || col < 0 || row >= w.inH || col >= w.inW ? -Infinity : input[(row * w.inW + col) * w.inC + c]);
  }
  return { window, max: Math.max(...window), top, left };
}
