// What mnist-train prints while it trains. Pure string building, so it can be tested.
import { formatDuration } from '../shared/progress';
import type { BatchEvent, EpochEvent, TrainerEvent } from '../shared/protocol';

export function progressBar(fraction: number, width: number): string {
  const filled = Math.round(Math.min(Math.max(fraction, 0), 1) * width);
  return '█'.repeat(filled) + '░'.repeat(width - filled);
}

export function formatBatchLine(b: BatchEvent, etaSec: number): string {
  const width = String(b.batchesPerEpoch).length;
  return (
    `Epoch ${b.epoch}/${b.epochs} ${progressBar(b.batch / b.batchesPerEpoch, 24)} ` +
    `${String(b.batch).padStart(width)}/${b.batchesPerEpoch}  loss ${b.loss.toFixed(4)}  acc ${b.acc.toFixed(4)}  ` +
    `${Math.round(b.samplesPerSecond).toLocaleString('en-US')} samples/s  ETA ${formatDuration(etaSec)}`
  );
}

export function formatEpochLine(e: EpochEvent): string {
  return (
    `Epoch ${e.epoch}/${e.epochs}  loss ${e.loss.toFixed(4)}  acc ${e.acc.toFixed(4)}  ` +
    `val_loss ${e.valLoss.toFixed(4)}  val_acc ${e.valAcc.toFixed(4)}  ` +
    `${e.seconds.toFixed(1)} s  ${Math.round(e.samplesPerSecond).toLocaleString('en-US')} samples/s` +
    (e.learningRate !== undefined ? `  lr ${Number(e.learningRate.toPrecision(3))}` : '')
  );
}

export function formatBytes(n: number): string {
  return n >= 1e6 ? `${(n / 1e6).toFixed(1)} MB` : `${Math.round(n / 1e3)} kB`;
}

/**
 * The trainer's log lines to print for each event. An error line waits for the run's `done`: it
 * usually says what `done` says, which mnist-train prints as "Training failed: …", and the same
 * words twice read as two failures. One that `done` does not repeat (a trainer that died before
 * saying why) is printed then. `verbose` (MNIST_VERBOSE) prints every line as it comes.
 */
export class TrainerLog {
  private held: string[] = [];

  constructor(private readonly verbose: boolean) {}

  lines(e: TrainerEvent): string[] {
    if (e.type === 'log') {
      if (this.verbose) return [`trainer: ${e.message}`];
      if (e.level === 'error') this.held.push(e.message.split('\n')[0]);
      return [];
    }
    if (e.type !== 'done') return [];
    const said = e.message ?? '';
    const unsaid = this.held.filter((line) => !said.includes(line.replace(/^\w*Error: /, '')));
    this.held = [];
    return unsaid.map((line) => `trainer: ${line}`);
  }
}
