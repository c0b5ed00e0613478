// host ↔ the augmentation preview webview (dist/augment.js).
import type { AugmentPreview } from '../augment-preview';
import { isArrayOf, isNumber, isObject, isString, plainMessage } from './guard';

/** host → preview: real digits and their augmented versions (src/shared/augment-preview.ts); `configFile` is workspace-relative, null without one. */
export interface AugmentPreviewMessage { type: 'augmentPreview'; preview: AugmentPreview; configFile: string | null }

export type ToAugmentView = AugmentPreviewMessage;

/** preview → host: loaded; answer with the AugmentPreviewMessage. */
export interface AugmentReadyMessage { type: 'ready' }

export type FromAugmentView = AugmentReadyMessage;

/** Messages from a webview are untrusted: only these shapes are acted on. */
export function isFromAugmentView(m: unknown): m is FromAugmentView {
  const r = plainMessage(m);
  return r !== null && r.type === 'ready' && Object.keys(r).length === 1;
}

/** host → Augmentation Preview: the digits and their versions, as encoded strings. */
export function isToAugmentView(m: unknown): m is ToAugmentView {
  if (!isObject(m) || m.type !== 'augmentPreview' || !(m.configFile === null || isString(m.configFile)) || !isObject(m.preview)) return false;
  const p = m.preview as Partial<Record<keyof AugmentPreviewMessage['preview'], unknown>>;
  return (
    typeof p.enabled === 'boolean' &&
    isString(p.description) &&
    isArrayOf(p.notes, isString) &&
    isNumber(p.seed) &&
    isString(p.source) &&
    isArrayOf(p.classNames, isString) &&
    isArrayOf(p.digits, (d) => isObject(d) && isNumber(d.label) && isNumber(d.index) && isString(d.image) && isArrayOf(d.versions, isString))
  );
}
