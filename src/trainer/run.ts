// One training run, start to finish: backend → data → model → fit → evaluate → run folder.
// Emits every step as a TrainerEvent; main.ts (IPC) and tests wire `emit` to where it goes.
import * as tf from '@tensorflow/tfjs';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { datasetOverview, evaluationExamples } from '../shared/explore';
import { evaluatePredictions } from '../shared/metrics';
import type { DoneEvent, RunStatus, StartCommand, TrainerEvent, TrainerEventBody } from '../shared/protocol';
import { summarizeRun } from '../shared/summary';
import { checkModel, formatIssue } from '../shared/validate';
import { BackendError, defaultWasmDir, initBackend } from './backend';
import { type Dataset, DataError, loadDataset } from '../node/data/datasets';
import { DEFAULT_CONFIG, IMAGE_SHAPE, type MnistConfig, NUM_CLASSES } from '../shared/config';
import { buildModel, summarizeModel } from './model';
import { saveModel } from './model-io';
import { configHash, datasetChecksums } from '../node/runs/provenance';
import { seedMathRandom } from './random';
import { prepareWasmThreads, threadedWasmStatus } from './kernels/threads';
import { augmentedDataset } from './augment';
import { FitControl } from './fit-control';
import { type ResumePlan, prepareResume, pruneCheckpoints } from '../node/runs/resume';
import { removeStaleTempsInRuns } from '../node/files/stale-temps';
import { RUN_FILES, RunFolderWriteError, appendEvent, readEvents, writeSummary } from '../node/runs/run-folder';
import { type TrainingData, predictProbabilities, train } from './train';

export interface RunControl {
  /** Set by a `stop` command; checked after every batch. */
  stopRequested: boolean;
  /** Aborts a download in progress when stop arrives before training. */
  abort: AbortController;
  /** The model, once built, for `predict` commands. */
  model?: tf.LayersModel;
}

const SAMPLES_PER_CLASS = 2;
const PIXELS = IMAGE_SHAPE[0] * IMAGE_SHAPE[1];

/** Where the bundled mnist-sample lives: next to the bundle, or in dist/ when run from source. */
export function bundledSampleDir(): string {
  const candidates = [join(__dirname, 'data', 'mnist-sample'), join(__dirname, '..', '..', 'dist', 'data', 'mnist-sample')];
  return candidates.find((d) => existsSync(d)) ?? candidates[0];
}

/** The fixed test images shown in the prediction grid: the first two of each class. */
export function sampleIndices(labels: Uint8Array, perClass = SAMPLES_PER_CLASS): number[] {
  const counts = new Array<number>(NUM_CLASSES).fill(0);
  const picked: number[] = [];
  for (let i = 0; i < labels.length && picked.length < NUM_CLASSES * perClass; i++) {
    if (counts[labels[i]] < perClass) {
      counts[labels[i]]++;
      picked.push(i);
    }
  }
  return picked.sort((a, b) => labels[a] - labels[b] || a - b);
}

function toImageTensor(bytes: Uint8Array, start: number, count: number): tf.Tensor4D {
  const floats = new Float32Array(count * PIXELS);
  const offset = start * PIXELS;
  for (let i = 0; i < floats.length; i++) floats[i] = bytes[offset + i] / 255;
  return tf.tensor4d(floats, [count, ...IMAGE_SHAPE]);
}

function toOneHot(labels: Uint8Array, start: number, count: number): tf.Tensor2D {
  const out = new Float32Array(count * NUM_CLASSES);
  for (let i = 0; i < count; i++) out[i * NUM_CLASSES + labels[start + i]] = 1;
  return tf.tensor2d(out, [count, NUM_CLASSES]);
}

/** Normalised, one-hot tensors; validation is the last `validationSplit` of the training set, as in Keras. */
export function makeTrainingData(data: Dataset, validationSplit: number): TrainingData {
  const n = data.trainLabels.length;
  const trainCount = Math.floor(n * (1 - validationSplit));
  return {
    xTrain: toImageTensor(data.trainImages, 0, trainCount),
    yTrain: toOneHot(data.trainLabels, 0, trainCount),
    xVal: toImageTensor(data.trainImages, trainCount, n - trainCount),
    yVal: toOneHot(data.trainLabels, trainCount, n - trainCount),
  };
}

/** undefined when no backend ever started (tf.memory() needs one). */
function tensorsInMemory(): number | undefined {
  try {
    return tf.memory().numTensors;
  } catch {
    return undefined;
  }
}

/** The front end validates first; this catches a config that reached the trainer some other way. */
class ConfigProblem extends Error {}
class StopBeforeTraining extends Error {}

function failureOf(err: unknown): { message: string; hint: string } {
  if (err instanceof ConfigProblem) return { message: err.message, hint: 'Fix mnist.config.json and train again.' };
  if (err instanceof BackendError) return { message: err.message, hint: err.hint };
  if (err instanceof DataError) return { message: err.message, hint: err.hint ?? 'Check the dataset settings in mnist.config.json.' };
  if (err instanceof RunFolderWriteError) return { message: err.message, hint: err.hint };
  const message = err instanceof Error ? err.message : String(err);
  if (/out of memory|Cannot allocate|RangeError: Array buffer allocation/i.test(message)) {
    return { message: `Ran out of memory: ${message}`, hint: 'Use a smaller batchSize or a smaller model.' };
  }
  return { message, hint: 'See the MNIST output for the trainer log; if the config looks right, this is a bug worth reporting.' };
}

/** The run's summary, even for a config that never passed validation (a malformed `start`): then with the defaults' settings. */
function summaryOf(config: MnistConfig, events: readonly TrainerEvent[]) {
  try {
    return summarizeRun(config, events);
  } catch {
    return summarizeRun(DEFAULT_CONFIG, events);
  }
}

/** Trains cmd.config into cmd.runDir. Never throws: failures end as a `done` event with status `failed`. */
export async function runTraining(
  cmd: StartCommand,
  emitOut: (event: TrainerEvent) => void,
  control: RunControl,
): Promise<DoneEvent> {
  // Temp files of a trainer killed mid-write (this run's, before a resume, or another run's) go first.
  const cleaned = removeStaleTempsInRuns(dirname(cmd.runDir));
  let resume: ResumePlan | null = null;
  if (cmd.resume) {
    const prepared = prepareResume(cmd.runDir, cmd.config);
    // Nothing is written to a run that cannot be resumed: it may be a completed one.
    if ('problem' in prepared) {
      const refused: DoneEvent = { type: 'done', time: Date.now(), status: 'failed', message: `Cannot resume ${cmd.runDir}: ${prepared.problem}.`, hint: 'Train again to start a new run.', runDir: cmd.runDir };
      emitOut(refused);
      return refused;
    }
    resume = prepared.plan;
  }
  const events: TrainerEvent[] = [];
  // The first failed write (a full disk) stops the run; later events still reach the front end.
  let writeFailed = false;
  const emit = (body: TrainerEventBody): void => {
    const event = { ...body, time: Date.now() } as TrainerEvent;
    events.push(event);
    try {
      appendEvent(cmd.runDir, event);
    } catch (err) {
      if (!writeFailed && body.type !== 'done') {
        writeFailed = true;
        emitOut(event);
        throw err;
      }
    }
    emitOut(event);
  };
  const log = (message: string, level: 'info' | 'warn' | 'error' = 'info') => emit({ type: 'log', level, message });

  const tensors: tf.Tensor[] = [];
  let fit: FitControl | undefined;
  let status: RunStatus = 'completed';
  let failure: { message: string; hint: string } | undefined;
  try {
    if (resume) emit({ type: 'resume', epoch: resume.checkpoint.state.epoch, epochs: cmd.config.training.epochs });
    for (const path of cleaned.removed) log(`removed ${path}, left by a trainer that ended mid-write`);
    for (const path of cleaned.restored) log(`restored ${path} from the copy a trainer that ended mid-write had moved aside`, 'warn');
    const problems = checkModel(cmd.config).filter((i) => i.severity === 'error');
    if (problems.length > 0) throw new ConfigProblem(problems.map((p) => formatIssue(p)).join('\n'));

    prepareWasmThreads(cmd.config, defaultWasmDir());
    const choice = await initBackend(cmd.config.backend, cmd.nativeBackendDir ? { nativeDir: cmd.nativeBackendDir } : {});
    emit({ type: 'ready', backend: choice.backend, reason: choice.reason, threads: choice.threads, versions: { tfjs: tf.version.tfjs, node: process.versions.node }, configHash: configHash(cmd.config), seed: cmd.config.training.seed });
    const threaded = threadedWasmStatus();
    if (choice.backend === 'wasm' && threaded?.started === false && threaded.requested > 1) {
      log(`wasm runs on one thread: its threaded build did not start (${threaded.why})`, 'warn');
    }
    seedMathRandom(cmd.config.training.seed);

    const dataset = await loadDataset({
      dataset: cmd.config.dataset,
      dir: cmd.config.data.dir,
      cacheDir: cmd.cacheDir,
      sampleDir: bundledSampleDir(),
      mirrors: cmd.mirrors,
      signal: control.abort.signal,
      onDownload: (p) => emit({ type: 'download', ...p }),
    });
    if (control.stopRequested) throw new StopBeforeTraining();
    const data = makeTrainingData(dataset, cmd.config.data.validationSplit);
    tensors.push(data.xTrain, data.yTrain, data.xVal, data.yVal);
    emit({
      type: 'dataset',
      name: cmd.config.data.dir ? `${cmd.config.dataset} (data.dir)` : dataset.name,
      source: dataset.source,
      train: data.xTrain.shape[0],
      validation: data.xVal.shape[0],
      test: dataset.testLabels.length,
      imageShape: [...IMAGE_SHAPE],
      classNames: dataset.classNames,
      checksums: datasetChecksums(dataset),
      ...datasetOverview(dataset.trainImages, dataset.trainLabels, data.xTrain.shape[0], dataset.testLabels),
    });

    const model = buildModel(cmd.config);
    control.model = model;
    emit({ type: 'model', ...summarizeModel(model) });

    const indices = sampleIndices(dataset.testLabels);
    const sampleImages = tf.tidy(() =>
      tf.stack(indices.map((i) => toImageTensor(dataset.testImages, i, 1).squeeze([0]))) as tf.Tensor4D,
    );
    tensors.push(sampleImages);
    const emitSamples = (epoch: number) => {
      const probs = predictProbabilities(model, sampleImages);
      const predicted: number[] = [];
      const confidence: number[] = [];
      for (let i = 0; i < indices.length; i++) {
        const row = probs.subarray(i * NUM_CLASSES, (i + 1) * NUM_CLASSES);
        const best = row.indexOf(Math.max(...row));
        predicted.push(best);
        confidence.push(row[best]);
      }
      emit({
        type: 'samples',
        epoch,
        indices,
        labels: indices.map((i) => dataset.testLabels[i]),
        predicted,
        confidence,
        ...(epoch === 0
          ? { images: indices.map((i) => Buffer.from(dataset.testImages.subarray(i * PIXELS, (i + 1) * PIXELS)).toString('base64')) }
          : {}),
      });
    };
    if (resume) for (const missing of resume.missing) emit(missing);
    else emitSamples(0);

    const { augment } = cmd.config.data;
    const { batchSize, shuffle, seed } = cmd.config.training;
    const fitControl = (fit = await FitControl.start(
      { model, config: cmd.config, runDir: cmd.runDir, emit, log, userStop: () => control.stopRequested, fitShuffles: !augment && shuffle ? data.xTrain.shape[0] : undefined },
      resume?.checkpoint ?? null,
    ));
    const outcome = await train(
      model,
      fitControl.trainingData(data),
      cmd.config.training,
      {
        onBatch: (p) => emit({ type: 'batch', ...p }),
        onEpoch: (r) =>
          fitControl.epochEnded(r, (body) => {
            emit(body);
            emitSamples(r.epoch);
          }),
        shouldStop: () => fitControl.shouldStop(),
      },
      {
        initialEpoch: fitControl.initialEpoch,
        trainingBatches: augment
          ? augmentedDataset(
              { images: dataset.trainImages, labels: dataset.trainLabels, count: data.xTrain.shape[0], batchSize, shuffle, seed, augment },
              fitControl.initialEpoch + 1,
            )
          : undefined,
      },
    );
    log(`fit: ${outcome.epochsCompleted} epoch(s) in ${outcome.fitSeconds.toFixed(1)} s`);
    const ending = fitControl.finish();
    if (ending.restoredEpoch !== null) emitSamples(ending.restoredEpoch);

    if (ending.status === 'cancelled') {
      status = 'cancelled';
    } else {
      const xTest = toImageTensor(dataset.testImages, 0, dataset.testLabels.length);
      tensors.push(xTest);
      const probs = predictProbabilities(model, xTest, undefined, () => emitOut({ type: 'heartbeat', time: Date.now(), phase: 'evaluating' }));
      emit({ type: 'evaluation', ...evaluatePredictions(probs, dataset.testLabels), examples: evaluationExamples(probs, dataset.testLabels, dataset.testImages) });
    }
    await saveModel(model, join(cmd.runDir, RUN_FILES.model));
  } catch (err) {
    if (err instanceof StopBeforeTraining || (control.stopRequested && control.abort.signal.aborted)) {
      status = 'cancelled';
    } else {
      status = 'failed';
      failure = failureOf(err);
      const expected = err instanceof DataError || err instanceof ConfigProblem || err instanceof BackendError || err instanceof RunFolderWriteError;
      log(!expected && err instanceof Error && err.stack ? err.stack : failure.message, 'error');
    }
  } finally {
    for (const t of tensors) t.dispose();
    fit?.dispose();
  }
  if (control.model) {
    control.model.optimizer?.dispose(); // compile() was given an instance, so the model does not own it
    control.model.dispose();
    control.model = undefined;
  }

  const body: Omit<DoneEvent, 'time'> = { type: 'done', status, runDir: cmd.runDir };
  const numTensors = tensorsInMemory();
  if (numTensors !== undefined) body.numTensors = numTensors;
  if (status === 'cancelled') {
    const resumable = fit && fit.history.length > 0 ? `, and the run can be resumed after epoch ${fit.history.length}` : '';
    body.message = `Stopped by the user; the model learned so far is saved${resumable}.`;
  }
  if (failure) Object.assign(body, failure);
  emit(body);
  const done = events[events.length - 1] as DoneEvent;
  // A resumed run's summary folds its whole log, the attempts before this one included.
  try {
    writeSummary(cmd.runDir, summaryOf(cmd.config, resume ? readEvents(cmd.runDir) : events));
  } catch (err) {
    // No summary.json then (no half of one either): readers fold events.jsonl instead.
    if (!(err instanceof RunFolderWriteError)) throw err;
  }
  if (status === 'completed') pruneCheckpoints(cmd.runDir);
  return done;
}
