// Look Inside Model: the messages between the host and the predictor process (`inspect` →
// `inspection`) and between the host and the Look Inside Model panel, with their guards.
// Tensors travel as EncodedTensor (float32 bytes in base64): a fifth of the JSON size of number
// arrays and exact, since the IPC channel and postMessage both serialise to text.
import { DIGIT_PIXELS, fromBase64 } from '../digits';
import { isArrayOf, isObject, isString, plainMessage } from './guard';

/** A float32 tensor: its shape (no batch dimension) and its values, row-major, as little-endian float32 bytes in base64. */
export interface EncodedTensor { shape: number[]; data: string }

/** One layer of the model as the image passed through it, in model order. */
export interface InspectedLayer {
  name: string;
  /** The Keras class: Conv2D, MaxPooling2D, Dropout, Flatten, Dense, BatchNormalization… */
  className: string;
  /** Output shape without the batch dimension, e.g. [26, 26, 32]. */
  shape: number[];
  /**
   * 'values': `output` holds the layer's output; 'identity': the same values as the layer before
   * (Dropout at inference); 'reshape': the layer before's values in another shape (Flatten).
   */
  kind: 'values' | 'identity' | 'reshape';
  output?: EncodedTensor;
  /** relu, softmax, linear… for layers that have one. */
  activation?: string;
  /** Conv2D only: kernel [kh, kw, inChannels, filters] and bias [filters], for the dot-product view; absent when too large to send. */
  kernel?: EncodedTensor;
  bias?: EncodedTensor;
  strides?: [number, number];
  padding?: 'valid' | 'same';
}

/** What the first layer looks for: its 3×3 kernels, or for an MLP the first Dense layer's weights of its most active units as 28×28 images. */
export type InspectedFilters =
  | { kind: 'conv'; layer: string; kernel: EncodedTensor }
  | { kind: 'dense'; layer: string; units: number[]; activations: number[]; weights: EncodedTensor };

/** Every layer's output for one image, the filters and where the model looked. */
export interface Inspection {
  layers: InspectedLayer[];
  probabilities: number[];
  predicted: number;
  filters: InspectedFilters | null;
  /** |d score / d pixel| of the predicted class, divided by its largest value: 28×28 in 0..1. */
  saliency: EncodedTensor;
  /** The score differentiated: the last Dense layer's pre-softmax output (logit), else the probability. */
  saliencyOf: 'logit' | 'probability';
  /** Grad-CAM of the last Conv2D layer for the predicted class (its HiResCAM form, see src/trainer/inspect.ts), upsampled to 28×28, 0..1; null without a conv layer. */
  gradCam: { layer: string; method: 'HiResCAM'; map: EncodedTensor } | null;
  /** Milliseconds the predictor spent on this answer. */
  millis: number;
}

// ---------------------------------------------------------------- host ↔ predictor

/** host → predictor: every layer's output for this 28×28 image (784 values in 0..1) with the loaded model. */
export interface InspectCommand { type: 'inspect'; id: number; pixels: number[] }

/** predictor → host: the answer to an InspectCommand; `error` (and no inspection) when the model cannot answer. */
export interface InspectionEvent { type: 'inspection'; time: number; id: number; inspection?: Inspection; error?: string }

/** 784 numbers in 0..1: a 28×28 image as the model takes it. */
export function isPixels(p: unknown): p is number[] {
  if (!Array.isArray(p) || p.length !== DIGIT_PIXELS) return false;
  for (const v of p) if (typeof v !== 'number' || !(v >= 0 && v <= 1)) return false;
  return true;
}

export function isInspectCommand(o: Record<string, unknown>): o is InspectCommand & Record<string, unknown> {
  return o.type === 'inspect' && Number.isSafeInteger(o.id) && isPixels(o.pixels);
}

// ---------------------------------------------------------------- host ↔ Look Inside Model panel (dist/inside.js)

/** A digit the panel offers as input: from the run's sample grid or its test-set mistakes. */
export interface InsideDigit {
  /** Index into the run's test set. */
  index: number;
  label: number;
  /** What the run predicted for it after training; -1 when its log does not say (a digit looked up by index). */
  predicted: number;
  source: 'sample' | 'mistake' | 'index';
  /** 28×28 bytes, as src/shared/digits.ts encodeDigit writes them. */
  image: string;
}

/** host → panel: the run to look inside and the digits it can show; inspections follow. */
export interface InsideRunMessage {
  type: 'insideRun';
  run: { id: string; label: string; model: string; dataset: string; testAccuracy: number | null };
  digits: InsideDigit[];
  /** Class names for the bars (digits, or Fashion-MNIST's clothes). */
  classNames: string[];
  /** The digit to show first: a test index from `digits`. */
  initial: number | null;
}

/** host → panel: the predictor's answer for the request with this id. */
export interface InsideInspectionMessage { type: 'inspection'; id: number; inspection?: Inspection; error?: string }

/** host → panel: the test digit asked for by index, or why it cannot be read. */
export interface InsideTestDigitMessage { type: 'testDigit'; index: number; digit?: InsideDigit; error?: string }

/** host → panel: the panel beside (two runs side by side) chose this input; look at it here too. */
export interface InsideFollowMessage { type: 'follow'; pixels: number[]; from: string }

export type ToInsideView = InsideRunMessage | InsideInspectionMessage | InsideTestDigitMessage | InsideFollowMessage;

/** panel → host: loaded; answer with an InsideRunMessage. */
export interface InsideReadyMessage { type: 'ready' }
/** panel → host: look inside the model for this image (a digit from `digits` or the draw pad), 784 values in 0..1. */
export interface InsideInspectRequest { type: 'inspect'; id: number; pixels: number[] }

/** panel → host: the run's test digit with this index (from its dataset on disk, never downloaded). */
export interface InsideTestDigitRequest { type: 'testDigit'; index: number }

export type FromInsideView = InsideReadyMessage | InsideInspectRequest | InsideTestDigitRequest;

/** Messages from a webview are untrusted: only these shapes are acted on (exports use the Dashboard's ExportRequest). */
export function isFromInsideView(m: unknown): m is FromInsideView {
  const o = plainMessage(m);
  if (o === null) return false;
  const keys = Object.keys(o).sort().join(',');
  if (o.type === 'ready') return keys === 'type';
  if (o.type === 'testDigit') return keys === 'index,type' && Number.isSafeInteger(o.index) && (o.index as number) >= 0 && (o.index as number) < 10_000_000;
  return keys === 'id,pixels,type' && o.id !== undefined && (o.id as number) >= 0 && isInspectCommand(o);
}

/** dashboard webview → host: open Look Inside Model for the shown (finished) run. */
export interface LookInsideRequest { type: 'lookInside' }

// ---------------------------------------------------------------- checking what the predictor sent

const MAX_SEND_VALUES = 4_000_000;

/** The values of an EncodedTensor, or null when its data does not hold exactly shape's product of float32s. */
export function decodeTensor(t: unknown): Float32Array | null {
  if (typeof t !== 'object' || t === null) return null;
  const { shape, data } = t as Partial<EncodedTensor>;
  if (!Array.isArray(shape) || typeof data !== 'string' || shape.length > 4) return null;
  let n = 1;
  for (const d of shape) {
    if (!Number.isSafeInteger(d) || d < 1) return null;
    n *= d;
  }
  if (n > MAX_SEND_VALUES || data.length !== Math.ceil((n * 4) / 3) * 4) return null;
  const bytes = fromBase64(data);
  if (!bytes || bytes.length !== n * 4) return null;
  return new Float32Array(bytes.buffer, bytes.byteOffset, n);
}

/** A structural check of an Inspection before the panel draws it: every tensor decodes, the probabilities are 10 numbers. */
export function isInspection(x: unknown): x is Inspection {
  if (typeof x !== 'object' || x === null) return false;
  const o = x as Partial<Inspection>;
  if (!Array.isArray(o.layers) || o.layers.length === 0 || o.layers.length > 200) return false;
  if (!Array.isArray(o.probabilities) || !o.probabilities.every((p) => typeof p === 'number')) return false;
  if (!Number.isSafeInteger(o.predicted) || typeof o.millis !== 'number') return false;
  if (decodeTensor(o.saliency)?.length !== DIGIT_PIXELS) return false;
  if (o.gradCam !== null && (typeof o.gradCam !== 'object' || decodeTensor(o.gradCam.map)?.length !== DIGIT_PIXELS)) return false;
  for (const l of o.layers) {
    if (typeof l !== 'object' || l === null || typeof l.name !== 'string' || typeof l.className !== 'string' || !Array.isArray(l.shape)) return false;
    if (l.kind === 'values' ? decodeTensor(l.output) === null : l.kind !== 'identity' && l.kind !== 'reshape') return false;
  }
  return true;
}

// ---------------------------------------------------------------- checking what the host sent the panel

function isInsideDigit(d: unknown): d is InsideDigit {
  return isObject(d) && Number.isSafeInteger(d.index) && Number.isSafeInteger(d.label) && Number.isSafeInteger(d.predicted) &&
    (d.source === 'sample' || d.source === 'mistake' || d.source === 'index') && isString(d.image);
}

/** What the panel acts on from the host: these shapes only (an inspection's tensors are checked when drawn, by isInspection). */
export function isToInsideView(m: unknown): m is ToInsideView {
  if (!isObject(m)) return false;
  switch (m.type) {
    case 'insideRun':
      return isObject(m.run) && isString(m.run.id) && isArrayOf(m.digits, isInsideDigit) && isArrayOf(m.classNames, isString) && (m.initial === null || Number.isSafeInteger(m.initial));
    case 'inspection':
      return Number.isSafeInteger(m.id) && (m.error === undefined || isString(m.error));
    case 'testDigit':
      return Number.isSafeInteger(m.index) && (m.digit === undefined || isInsideDigit(m.digit)) && (m.error === undefined || isString(m.error));
    case 'follow':
      return isPixels(m.pixels) && isString(m.from);
    default:
      return false;
  }
}
