// Sweeps: "experiments" in mnist.config.json expanded into configs, and the queue that trains them
// one after another. Pure: the extension host and the CLI each give the queue their way to run one.
import { type MnistConfig, type MnistConfigInput, PRESET_LAYERS, PRESETS, type PresetName, formatPath } from './config';
import type { RunStatus } from './protocol';
import { isRecord } from './run-record';
import { normaliseKerasNames } from './keras-aliases';
import { formatIssue, validateConfig } from './validate';

/** One named experiment: config paths and the values they take, e.g. { "training.learningRate": 0.01 }. */
export interface ExperimentInput {
  name?: string;
  set: Record<string, unknown>;
}
/** Every combination of the listed values, first path outermost. */
export interface GridInput {
  grid: Record<string, unknown[]>;
}
export type ExperimentsInput = ExperimentInput[] | GridInput;

export interface SweepItem {
  name: string;
  overrides: Record<string, unknown>;
  /** The base config with the overrides applied and `experiments` removed; not yet validated. */
  config: MnistConfigInput;
}

export interface PlannedRun {
  name: string;
  overrides: Record<string, unknown>;
  config: MnistConfig;
}

/** The experiments are malformed: a path that is not one, an empty grid. */
export class SweepError extends Error {}

/** More runs than this in one sweep is almost certainly a mistake in the grid. */
export const MAX_SWEEP_RUNS = 100;

/** "model.layers[1].units" → ["model", "layers", 1, "units"]. */
export function parseConfigPath(path: string): (string | number)[] {
  const out: (string | number)[] = [];
  const re = /([A-Za-z_$][\w$]*)|\[(\d+)\]|(\.)/gy;
  let expectName = true;
  let m: RegExpExecArray | null;
  let at = 0;
  while (at < path.length && (m = re.exec(path))) {
    at = re.lastIndex;
    if (m[1] !== undefined) {
      if (!expectName) throw new SweepError(`"${path}" is not a config path; write it like "training.learningRate" or "model.layers[1].units"`);
      out.push(m[1]);
      expectName = false;
    } else if (m[2] !== undefined) {
      if (expectName) throw new SweepError(`"${path}" is not a config path; write it like "training.learningRate" or "model.layers[1].units"`);
      out.push(Number(m[2]));
    } else {
      if (expectName) throw new SweepError(`"${path}" is not a config path; write it like "training.learningRate" or "model.layers[1].units"`);
      expectName = true;
    }
  }
  if (at !== path.length || expectName || out.length === 0) {
    throw new SweepError(`"${path}" is not a config path; write it like "training.learningRate" or "model.layers[1].units"`);
  }
  return out;
}

function clone<T>(v: T): T {
  return v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T);
}

/**
 * The base config with each override set. `model.preset` replaces the layers (layers would win
 * over it); a change inside `model.layers` of a preset config first writes the preset's layers out.
 */
export function applyOverrides(base: MnistConfigInput, overrides: Record<string, unknown>): MnistConfigInput {
  const config = clone(base) as Record<string, unknown>;
  delete config.experiments;
  for (const [path, value] of Object.entries(overrides)) {
    const keys = parseConfigPath(path);
    if (keys[0] === 'model') {
      const model = (isRecord(config.model) ? config.model : (config.model = {})) as Record<string, unknown>;
      if (keys.length === 2 && keys[1] === 'preset') delete model.layers;
      if (keys[1] === 'layers') {
        const preset = model.preset as PresetName | undefined;
        if (!Array.isArray(model.layers)) model.layers = clone(PRESET_LAYERS[preset && PRESETS.includes(preset) ? preset : 'mlp']);
        delete model.preset;
      }
    }
    let node: Record<string, unknown> | unknown[] = config;
    for (let i = 0; i < keys.length - 1; i++) {
      const k = keys[i];
      const next: unknown = (node as Record<string | number, unknown>)[k];
      if (typeof keys[i + 1] === 'number') {
        if (!Array.isArray(next) || (keys[i + 1] as number) >= next.length) {
          const n = Array.isArray(next) ? next.length : 0;
          throw new SweepError(`${path}: ${formatPath(keys.slice(0, i + 1))} has ${n} item${n === 1 ? '' : 's'}, so there is no [${keys[i + 1]}]`);
        }
        node = next;
      } else {
        if (!isRecord(next)) (node as Record<string | number, unknown>)[k] = {};
        node = (node as Record<string | number, unknown>)[k] as Record<string, unknown>;
      }
    }
    (node as Record<string | number, unknown>)[keys[keys.length - 1]] = clone(value);
  }
  return config as MnistConfigInput;
}

function shortName(path: string, all: readonly string[]): string {
  const last = path.split('.').pop()!;
  return all.filter((p) => p.split('.').pop() === last).length > 1 ? path : last;
}

function showOverride(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/** "learningRate=0.01, preset=cnn": a name from the values an experiment sets. */
export function nameOf(overrides: Record<string, unknown>): string {
  const paths = Object.keys(overrides);
  return paths.map((p) => `${shortName(p, paths)}=${showOverride(overrides[p])}`).join(', ') || 'base config';
}

/** Every combination of the grid's values, first path outermost. */
export function gridCombinations(grid: Record<string, readonly unknown[]>): Record<string, unknown>[] {
  let combos: Record<string, unknown>[] = [{}];
  let count = 1;
  for (const [path, values] of Object.entries(grid)) {
    if (!Array.isArray(values) || values.length === 0) throw new SweepError(`experiments.grid["${path}"]: give a list of at least one value, e.g. [0.01, 0.001]`);
    count *= values.length;
  }
  // Counted first: ten paths of ten values would be 10¹⁰ configs in memory before the limit is checked.
  if (count > MAX_SWEEP_RUNS) throw new SweepError(`experiments would train ${count.toLocaleString('en-US')} runs; at most ${MAX_SWEEP_RUNS} in one sweep`);
  for (const [path, values] of Object.entries(grid)) {
    combos = combos.flatMap((c) => values.map((v) => ({ ...c, [path]: v })));
  }
  return combos;
}

/** The experiments of a config as runs, in queue order; [] when it has none. Throws SweepError for malformed ones. */
export function expandSweep(config: MnistConfigInput): SweepItem[] {
  const exp = config.experiments;
  if (exp === undefined || exp === null) return [];
  let named: { name: string; overrides: Record<string, unknown> }[];
  if (Array.isArray(exp)) {
    named = exp.map((e, i) => {
      if (!isRecord(e) || !isRecord(e.set)) throw new SweepError(`experiments[${i}]: write { "name": "…", "set": { "training.learningRate": 0.01 } }`);
      const name = typeof e.name === 'string' && e.name.trim() ? e.name.trim() : nameOf(e.set);
      return { name, overrides: e.set };
    });
  } else if (isRecord(exp) && isRecord(exp.grid)) {
    if (Object.keys(exp.grid).length === 0) throw new SweepError('experiments.grid is empty; give at least one config path and its values');
    named = gridCombinations(exp.grid).map((o) => ({ name: nameOf(o), overrides: o }));
  } else {
    throw new SweepError('experiments: write a list of { "name", "set" } objects, or { "grid": { "path": [values…] } }');
  }
  if (named.length === 0) throw new SweepError('experiments is empty; add at least one experiment');
  if (named.length > MAX_SWEEP_RUNS) throw new SweepError(`experiments would train ${named.length} runs; at most ${MAX_SWEEP_RUNS} in one sweep`);
  // Names label runs and report rows, so they must differ.
  const seen = new Map<string, number>();
  return named.map(({ name, overrides }) => {
    const n = (seen.get(name) ?? 0) + 1;
    seen.set(name, n);
    return { name: n > 1 ? `${name} (${n})` : name, overrides, config: applyOverrides(config, overrides) };
  });
}

/**
 * expandSweep, then each run's config validated as if it were its own file. Nothing is trained
 * unless every run is valid, so a typo in the last experiment does not surface an hour in.
 */
export function planSweep(value: unknown, fileName = 'mnist.config.json'): { runs: PlannedRun[]; errors: string[] } {
  if (!isRecord(value)) return { runs: [], errors: [`${fileName}: the config must be a JSON object`] };
  // A mistake in the base config is said once, not once per run.
  const base = validateConfig(value).issues.filter((i) => i.severity === 'error');
  if (base.length > 0) return { runs: [], errors: base.map((i) => formatIssue(i, fileName)) };
  let items: SweepItem[];
  try {
    // On the config's own names: an experiment's "training.learningRate" must replace a written learning_rate.
    items = expandSweep(normaliseKerasNames(value).value as MnistConfigInput);
  } catch (err) {
    if (err instanceof SweepError) return { runs: [], errors: [`${fileName}: ${err.message}`] };
    throw err;
  }
  if (items.length === 0) {
    return { runs: [], errors: [`${fileName} has no "experiments"; add e.g. "experiments": { "grid": { "model.preset": ["mlp", "mlp-dropout", "cnn"] } }`] };
  }
  const runs: PlannedRun[] = [];
  const errors: string[] = [];
  for (const item of items) {
    const { config, issues } = validateConfig(item.config);
    const bad = issues.filter((i) => i.severity === 'error');
    if (!config || bad.length > 0) errors.push(...bad.map((i) => `experiment "${item.name}": ${formatIssue(i)}`));
    else runs.push({ name: item.name, overrides: item.overrides, config });
  }
  return { runs: errors.length ? [] : runs, errors };
}

/** "sweep-2026-11-26_12-30-05": shared by the sweep's runs (meta.json) and its report. */
export function sweepId(date: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `sweep-${date.getFullYear()}-${p(date.getMonth() + 1)}-${p(date.getDate())}_${p(date.getHours())}-${p(date.getMinutes())}-${p(date.getSeconds())}`;
}

// ---------------------------------------------------------------- the queue

export type SweepRunStatus = RunStatus | 'skipped';

export interface SweepRunResult {
  name: string;
  status: SweepRunStatus;
  runDir?: string;
  message?: string;
}

/** Given to the function that trains one run, so the queue can stop it. */
export interface RunStopper {
  /** Called (once) when the queue is stopped while this run trains. */
  onStop(stop: () => void): void;
}

/** Trains one planned run to its end. A thrown error counts as a failed run. */
export type RunOne = (run: PlannedRun, index: number, stopper: RunStopper) => Promise<{ status: RunStatus; runDir?: string; message?: string }>;

export interface SweepProgress {
  /** 0-based index of the run that started or ended. */
  index: number;
  total: number;
  phase: 'started' | 'ended';
  name: string;
  result?: SweepRunResult;
  completed: number;
  failed: number;
  cancelled: number;
}

export interface SweepOutcome {
  results: SweepRunResult[];
  /** True when stop() ended the sweep early. */
  stopped: boolean;
}

/** Trains the runs one after another; a failed run does not stop the rest; stop() ends the current run and skips the others. */
export class SweepQueue {
  private stopRequested = false;
  private stopCurrent: (() => void) | undefined;
  private readonly listeners: ((p: SweepProgress) => void)[] = [];
  readonly results: SweepRunResult[];

  constructor(readonly runs: readonly PlannedRun[], private readonly runOne: RunOne) {
    this.results = runs.map((r) => ({ name: r.name, status: 'skipped' }));
  }

  get stopped(): boolean {
    return this.stopRequested;
  }

  onProgress(listener: (p: SweepProgress) => void): void {
    this.listeners.push(listener);
  }

  stop(): void {
    if (this.stopRequested) return;
    this.stopRequested = true;
    const stop = this.stopCurrent;
    this.stopCurrent = undefined;
    stop?.();
  }

  async run(): Promise<SweepOutcome> {
    for (let i = 0; i < this.runs.length && !this.stopRequested; i++) {
      const run = this.runs[i];
      this.emit(i, 'started');
      let result: SweepRunResult;
      try {
        const stopper: RunStopper = {
          onStop: (stop) => {
            if (this.stopRequested) stop();
            else this.stopCurrent = stop;
          },
        };
        const r = await this.runOne(run, i, stopper);
        result = { name: run.name, ...r };
      } catch (err) {
        result = { name: run.name, status: 'failed', message: err instanceof Error ? err.message : String(err) };
      }
      this.stopCurrent = undefined;
      this.results[i] = result;
      this.emit(i, 'ended', result);
    }
    return { results: this.results, stopped: this.stopRequested };
  }

  private emit(index: number, phase: SweepProgress['phase'], result?: SweepRunResult): void {
    const count = (s: SweepRunStatus) => this.results.slice(0, phase === 'ended' ? index + 1 : index).filter((r) => r.status === s).length;
    const p: SweepProgress = {
      index,
      total: this.runs.length,
      phase,
      name: this.runs[index].name,
      ...(result ? { result } : {}),
      completed: count('completed'),
      failed: count('failed'),
      cancelled: count('cancelled'),
    };
    for (const l of this.listeners) l(p);
  }
}

/** "2 of 3 completed, 1 failed (lr=0.1: …)": the end of a sweep in one line. */
export function describeOutcome(o: SweepOutcome): string {
  const n = o.results.length;
  const by = (s: SweepRunStatus) => o.results.filter((r) => r.status === s);
  const parts = [`${by('completed').length} of ${n} completed`];
  if (by('failed').length) parts.push(`${by('failed').length} failed (${by('failed').map((r) => r.name).join(', ')})`);
  if (by('cancelled').length) parts.push(`${by('cancelled').length} cancelled`);
  if (by('skipped').length) parts.push(`${by('skipped').length} not started`);
  return parts.join(', ') + (o.stopped ? '; the sweep was stopped' : '');
}
