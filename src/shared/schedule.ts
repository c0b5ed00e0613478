// Learning-rate schedule, ReduceLROnPlateau and early stopping as pure functions of the epoch
// and the validation history. The trainer calls them after every epoch; a resumed run gets the
// same decisions from the same history, and tests replay recorded metric sequences.
import { type EarlyStoppingConfig, LR_SCHEDULE_DEFAULTS, type LrScheduleConfig, type MnistConfig, type Monitor, type ReduceLrOnPlateauConfig } from './config';

/** Validation metrics per finished epoch: index 0 is epoch 1. */
export interface MetricHistory {
  valLoss: readonly number[];
  valAcc: readonly number[];
}

/** Lower loss is better, higher accuracy is better. */
export function monitorMode(monitor: Monitor): 'min' | 'max' {
  return monitor === 'valAcc' ? 'max' : 'min';
}

/** Keras' test: better than `best` by more than `minDelta`. NaN is never an improvement. */
export function isImprovement(monitor: Monitor, current: number, best: number, minDelta: number): boolean {
  if (Number.isNaN(current)) return false;
  if (Number.isNaN(best)) return true;
  return monitorMode(monitor) === 'min' ? current < best - minDelta : current > best + minDelta;
}

/** The scheduled rate for `epoch` (1-based) of `epochs`, before any plateau reduction. */
export function scheduledLearningRate(base: number, schedule: LrScheduleConfig | undefined, epoch: number, epochs: number): number {
  // undefined: a config.json written before schedules existed.
  const s = schedule ?? LR_SCHEDULE_DEFAULTS;
  const e = epoch - 1;
  switch (s.type) {
    case 'constant':
      return base;
    case 'step':
      return base * s.gamma ** Math.floor(e / s.stepSize);
    case 'exponential':
      return base * s.gamma ** e;
    case 'cosine':
      return s.minLr + ((base - s.minLr) * (1 + Math.cos((Math.PI * e) / Math.max(epochs, 1)))) / 2;
  }
}

export interface PlateauState {
  /** How many times the rate has been reduced after the epochs in the history. */
  reductions: number;
  /** 1-based epochs after which a reduction happened. */
  reducedAfter: number[];
  best: number;
  wait: number;
}

/**
 * Keras' ReduceLROnPlateau (without cooldown) replayed over the history: after each epoch that
 * is not an improvement, `wait` grows; at `patience` the rate is multiplied by `factor` (if it is
 * still above minLr) and `wait` starts again. `rateFor(epoch, reductions)` is the rate an epoch
 * trains with after that many reductions.
 */
export function plateauState(
  config: ReduceLrOnPlateauConfig,
  history: MetricHistory,
  rateFor: (epoch: number, reductions: number) => number,
): PlateauState {
  const values = history[config.monitor];
  const s: PlateauState = { reductions: 0, reducedAfter: [], best: NaN, wait: 0 };
  for (let i = 0; i < values.length; i++) {
    if (isImprovement(config.monitor, values[i], s.best, config.minDelta)) {
      s.best = values[i];
      s.wait = 0;
      continue;
    }
    s.wait++;
    if (s.wait >= config.patience) {
      s.wait = 0;
      if (rateFor(i + 1, s.reductions) > config.minLr) {
        s.reductions++;
        s.reducedAfter.push(i + 1);
      }
    }
  }
  return s;
}

type RateSettings = Pick<MnistConfig['training'], 'learningRate' | 'epochs' | 'lrSchedule' | 'reduceLrOnPlateau'>;

/**
 * The rate epoch `epoch` (1-based) trains with, given the validation history of (at least) the
 * epochs before it: the schedule, times factor^reductions from ReduceLROnPlateau, never pushed
 * below its minLr by a reduction.
 */
export function learningRateAt(training: RateSettings, epoch: number, history: MetricHistory): number {
  const plateau = training.reduceLrOnPlateau;
  const rateFor = (e: number, reductions: number): number => {
    const scheduled = scheduledLearningRate(training.learningRate, training.lrSchedule, e, training.epochs);
    return plateau ? Math.max(scheduled * plateau.factor ** reductions, Math.min(plateau.minLr, scheduled)) : scheduled;
  };
  if (!plateau) return rateFor(epoch, 0);
  const before = { valLoss: history.valLoss.slice(0, epoch - 1), valAcc: history.valAcc.slice(0, epoch - 1) };
  return rateFor(epoch, plateauState(plateau, before, rateFor).reductions);
}

export interface EarlyStoppingState {
  monitor: Monitor;
  /** The best value seen, by Keras' minDelta rule; NaN before any epoch. */
  best: number;
  /** 1-based epoch of `best`; 0 before any epoch. */
  bestEpoch: number;
  /** Epochs since the last improvement. */
  wait: number;
  /** The 1-based epoch after which training stops, or null if it goes on. */
  stopEpoch: number | null;
}

/**
 * Keras' EarlyStopping replayed over the history: an epoch that improves on the best by more
 * than minDelta resets `wait`; otherwise `wait` grows, and reaching `patience` stops training
 * after that epoch. Epochs after the stop are ignored.
 */
export function earlyStoppingState(config: Pick<EarlyStoppingConfig, 'monitor' | 'minDelta' | 'patience'>, history: MetricHistory): EarlyStoppingState {
  const values = history[config.monitor];
  const s: EarlyStoppingState = { monitor: config.monitor, best: NaN, bestEpoch: 0, wait: 0, stopEpoch: null };
  for (let i = 0; i < values.length; i++) {
    if (isImprovement(config.monitor, values[i], s.best, config.minDelta)) {
      s.best = values[i];
      s.bestEpoch = i + 1;
      s.wait = 0;
    } else {
      s.wait++;
      if (s.wait >= config.patience) {
        s.stopEpoch = i + 1;
        break;
      }
    }
  }
  return s;
}

/**
 * The metric and rule the best checkpoint (model-best/) uses: early stopping's when it is on,
 * else the lowest validation loss.
 */
export function bestCheckpointRule(training: Pick<MnistConfig['training'], 'earlyStopping'>): { monitor: Monitor; minDelta: number } {
  const es = training.earlyStopping;
  return es ? { monitor: es.monitor, minDelta: es.minDelta } : { monitor: 'valLoss', minDelta: 0 };
}

/** The best epoch of a history under the checkpoint rule; null before any epoch. */
export function bestEpochOf(training: Pick<MnistConfig['training'], 'earlyStopping'>, history: MetricHistory): { epoch: number; monitor: Monitor; value: number } | null {
  const rule = bestCheckpointRule(training);
  const s = earlyStoppingState({ ...rule, patience: Infinity }, history);
  return s.bestEpoch > 0 ? { epoch: s.bestEpoch, monitor: rule.monitor, value: s.best } : null;
}

/** Plain words for why training stopped early. */
export function earlyStopReason(s: EarlyStoppingState, patience: number, minDelta: number): string {
  const what = s.monitor === 'valLoss' ? 'validation loss' : 'validation accuracy';
  const by = minDelta > 0 ? ` by more than ${minDelta}` : '';
  const epochs = patience === 1 ? '1 epoch' : `${patience} epochs`;
  return `${what} did not improve${by} for ${patience === 0 ? 'an epoch (patience 0)' : epochs}; best ${s.best.toFixed(4)} at epoch ${s.bestEpoch}`;
}
