// host ↔ the augmentation preview webview (dist/augment.js).
import type { AugmentPreview } from '../augment-preview';
import { plainMessage } from './guard';

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
