// Rows of a real digit and its augmented versions: MNIST: Preview Augmentation's panel and the
// Dashboard's dataset explorer draw them the same way.
import type { AugmentPreview } from '../../src/shared/augment-preview';
import { decodeDigit } from '../../src/shared/digits';
import { digitCanvas } from './digit-view';
import { el } from './dom';
import type { Rgb } from './color';

export function augmentRows(p: AugmentPreview, ink: Rgb): HTMLElement {
  const name = (label: number) => p.classNames[label] ?? String(label);
  return el('div', { class: 'augment-rows', 'data-testid': 'augment-rows' },
    ...p.digits.map((d) =>
      el('div', { class: 'augment-row', 'data-testid': 'augment-row', 'data-label': String(d.label), 'data-index': String(d.index) },
        el('div', { class: 'augment-original' },
          digitCanvas(decodeDigit(d.image), ink, `Training image #${d.index}, label ${name(d.label)}, as it is`),
          el('span', { class: 'augment-caption' }, `${name(d.label)} · #${d.index}`)),
        el('div', { class: 'augment-versions', 'data-testid': 'augment-versions' },
          ...d.versions.map((v, i) => digitCanvas(decodeDigit(v), ink, `Augmented version ${i + 1} of training image #${d.index}`))))));
}
