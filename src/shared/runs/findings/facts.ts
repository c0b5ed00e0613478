// What the findings read from a run's event log: its epochs (a resumed run as one history, as
// summary.json counts it), how it ended, early stopping and the test evaluation.
import type { RunStatus, TrainerEvent } from '../../protocol';

/** One finished epoch's metrics (what an `epoch` event carries, and what the Dashboard folds). */
export interface EpochPoint {
  epoch: number;
  loss: number;
  acc: number;
  valLoss: number;
  valAcc: number;
  learningRate?: number;
}

/** What the findings read; the Dashboard builds it from its folded state, the rest from events. */
export interface RunFacts {
  epochs: EpochPoint[];
  /** The run's planned epochs, from its epoch events; 0 before the first. */
  plannedEpochs: number;
  earlyStop: { restoredBestWeights: boolean } | null;
  evaluation: { testAccuracy: number; perClassAccuracy: number[]; confusionMatrix: number[][] } | null;
  /** The dataset's class names; null when the log does not say (digits 0–9 then). */
  classNames: string[] | null;
  /** 'running' while there is no `done` event (a live run, or one whose trainer died). */
  status: RunStatus | 'running';
}

export function runFacts(events: readonly TrainerEvent[]): RunFacts {
  let epochs: EpochPoint[] = [];
  const f: RunFacts = { epochs, plannedEpochs: 0, earlyStop: null, evaluation: null, classNames: null, status: 'running' };
  for (const e of events) {
    switch (e.type) {
      case 'dataset':
        f.classNames = e.classNames;
        break;
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
