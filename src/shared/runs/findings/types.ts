// A finding about one run, as summary.json, the CLI's --json, the Problems panel and the
// Dashboard carry it. Plain data: it crosses processes and is read back from disk.

export type FindingId = 'overfitting' | 'noLearning' | 'stillImproving' | 'generalisationGap' | 'weakDigits' | 'neverActed';
export type FindingSeverity = 'error' | 'warning' | 'info' | 'hint';
export type ConfigPath = (string | number)[];

/** One change to the config file: set (or, with `insert`, insert into an array at) `path`. */
export interface JsonEdit {
  path: ConfigPath;
  value: unknown;
  /** Insert `value` into the array at path's last (index) element instead of replacing it. */
  insert?: boolean;
}

export type FixKind = 'addEarlyStopping' | 'addDropout' | 'turnOnAugment' | 'learningRateDiv10' | 'learningRateDiv100' | 'useAdam' | 'doubleEpochs';

export interface QuickFix {
  kind: FixKind;
  title: string;
  /** The edits on the run's own (resolved) config; an editor recomputes them on the file as it is. */
  edits: JsonEdit[];
}

/** Where a finding points on the charts, so the Dashboard can mark it. */
export interface FindingMarks {
  /** 1-based epochs the finding is about (the lowest validation loss, an early stop that would have happened). */
  epochs?: number[];
  /** Digits (confusion-matrix rows) the finding is about. */
  classes?: number[];
}

export interface RunFinding {
  id: FindingId;
  severity: FindingSeverity;
  /** One line, naming the numbers it is based on. */
  message: string;
  /** The config field it is about, e.g. ['training', 'epochs']. */
  path: ConfigPath;
  fixes: QuickFix[];
  marks?: FindingMarks;
}

const IDS: readonly string[] = ['overfitting', 'noLearning', 'stillImproving', 'generalisationGap', 'weakDigits', 'neverActed'];
const SEVERITIES: readonly string[] = ['error', 'warning', 'info', 'hint'];

export const FIX_KINDS: readonly FixKind[] = ['addEarlyStopping', 'addDropout', 'turnOnAugment', 'learningRateDiv10', 'learningRateDiv100', 'useAdam', 'doubleEpochs'];

function isQuickFix(x: unknown): x is QuickFix {
  if (typeof x !== 'object' || x === null) return false;
  const o = x as Record<string, unknown>;
  return (FIX_KINDS as readonly string[]).includes(o.kind as string) && typeof o.title === 'string' && o.title.length <= 200 && Array.isArray(o.edits);
}

/** For findings read from disk: checks shape and size, keeps only what is sound (quick fixes too). */
export function readFindings(v: unknown): RunFinding[] {
  if (!Array.isArray(v)) return [];
  return v.slice(0, 20).filter((f): f is RunFinding => {
    if (typeof f !== 'object' || f === null) return false;
    const o = f as Record<string, unknown>;
    return (
      IDS.includes(o.id as string) &&
      SEVERITIES.includes(o.severity as string) &&
      typeof o.message === 'string' &&
      o.message.length <= 1000 &&
      Array.isArray(o.path) &&
      o.path.length <= 8 &&
      o.path.every((p) => typeof p === 'string' || (typeof p === 'number' && Number.isInteger(p) && p >= 0)) &&
      Array.isArray(o.fixes)
    );
  }).map((f) => ({ ...f, fixes: f.fixes.filter(isQuickFix).slice(0, 10) }));
}
