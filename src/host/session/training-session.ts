// One training run at a time per workspace: validates the config, forks the trainer, relays its
// events, and reports progress in the places VS Code users look (notification, status bar, log).
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { MnistConfig, MnistConfigInput } from '../../shared/config';
import { EtaTracker, formatDuration } from '../../shared/progress';
import type { DoneEvent, RunInfo, TrainerEvent } from '../../shared/protocol';
import type { RunMeta } from '../../shared/run-record';
import { formatIssue, validateConfig, validateConfigText } from '../../shared/validate';
import { type LaunchedRun, RunFolderUnavailable, launchRun } from '../../node/runs/launch';
import { resumeProblem } from '../../node/runs/resume';
import { readRunConfig } from '../../node/runs/run-folder';
import { type RunsLock, RunsFolderBusy } from '../../node/runs/run-lock';
import { nativeBackendDir } from '../native-backend';
import { runInfo } from '../../node/runs/run-listing';
import { type Settings, SettingError, readSettings, trainerEnvironment } from '../settings';
import { trusted } from '../trust';
import { configSetsBackend } from '../../shared/config-backend';
import { reportConfigErrors, showProgress } from './session-notifications';

export type SessionState = 'idle' | 'training' | 'stopping';

export interface LiveRun {
  dir: string;
  info: RunInfo;
  config: MnistConfig;
  events: TrainerEvent[];
  eta: EtaTracker;
  /** No progress notification or end-of-run message: a sweep reports for its runs. */
  quiet?: boolean;
  /** A resumed run: `events` starts with this many from its earlier attempts (read from its log). */
  earlierEvents?: number;
}

export interface StartOptions {
  /** Written to the new run's meta.json before the trainer starts (sweep tag, reproduced run). */
  meta?: RunMeta;
  quiet?: boolean;
  /** Continue this cancelled or failed run folder (its config is `config`) instead of making a new one. */
  resumeDir?: string;
  /** The runs folder's lock, held by a sweep for all its runs. */
  heldLock?: RunsLock;
}

/** How long Stop (before a new run) waits for the trainer to finish its batch and save. */
const STOP_GRACE_MS = 15_000;
/** VS Code gives an async deactivate at most 5 s before the extension host exits; stay inside it. */
const SHUTDOWN_GRACE_MS = 2_000;

/** The epochs the run trained: fewer than planned when early stopping ended it. */
function epochsTrained(run: LiveRun): number {
  for (let i = run.events.length - 1; i >= 0; i--) {
    const e = run.events[i];
    if (e.type === 'epoch') return e.epoch;
  }
  return run.config.training.epochs;
}

/** Whether this attempt's `done` has arrived (a resumed run's log has the earlier attempts' too). */
function ended(run: LiveRun): boolean {
  for (let i = run.events.length - 1; i >= (run.earlierEvents ?? 0); i--) if (run.events[i].type === 'done') return true;
  return false;
}

export class TrainingSession implements vscode.Disposable {
  private trainer: LaunchedRun | undefined;
  private run: LiveRun | undefined;
  private _state: SessionState = 'idle';
  private progressText: string | undefined;
  private readonly onEventEmitter = new vscode.EventEmitter<{ run: LiveRun; event: TrainerEvent }>();
  private readonly onStateEmitter = new vscode.EventEmitter<void>();
  private readonly onRunStartEmitter = new vscode.EventEmitter<LiveRun>();
  private readonly onRunEndEmitter = new vscode.EventEmitter<{ run: LiveRun; done: DoneEvent }>();
  /** Every event of the live run, as it arrives. */
  readonly onDidEvent = this.onEventEmitter.event;
  /** Idle ↔ training ↔ stopping, and progress text changes. */
  readonly onDidChange = this.onStateEmitter.event;
  readonly onDidStartRun = this.onRunStartEmitter.event;
  /** A run's trainer exited; `done` is its final event. */
  readonly onDidEndRun = this.onRunEndEmitter.event;

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  /** The extension's global storage (settings resolve the data cache and runs folder against it). */
  get globalStorageUri(): vscode.Uri {
    return this.context.globalStorageUri;
  }

  get state(): SessionState {
    return this._state;
  }
  get running(): boolean {
    return this._state !== 'idle';
  }
  get liveRun(): LiveRun | undefined {
    return this.run;
  }
  /** "Epoch 2/5 · acc 0.9312 · ETA 0:41" while training. */
  get progress(): string | undefined {
    return this.progressText;
  }

  /**
   * Validates the config file and starts a run. Returns false (after telling the user why) when
   * the config has errors or a run is already going and the user keeps it.
   */
  async start(configUri: vscode.Uri): Promise<boolean> {
    if (!(await this.makeRoom())) return false;
    const folder = vscode.workspace.getWorkspaceFolder(configUri);
    if (!folder) {
      void vscode.window.showErrorMessage(`${configUri.fsPath} is not in an open workspace folder; open its folder to train.`);
      return false;
    }
    const document = await vscode.workspace.openTextDocument(configUri);
    const text = document.getText();
    const fileName = path.basename(configUri.fsPath);
    const { config, issues } = validateConfigText(text, fileName);
    const errors = issues.filter((i) => i.severity === 'error');
    if (!config || errors.length > 0) {
      reportConfigErrors(this.log, document, errors, text);
      return false;
    }
    const settings = this.settings(folder);
    if (!settings) return false;
    // A relative data.dir is relative to the config file; the backend setting applies when the config is silent.
    if (config.data.dir !== null) config.data.dir = path.resolve(path.dirname(configUri.fsPath), config.data.dir);
    if (!configSetsBackend(text)) config.backend = settings.defaultBackend;
    return this.launch(config, settings) !== undefined;
  }

  /**
   * The runs folder's lock while a sweep in this window holds it for all its runs: only the
   * sweep's own runs (started with it as `heldLock`) may train until it is cleared.
   */
  sweepLock: RunsLock | undefined;

  /** Asks before replacing a run in progress; false when the user keeps it or a sweep runs. */
  private async makeRoom(options: StartOptions = {}): Promise<boolean> {
    if (this.sweepLock && options.heldLock !== this.sweepLock) {
      void vscode.window.showInformationMessage('MNIST: a sweep is training in this window; stop it first (MNIST: Stop Sweep).');
      return false;
    }
    if (!this.running) return true;
    const choice = await vscode.window.showWarningMessage('A training run is in progress in this window.', 'Stop It and Train', 'Keep Training');
    if (choice !== 'Stop It and Train') return false;
    await this.stopAndWait();
    return true;
  }

  /**
   * Starts a run from a resolved config: a past run's config.json (Train Again, Reproduce) or a
   * sweep's experiment. It is validated again: a config from an older version may not pass.
   */
  async startConfig(config: MnistConfig | MnistConfigInput, folder: vscode.WorkspaceFolder, options: StartOptions = {}): Promise<LiveRun | undefined> {
    if (!(await this.makeRoom(options))) return undefined;
    const { config: checked, issues } = validateConfig(config);
    const errors = issues.filter((i) => i.severity === 'error');
    if (!checked || errors.length > 0) {
      for (const e of errors) this.log.error(formatIssue(e, 'config.json'));
      void vscode.window.showErrorMessage(`MNIST: this config cannot be trained: ${errors[0] ? formatIssue(errors[0], 'config.json') : 'it is not a config'}`);
      return undefined;
    }
    const settings = this.settings(folder);
    return settings ? this.launch(checked, settings, options) : undefined;
  }

  /** The folder's settings, or undefined after telling the user which one is wrong. */
  private settings(folder: vscode.WorkspaceFolder): Settings | undefined {
    try {
      return readSettings(folder, this.context.globalStorageUri);
    } catch (err) {
      if (!(err instanceof SettingError)) throw err;
      this.log.error(err.message);
      void vscode.window.showErrorMessage(`MNIST: ${err.message}`);
      return undefined;
    }
  }

  /**
   * MNIST: Resume Run: trains a cancelled or failed run on from its last checkpoint, in its own
   * folder. Returns undefined after telling the user why, in plain words, when it cannot.
   */
  async resume(runDir: string, folder: vscode.WorkspaceFolder): Promise<LiveRun | undefined> {
    const name = path.basename(runDir);
    const problem = resumeProblem(runDir);
    if (problem) {
      void vscode.window.showWarningMessage(`MNIST: "${name}" cannot be resumed: ${problem}.`);
      return undefined;
    }
    if (!(await this.makeRoom())) return undefined;
    let raw: unknown;
    try {
      raw = readRunConfig(runDir);
    } catch (err) {
      void vscode.window.showErrorMessage(`MNIST: "${name}" cannot be resumed: its config.json cannot be read (${(err as Error).message}).`);
      return undefined;
    }
    const { config, issues } = validateConfig(raw);
    const errors = issues.filter((i) => i.severity === 'error');
    if (!config || errors.length > 0) {
      void vscode.window.showErrorMessage(`MNIST: "${name}" cannot be resumed: ${errors[0] ? formatIssue(errors[0], path.join(runDir, 'config.json')) : 'its config.json is not a config'}`);
      return undefined;
    }
    const settings = this.settings(folder);
    return settings ? this.launch(config, settings, { resumeDir: runDir }) : undefined;
  }

  private launch(config: MnistConfig, settings: Settings, options: StartOptions = {}): LiveRun | undefined {
    // Every way to train ends here: nothing is written into an untrusted workspace.
    if (!trusted('Training')) return undefined;
    // Events arriving before `run` exists are none: the trainer's first message comes after a fork.
    let run: LiveRun | undefined = undefined;
    let trainer: LaunchedRun;
    try {
      trainer = launchRun(
        {
          trainerPath: this.context.asAbsolutePath('dist/trainer.js'),
          runsFolder: settings.runsFolder,
          tool: 'VS Code',
          config,
          cacheDir: settings.dataCacheFolder,
          ...(settings.mirrors ? { mirrors: settings.mirrors } : {}),
          nativeBackendDir: nativeBackendDir(this.context),
          ...(options.resumeDir ? { resumeDir: options.resumeDir } : {}),
          ...(options.meta ? { meta: options.meta } : {}),
          ...(options.heldLock ? { heldLock: options.heldLock } : {}),
          silenceTimeoutMs: settings.trainerTimeoutMs,
          env: trainerEnvironment(),
        },
        (event) => {
          if (run) this.onTrainerEvent(run, event);
        },
      );
    } catch (err) {
      if (err instanceof RunsFolderBusy) {
        this.log.warn(err.message);
        void vscode.window.showErrorMessage(`MNIST: ${err.message}.`);
        return undefined;
      }
      if (!(err instanceof RunFolderUnavailable)) throw err;
      this.log.error(err.message);
      void vscode.window.showErrorMessage(`MNIST: ${err.message.replace(/^c/, 'C')}. Check the "mnist.runsFolder" setting.`);
      return undefined;
    }
    const dir = trainer.runDir;
    // A resumed run shows its earlier attempts first; its `resume` event tells the view where they end.
    const earlier = trainer.earlierEvents;
    run = {
      dir,
      info: runInfo(dir, config, true),
      config,
      events: [...earlier],
      eta: new EtaTracker(),
      ...(options.quiet ? { quiet: true } : {}),
      ...(options.resumeDir ? { earlierEvents: earlier.length } : {}),
    };
    const live = run;
    this.run = live;
    this.trainer = trainer;
    this.setState('training');
    this.log.info(`${options.resumeDir ? 'Resuming run' : 'Run'} ${live.info.id}: ${live.info.model} on ${config.dataset}, ${config.training.epochs} epochs → ${dir}`);
    this.onRunStartEmitter.fire(live);
    if (!live.quiet) void showProgress(this, live, trainer);
    void trainer.exited.then(({ done }) => this.onExit(live, done));
    return live;
  }

  /** Ends the fit after the current batch; the run is kept as cancelled. */
  stop(): void {
    if (!this.trainer || this._state !== 'training') return;
    this.setState('stopping');
    this.trainer.stop();
  }

  private async stopAndWait(): Promise<void> {
    const trainer = this.trainer;
    if (!trainer) return;
    this.stop();
    await this.killAfter(trainer, STOP_GRACE_MS);
  }

  /** Waits up to `ms` for the trainer to end by itself, then kills it; resolves once it is gone. */
  private async killAfter(trainer: LaunchedRun, ms: number): Promise<void> {
    const timer = setTimeout(
      () => trainer.kill('SIGKILL', { message: `The trainer did not stop within ${ms / 1000} s, so it was ended.`, hint: 'Training again starts a new run.' }),
      ms,
    );
    await trainer.exited;
    clearTimeout(timer);
  }

  /**
   * Window closing (deactivate): asks the trainer to stop, so the run is kept as cancelled with
   * its model, and kills it if it has not ended within 2 s. Resolves when no trainer is left.
   */
  async shutdown(): Promise<void> {
    const trainer = this.trainer;
    if (!trainer) return;
    trainer.stop();
    await this.killAfter(trainer, SHUTDOWN_GRACE_MS);
  }

  private onTrainerEvent(run: LiveRun, event: TrainerEvent): void {
    if (event.type === 'log') {
      const line = `[trainer] ${event.message}`;
      if (event.level === 'error') this.log.error(line);
      else if (event.level === 'warn') this.log.warn(line);
      else this.log.info(line);
    }
    if (event.type === 'done' && ended(run)) return;
    run.events.push(event);
    const eta = run.eta.update(event);
    switch (event.type) {
      case 'ready':
        this.log.info(`Backend ${event.backend}: ${event.reason}`);
        break;
      case 'dataset':
        this.log.info(`Dataset ${event.name} (${event.source}): ${event.train} train, ${event.validation} validation, ${event.test} test`);
        break;
      case 'batch':
        this.setProgress(`Epoch ${event.epoch}/${event.epochs} · acc ${event.acc.toFixed(3)} · ETA ${formatDuration(eta ?? NaN)}`);
        break;
      case 'epoch':
        this.log.info(
          `Epoch ${event.epoch}/${event.epochs}: loss ${event.loss.toFixed(4)} acc ${event.acc.toFixed(4)} val_loss ${event.valLoss.toFixed(4)} val_acc ${event.valAcc.toFixed(4)} (${event.seconds.toFixed(1)} s)`,
        );
        break;
      case 'evaluation':
        this.log.info(`Test accuracy ${event.testAccuracy.toFixed(4)}, loss ${event.testLoss.toFixed(4)}`);
        break;
      default:
        break;
    }
    this.onEventEmitter.fire({ run, event });
  }

  private onExit(run: LiveRun, done: DoneEvent): void {
    if (!ended(run)) this.onTrainerEvent(run, done);
    this.trainer = undefined;
    run.info = { ...run.info, live: false };
    this.progressText = undefined;
    this.setState('idle');
    const evaluation = run.events.slice(run.earlierEvents ?? 0).find((e) => e.type === 'evaluation');
    if (run.quiet) {
      this.log.info(`Run ${run.info.id} ${done.status}${done.message ? `: ${done.message}` : ''}`);
    } else if (done.status === 'completed' && evaluation?.type === 'evaluation') {
      this.log.info(`Run ${run.info.id} completed`);
      void vscode.window.showInformationMessage(
        `MNIST: test accuracy ${(evaluation.testAccuracy * 100).toFixed(2)}% (${run.info.model}, ${epochsTrained(run)} epoch${epochsTrained(run) === 1 ? '' : 's'}).`,
      );
    } else if (done.status === 'cancelled') {
      this.log.info(`Run ${run.info.id} cancelled`);
    } else {
      this.log.error(`Run ${run.info.id} failed: ${done.message ?? ''}`);
      void vscode.window.showErrorMessage(`MNIST training failed: ${done.message ?? 'unknown error'}${done.hint ? ` ${done.hint}` : ''}`, 'Show Log').then((c) => {
        if (c === 'Show Log') this.log.show(true);
      });
    }
    this.onRunEndEmitter.fire({ run, done });
  }

  private setState(state: SessionState): void {
    this._state = state;
    void vscode.commands.executeCommand('setContext', 'mnist.training', state !== 'idle');
    this.onStateEmitter.fire();
  }

  private setProgress(text: string): void {
    if (text === this.progressText) return;
    this.progressText = text;
    this.onStateEmitter.fire();
  }

  /** Window closing: stop the trainer; it records the run as cancelled, and is killed if it lingers. */
  dispose(): void {
    const trainer = this.trainer;
    if (trainer) {
      trainer.stop();
      setTimeout(() => trainer.kill(), 3000).unref();
    }
    this.onEventEmitter.dispose();
    this.onStateEmitter.dispose();
    this.onRunStartEmitter.dispose();
    this.onRunEndEmitter.dispose();
  }
}

