// One run folder as the run history, comparison and report see it: whatever the folder holds,
// normalised so a folder from an older version, or one half-written by a crash, still reads.
// Pure: the files' contents come in as parsed values (src/trainer/run-history.ts reads them).
import { applyDefaults, type MnistConfig, type MnistConfigInput, presetOf } from './config';
import type { DatasetChecksums, RunProvenance, RunSummary, TrainerEvent } from './protocol';
import { provenanceOf } from './provenance';
import { summarizeRun } from './summary';

/** How a run ended, `running` while a trainer still writes it, `damaged` when its folder cannot be read as a run. */
export type RunState = 'completed' | 'cancelled' | 'failed' | 'running' | 'damaged';

/** meta.json in a run folder: what the user and the sweep runner add; never read by the trainer. */
export interface RunMeta {
  /** The user's name for the run (Rename); the folder keeps its id. */
  name?: string;
  /** Set on each run of a sweep. */
  sweep?: SweepTag;
  /** The id of the run this one reproduces (Reproduce Run). */
  reproduces?: string;
}

export interface SweepTag {
  /** Shared by every run of one sweep, e.g. "sweep-2026-11-26_12-30-05". */
  id: string;
  /** The experiment's name, e.g. "preset=cnn". */
  experiment: string;
  /** 1-based position in the queue, and the queue's length. */
  index: number;
  total: number;
  /** The config paths the experiment set, and their values. */
  overrides: Record<string, unknown>;
}

export interface RunHistory {
  loss: number[];
  acc: number[];
  valLoss: number[];
  valAcc: number[];
}

export interface RunRecord {
  /** The folder's name. */
  id: string;
  dir: string;
  /** What the Runs view shows: the user's name, else the sweep experiment's, else the id. */
  label: string;
  meta: RunMeta;
  state: RunState;
  /** For cancelled/failed: what happened. */
  message?: string;
  /** The resolved config (defaults filled in for fields an older version did not write); null if unreadable. */
  config: MnistConfig | null;
  dataset: string;
  model: string;
  backend: string | null;
  testAccuracy: number | null;
  testLoss: number | null;
  epochs: number | null;
  epochsCompleted: number;
  fitSeconds: number | null;
  samplesPerSecond: number | null;
  /** ms since the epoch; null when nothing says. */
  startedAt: number | null;
  endedAt: number | null;
  /** Last write to the folder's files, ms. */
  modified: number;
  history: RunHistory;
  confusionMatrix: number[][] | null;
  /** The `dataset` event's counts and source; null when the events were not read or have none. */
  datasetInfo: { train: number; validation: number; test: number; source: string } | null;
  /** How the run was made; from summary.json, else from the events; null when neither says. */
  provenance: RunProvenance | null;
  /** The summary as read (normalised), or folded from the events when summary.json is missing. */
  summary: RunSummary | null;
  /** What was missing or broken, in plain words (for the tooltip). */
  problems: string[];
}

/** What a run folder holds, parsed; `undefined` for a missing file, `null` for one that is not JSON. */
export interface RunFolderContents {
  dir: string;
  id: string;
  config: unknown;
  summary: unknown;
  meta: unknown;
  /** events.jsonl's readable lines; undefined when it was not read (summary.json was enough) or is missing. */
  events?: TrainerEvent[];
  /** Last write to the folder's files, ms; decides whether a run without a final event is still going. */
  modified: number;
}


/** "cnn", or the layer stack in short: "Flatten → Dense 128 → Dense 10". */
export function describeModel(config: Pick<MnistConfig, 'model'> | null | undefined): string {
  const layers = config?.model?.layers;
  if (!config || !Array.isArray(layers)) return 'unknown model';
  const preset = presetOf(config);
  if (preset) return preset;
  return layers
    .map((l) => {
      switch (l?.type) {
        case 'dense':
          return `Dense ${l.units}`;
        case 'conv2d':
          return `Conv2D ${l.filters}`;
        case 'dropout':
          return `Dropout ${l.rate}`;
        case 'maxPooling2d':
          return 'MaxPool';
        case 'flatten':
          return 'Flatten';
        case 'batchNormalization':
          return 'BatchNorm';
        default:
          return String((l as { type?: unknown })?.type ?? '?');
      }
    })
    .join(' → ');
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const str = (v: unknown): string | null => (typeof v === 'string' && v.length > 0 ? v : null);
const numbers = (v: unknown): number[] | null => (Array.isArray(v) && v.every((x) => typeof x === 'number') ? (v as number[]) : null);
const time = (v: unknown): number | null => {
  const t = typeof v === 'string' ? Date.parse(v) : NaN;
  return Number.isFinite(t) ? t : null;
};

/**
 * A name usable as one path segment: letters, digits, '.', '_' and '-', not starting with a dot, at
 * most 100 characters. Names read from meta.json (a sweep id names its report file) must be one.
 */
export function isPlainName(s: string): boolean {
  return /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/.test(s);
}

export function parseRunMeta(v: unknown): RunMeta {
  if (!isRecord(v)) return {};
  const meta: RunMeta = {};
  const name = str(v.name)?.trim();
  if (name) meta.name = name;
  if (str(v.reproduces)) meta.reproduces = v.reproduces as string;
  const s = v.sweep;
  if (isRecord(s) && str(s.id) && isPlainName(s.id as string)) {
    meta.sweep = {
      id: s.id as string,
      experiment: str(s.experiment) ?? '',
      index: num(s.index) ?? 0,
      total: num(s.total) ?? 0,
      overrides: isRecord(s.overrides) ? s.overrides : {},
    };
  }
  return meta;
}

function parseProvenance(v: unknown): RunProvenance | null {
  if (!isRecord(v)) return null;
  const ds = isRecord(v.dataset) ? v.dataset : null;
  return {
    seed: num(v.seed),
    backend: str(v.backend),
    threads: num(v.threads),
    tfjsVersion: str(v.tfjsVersion),
    nodeVersion: str(v.nodeVersion),
    configHash: str(v.configHash),
    dataset: ds ? { name: str(ds.name) ?? '', source: str(ds.source) ?? '', checksums: isRecord(ds.checksums) ? (ds.checksums as DatasetChecksums) : null } : null,
  };
}

/** config.json with the defaults of this version filled in: an older run's config lacks newer fields. */
export function resolveStoredConfig(raw: unknown): MnistConfig | null {
  if (!isRecord(raw)) return null;
  // Sections of the wrong kind mean this is not a config; defaults must not pass for it.
  if (['data', 'model', 'training'].some((k) => raw[k] !== undefined && raw[k] !== null && !isRecord(raw[k]))) return null;
  const layers = isRecord(raw.model) ? raw.model.layers : undefined;
  if (layers !== undefined && !(Array.isArray(layers) && layers.every(isRecord))) return null;
  try {
    const config = applyDefaults(raw as MnistConfigInput);
    return Array.isArray(config.model.layers) ? config : null;
  } catch {
    return null;
  }
}

/** Reads what the folder holds into a RunRecord. `live` is what the caller knows (the host's own run). */
export function toRunRecord(c: RunFolderContents, opts: { live?: boolean } = {}): RunRecord {
  const problems: string[] = [];
  const meta = parseRunMeta(c.meta);
  if (c.meta === null) problems.push('meta.json is not valid JSON; its name and sweep tag are ignored');
  const config = resolveStoredConfig(c.config);
  if (c.config === undefined) problems.push('config.json is missing');
  else if (!config) problems.push('config.json is not a readable config');

  const s = isRecord(c.summary) ? c.summary : null;
  if (c.summary === undefined) problems.push('summary.json is missing; figures come from events.jsonl');
  else if (!s) problems.push('summary.json is not valid JSON; figures come from events.jsonl');
  const events = c.events ?? [];
  // The fold over events fills what summary.json lacks; it needs a config, so the defaults stand in.
  let folded: RunSummary | null = null;
  if (events.length > 0) {
    try {
      folded = summarizeRun(config ?? applyDefaults({}), events);
    } catch {
      folded = null;
    }
  }
  const hasDone = events.some((e) => e.type === 'done');

  let state: RunState;
  let message: string | undefined;
  const status = s?.status;
  if (status === 'completed' || status === 'cancelled' || status === 'failed') {
    state = status;
    message = str(s?.message) ?? undefined;
  } else if (opts.live) {
    state = 'running';
  } else if (hasDone && folded) {
    state = folded.status;
    message = folded.message;
  } else {
    state = 'failed';
    message = 'the run ended without a final event (the trainer was stopped or crashed)';
  }
  if (opts.live) state = 'running';

  const pick = <T>(from: (x: Record<string, unknown>) => T | null, fallback: T): T => (s ? from(s) : null) ?? fallback;
  const hs = isRecord(s?.history) ? (s!.history as Record<string, unknown>) : null;
  const history: RunHistory = {
    loss: numbers(hs?.loss) ?? folded?.history.loss ?? [],
    acc: numbers(hs?.acc) ?? folded?.history.acc ?? [],
    valLoss: numbers(hs?.valLoss) ?? folded?.history.valLoss ?? [],
    valAcc: numbers(hs?.valAcc) ?? folded?.history.valAcc ?? [],
  };
  const confusion = s && Array.isArray(s.confusionMatrix) && s.confusionMatrix.every((r) => numbers(r)) ? (s.confusionMatrix as number[][]) : folded?.confusionMatrix ?? null;
  const startedAt = pick((x) => time(x.startedAt), events.length ? events[0].time : null);
  const endedAt = state === 'running' ? null : pick((x) => time(x.endedAt), hasDone ? events[events.length - 1].time : null);
  const summary: RunSummary | null = s ? ({ ...(folded ?? {}), ...s } as RunSummary) : folded;
  const ds = [...events].reverse().find((e) => e.type === 'dataset');

  return {
    id: c.id,
    dir: c.dir,
    label: meta.name ?? (meta.sweep?.experiment || c.id),
    meta,
    state,
    ...(message !== undefined ? { message } : {}),
    config,
    dataset: pick((x) => str(x.dataset), folded?.dataset ?? config?.dataset ?? 'unknown'),
    model: describeModel(config),
    backend: pick((x) => str(x.backend), folded && folded.backend !== 'unknown' ? folded.backend : null),
    testAccuracy: pick((x) => num(x.testAccuracy), folded?.testAccuracy ?? null),
    testLoss: pick((x) => num(x.testLoss), folded?.testLoss ?? null),
    epochs: pick((x) => num(x.epochs), config?.training.epochs ?? null),
    epochsCompleted: pick((x) => num(x.epochsCompleted), history.valAcc.length),
    fitSeconds: pick((x) => num(x.fitSeconds), folded?.fitSeconds ?? null),
    samplesPerSecond: pick((x) => num(x.trainSamplesPerSecond), folded?.trainSamplesPerSecond ?? null),
    startedAt,
    endedAt,
    modified: c.modified,
    history,
    confusionMatrix: confusion,
    provenance: parseProvenance(s?.provenance) ?? (events.length > 0 ? provenanceOf(config, events) : null),
    datasetInfo: ds?.type === 'dataset' ? { train: ds.train, validation: ds.validation, test: ds.test, source: ds.source } : null,
    summary,
    problems,
  };
}

/** A folder listed for what it is, without reading it: a symbolic link, or one whose reading failed. */
export function damagedRunRecord(dir: string, id: string, problem: string, modified: number): RunRecord {
  return {
    id,
    dir,
    label: id,
    meta: {},
    state: 'damaged',
    message: problem,
    config: null,
    dataset: 'unknown',
    model: 'unknown model',
    backend: null,
    testAccuracy: null,
    testLoss: null,
    epochs: null,
    epochsCompleted: 0,
    fitSeconds: null,
    samplesPerSecond: null,
    startedAt: null,
    endedAt: null,
    modified,
    history: { loss: [], acc: [], valLoss: [], valAcc: [] },
    confusionMatrix: null,
    datasetInfo: null,
    provenance: null,
    summary: null,
    problems: [problem],
  };
}

/** Newest first: by start time where known, else by when the folder was written, then by id. */
export function sortNewestFirst(runs: RunRecord[]): RunRecord[] {
  const key = (r: RunRecord) => r.startedAt ?? r.modified;
  return runs.sort((a, b) => key(b) - key(a) || b.id.localeCompare(a.id));
}

/** Wall-clock seconds from the first event to the last, else the fit time. */
export function durationSeconds(r: RunRecord): number | null {
  if (r.startedAt !== null && r.endedAt !== null && r.endedAt >= r.startedAt) return (r.endedAt - r.startedAt) / 1000;
  return r.fitSeconds;
}
