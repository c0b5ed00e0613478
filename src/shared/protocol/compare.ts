// host ↔ the Compare Runs webview (dist/compare.js).
import type { CompareCurves, CompareTable } from '../compare';
import { isArrayOf, isNumber, isNumberOrNull, isObject, isString, plainMessage } from './guard';

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

function isCompareRow(r: unknown): boolean {
  return (
    isObject(r) &&
    isString(r.id) &&
    isString(r.label) &&
    isString(r.state) &&
    isObject(r.config) &&
    Object.values(r.config).every(isString) &&
    isArrayOf(r.differs, isString) &&
    isArrayOf(r.best, isString) &&
    isNumber(r.epochs) &&
    ['bestValAcc', 'bestValAccEpoch', 'finalValAcc', 'testAccuracy', 'testLoss', 'plannedEpochs', 'seconds', 'samplesPerSecond'].every((k) => isNumberOrNull(r[k]))
  );
}

function isCompareCurves(c: unknown): boolean {
  return isObject(c) && isString(c.id) && isString(c.label) && ['valAcc', 'valLoss', 'acc', 'loss'].every((k) => isArrayOf(c[k], isNumber));
}

/** host → Compare Runs: the table and the curves it draws. */
export function isToCompareView(m: unknown): m is ToCompareView {
  if (!isObject(m) || m.type !== 'compare' || !isObject(m.table)) return false;
  const t = m.table as Partial<Record<keyof CompareDataMessage['table'], unknown>>;
  return (
    isArrayOf(t.configColumns, isString) &&
    isArrayOf(t.common, (c) => isObject(c) && isString(c.key) && isString(c.value)) &&
    isArrayOf(t.rows, isCompareRow) &&
    isArrayOf(m.curves, isCompareCurves)
  );
}
