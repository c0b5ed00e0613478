// The outcome of the window's last run, until the next one starts: what the status bar and the
// CodeLens show once training is over.
import * as vscode from 'vscode';
import type { DoneEvent, TrainerEvent } from '../../shared/protocol';
import { outcomeOf, type RunOutcome } from './run-outcome';

/** What this needs from TrainingSession. */
export interface RunLifecycle {
  readonly onDidStartRun: vscode.Event<unknown>;
  readonly onDidEndRun: vscode.Event<{ run: { events: TrainerEvent[] }; done: DoneEvent }>;
}

export class LastRun implements vscode.Disposable {
  private outcome: RunOutcome | undefined;
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private readonly subscriptions: vscode.Disposable[];

  constructor(session: RunLifecycle) {
    this.subscriptions = [
      session.onDidStartRun(() => this.set(undefined)),
      session.onDidEndRun(({ run, done }) => this.set(outcomeOf(run.events, done))),
    ];
  }

  /** Undefined while a run is going and before the first. */
  get current(): RunOutcome | undefined {
    return this.outcome;
  }

  private set(outcome: RunOutcome | undefined): void {
    this.outcome = outcome;
    this.changed.fire();
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
    this.changed.dispose();
  }
}
