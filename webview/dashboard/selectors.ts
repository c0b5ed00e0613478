// What the view derives from the state rather than keeps in it.
import type { ViewState, ViewStatus } from './state';

/**
 * The status to show. A finished (not live) run whose log has no done event ended abruptly:
 * the trainer was killed or crashed before it could say so.
 */
export function displayStatus(state: ViewState): ViewStatus {
  if (state.run && !state.run.live && !state.ended && state.eventCount > 0) {
    return {
      kind: 'failed',
      message: 'This run ended without a final event: the trainer stopped unexpectedly.',
      hint: 'Train again; if it happens again, see the "MNIST" output channel.',
    };
  }
  return state.status;
}

/** The run's number of planned epochs, from events when known, else from the run info. */
export function plannedEpochs(state: ViewState): number {
  return state.progress.epochs || state.run?.epochs || state.history.epoch.length;
}
