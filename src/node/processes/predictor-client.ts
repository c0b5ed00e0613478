// The host's side of the predictor process (dist/predictor.js): forks it on first use, keeps it warm
// with the shown run's model, and answers draw-a-digit requests. No vscode and no tfjs here.
import { type ChildProcess, fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { PredictorCommand, PredictorEvent } from '../../shared/protocol';
import type { Inspection } from '../../shared/protocol/inspect';

export type PredictResult = { probabilities: number[] } | { error: string };
export type InspectResult = { inspection: Inspection } | { error: string };

/** Where a run keeps its model; null when the run has not saved one (yet). */
export function savedModelDir(runDir: string | undefined): string | null {
  if (!runDir) return null;
  const dir = join(runDir, 'model');
  return existsSync(join(dir, 'model.json')) ? dir : null;
}

const PREDICT_TIMEOUT_MS = 20_000;

export class PredictorClient {
  private child: ChildProcess | undefined;
  private loadedDir: string | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (r: PredictResult | InspectResult) => void; timer: NodeJS.Timeout }>();
  private disposed = false;

  constructor(
    private readonly scriptPath: string,
    private readonly log: (level: 'info' | 'warn' | 'error', message: string) => void = () => undefined,
    private readonly options: { execArgv?: string[] } = {},
  ) {}

  /** Starts the process (and so its backend) ahead of the first model; false when the bundle is missing. */
  start(): boolean {
    return !this.disposed && this.ensureChild();
  }

  /** Starts the process if needed and loads modelDir (again, with reload: it was rewritten), so the next predict answers at once. */
  warm(modelDir: string, reload = false): void {
    if (this.disposed) return;
    if (!this.ensureChild()) return;
    if (this.loadedDir === modelDir && !reload) return;
    this.loadedDir = modelDir;
    this.send({ type: 'loadModel', modelDir });
  }

  /** Class probabilities for one 28×28 input from the model in modelDir; never rejects. */
  predict(modelDir: string, pixels: number[]): Promise<PredictResult> {
    return this.ask<PredictResult>(modelDir, (id) => ({ type: 'predict', id, pixels }));
  }

  /** Every layer's output for one 28×28 input from the model in modelDir (Look Inside Model); never rejects. */
  inspect(modelDir: string, pixels: number[]): Promise<InspectResult> {
    return this.ask<InspectResult>(modelDir, (id) => ({ type: 'inspect', id, pixels }));
  }

  private ask<R extends PredictResult | InspectResult>(modelDir: string, command: (id: number) => PredictorCommand): Promise<R> {
    const fail = (error: string) => Promise.resolve({ error } as R);
    if (this.disposed) return fail('The predictor has shut down.');
    if (!existsSync(this.scriptPath)) return fail(`The predictor is missing (${this.scriptPath}); rebuild or reinstall the extension.`);
    this.warm(modelDir);
    if (!this.child) return fail('The predictor could not be started; see the MNIST output.');
    const id = this.nextId++;
    return new Promise<R>((resolve) => {
      const timer = setTimeout(() => this.settle(id, { error: 'The predictor did not answer in time.' }), PREDICT_TIMEOUT_MS);
      this.pending.set(id, { resolve: resolve as (r: PredictResult | InspectResult) => void, timer });
      this.send(command(id));
    });
  }

  get running(): boolean {
    return this.child !== undefined;
  }

  /** Ends the process; a later warm or predict starts a new one. */
  stop(): void {
    const child = this.child;
    this.child = undefined;
    this.loadedDir = undefined;
    if (child && child.exitCode === null && child.signalCode === null) child.kill();
    this.failPending('The predictor was stopped.');
  }

  dispose(): void {
    this.stop();
    this.disposed = true;
  }

  private ensureChild(): boolean {
    if (this.child) return true;
    if (!existsSync(this.scriptPath)) return false;
    let child: ChildProcess;
    try {
      child = fork(this.scriptPath, [], { stdio: ['ignore', 'pipe', 'pipe', 'ipc'], execArgv: this.options.execArgv ?? [], serialization: 'json' });
    } catch (err) {
      this.log('error', `predictor: could not start: ${(err as Error).message}`);
      return false;
    }
    this.child = child;
    this.loadedDir = undefined;
    child.stdout?.on('data', (b: Buffer) => this.log('info', `predictor: ${b.toString().trimEnd()}`));
    child.stderr?.on('data', (b: Buffer) => this.log('warn', `predictor: ${b.toString().trimEnd()}`));
    child.on('message', (m: PredictorEvent) => this.onEvent(m));
    child.on('error', (err) => this.log('error', `predictor: ${err.message}`));
    child.on('exit', (code, signal) => {
      if (this.child !== child) return;
      this.child = undefined;
      this.loadedDir = undefined;
      if (!this.disposed) this.log('warn', `predictor: exited (${signal ?? `code ${code}`}); the next prediction starts it again`);
      this.failPending('The predictor stopped unexpectedly; draw again to retry.');
    });
    return true;
  }

  private onEvent(m: PredictorEvent): void {
    switch (m.type) {
      case 'prediction':
        this.settle(m.id, m.error !== undefined ? { error: m.error } : { probabilities: m.probabilities });
        break;
      case 'inspection':
        this.settle(m.id, m.inspection ? { inspection: m.inspection } : { error: m.error ?? 'The predictor sent no inspection.' });
        break;
      case 'modelLoaded':
        if (m.error !== undefined) {
          this.log('warn', `predictor: could not load ${m.modelDir}: ${m.error}`);
          if (this.loadedDir === m.modelDir) this.loadedDir = undefined; // try again on the next request
        } else this.log('info', `predictor: loaded ${m.modelDir} (${m.backend})`);
        break;
      case 'log':
        this.log(m.level, `predictor: ${m.message}`);
        break;
    }
  }

  private settle(id: number, result: PredictResult | InspectResult): void {
    const p = this.pending.get(id);
    if (!p) return;
    this.pending.delete(id);
    clearTimeout(p.timer);
    p.resolve(result);
  }

  private failPending(error: string): void {
    for (const id of [...this.pending.keys()]) this.settle(id, { error });
  }

  private send(cmd: PredictorCommand): void {
    if (this.child?.connected) this.child.send(cmd);
  }
}
