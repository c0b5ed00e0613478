// The CodeLens line above a config: what it shows for a training state. Pure.
import { outcomeWords, type RunOutcome } from '../session/run-outcome';

export interface TrainingState {
  readonly running: boolean;
  /** "Epoch 2/5 · acc 0.9312 · ETA 0:41" while training. */
  readonly progress: string | undefined;
  readonly state?: 'idle' | 'training' | 'stopping';
}

export interface LensItem {
  title: string;
  /** '' for a lens that only shows text. */
  command: string;
  tooltip?: string;
  /** The config file's Uri goes in as the argument. */
  withConfig: boolean;
}

/** `last`: how the window's last run ended, once it has (until the next starts). */
export function lensItems(status: TrainingState, last?: RunOutcome): LensItem[] {
  if (!status.running && last) {
    return [
      { title: '▶ Train again', command: 'mnist.train', tooltip: 'Train the model this file describes (MNIST: Train)', withConfig: true },
      { title: `Last run ${outcomeWords(last)}`, command: '', withConfig: false },
    ];
  }
  if (!status.running) {
    return [{ title: '▶ Train', command: 'mnist.train', tooltip: 'Train the model this file describes (MNIST: Train)', withConfig: true }];
  }
  const items: LensItem[] =
    status.state === 'stopping'
      ? [{ title: 'Stopping after the current batch…', command: '', withConfig: false }]
      : [{ title: '■ Stop', command: 'mnist.stop', tooltip: 'Stop training after the current batch (MNIST: Stop Training)', withConfig: false }];
  items.push({ title: status.progress ?? 'Starting…', command: '', withConfig: false });
  return items;
}
