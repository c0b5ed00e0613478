// Guards for what the host posts to each webview (Dashboard, Compare Runs, Augmentation Preview).
// A webview acts only on a message its guard accepts and ignores anything else, so a stray or
// malformed message (another extension's, an older host's) never throws inside the view's
// render. The checks cover what each view reads before it draws; they stay cheap, since a replay
// posts whole event logs.
import type { AugmentPreviewMessage, CompareDataMessage, ToAugmentView, ToCompareView, ToWebview } from '../protocol';

type Fields = Record<string, unknown>;

function isObject(v: unknown): v is Fields {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const isString = (v: unknown): v is string => typeof v === 'string';
// NaN and Infinity pass: a diverged run's loss is NaN and still drawn (as a gap).
const isNumber = (v: unknown): v is number => typeof v === 'number';
const isNumberOrNull = (v: unknown): boolean => v === null || isNumber(v);
const isArrayOf = (v: unknown, item: (x: unknown) => boolean): boolean => Array.isArray(v) && v.every(item);

/** host → Dashboard. */
export function isToWebview(m: unknown): m is ToWebview {
  if (!isObject(m)) return false;
  switch (m.type) {
    case 'showRun':
      return m.run === null || (isObject(m.run) && isString(m.run.id));
    case 'events':
      return isString(m.runId) && Array.isArray(m.events);
    case 'session':
      return m.state === 'idle' || m.state === 'training' || m.state === 'stopping';
    case 'prediction':
      return typeof m.id === 'number' && Array.isArray(m.probabilities) && (m.error === undefined || isString(m.error));
    default:
      return false;
  }
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
