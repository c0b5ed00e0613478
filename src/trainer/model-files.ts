// Reading a saved model folder (model.json + weight files) that may come from a cloned workspace:
// model.json must be a regular file of sane size; each weight path a plain file name inside the
// folder (no `..`, no absolute path, no symlink), a regular file, and all of them together exactly
// as many bytes as the weight specs need. Nothing else on the disk is read.
import type * as tf from '@tensorflow/tfjs';
import { basename, join } from 'node:path';
import { readRegularFile } from '../node/files/regular-file';

/** The largest model.json read: a CNN's topology is a few KB; 8 MB is far beyond any config's model. */
export const MAX_MODEL_JSON_BYTES = 8 * 1024 * 1024;
/** The largest weights read: 100 million float32 parameters (a config's models have at most a few million). */
export const MAX_WEIGHT_BYTES = 400 * 1024 * 1024;

/** A model folder that cannot be loaded as it is; the message names the file and what is wrong. */
export class ModelFolderError extends Error {}

export interface ModelFiles {
  modelTopology: unknown;
  trainingConfig: unknown;
  weightSpecs: tf.io.WeightsManifestEntry[];
  weightData: ArrayBuffer;
}

const BYTES_PER: Record<string, number> = { float32: 4, int32: 4, bool: 1, complex64: 8, uint8: 1, uint16: 2, float16: 2 };

/** Bytes one weight takes in the files (its quantized size where quantized). */
function specBytes(w: tf.io.WeightsManifestEntry, where: string): number {
  const shape: unknown = w.shape;
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && (d as number) >= 0)) {
    throw new ModelFolderError(`${where}: weight "${String(w.name)}" has no valid shape`);
  }
  const dtype = w.quantization?.dtype ?? w.dtype;
  const per = BYTES_PER[dtype as string];
  if (per === undefined) throw new ModelFolderError(`${where}: weight "${String(w.name)}" has an unsupported dtype ${JSON.stringify(dtype)}`);
  return (shape as number[]).reduce((a, b) => a * b, 1) * per;
}

/** A weight path as saveModel and tfjs write it: a file name in the model folder, nothing more. */
export function isPlainFileName(p: unknown): p is string {
  return typeof p === 'string' && p !== '' && p !== '.' && p !== '..' && !/[\\/\0]/.test(p) && basename(p) === p;
}

/** Reads and checks model.json and its weights in `dir`. */
export function readModelFiles(dir: string): ModelFiles {
  const jsonFile = join(dir, 'model.json');
  let json: unknown;
  try {
    json = JSON.parse(readRegularFile(jsonFile, MAX_MODEL_JSON_BYTES).toString('utf8'));
  } catch (err) {
    throw new ModelFolderError(err instanceof SyntaxError ? `${jsonFile} is not valid JSON (${err.message})` : (err as Error).message);
  }
  const m = (typeof json === 'object' && json !== null && !Array.isArray(json) ? json : {}) as Record<string, unknown>;
  const manifest = m.weightsManifest;
  if (!Array.isArray(manifest) || m.modelTopology === undefined) {
    throw new ModelFolderError(`${jsonFile} is not a tfjs layers model (it needs modelTopology and weightsManifest)`);
  }
  const specs: tf.io.WeightsManifestEntry[] = [];
  const paths: string[] = [];
  for (const group of manifest as unknown[]) {
    const g = (typeof group === 'object' && group !== null ? group : {}) as Record<string, unknown>;
    if (!Array.isArray(g.paths) || !Array.isArray(g.weights)) throw new ModelFolderError(`${jsonFile}: a weightsManifest entry needs "paths" and "weights" lists`);
    for (const p of g.paths as unknown[]) {
      if (!isPlainFileName(p)) {
        throw new ModelFolderError(`${jsonFile}: weight path ${JSON.stringify(p)} is not a file name inside the model folder; only such paths are read`);
      }
      paths.push(p);
    }
    for (const w of g.weights as unknown[]) {
      if (typeof w !== 'object' || w === null || typeof (w as { name?: unknown }).name !== 'string') throw new ModelFolderError(`${jsonFile}: a weight entry has no name`);
      specs.push(w as tf.io.WeightsManifestEntry);
    }
  }
  const needed = specs.reduce((sum, w) => sum + specBytes(w, jsonFile), 0);
  if (needed > MAX_WEIGHT_BYTES) throw new ModelFolderError(`${jsonFile}: its weights need ${needed} bytes, more than the ${MAX_WEIGHT_BYTES} this reads`);
  const buffers: Buffer[] = [];
  let total = 0;
  for (const p of paths) {
    // Each file may be at most what is still needed: a larger one is refused before it is read.
    const bytes = readRegularFile(join(dir, p), needed - total);
    buffers.push(bytes);
    total += bytes.length;
  }
  if (total !== needed) throw new ModelFolderError(`${dir}: the weight files hold ${total} bytes, but model.json's weights need ${needed}; the model was not saved whole`);
  const all = Buffer.concat(buffers);
  return {
    modelTopology: m.modelTopology,
    trainingConfig: m.trainingConfig,
    weightSpecs: specs,
    weightData: all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength),
  };
}
