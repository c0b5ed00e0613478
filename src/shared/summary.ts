import type { MnistConfig } from './config';
import type { RunSummary, TrainerEvent } from './protocol';

/**
 * summary.json is a pure function of the run's config and its event log, so the trainer, the CLI
 * (after a crashed trainer) and the extension all write the same thing.
 */
export function summarizeRun(config: MnistConfig, events: readonly TrainerEvent[]): RunSummary {
  const history = { loss: [] as number[], acc: [] as number[], valLoss: [] as number[], valAcc: [] as number[] };
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
        history.loss.push(e.loss);
        history.acc.push(e.acc);
        history.valLoss.push(e.valLoss);
        history.valAcc.push(e.valAcc);
        fitSeconds += e.seconds;
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
    history,
    confusionMatrix,
    perClassAccuracy,
    startedAt: new Date(first).toISOString(),
    endedAt: new Date(last).toISOString(),
    tfjsVersion,
    seed: config.training.seed,
  };
  if (message !== undefined) summary.message = message;
  return summary;
}
