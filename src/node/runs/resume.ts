// Checkpoints on disk and whether a run can be resumed. Node only, no tensors: the CLI and the
// extension host ask "can this run be resumed?" without loading tfjs.
//
// <runDir>/checkpoints/epoch-<N>/ holds state.json and weights.bin after epoch N. Each is written
// into a temporary folder and renamed into place, so a folder named epoch-N is always whole; the
// older ones are removed after the rename.
import { appendFileSync, existsSync, lstatSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { MnistConfig, Monitor } from '../../shared/config';
import type { EpochEvent, TrainerEvent } from '../../shared/protocol';
import { summarizeRun } from '../../shared/summary';
import { RUN_FILES, readEvents } from './run-folder';
import { readRegularText } from '../files/regular-file';

export const CHECKPOINTS_DIR = 'checkpoints';
export const BEST_MODEL_DIR = 'model-best';
const NAME = /^epoch-(\d+)$/;

/** One tensor inside weights.bin. */
export interface WeightSpec {
  name: string;
  shape: number[];
  dtype: 'float32' | 'int32';
  /** Byte offset in weights.bin. */
  offset: number;
}

export type EpochBody = Omit<EpochEvent, 'time'>;

/** state.json of a checkpoint. */
export interface CheckpointState {
  version: 1;
  /** Epochs finished when it was written. */
  epoch: number;
  epochs: number;
  /** Every epoch so far, so a resumed run can re-emit one its log lacks (a kill between the two writes). */
  history: EpochBody[];
  /** The seeded Math.random's state after this epoch; null if it was not seeded. */
  rngState: number | null;
  model: WeightSpec[];
  /** tfjs optimizer.getWeights(): iterations and slots (Adam's moments); null where tfjs has none. */
  optimizer: { className: string; weights: WeightSpec[] } | null;
  best: { epoch: number; monitor: Monitor; value: number } | null;
  /** The best epoch's weights, kept for restoreBestWeights; null when not needed. */
  bestWeights: WeightSpec[] | null;
  /**
   * model.fit's training order after this epoch (it shuffles one index array in place every
   * epoch), so a resumed run trains on the same batches; null when fit does not shuffle or the
   * batches come from augmentation (whose order depends only on seed and epoch).
   */
  fitOrder?: WeightSpec | null;
  savedAt: string;
}

/** The newest whole checkpoint, or null. */
export function latestCheckpoint(runDir: string): { dir: string; state: CheckpointState } | null {
  const root = join(runDir, CHECKPOINTS_DIR);
  if (!existsSync(root)) return null;
  const epochs = readdirSync(root)
    .map((name) => NAME.exec(name))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => Number(m[1]))
    .sort((a, b) => b - a);
  for (const epoch of epochs) {
    const dir = join(root, `epoch-${epoch}`);
    try {
      const state = JSON.parse(readRegularText(join(dir, 'state.json'), MAX_STATE_BYTES)) as CheckpointState;
      if (state.version === 1 && state.epoch === epoch && weightsWhole(join(dir, 'weights.bin'), state)) return { dir, state };
    } catch {
      // unreadable: try the one before
    }
  }
  return null;
}

/** state.json holds the weight specs and one line per epoch: kilobytes. */
const MAX_STATE_BYTES = 16 * 1024 * 1024;

/** weights.bin is a regular file exactly as long as the tensors state.json places in it (a torn or planted one is not). */
function weightsWhole(file: string, state: CheckpointState): boolean {
  const specs = [...state.model, ...(state.optimizer?.weights ?? []), ...(state.bestWeights ?? []), ...(state.fitOrder ? [state.fitOrder] : [])];
  const end = specs.reduce((max, s) => Math.max(max, s.offset + s.shape.reduce((a, b) => a * b, 1) * 4), 0);
  const info = lstatSync(file);
  return info.isFile() && info.size === end;
}

/** Removes every checkpoint folder but `keep` (and leftovers of interrupted writes). */
export function pruneCheckpoints(runDir: string, keep?: string): void {
  const root = join(runDir, CHECKPOINTS_DIR);
  if (!existsSync(root)) return;
  for (const name of readdirSync(root)) {
    const dir = join(root, name);
    if (dir !== keep) rmSync(dir, { recursive: true, force: true });
  }
  if (keep === undefined) rmSync(root, { recursive: true, force: true });
}

/** Events of the latest attempt: after the last `resume` event, or all of them. */
export function latestAttempt(events: readonly TrainerEvent[]): readonly TrainerEvent[] {
  for (let i = events.length - 1; i >= 0; i--) if (events[i].type === 'resume') return events.slice(i);
  return events;
}

/** Why the run in runDir cannot be resumed, in plain words; null when it can. */
export function resumeProblem(runDir: string): string | null {
  if (!existsSync(join(runDir, RUN_FILES.config))) return `${runDir} is not a run folder (it has no ${RUN_FILES.config})`;
  const done = latestAttempt(readEvents(runDir)).find((e) => e.type === 'done');
  if (!done) {
    return 'its event log has no final event: it is still training, or its trainer was lost without a trace (a power cut); stop it first';
  }
  if (done.type === 'done' && done.status === 'completed') return 'it completed; there is nothing to resume (train again for a new run)';
  if (!latestCheckpoint(runDir)) return 'it ended before its first epoch did, so there is no checkpoint to resume from; train again instead';
  return null;
}

export interface ResumePlan {
  checkpoint: { dir: string; state: CheckpointState };
  /** Epochs the checkpoint has and the event log lacks (a kill between the two writes): emit them first. */
  missing: EpochBody[];
}

/** Checks the run can be resumed and what to continue from; `problem` says why not. Writes nothing then. */
export function prepareResume(runDir: string, config: MnistConfig): { plan: ResumePlan } | { problem: string } {
  const problem = resumeProblem(runDir);
  if (problem) return { problem };
  const checkpoint = latestCheckpoint(runDir)!;
  const logged = summarizeRun(config, readEvents(runDir)).epochsCompleted;
  // A line torn by a crash must not swallow the first event of the resumed run.
  const file = join(runDir, RUN_FILES.events);
  if (existsSync(file) && !readFileSync(file, 'utf8').endsWith('\n')) appendFileSync(file, '\n');
  return { plan: { checkpoint, missing: checkpoint.state.history.filter((e) => e.epoch > logged) } };
}
