// host ↔ the Compare Runs webview (dist/compare.js).
import type { CompareCurves, CompareTable } from '../compare';
import { plainMessage } from './guard';

/** host → compare view: the runs to compare; the table is built by src/shared/compare.ts. */
export interface CompareDataMessage { type: 'compare'; table: CompareTable; curves: CompareCurves[] }

export type ToCompareView = CompareDataMessage;

/** compare view → host: loaded; answer with a CompareDataMessage. */
export interface CompareReadyMessage { type: 'ready' }
/** compare view → host: show this run (a folder id from the table) in the Dashboard. */
export interface CompareOpenRunMessage { type: 'openRun'; id: string }

export type FromCompareView = CompareReadyMessage | CompareOpenRunMessage;

/** Messages from a webview are untrusted: only these shapes are acted on. */
export function isFromCompareView(m: unknown): m is FromCompareView {
  const r = plainMessage(m);
  if (r === null) return false;
  const keys = Object.keys(r).sort().join(',');
  if (r.type === 'ready') return keys === 'type';
  return r.type === 'openRun' && keys === 'id,type' && typeof r.id === 'string' && r.id.length > 0 && r.id.length < 300;
}
