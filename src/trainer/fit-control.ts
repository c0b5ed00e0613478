// What happens between epochs: the learning rate (schedule + ReduceLROnPlateau), the best
// checkpoint (model-best/), the resume checkpoint, and early stopping. It is also the one way a
// fit ends early: a user's stop, early stopping and an error here all set a stop reason that
// train() polls after every batch and epoch, so the fit always returns normally and the run
// folder is finished by the same code in run.ts.
import * as tf from '@tensorflow/tfjs';
import { join } from 'node:path';
import type { MnistConfig } from '../shared/config';
import type { TrainerEventBody } from '../shared/protocol';
import { type MetricHistory, bestEpochOf, earlyStopReason, earlyStoppingState, learningRateAt } from '../shared/schedule';
import { loadCheckpoint, saveCheckpoint } from './checkpoint';
import { saveModel } from './model-io';
import { Mulberry32 } from '../shared/prng';
import { mathRandomState, restoreMathRandom } from './random';
import { BEST_MODEL_DIR, type CheckpointState, type EpochBody } from '../node/runs/resume';
import type { EpochResult, TrainingData } from './train';

/** Why the fit ends before its last epoch; the first one set wins. */
export type StopReason = { kind: 'user' } | { kind: 'earlyStop' } | { kind: 'error'; error: unknown };

export interface FitControlOptions {
  model: tf.LayersModel;
  config: MnistConfig;
  runDir: string;
  emit(body: TrainerEventBody): void;
  log(message: string, level?: 'info' | 'warn' | 'error'): void;
  /** True once the user asked to stop. */
  userStop(): boolean;
  /**
   * How many training samples model.fit shuffles every epoch, when it does (no augmentation,
   * training.shuffle): its order is tracked so a resumed run trains on the same batches.
   */
  fitShuffles?: number;
}

export interface FitEnding {
  status: 'completed' | 'cancelled';
  /** The epoch whose weights the model went back to (restoreBestWeights), or null. */
  restoredEpoch: number | null;
}

export function metricHistory(history: readonly EpochBody[]): MetricHistory {
  return { valLoss: history.map((e) => e.valLoss), valAcc: history.map((e) => e.valAcc) };
}

/** Adam and RMSprop read `learningRate` at every step; SGD keeps a scalar that setLearningRate renews. */
export function setLearningRate(optimizer: tf.Optimizer, rate: number): void {
  const o = optimizer as unknown as { learningRate: number; setLearningRate?: (rate: number) => void };
  if (typeof o.setLearningRate === 'function') o.setLearningRate(rate);
  else o.learningRate = rate;
}

/**
 * tfjs util.shuffle, replayed: model.fit shuffles one index array in place at the start of every
 * epoch with Math.random, so its order depends on every earlier epoch, not only on the seed.
 */
export function shuffleLikeFit(order: Uint32Array, randomState: number): void {
  const rng = new Mulberry32(0);
  rng.state = randomState;
  for (let counter = order.length; counter > 0; ) {
    const index = (rng.next() * counter) | 0;
    counter--;
    const t = order[counter];
    order[counter] = order[index];
    order[index] = t;
  }
}

export class FitControl {
  private reason: StopReason | null = null;
  private rate = NaN;
  private best: CheckpointState['best'] = null;
  private bestWeights: tf.Tensor[] | null = null;
  /** model.fit's index array as it stands after the last finished epoch; null when not tracked. */
  private order: Uint32Array | null = null;
  private randomAtEpochStart: number | undefined;
  /** Training tensors put in the resumed order, released by dispose(). */
  private reordered: tf.Tensor[] = [];
  private resumedOrder: Uint32Array | null = null;

  private constructor(
    private readonly o: FitControlOptions,
    /** Epochs already trained (a resumed run), so fit starts with initialEpoch + 1. */
    readonly initialEpoch: number,
    /** Every finished epoch, resumed ones included. */
    readonly history: EpochBody[],
  ) {}

  /** A fresh run, or one resumed from `checkpoint` (weights, optimizer, random state, history). */
  static async start(o: FitControlOptions, checkpoint: { dir: string; state: CheckpointState } | null): Promise<FitControl> {
    if (!checkpoint) {
      const control = new FitControl(o, 0, []);
      if (o.fitShuffles) control.order = Uint32Array.from({ length: o.fitShuffles }, (_, i) => i);
      return control.beginFit();
    }
    const { dir, state } = checkpoint;
    const control = new FitControl(o, state.epoch, [...state.history]);
    const { bestWeights, fitOrder } = await loadCheckpoint(dir, state, o.model);
    control.best = state.best;
    control.bestWeights = control.keepsBestWeights() ? bestWeights : (tf.dispose(bestWeights ?? []), null);
    if (o.fitShuffles && fitOrder?.length === o.fitShuffles) {
      control.order = fitOrder;
      control.resumedOrder = fitOrder.slice();
    } else if (o.fitShuffles) {
      o.log('the checkpoint has no training order; the resumed epochs shuffle afresh', 'warn');
    }
    if (state.rngState !== null) restoreMathRandom(state.rngState);
    return control.beginFit();
  }

  private beginFit(): this {
    this.setRate(learningRateAt(this.training, this.initialEpoch + 1, metricHistory(this.history)));
    this.randomAtEpochStart = mathRandomState();
    if (this.randomAtEpochStart === undefined) this.order = null; // Math.random is not seeded: nothing to replay
    return this;
  }

  /**
   * The training data a resumed run fits on: in the order model.fit had reached, so that fit's
   * fresh index array, shuffled, yields the batches the uninterrupted run would have. Unchanged
   * for a fresh run.
   */
  trainingData(data: TrainingData): TrainingData {
    if (!this.resumedOrder) return data;
    const indices = tf.tensor1d(Int32Array.from(this.resumedOrder), 'int32');
    const xTrain = tf.gather(data.xTrain, indices);
    const yTrain = tf.gather(data.yTrain, indices);
    indices.dispose();
    this.reordered.push(xTrain, yTrain);
    return { ...data, xTrain, yTrain };
  }

  private get training(): MnistConfig['training'] {
    return this.o.config.training;
  }

  private keepsBestWeights(): boolean {
    return this.training.earlyStopping?.restoreBestWeights === true;
  }

  private setRate(rate: number): void {
    this.rate = rate;
    setLearningRate(this.o.model.optimizer, rate);
  }

  private request(reason: StopReason): void {
    this.reason ??= reason;
  }

  /** train()'s shouldStop: polled after every batch and epoch. */
  shouldStop(): boolean {
    if (this.o.userStop()) this.request({ kind: 'user' });
    return this.reason !== null;
  }

  /**
   * After each epoch: keep the best model, write the checkpoint, then `report` the epoch (so the
   * log never has an epoch the checkpoint lacks), then decide early stopping and the next rate.
   */
  async epochEnded(r: EpochResult, report: (body: EpochBody) => void): Promise<void> {
    const body: EpochBody = { type: 'epoch', ...r, learningRate: this.rate };
    this.history.push(body);
    // Nothing draws from Math.random between fit's shuffle and here but the epoch's own training.
    if (this.order && this.randomAtEpochStart !== undefined) shuffleLikeFit(this.order, this.randomAtEpochStart);
    this.randomAtEpochStart = mathRandomState();
    const metrics = metricHistory(this.history);
    try {
      const best = bestEpochOf(this.training, metrics);
      if (best && best.epoch === r.epoch) {
        this.best = best;
        if (this.keepsBestWeights()) {
          tf.dispose(this.bestWeights ?? []);
          this.bestWeights = this.o.model.getWeights().map((w) => w.clone());
        }
        await saveModel(this.o.model, join(this.o.runDir, BEST_MODEL_DIR));
      }
      await saveCheckpoint(this.o.runDir, this.o.model, {
        epoch: r.epoch,
        epochs: r.epochs,
        history: this.history,
        rngState: mathRandomState() ?? null,
        best: this.best,
        bestWeights: this.bestWeights,
        fitOrder: this.order,
      });
    } catch (err) {
      this.request({ kind: 'error', error: err });
    }
    report(body);
    const es = this.training.earlyStopping;
    if (es && earlyStoppingState(es, metrics).stopEpoch === r.epoch) this.request({ kind: 'earlyStop' });
    if (this.reason || r.epoch >= r.epochs) return;
    const next = learningRateAt(this.training, r.epoch + 1, metrics);
    if (next !== this.rate) {
      const why = this.training.reduceLrOnPlateau && next < this.rate ? ' (schedule and ReduceLROnPlateau)' : ' (schedule)';
      this.o.log(`learning rate ${this.rate} → ${next} from epoch ${r.epoch + 1}${why}`);
    }
    this.setRate(next);
  }

  /**
   * After fit returns: an error recorded during the fit is thrown here; early stopping restores
   * the best weights (restoreBestWeights) and says so in an `earlyStop` event.
   */
  finish(): FitEnding {
    const reason = this.reason;
    if (reason?.kind === 'error') throw reason.error;
    if (reason?.kind === 'user') return { status: 'cancelled', restoredEpoch: null };
    if (reason?.kind !== 'earlyStop') return { status: 'completed', restoredEpoch: null };
    const es = this.training.earlyStopping!;
    const s = earlyStoppingState(es, metricHistory(this.history));
    const last = this.history[this.history.length - 1].epoch;
    const restore = es.restoreBestWeights && this.bestWeights !== null && s.bestEpoch !== last;
    if (restore) this.o.model.setWeights(this.bestWeights!);
    this.o.emit({
      type: 'earlyStop',
      epoch: last,
      monitor: es.monitor,
      best: s.best,
      bestEpoch: s.bestEpoch,
      reason: earlyStopReason(s, es.patience, es.minDelta),
      restoredBestWeights: restore,
    });
    return { status: 'completed', restoredEpoch: restore ? s.bestEpoch : null };
  }

  /** Releases the kept best weights. */
  dispose(): void {
    tf.dispose(this.bestWeights ?? []);
    this.bestWeights = null;
    tf.dispose(this.reordered);
    this.reordered = [];
  }
}
