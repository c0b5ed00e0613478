// The line mnist-train prints after a completed run, from summary.json read with care: the file may
// be missing (a full disk after training), damaged, or not what a run writes.
import { join } from 'node:path';
import { formatDuration } from '../shared/progress';
import { readRegularText } from '../node/files/regular-file';

/** summary.json is a few KB (a 10×10 matrix, one number per epoch); 4 MB is far beyond any real one. */
const MAX_SUMMARY_BYTES = 4 * 1024 * 1024;

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** "Test accuracy 0.9712 (loss 0.0950) after 5 epochs, …", or a line saying why summary.json gave none. */
export function completedSummaryLine(runDir: string): string {
  const file = join(runDir, 'summary.json');
  let value: unknown;
  try {
    value = JSON.parse(readRegularText(file, MAX_SUMMARY_BYTES));
  } catch (err) {
    const why = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'it is missing' : (err as Error).message;
    return `Completed; no results to show from ${file} (${why}). The run's events.jsonl has them.`;
  }
  const s = (typeof value === 'object' && value !== null && !Array.isArray(value) ? value : {}) as Record<string, unknown>;
  const [acc, loss, epochs, rate, seconds] = [s.testAccuracy, s.testLoss, s.epochsCompleted, s.trainSamplesPerSecond, s.fitSeconds].map(num);
  if (acc === null || loss === null || epochs === null) {
    return `Completed; ${file} does not hold a run's test results (testAccuracy, testLoss, epochsCompleted). The run's events.jsonl has them.`;
  }
  const speed = rate === null ? '' : `, ${Math.round(rate).toLocaleString('en-US')} samples/s`;
  const time = seconds === null ? '' : `, ${formatDuration(seconds)} of training`;
  return `Test accuracy ${acc.toFixed(4)} (loss ${loss.toFixed(4)}) after ${epochs} epochs${speed}${time}`;
}
