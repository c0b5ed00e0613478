// What the findings read from a run's event log: its epochs (a resumed run as one history, as
// summary.json counts it), how it ended, early stopping and the test evaluation.
import type { EarlyStopEvent, EpochEvent, EvaluationEvent, RunStatus, TrainerEvent } from '../../protocol';

export interface RunFacts {
  epochs: EpochEvent[];
  /** The run's planned epochs, from its epoch events; 0 before the first. */
  plannedEpochs: number;
  earlyStop: EarlyStopEvent | null;
  evaluation: EvaluationEvent | null;
  /** 'running' while there is no `done` event (a live run, or one whose trainer died). */
  status: RunStatus | 'running';
}

export function runFacts(events: readonly TrainerEvent[]): RunFacts {
  let epochs: EpochEvent[] = [];
  const f: RunFacts = { epochs, plannedEpochs: 0, earlyStop: null, evaluation: null, status: 'running' };
  for (const e of events) {
    switch (e.type) {
      case 'epoch':
        while (epochs.length > 0 && epochs[epochs.length - 1].epoch >= e.epoch) epochs.pop();
        epochs.push(e);
        f.plannedEpochs = e.epochs;
        break;
      case 'resume':
        epochs = epochs.filter((p) => p.epoch <= e.epoch);
        f.status = 'running';
        f.earlyStop = null;
        break;
      case 'earlyStop':
        f.earlyStop = e;
        break;
      case 'evaluation':
        f.evaluation = e;
        break;
      case 'done':
        f.status = e.status;
        break;
      default:
        break;
    }
  }
  f.epochs = epochs;
  return f;
}
