// What the window shows as a run starts (the Dashboard, or not) and once it has ended (the words
// of the status bar and the CodeLens). Pure.
import type { DoneEvent, TrainerEvent } from '../../shared/protocol';

export interface RunOutcome {
  status: DoneEvent['status'];
  /** The test accuracy of a completed run, else the last epoch's validation accuracy; absent before the first epoch. */
  accuracy?: number;
  accuracyOf?: 'test' | 'validation';
}

/** From the run's events (`done` last, or given apart when the trainer died without one). */
export function outcomeOf(events: readonly TrainerEvent[], done: DoneEvent): RunOutcome {
  let test: number | undefined;
  let validation: number | undefined;
  for (const e of events) {
    if (e.type === 'evaluation') test = e.testAccuracy;
    else if (e.type === 'epoch') validation = e.valAcc;
  }
  if (done.status === 'completed' && test !== undefined) return { status: done.status, accuracy: test, accuracyOf: 'test' };
  if (validation !== undefined) return { status: done.status, accuracy: validation, accuracyOf: 'validation' };
  return { status: done.status };
}

export function percent(accuracy: number): string {
  return `${(accuracy * 100).toFixed(2)}%`;
}

/** "completed · test accuracy 97.12%", "cancelled · validation accuracy 93.40%", "failed". */
export function outcomeWords(o: RunOutcome): string {
  return o.accuracy === undefined ? o.status : `${o.status} · ${o.accuracyOf} accuracy ${percent(o.accuracy)}`;
}

/** The status bar item after a run: an icon for how it ended and the final accuracy. */
export function statusBarAfterRun(o: RunOutcome): { text: string; tooltip: string } {
  const icon = o.status === 'completed' ? '$(pass)' : o.status === 'cancelled' ? '$(circle-slash)' : '$(error)';
  const shown = o.accuracy === undefined ? o.status : o.status === 'completed' ? percent(o.accuracy) : `${o.status} · ${percent(o.accuracy)}`;
  return { text: `${icon} MNIST ${shown}`, tooltip: `Last run ${outcomeWords(o)}. Click to train again.` };
}

/**
 * Whether a run that starts shows the Dashboard. A sweep shows it for its first run only: someone
 * who turns to the Explorer during a sweep is not pulled back at each of its runs. Pure.
 */
export function revealsDashboard(setting: unknown, sweepIndex: number | undefined): boolean {
  return setting !== 'never' && (sweepIndex === undefined || sweepIndex <= 1);
}
