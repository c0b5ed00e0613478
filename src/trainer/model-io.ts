import * as tf from '@tensorflow/tfjs';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { RunFolderWriteError } from '../node/runs/run-folder';
import { dirname, join } from 'node:path';
import { fsyncDir, writeFileDurable } from '../node/files/durable';
import { readModelFiles } from './model-files';

/**
 * Saves in the standard tfjs layers format (model.json + weights.bin), loadable with
 * tf.loadLayersModel('file://…/model.json') under tfjs-node or with loadModel() here. The pure-JS
 * tfjs has no file:// handler, so this writes the artifacts itself; the folder appears whole
 * (written beside, then renamed) so a crash never leaves half a model.
 */
export async function saveModel(model: tf.LayersModel, dir: string): Promise<void> {
  const tmp = `${dir}.tmp-${process.pid}`;
  try {
    await writeModel(model, tmp);
    // The previous model is moved aside, not deleted, until the new one has its name.
    const old = `${dir}.old-${process.pid}`;
    const replacing = existsSync(dir);
    if (replacing) renameSync(dir, old);
    renameSync(tmp, dir);
    fsyncDir(dirname(dir));
    if (replacing) rmSync(old, { recursive: true, force: true });
  } catch (err) {
    rmSync(tmp, { recursive: true, force: true });
    throw err instanceof RunFolderWriteError || !(err as NodeJS.ErrnoException).code ? err : new RunFolderWriteError(dir, err);
  }
}

async function writeModel(model: tf.LayersModel, tmp: string): Promise<void> {
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const weights = artifacts.weightData
        ? Buffer.concat(
            (Array.isArray(artifacts.weightData) ? artifacts.weightData : [artifacts.weightData]).map((b) => Buffer.from(b)),
          )
        : Buffer.alloc(0);
      // On the disk before the folder is renamed into place (a power cut keeps a whole model).
      writeFileDurable(join(tmp, 'weights.bin'), weights);
      const modelJson = {
        modelTopology: artifacts.modelTopology,
        format: 'layers-model',
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy ?? null,
        trainingConfig: artifacts.trainingConfig,
        weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs ?? [] }],
      };
      writeFileDurable(join(tmp, 'model.json'), JSON.stringify(modelJson));
      fsyncDir(tmp);
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON', weightDataBytes: weights.length } };
    }),
  );
}

/**
 * Loads a model folder written by saveModel (or by tfjs-node's file:// handler). The folder may come
 * from a cloned workspace: model-files.ts reads only its own regular files, within size limits.
 */
export async function loadModel(dir: string): Promise<tf.LayersModel> {
  const files = readModelFiles(dir);
  return tf.loadLayersModel(
    tf.io.fromMemory({
      modelTopology: files.modelTopology as tf.io.ModelJSON['modelTopology'],
      weightSpecs: files.weightSpecs,
      weightData: files.weightData,
      trainingConfig: files.trainingConfig as tf.io.TrainingConfig,
    }),
  );
}
