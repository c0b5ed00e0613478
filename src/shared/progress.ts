// Time left and durations, as the CLI, the status bar and the webview all show them.
import type { BatchEvent, TrainerEvent } from './protocol';

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
export function etaSeconds(b: BatchEvent, secondsIntoEpoch: number, secondsPerEpoch: number | null): number {
  const epochSeconds = secondsPerEpoch ?? (secondsIntoEpoch * b.batchesPerEpoch) / Math.max(b.batch, 1);
  return epochSeconds * (1 - b.batch / b.batchesPerEpoch) + (b.epochs - b.epoch) * epochSeconds;
}

/** Follows a run's events and answers "how long until it is done". */
export class EtaTracker {
  private epochStart: number | null = null;
  private readonly epochSeconds: number[] = [];

  /** Feed every event in order; returns the ETA in seconds after a batch event, else null. */
  update(e: TrainerEvent): number | null {
    if (e.type === 'samples' || (e.type === 'model' && this.epochStart === null)) this.epochStart = e.time;
    if (e.type === 'epoch') this.epochSeconds.push(e.seconds);
    if (e.type !== 'batch' || this.epochStart === null) return null;
    const mean = this.epochSeconds.length ? this.epochSeconds.reduce((a, b) => a + b, 0) / this.epochSeconds.length : null;
    return etaSeconds(e, (e.time - this.epochStart) / 1000, mean);
  }
}
