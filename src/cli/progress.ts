// What mnist-train prints while it trains. Pure string building, so it can be tested.
import type { BatchEvent, EpochEvent } from '../shared/protocol';

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '--:--';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/**
 * Seconds left in the whole fit: from the mean of finished epochs when there are some, else
 * from this epoch's pace so far.
 */
export function etaSeconds(b: BatchEvent, epochs: number, secondsIntoEpoch: number, secondsPerEpoch: number | null): number {
  const epochSeconds = secondsPerEpoch ?? (secondsIntoEpoch * b.batchesPerEpoch) / Math.max(b.batch, 1);
  return epochSeconds * (1 - b.batch / b.batchesPerEpoch) + (epochs - b.epoch) * epochSeconds;
}

export function progressBar(fraction: number, width: number): string {
  const filled = Math.round(Math.min(Math.max(fraction, 0), 1) * width);
  return '█'.repeat(filled) + '░'.repeat(width - filled);
}

export function formatBatchLine(b: BatchEvent, epochs: number, etaSec: number): string {
  const width = String(b.batchesPerEpoch).length;
  return (
    `Epoch ${b.epoch}/${epochs} ${progressBar(b.batch / b.batchesPerEpoch, 24)} ` +
    `${String(b.batch).padStart(width)}/${b.batchesPerEpoch}  loss ${b.loss.toFixed(4)}  acc ${b.acc.toFixed(4)}  ` +
    `${Math.round(b.samplesPerSecond).toLocaleString('en-US')} samples/s  ETA ${formatDuration(etaSec)}`
  );
}

export function formatEpochLine(e: EpochEvent): string {
  return (
    `Epoch ${e.epoch}/${e.epochs}  loss ${e.loss.toFixed(4)}  acc ${e.acc.toFixed(4)}  ` +
    `val_loss ${e.valLoss.toFixed(4)}  val_acc ${e.valAcc.toFixed(4)}  ` +
    `${e.seconds.toFixed(1)} s  ${Math.round(e.samplesPerSecond).toLocaleString('en-US')} samples/s`
  );
}

export function formatBytes(n: number): string {
  return n >= 1e6 ? `${(n / 1e6).toFixed(1)} MB` : `${Math.round(n / 1e3)} kB`;
}
