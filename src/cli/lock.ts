// The runs folder's lock for a CLI sweep, held across its runs (a single run's lock is launchRun's).
import { type RunsLock, RunsFolderBusy, acquireRunsLock } from '../node/runs/run-lock';
import { UsageError } from './args';

/**
 * Takes the runs folder's lock, held until the trainer has exited and released on any exit of this
 * process too. RunsFolderBusy when another run trains there: main exits 75, sysexits' EX_TEMPFAIL (try later).
 */
export function takeRunsLock(runsDir: string, flag: string): RunsLock {
  let lock: RunsLock;
  try {
    lock = acquireRunsLock(runsDir, 'mnist-train');
  } catch (err) {
    if (err instanceof RunsFolderBusy) throw err;
    throw new UsageError(`--out ${flag}: cannot use it as the runs folder (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  process.on('exit', () => lock.release());
  return lock;
}
