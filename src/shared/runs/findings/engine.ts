// The findings engine: what a run's curves and test results say, in the user's words, each
// anchored at the config field it is about and with its quick fixes. Pure: the CLI, summary.json,
// the report, the Problems panel and the Dashboard (live, on the events so far) all call it.
import type { MnistConfig } from '../../config';
import type { TrainerEvent } from '../../protocol';
import { earlyStoppingState, plateauState, scheduledLearningRate } from '../../schedule';
import { type RunFacts, runFacts } from './facts';
import { quickFixes } from './fixes';
import * as T from './thresholds';
import type { FixKind, QuickFix, RunFinding } from './types';

export interface FindingsOptions {
  /** During training: only what the history so far can already show (overfitting, no learning). */
  live?: boolean;
}

const f4 = (x: number): string => x.toFixed(4);
const pct = (x: number): string => `${(x * 100).toFixed(1)} %`;
const points = (x: number): string => (x * 100).toFixed(1);

/**
 * The findings of a run from its event log. `config` is the run's resolved config; null where it is
 * not known (the Dashboard has only the events): then the findings carry no quick fixes.
 */
export function runFindings(config: MnistConfig | null, events: readonly TrainerEvent[], options: FindingsOptions = {}): RunFinding[] {
  return findingsOfFacts(config, runFacts(events), options);
}

/** The same from facts already gathered (the Dashboard's folded state). */
export function findingsOfFacts(config: MnistConfig | null, f: RunFacts, options: FindingsOptions = {}): RunFinding[] {
  const fixes = (kinds: FixKind[]): QuickFix[] => (config ? quickFixes(kinds, config) : []);
  const stuck = noLearning(config, f, fixes);
  if (stuck) return [stuck];
  const out: RunFinding[] = [];
  const over = overfitting(config, f, fixes);
  if (over) out.push(over);
  if (options.live) return out;
  if (f.status === 'completed' && !over) {
    const more = stillImproving(f, fixes);
    if (more) out.push(more);
  }
  const gap = generalisationGap(f, fixes);
  if (gap) out.push(gap);
  const weak = weakDigits(f);
  if (weak) out.push(weak);
  if (config && f.status === 'completed') out.push(...neverActed(config, f));
  return out;
}

/** 1. Validation loss lowest at epoch k, then higher for two epochs and clearly higher at the end, while training loss fell. */
function overfitting(config: MnistConfig | null, f: RunFacts, fixes: (k: FixKind[]) => QuickFix[]): RunFinding | null {
  const e = f.epochs;
  const n = e.length;
  if (n < T.OVERFIT_EPOCHS_ABOVE_BEST + 1) return null;
  // Early stopping that went back to the best weights has already dealt with it.
  if (f.earlyStop?.restoredBestWeights) return null;
  let m = 0;
  for (let i = 1; i < n; i++) if (e[i].valLoss < e[m].valLoss) m = i;
  const best = e[m];
  const last = e[n - 1];
  if (n - 1 - m < T.OVERFIT_EPOCHS_ABOVE_BEST) return null;
  if (!(last.valLoss > best.valLoss * (1 + T.OVERFIT_MIN_RISE)) || !(last.loss < best.loss)) return null;
  const history = { valLoss: e.map((x) => x.valLoss), valAcc: e.map((x) => x.valAcc) };
  const replay = earlyStoppingState({ monitor: 'valLoss', minDelta: 0, patience: T.SUGGESTED_PATIENCE }, history);
  const stop = replay.stopEpoch ?? n;
  const already = config?.training.earlyStopping;
  const suggestion = already
    ? `Early stopping is on (patience ${already.patience}${already.restoreBestWeights ? '' : ', best weights not kept'}); with patience ${T.SUGGESTED_PATIENCE} and the best weights kept it would have stopped at epoch ${stop} and kept epoch ${replay.bestEpoch}'s weights.`
    : `Early stopping with patience ${T.SUGGESTED_PATIENCE} would have stopped at epoch ${stop} and kept epoch ${replay.bestEpoch}'s weights.`;
  return {
    id: 'overfitting',
    severity: 'warning',
    message:
      `Validation loss rose after epoch ${best.epoch} (${f4(best.valLoss)} → ${f4(last.valLoss)} at epoch ${last.epoch}) ` +
      `while training loss fell (${f4(best.loss)} → ${f4(last.loss)}): overfitting. ${suggestion}`,
    path: ['training', 'epochs'],
    fixes: fixes(['addEarlyStopping', 'addDropout', 'turnOnAugment']),
    marks: { epochs: [best.epoch, stop] },
  };
}

/** 2. NaN loss, or validation accuracy still at chance after an epoch: the model learns nothing, almost always a rate too high. */
function noLearning(config: MnistConfig | null, f: RunFacts, fixes: (k: FixKind[]) => QuickFix[]): RunFinding | null {
  const e = f.epochs;
  if (e.length === 0) return null;
  const classes = f.evaluation?.perClassAccuracy.length || 10;
  const chance = 1 / classes;
  const nan = e.find((x) => !Number.isFinite(x.loss) || !Number.isFinite(x.valLoss));
  const last = e[e.length - 1];
  if (!nan && !(last.valAcc < chance + T.CHANCE_MARGIN)) return null;
  const rate = config?.training.learningRate ?? e[0].learningRate;
  const optimizer = config?.training.optimizer;
  const usual = optimizer ? T.USUAL_LEARNING_RATE[optimizer] : undefined;
  let why: string;
  if (rate !== undefined && usual !== undefined && rate >= usual * T.FAR_TOO_HIGH_FACTOR) why = `${rate} is far too high for ${optimizer}; the tutorial uses adam at 0.001.`;
  else if (rate !== undefined) why = `the learning rate ${rate} is likely too high${optimizer ? ` for ${optimizer}` : ''}; the tutorial uses adam at 0.001.`;
  else why = 'the learning rate is likely too high; the tutorial uses adam at 0.001.';
  const what = nan
    ? `The loss became ${nan.loss} at epoch ${nan.epoch}: training diverged`
    : `Validation accuracy stayed at chance (${pct(last.valAcc)} after epoch ${last.epoch}; chance is ${pct(chance)}), ` +
      (e.length === 1 ? `loss ${f4(last.loss)}` : `loss ${f4(e[0].loss)} at epoch ${e[0].epoch} and ${f4(last.loss)} at epoch ${last.epoch}`) +
      ': the model learned nothing';
  return {
    id: 'noLearning',
    severity: 'error',
    message: `${what}. ${why.charAt(0).toUpperCase()}${why.slice(1)}`,
    path: ['training', 'learningRate'],
    fixes: fixes(['learningRateDiv10', 'learningRateDiv100', 'useAdam']),
    marks: { epochs: [nan?.epoch ?? e[0].epoch] },
  };
}

/** 3. Validation accuracy still rising over the last epochs of a run that ran them all. */
function stillImproving(f: RunFacts, fixes: (k: FixKind[]) => QuickFix[]): RunFinding | null {
  const e = f.epochs;
  const n = e.length;
  const w = T.IMPROVING_WINDOW;
  if (f.earlyStop || n <= w) return null;
  const from = e[n - 1 - w];
  const to = e[n - 1];
  const gain = to.valAcc - from.valAcc;
  if (!(gain > T.IMPROVING_MIN_GAIN)) return null;
  return {
    id: 'stillImproving',
    severity: 'info',
    message: `Validation accuracy was still rising at the end: +${points(gain)} points in the last ${w} epochs (${pct(from.valAcc)} at epoch ${from.epoch} → ${pct(to.valAcc)} at epoch ${to.epoch}); more epochs would likely help.`,
    path: ['training', 'epochs'],
    fixes: fixes(['doubleEpochs']),
    marks: { epochs: [from.epoch, to.epoch] },
  };
}

/** 4. Training accuracy far above validation accuracy at the last epoch. */
function generalisationGap(f: RunFacts, fixes: (k: FixKind[]) => QuickFix[]): RunFinding | null {
  const last = f.epochs[f.epochs.length - 1];
  if (!last) return null;
  const gap = last.acc - last.valAcc;
  if (!(gap > T.GAP_MIN)) return null;
  return {
    id: 'generalisationGap',
    severity: 'info',
    message: `Training accuracy ${pct(last.acc)} against validation accuracy ${pct(last.valAcc)} at epoch ${last.epoch}: a gap of ${points(gap)} points. The model fits its training images much better than new ones; dropout or augmentation narrow the gap.`,
    path: ['model'],
    fixes: fixes(['addDropout', 'turnOnAugment']),
    marks: { epochs: [last.epoch] },
  };
}

/** 5. The classes clearly below the overall test accuracy, and what they are mistaken for. */
function weakDigits(f: RunFacts): RunFinding | null {
  const ev = f.evaluation;
  if (!ev) return null;
  const names = f.classNames ?? ev.perClassAccuracy.map((_, i) => String(i));
  const digits = names.every((n, i) => n === String(i));
  const weak = ev.perClassAccuracy
    .map((acc, c) => ({ acc, c }))
    .filter((x) => x.acc < ev.testAccuracy - T.WEAK_CLASS_POINTS)
    .sort((a, b) => a.acc - b.acc)
    .slice(0, T.WEAK_CLASSES_SHOWN);
  if (weak.length === 0) return null;
  const parts = weak.map(({ acc, c }) => {
    const row = ev.confusionMatrix[c] ?? [];
    const mistaken = row
      .map((count, p) => ({ count, p }))
      .filter((x) => x.p !== c && x.count > 0)
      .sort((a, b) => b.count - a.count)
      .slice(0, T.CONFUSIONS_SHOWN)
      .map((x) => names[x.p] ?? String(x.p));
    return `${names[c] ?? c}: ${pct(acc)}${mistaken.length > 0 ? `, mostly read as ${mistaken.join(' and ')}` : ''}`;
  });
  return {
    id: 'weakDigits',
    severity: 'info',
    message: `Weakest ${digits ? 'digits' : 'classes'} on the test set (overall ${pct(ev.testAccuracy)}): ${parts.join('; ')}.`,
    path: ['model'],
    fixes: [],
    marks: { classes: weak.map((x) => x.c) },
  };
}

/** 6. Early stopping, ReduceLROnPlateau or a step schedule that could not act in a run this long. */
function neverActed(config: MnistConfig, f: RunFacts): RunFinding[] {
  const out: RunFinding[] = [];
  const t = config.training;
  const n = f.epochs.length;
  const hint = (message: string, path: (string | number)[]): RunFinding => ({ id: 'neverActed', severity: 'hint', message, path, fixes: [] });
  if (t.earlyStopping && !f.earlyStop && t.earlyStopping.patience >= n) {
    out.push(hint(`Early stopping never acted: its patience (${t.earlyStopping.patience}) is not shorter than the run (${n} epochs), so it could not stop it.`, ['training', 'earlyStopping', 'patience']));
  }
  const plateau = t.reduceLrOnPlateau;
  if (plateau) {
    const history = { valLoss: f.epochs.map((x) => x.valLoss), valAcc: f.epochs.map((x) => x.valAcc) };
    const rateFor = (epoch: number, reductions: number) => scheduledLearningRate(t.learningRate, t.lrSchedule, epoch, t.epochs) * plateau.factor ** reductions;
    if (plateauState(plateau, history, rateFor).reductions === 0) {
      const what = plateau.monitor === 'valLoss' ? 'validation loss' : 'validation accuracy';
      out.push(
        plateau.patience >= n
          ? hint(`ReduceLROnPlateau never reduced the rate: its patience (${plateau.patience}) is not shorter than the run (${n} epochs).`, ['training', 'reduceLrOnPlateau', 'patience'])
          : hint(`ReduceLROnPlateau never reduced the rate: ${what} never went ${plateau.patience} epochs without improving in ${n} epochs.`, ['training', 'reduceLrOnPlateau']),
      );
    }
  }
  if (t.lrSchedule.type === 'step' && t.lrSchedule.stepSize >= n) {
    out.push(hint(`The step schedule never lowered the rate: its stepSize (${t.lrSchedule.stepSize}) is not shorter than the run (${n} epochs).`, ['training', 'lrSchedule', 'stepSize']));
  }
  return out;
}
