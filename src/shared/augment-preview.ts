// MNIST: Preview Augmentation, the pure part: which digits, which transforms, and the augmented
// versions, from a config and a dataset's training images. The host loads the images; the
// Dashboard's dataset explorer runs the same code on the digits of a run's log.
import { previewAugmentation } from './augment';
import { AUGMENT_DEFAULTS, type AugmentConfig } from './config';
import { DIGIT_PIXELS, encodeDigit } from './digits';

/** Augmented versions drawn per digit. */
export const PREVIEW_VERSIONS = 6;

/** One real digit and its augmented versions, as src/shared/digits.ts encodeDigit writes them. */
export interface PreviewDigit {
  /** Index into the training images. */
  index: number;
  label: number;
  image: string;
  versions: string[];
}

export interface AugmentPreview {
  /** The transforms drawn: the config's, or the defaults when the config has augmentation off. */
  augment: AugmentConfig;
  /** Whether training with this config augments (data.augment set and not all zero). */
  enabled: boolean;
  /** The transforms in words: "rotation ±10°, shift ±2 px, zoom ±10%, no elastic distortion". */
  description: string;
  /** What the user should know before reading the pictures; null when nothing needs saying. */
  notes: string[];
  seed: number;
  /** Where the digits come from, in plain words. */
  source: string;
  classNames: string[];
  digits: PreviewDigit[];
}

/** The first `perClass` training images of each class, in class order: the same digits every time. */
export function pickPreviewDigits(labels: ArrayLike<number>, classes = 10, perClass = 1): number[] {
  const picked: number[][] = Array.from({ length: classes }, () => []);
  let left = classes * perClass;
  for (let i = 0; i < labels.length && left > 0; i++) {
    const list = picked[labels[i]];
    if (list && list.length < perClass) {
      list.push(i);
      left--;
    }
  }
  return picked.flat();
}

function trim(n: number): string {
  return String(Number(n.toFixed(3)));
}

/** The transforms in words, in the config's units. */
export function describeAugment(a: AugmentConfig): string {
  const parts: string[] = [];
  parts.push(a.rotation > 0 ? `rotation ±${trim(a.rotation)}°` : 'no rotation');
  parts.push(a.shift > 0 ? `shift ±${trim(a.shift)} px` : 'no shift');
  parts.push(a.zoom > 0 ? `zoom ±${trim(a.zoom * 100)}%` : 'no zoom');
  parts.push(a.elastic && a.elastic.alpha > 0 ? `elastic distortion (alpha ${trim(a.elastic.alpha)}, sigma ${trim(a.elastic.sigma)})` : 'no elastic distortion');
  return parts.join(', ');
}

function changesNothing(a: AugmentConfig): boolean {
  return a.rotation === 0 && a.shift === 0 && a.zoom === 0 && !(a.elastic && a.elastic.alpha > 0);
}

export interface PreviewInput {
  /** count × 784 bytes, 0..255. */
  images: Uint8Array;
  labels: ArrayLike<number>;
  classNames: readonly string[];
  source: string;
}

/**
 * The preview for a config's `data.augment` (null: augmentation is off, and the preview shows what
 * `"augment": {}` would do) and seed: the first digit of each class and `versions` augmented
 * copies of it, through the trainer's own warp, the same for the same config.
 */
export function buildAugmentPreview(input: PreviewInput, augment: AugmentConfig | null, seed: number, versions = PREVIEW_VERSIONS): AugmentPreview {
  const notes: string[] = [];
  let drawn: AugmentConfig;
  if (augment === null) {
    drawn = { ...AUGMENT_DEFAULTS, elastic: null };
    notes.push('Augmentation is off: "data.augment" is not set, so training uses the digits as they are. Shown: what "augment": {} would do (the defaults).');
  } else {
    drawn = augment;
    if (changesNothing(augment)) notes.push('Augmentation is on but changes nothing: rotation, shift and zoom are 0 and elastic distortion is off.');
  }
  const indices = pickPreviewDigits(input.labels, input.classNames.length || 10);
  const images = indices.map((i) => input.images.subarray(i * DIGIT_PIXELS, (i + 1) * DIGIT_PIXELS));
  const augmented = previewAugmentation(images, drawn, seed, versions);
  return {
    augment: drawn,
    enabled: augment !== null && !changesNothing(augment),
    description: describeAugment(drawn),
    notes,
    seed,
    source: input.source,
    classNames: [...input.classNames],
    digits: indices.map((index, k) => ({
      index,
      label: input.labels[index],
      image: encodeDigit(images[k]),
      versions: augmented[k].map((v) => encodeDigit(v)),
    })),
  };
}
