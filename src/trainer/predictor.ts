// Classifies single drawn digits with a run's saved model. No IPC here: predictor-main.ts wires it
// to the process, tests call it directly.
import * as tf from '@tensorflow/tfjs';
import { IMAGE_SHAPE } from '../shared/config';
import { DIGIT_PIXELS } from '../shared/digits';
import type { Inspection } from '../shared/protocol/inspect';
import { type BackendChoice, initBackend } from './backend';
import { Inspector } from './inspect';
import { loadModel } from './model-io';

export class Predictor {
  private backend: Promise<BackendChoice> | undefined;
  private model: tf.LayersModel | undefined;
  private failure: string | undefined;
  private inspector: Inspector | undefined;

  /** Starts the backend (once); load() waits for it, so calling this early saves that time later. */
  init(): Promise<BackendChoice> {
    return (this.backend ??= initBackend('auto'));
  }

  /** Loads the model saved in modelDir, replacing the current one, and runs one prediction so the first real one is fast. */
  async load(modelDir: string): Promise<BackendChoice> {
    const backend = await this.init();
    this.model?.dispose();
    this.model = undefined;
    this.inspector = undefined;
    try {
      const model = await loadModel(modelDir);
      tf.tidy(() => model.predict(tf.zeros([1, ...IMAGE_SHAPE])));
      this.model = model;
      this.failure = undefined;
    } catch (err) {
      this.failure = `could not load the model in ${modelDir}: ${err instanceof Error ? err.message : String(err)}`;
      throw new Error(this.failure);
    }
    return backend;
  }

  /** Class probabilities for one 28×28 image (784 values in 0..1, row-major). */
  predict(pixels: readonly number[]): number[] {
    if (pixels.length !== DIGIT_PIXELS) throw new Error(`expected ${DIGIT_PIXELS} pixel values, got ${pixels.length}`);
    const model = this.model;
    if (!model) throw new Error(this.failure ?? 'no model is loaded');
    return tf.tidy(() => Array.from((model.predict(tf.tensor4d(pixels as number[], [1, ...IMAGE_SHAPE])) as tf.Tensor).dataSync()));
  }

  /** Every layer's output for one image, the filters, saliency and Grad-CAM (src/trainer/inspect.ts). */
  inspect(pixels: readonly number[]): Inspection {
    const model = this.model;
    if (!model) throw new Error(this.failure ?? 'no model is loaded');
    return (this.inspector ??= new Inspector(model)).inspect(pixels);
  }

  dispose(): void {
    this.model?.dispose();
    this.model = undefined;
    this.inspector = undefined;
  }
}
