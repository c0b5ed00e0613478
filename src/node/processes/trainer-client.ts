// The parent's side of the trainer process, shared by the CLI and the extension host. No tfjs here.
import { type ChildProcess, fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { DoneEvent, StartCommand, TrainerCommand, TrainerEvent } from '../../shared/protocol';
import { finishAbandonedRun } from '../runs/run-folder';
import { trainerExecArgv } from './wasm-features';

export interface TrainerExit {
  /** The run's final event: the trainer's own, or one written for it if it died. */
  done: DoneEvent;
  code: number | null;
  signal: NodeJS.Signals | null;
}

const STDERR_TAIL = 4000;

/** Why a run failed, in plain words, and what the user can do. */
export interface Failure {
  message: string;
  hint: string;
}

export interface TrainerProcessOptions {
  execArgv?: string[];
  /** The node binary to fork with (default: this process's). */
  execPath?: string;
  /**
   * A trainer that sends no event for this long is taken as hung: it is killed and the run is
   * failed. Batches, downloads and evaluation all report well within a minute; off when omitted or 0.
   */
  silenceTimeoutMs?: number;
  /** The trainer's environment (process.env when omitted): e.g. VS Code's http.proxy as HTTPS_PROXY. */
  env?: NodeJS.ProcessEnv;
}

/** Forks dist/trainer.js, sends `start`, and relays its events; a trainer that dies is reported as a failed run. */
export class TrainerProcess {
  private readonly child: ChildProcess | undefined;
  private readonly listeners: ((e: TrainerEvent) => void)[] = [];
  private stderrTail = '';
  private done: DoneEvent | undefined;
  /** Why this side killed the trainer, in plain words for the run's failure message. */
  private killedBecause: Failure | undefined;
  private watchdog: NodeJS.Timeout | undefined;
  private settle!: (exit: TrainerExit) => void;
  private settled = false;
  readonly exited: Promise<TrainerExit>;

  /** Never throws: a trainer that cannot be started ends its run as failed, and `exited` says why. */
  constructor(trainerPath: string, private readonly start: StartCommand, private readonly options: TrainerProcessOptions = {}) {
    this.exited = new Promise<TrainerExit>((resolve) => (this.settle = resolve));
    if (!existsSync(trainerPath)) {
      this.child = undefined;
      // After the constructor returns, so that listeners added right after it hear the run's end.
      setImmediate(() => this.finish(null, null, { message: `The trainer (${trainerPath}) is missing, so the run could not start.`, hint: 'Reinstall the extension, or run "npm run build" in a development checkout.' }));
      return;
    }
    let child: ChildProcess;
    try {
      child = fork(trainerPath, [], {
        stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
        execArgv: [...(options.execArgv ?? []), ...trainerExecArgv(options.execPath)],
        ...(options.execPath ? { execPath: options.execPath } : {}),
        serialization: 'json',
        ...(options.env ? { env: options.env } : {}),
      });
    } catch (err) {
      this.child = undefined;
      setImmediate(() => this.finish(null, null, notStarted(err)));
      return;
    }
    this.child = child;
    child.stdout?.on('data', (b: Buffer) => this.relayOutput(b.toString(), 'info'));
    child.stderr?.on('data', (b: Buffer) => {
      const text = b.toString();
      this.stderrTail = (this.stderrTail + text).slice(-STDERR_TAIL);
      this.relayOutput(text, 'warn');
    });
    child.on('message', (m: TrainerEvent) => {
      this.rearmWatchdog();
      if (m.type === 'heartbeat') return;
      if (m.type === 'done') this.done = m;
      for (const l of this.listeners) l(m);
    });
    // A fork that fails (ENOENT, EAGAIN, EMFILE) emits 'error' and may never emit 'close'.
    child.on('error', (err) => {
      if (child.pid === undefined) this.finish(null, null, notStarted(err));
      else this.killedBecause ??= { message: `The trainer process failed: ${err.message}.`, hint: 'Training again starts a new run.' };
    });
    // 'close', not 'exit': it comes after stderr is drained, which the OOM and crash checks read.
    child.on('close', (code, signal) => this.finish(code, signal));
    this.rearmWatchdog();
    this.send(start);
  }

  private finish(code: number | null, signal: NodeJS.Signals | null, failure?: Failure): void {
    if (this.settled) return;
    this.settled = true;
    clearTimeout(this.watchdog);
    if (failure) this.killedBecause ??= failure;
    this.settle({ done: this.done ?? this.abandoned(code, signal), code, signal });
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  onEvent(listener: (e: TrainerEvent) => void): void {
    this.listeners.push(listener);
  }

  /** Ends the fit after the current batch; the run is kept as `cancelled`. */
  stop(): void {
    this.send({ type: 'stop' });
  }

  /** For a trainer that does not answer `stop`; `because` becomes the failed run's message. */
  kill(signal: NodeJS.Signals = 'SIGKILL', because?: Failure): void {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    this.killedBecause ??= because;
    child.kill(signal);
  }

  private rearmWatchdog(): void {
    const ms = this.options.silenceTimeoutMs;
    if (!ms || ms <= 0) return;
    clearTimeout(this.watchdog);
    this.watchdog = setTimeout(
      () =>
        this.kill('SIGKILL', {
          message: `The trainer stopped responding (no progress for ${formatSeconds(ms)}), so it was ended.`,
          hint: 'Training again starts a new run. If the trainer was only slow (a large model on a slow machine), raise the "mnist.trainerTimeout" setting (mnist-train --trainer-timeout).',
        }),
      ms,
    );
  }

  send(cmd: TrainerCommand): void {
    if (this.child?.connected) this.child.send(cmd);
  }

  private relayOutput(text: string, level: 'info' | 'warn'): void {
    for (const line of text.split('\n')) {
      if (!line.trim()) continue;
      const event: TrainerEvent = { type: 'log', time: Date.now(), level, message: line };
      for (const l of this.listeners) l(event);
    }
  }

  private abandoned(code: number | null, signal: NodeJS.Signals | null): DoneEvent {
    const { message, hint } = this.whyItDied(code, signal);
    let done: DoneEvent = { type: 'done', time: Date.now(), status: 'failed', message, hint, runDir: this.start.runDir };
    try {
      finishAbandonedRun(this.start.runDir, message, hint);
    } catch (err) {
      done = { ...done, message: `${message} The run folder could not be updated: ${(err as Error).message}` };
    }
    for (const l of this.listeners) l(done);
    return done;
  }

  private whyItDied(code: number | null, signal: NodeJS.Signals | null): Failure {
    if (/heap out of memory|Allocation failed/i.test(this.stderrTail)) {
      return { message: 'The trainer ran out of memory.', hint: 'Use a smaller batchSize or a smaller model.' };
    }
    if (this.killedBecause) return this.killedBecause;
    const crash = /MNIST trainer crashed: (.*)/.exec(this.stderrTail);
    if (crash) {
      return { message: `The trainer crashed: ${crash[1].trim().replace(/[^.!?]$/, '$&.')}`, hint: "The trainer's log has the stack trace. Training again starts a new run; if it crashes again, please report it." };
    }
    const how = signal ? `was killed (${signal})` : `exited with code ${code}`;
    return { message: `The trainer ${how} before the run ended.`, hint: 'See the log above; training again starts a new run.' };
  }
}

function notStarted(err: unknown): Failure {
  const code = (err as NodeJS.ErrnoException).code;
  return {
    message: `The trainer process could not be started (${code ?? (err as Error).message}).`,
    hint: code === 'EAGAIN' || code === 'EMFILE' ? 'The system is out of processes or open files: close some programs and train again.' : 'Training again starts a new run; if it fails again, reinstall the extension.',
  };
}

function formatSeconds(ms: number): string {
  return ms % 60_000 === 0 ? `${ms / 60_000} min` : `${Math.round(ms / 100) / 10} s`;
}
