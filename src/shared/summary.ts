import type { MnistConfig } from './config';
import type { EpochEvent, RunSummary, TrainerEvent } from './protocol';
import { bestEpochOf } from './schedule';
import { provenanceOf } from './provenance';
import { runFindings } from './runs/findings';

/**
 * summary.json is a pure function of the run's config and its event log, so the trainer, the CLI
 * (after a crashed trainer) and the extension all write the same thing.
 */
export function summarizeRun(config: MnistConfig, events: readonly TrainerEvent[]): RunSummary {
  // A resumed run is one history: a `resume` event drops any epoch after its own and the `done` before it.
  let epochs: EpochEvent[] = [];
  let earlyStop: RunSummary['earlyStop'] = null;
  let resumed = 0;
  let backend = 'unknown';
  let tfjsVersion = 'unknown';
  let dataset: string = config.dataset;
  let trainCount = 0;
  let fitSeconds = 0;
  let testAccuracy: number | null = null;
  let testLoss: number | null = null;
  let confusionMatrix: number[][] | null = null;
  let perClassAccuracy: number[] | null = null;
  let status: RunSummary['status'] = 'failed';
  let message: string | undefined = 'the run ended without a final event';
  for (const e of events) {
    switch (e.type) {
      case 'ready':
        backend = e.backend;
        tfjsVersion = e.versions.tfjs;
        break;
      case 'dataset':
        dataset = e.name;
        trainCount = e.train;
        break;
      case 'epoch':
        while (epochs.length > 0 && epochs[epochs.length - 1].epoch >= e.epoch) epochs.pop();
        epochs.push(e);
        break;
      case 'earlyStop':
        earlyStop = { epoch: e.epoch, reason: e.reason, restoredBestWeights: e.restoredBestWeights };
        break;
      case 'resume':
        resumed++;
        epochs = epochs.filter((p) => p.epoch <= e.epoch);
        status = 'failed';
        message = 'the run ended without a final event';
        break;
      case 'evaluation':
        testAccuracy = e.testAccuracy;
        testLoss = e.testLoss;
        confusionMatrix = e.confusionMatrix;
        perClassAccuracy = e.perClassAccuracy;
        break;
      case 'done':
        status = e.status;
        message = e.message;
        break;
      default:
        break;
    }
  }
  const history = {
    loss: epochs.map((e) => e.loss),
    acc: epochs.map((e) => e.acc),
    valLoss: epochs.map((e) => e.valLoss),
    valAcc: epochs.map((e) => e.valAcc),
  };
  for (const e of epochs) fitSeconds += e.seconds;
  const rates = epochs.map((e) => e.learningRate);
  const best = bestEpochOf(config.training, history);
  const epochsCompleted = history.loss.length;
  const first = events[0]?.time ?? Date.now();
  const last = events[events.length - 1]?.time ?? first;
  const summary: RunSummary = {
    status,
    dataset,
    backend,
    epochs: config.training.epochs,
    epochsCompleted,
    testAccuracy,
    testLoss,
    trainSamplesPerSecond: fitSeconds > 0 ? (trainCount * epochsCompleted) / fitSeconds : null,
    fitSeconds,
    history: rates.every((r): r is number => typeof r === 'number') && rates.length > 0 ? { ...history, learningRate: rates } : history,
    confusionMatrix,
    perClassAccuracy,
    startedAt: new Date(first).toISOString(),
    endedAt: new Date(last).toISOString(),
    tfjsVersion,
    seed: config.training.seed,
    bestEpoch: best?.epoch ?? null,
    bestMetric: best ? { monitor: best.monitor, value: best.value } : null,
    earlyStop,
    provenance: provenanceOf(config, events),
    findings: runFindings(config, events),
  };
  if (resumed > 0) summary.resumed = resumed;
  if (message !== undefined) summary.message = message;
  return summary;
}
