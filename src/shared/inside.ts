// Look Inside Model: the digits a run's panel offers as input, read from the run's event log (its
// sample grid and its test-set mistakes carry their images). Pure, so it is tested without VS Code.
import { DIGIT_PIXELS, encodeDigit, fromBase64 } from './digits';
import type { DatasetEvent, EvaluationEvent, SamplesEvent, TrainerEvent } from './protocol';
import type { InsideDigit } from './protocol/inspect';

/** At most this many mistakes are offered: the most confident ones come first in the log. */
export const MAX_MISTAKES = 60;

/**
 * The run's sample-grid digits (with the prediction after its last epoch) then its mistakes on the
 * test set (most confident first). A digit in both is listed once, as a sample.
 */
export function insideDigits(events: readonly TrainerEvent[]): InsideDigit[] {
  const samples = events.filter((e): e is SamplesEvent => e.type === 'samples');
  const withImages = samples.find((e) => Array.isArray(e.images));
  const digits: InsideDigit[] = [];
  const seen = new Set<number>();
  if (withImages?.images) {
    const last = samples.filter((e) => e.indices.length === withImages.indices.length).at(-1) ?? withImages;
    withImages.indices.forEach((index, i) => {
      // The grid's images are raw 784 bytes in base64; the panel takes every digit in encodeDigit's form.
      const raw = typeof withImages.images![i] === 'string' ? fromBase64(withImages.images![i]) : null;
      if (!raw || raw.length !== DIGIT_PIXELS || seen.has(index)) return;
      seen.add(index);
      digits.push({ index, label: withImages.labels[i], predicted: last.predicted[i] ?? -1, source: 'sample', image: encodeDigit(raw) });
    });
  }
  const evaluation = events.filter((e): e is EvaluationEvent => e.type === 'evaluation').at(-1);
  const examples = new Map((evaluation?.examples ?? []).map((x) => [x.index, x]));
  let mistakes = 0;
  for (const m of evaluation?.misclassified ?? []) {
    const x = examples.get(m.index);
    if (!x || seen.has(m.index) || mistakes >= MAX_MISTAKES) continue;
    seen.add(m.index);
    mistakes++;
    digits.push({ index: m.index, label: m.label, predicted: m.predicted, source: 'mistake', image: x.image });
  }
  return digits;
}

/** The run's class names (digits, or Fashion-MNIST's clothes), from its dataset event. */
export function runClassNames(events: readonly TrainerEvent[]): string[] {
  const d = events.find((e): e is DatasetEvent => e.type === 'dataset');
  const names = d?.classNames;
  return Array.isArray(names) && names.length === 10 ? [...names] : Array.from({ length: 10 }, (_, i) => String(i));
}
