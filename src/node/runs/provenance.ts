// The trainer's part of a run's provenance: hashes it can only compute with the config and data in hand.
import { createHash } from 'node:crypto';
import type { MnistConfig } from '../../shared/config';
import type { DatasetChecksums } from '../../shared/protocol';
import { canonicalJson } from '../../shared/provenance';
import type { Dataset } from '../data/datasets';

export function sha256(data: Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/** SHA-256 of the config as trained, keys sorted: the same config gives the same hash on any machine. */
export function configHash(config: MnistConfig): string {
  return sha256(canonicalJson(config));
}

/**
 * SHA-256 of each IDX file's decoded contents (labels, pixels): equal for the same digits whether
 * the file was gzipped or not, downloaded or bundled. About 0.1 s for the full MNIST.
 */
export function datasetChecksums(d: Pick<Dataset, 'trainImages' | 'trainLabels' | 'testImages' | 'testLabels'>): DatasetChecksums {
  return { trainImages: sha256(d.trainImages), trainLabels: sha256(d.trainLabels), testImages: sha256(d.testImages), testLabels: sha256(d.testLabels) };
}
