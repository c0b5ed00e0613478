// The one place a run is started, for every front end (Train, Resume, Reproduce, sweeps, mnist-train):
// take the runs folder's lock, create or reopen the run folder, fork the trainer with its watchdog,
// and release the lock when the trainer has gone, whatever happened in between.
import type { MnistConfig } from '../../shared/config';
import type { TrainerEvent } from '../../shared/protocol';
import type { RunMeta } from '../../shared/run-record';
import { type TrainerExit, TrainerProcess } from '../processes/trainer-client';
import { createRunDir, readEvents } from './run-folder';
import { updateRunMeta } from './run-listing';
import { type RunsLock, RunsFolderBusy, acquireRunsLock } from './run-lock';

/** Who holds the lock, as another window or terminal is told ("another run is training … (VS Code)"). */
export type LaunchTool = 'VS Code' | 'mnist-train';

export interface LaunchRequest {
  /** dist/trainer.js. */
  trainerPath: string;
  runsFolder: string;
  tool: LaunchTool;
  config: MnistConfig;
  cacheDir: string;
  mirrors?: string[];
  nativeBackendDir?: string;
  /** Continue this cancelled or failed run folder instead of making a new one. */
  resumeDir?: string;
  /** Written to the new run's meta.json before the trainer starts (sweep tag, reproduced run). */
  meta?: RunMeta;
  /** A trainer silent for this long is ended and its run failed; off when 0 or omitted. */
  silenceTimeoutMs?: number;
  execArgv?: string[];
  /** For tests: the node binary to fork with. */
  execPath?: string;
  /** The trainer's environment (process.env when omitted): VS Code's http.proxy as HTTPS_PROXY. */
  env?: NodeJS.ProcessEnv;
  /**
   * A lock the caller already holds for several runs (a sweep): used, never released here.
   * Without one, the run takes the runs folder's lock and releases it when its trainer has gone.
   */
  heldLock?: RunsLock;
}

export interface LaunchedRun {
  runDir: string;
  /** A resumed run's events from its earlier attempts, read before the trainer appends. */
  earlierEvents: TrainerEvent[];
  /** Stop after the current batch (kept as cancelled). */
  stop(): void;
  /** Kill a trainer that does not answer stop; `because` becomes the failed run's message. */
  kill: TrainerProcess['kill'];
  readonly pid: number | undefined;
  /** Resolves once the trainer has gone and the lock (if this run took it) is released. */
  exited: Promise<TrainerExit>;
}

/** The run folder could not be created or reopened; the lock was released. */
export class RunFolderUnavailable extends Error {
  readonly code: string | undefined;
  constructor(readonly runsFolder: string, err: unknown) {
    super(`cannot create a run folder in ${runsFolder} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
    this.code = (err as NodeJS.ErrnoException).code;
    this.name = 'RunFolderUnavailable';
  }
}

/**
 * Starts one run. Throws RunsFolderBusy (another live run holds the lock) or RunFolderUnavailable
 * before any trainer exists; once it returns, the trainer's end, even a failed fork, comes
 * through `exited` and the `done` event, and the lock is released in every case.
 */
export function launchRun(request: LaunchRequest, onEvent: (event: TrainerEvent) => void): LaunchedRun {
  const lock = request.heldLock ?? takeLock(request.runsFolder, request.tool);
  const ownLock = request.heldLock === undefined;
  const release = () => {
    if (ownLock) lock.release();
  };
  let runDir: string;
  let earlierEvents: TrainerEvent[];
  let trainer: TrainerProcess;
  try {
    try {
      runDir = request.resumeDir ?? createRunDir(request.runsFolder, request.config);
      lock.setRunDir(runDir);
      if (request.meta) updateRunMeta(runDir, request.meta);
      earlierEvents = request.resumeDir ? readEvents(runDir) : [];
    } catch (err) {
      throw new RunFolderUnavailable(request.runsFolder, err);
    }
    trainer = new TrainerProcess(
      request.trainerPath,
      {
        type: 'start',
        config: request.config,
        runDir,
        cacheDir: request.cacheDir,
        ...(request.mirrors && request.mirrors.length > 0 ? { mirrors: request.mirrors } : {}),
        ...(request.nativeBackendDir ? { nativeBackendDir: request.nativeBackendDir } : {}),
        ...(request.resumeDir ? { resume: true } : {}),
      },
      {
        ...(request.silenceTimeoutMs ? { silenceTimeoutMs: request.silenceTimeoutMs } : {}),
        ...(request.execArgv ? { execArgv: request.execArgv } : {}),
        ...(request.execPath ? { execPath: request.execPath } : {}),
        ...(request.env ? { env: request.env } : {}),
      },
    );
    trainer.onEvent(onEvent);
  } catch (err) {
    release();
    throw err;
  }
  const exited = trainer.exited.then((exit) => {
    release();
    return exit;
  });
  return {
    runDir,
    earlierEvents,
    stop: () => trainer.stop(),
    kill: (signal, because) => trainer.kill(signal, because),
    get pid() {
      return trainer.pid;
    },
    exited,
  };
}

/** The runs folder's lock; RunsFolderBusy when a live run holds it, RunFolderUnavailable when the folder cannot be used. */
export function takeLock(runsFolder: string, tool: LaunchTool): RunsLock {
  try {
    return acquireRunsLock(runsFolder, tool);
  } catch (err) {
    if (err instanceof RunsFolderBusy) throw err;
    throw new RunFolderUnavailable(runsFolder, err);
  }
}
