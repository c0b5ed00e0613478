// The parent's side of the trainer process, shared by the CLI and the extension host. No tfjs here.
import { type ChildProcess, fork } from 'node:child_process';
import type { DoneEvent, StartCommand, TrainerCommand, TrainerEvent } from '../shared/protocol';
import { finishAbandonedRun } from './run-folder';

export interface TrainerExit {
  /** The run's final event: the trainer's own, or one written for it if it died. */
  done: DoneEvent;
  code: number | null;
  signal: NodeJS.Signals | null;
}

const STDERR_TAIL = 4000;

/** Forks dist/trainer.js, sends `start`, and relays its events; a trainer that dies is reported as a failed run. */
export class TrainerProcess {
  private readonly child: ChildProcess;
  private readonly listeners: ((e: TrainerEvent) => void)[] = [];
  private stderrTail = '';
  private done: DoneEvent | undefined;
  readonly exited: Promise<TrainerExit>;

  constructor(trainerPath: string, private readonly start: StartCommand, options: { execArgv?: string[] } = {}) {
    this.child = fork(trainerPath, [], {
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      execArgv: options.execArgv ?? [],
      serialization: 'json',
    });
    this.child.stdout?.on('data', (b: Buffer) => this.relayOutput(b.toString(), 'info'));
    this.child.stderr?.on('data', (b: Buffer) => {
      const text = b.toString();
      this.stderrTail = (this.stderrTail + text).slice(-STDERR_TAIL);
      this.relayOutput(text, 'warn');
    });
    this.child.on('message', (m: TrainerEvent) => {
      if (m.type === 'done') this.done = m;
      for (const l of this.listeners) l(m);
    });
    this.exited = new Promise<TrainerExit>((resolve) => {
      this.child.on('exit', (code, signal) => resolve({ done: this.done ?? this.abandoned(code, signal), code, signal }));
    });
    this.send(start);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  onEvent(listener: (e: TrainerEvent) => void): void {
    this.listeners.push(listener);
  }

  /** Ends the fit after the current batch; the run is kept as `cancelled`. */
  stop(): void {
    this.send({ type: 'stop' });
  }

  /** For a trainer that does not answer `stop`. */
  kill(signal: NodeJS.Signals = 'SIGKILL'): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
  }

  send(cmd: TrainerCommand): void {
    if (this.child.connected) this.child.send(cmd);
  }

  private relayOutput(text: string, level: 'info' | 'warn'): void {
    for (const line of text.split('\n')) {
      if (!line.trim()) continue;
      const event: TrainerEvent = { type: 'log', time: Date.now(), level, message: line };
      for (const l of this.listeners) l(event);
    }
  }

  private abandoned(code: number | null, signal: NodeJS.Signals | null): DoneEvent {
    const oom = /heap out of memory|Allocation failed/i.test(this.stderrTail);
    const how = signal ? `was killed (${signal})` : `exited with code ${code}`;
    const message = oom
      ? 'The trainer ran out of memory.'
      : `The trainer ${how} before the run ended.`;
    const hint = oom ? 'Use a smaller batchSize or a smaller model.' : 'See the log above; training again starts a new run.';
    let done: DoneEvent = { type: 'done', time: Date.now(), status: 'failed', message, hint, runDir: this.start.runDir };
    try {
      finishAbandonedRun(this.start.runDir, message, hint);
    } catch (err) {
      done = { ...done, message: `${message} The run folder could not be updated: ${(err as Error).message}` };
    }
    for (const l of this.listeners) l(done);
    return done;
  }
}
