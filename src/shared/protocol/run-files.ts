// What a run folder holds besides its events: summary.json and its provenance.
import type { Monitor } from '../config';
import type { RunStatus } from './trainer';
import type { RunFinding } from '../runs/findings/types';

export interface RunSummary {
  status: RunStatus;
  message?: string;
  dataset: string;
  backend: string;
  epochs: number;
  /** Epochs actually completed (fewer than `epochs` when cancelled). */
  epochsCompleted: number;
  testAccuracy: number | null;
  testLoss: number | null;
  /** Training samples per second of fit time (data loading and test evaluation excluded). */
  trainSamplesPerSecond: number | null;
  fitSeconds: number;
  history: { loss: number[]; acc: number[]; valLoss: number[]; valAcc: number[]; learningRate?: number[] };
  confusionMatrix: number[][] | null;
  perClassAccuracy: number[] | null;
  startedAt: string;
  endedAt: string;
  tfjsVersion: string;
  seed: number;
  /** The best epoch (1-based) by `bestMetric`: what model-best/ holds. */
  bestEpoch?: number | null;
  bestMetric?: { monitor: Monitor; value: number } | null;
  /** Set when early stopping ended the fit. */
  earlyStop?: { epoch: number; reason: string; restoredBestWeights: boolean } | null;
  /** How many times the run was resumed. */
  resumed?: number;
  /** Seed, backend, versions, config hash and dataset checksums (src/shared/provenance.ts). */
  provenance?: RunProvenance;
  /** What the run's curves and test results say (src/shared/runs/findings); absent in runs written before findings. */
  findings?: RunFinding[];
}

export type DatasetChecksums = Partial<Record<'trainImages' | 'trainLabels' | 'testImages' | 'testLabels', string>>;

/** How a run was made, from its `ready` and `dataset` events; null where an older trainer did not record it. */
export interface RunProvenance {
  seed: number | null;
  backend: string | null;
  threads: number | null;
  tfjsVersion: string | null;
  nodeVersion: string | null;
  configHash: string | null;
  dataset: { name: string; source: string; checksums: DatasetChecksums | null } | null;
}
