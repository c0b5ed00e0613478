// Writing and reading a checkpoint's tensors: model weights, the optimizer's state where tfjs
// exposes it (getWeights/setWeights: Adam's moments, RMSprop's averages, the step count) and the
// best epoch's weights. Folders and state.json are described in resume.ts.
import * as tf from '@tensorflow/tfjs';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { RunFolderWriteError } from '../node/runs/run-folder';
import { fsyncDir, writeFileDurable } from '../node/files/durable';
import { CHECKPOINTS_DIR, type CheckpointState, type WeightSpec, pruneCheckpoints } from '../node/runs/resume';

interface Named {
  name: string;
  tensor: tf.Tensor;
}

/**
 * Adam's bias corrections: setWeights() recomputes them as pow(beta, t + 1), which differs in the
 * last bits from the running product training keeps, so a checkpoint carries them as they were.
 */
const ADAM_POWERS = ['accBeta1', 'accBeta2'] as const;
type WithPowers = Partial<Record<(typeof ADAM_POWERS)[number], tf.Variable>>;

/** Tensors' bytes one after another, and where each starts. */
async function pack(named: readonly Named[], chunks: Buffer[], offset: { bytes: number }): Promise<WeightSpec[]> {
  const specs: WeightSpec[] = [];
  for (const { name, tensor } of named) {
    const dtype = tensor.dtype === 'int32' ? 'int32' : 'float32';
    const data = await tensor.data();
    const typed = dtype === 'int32' ? Int32Array.from(data) : Float32Array.from(data);
    const bytes = Buffer.from(typed.buffer, typed.byteOffset, typed.byteLength);
    specs.push({ name, shape: [...tensor.shape], dtype, offset: offset.bytes });
    chunks.push(bytes);
    offset.bytes += bytes.length;
  }
  return specs;
}

function unpack(specs: readonly WeightSpec[], bin: Buffer): Named[] {
  return specs.map((s) => {
    const size = s.shape.reduce((a, b) => a * b, 1);
    const copy = bin.buffer.slice(bin.byteOffset + s.offset, bin.byteOffset + s.offset + size * 4);
    const values = s.dtype === 'int32' ? new Int32Array(copy) : new Float32Array(copy);
    return { name: s.name, tensor: tf.tensor(values, s.shape, s.dtype) };
  });
}

export interface CheckpointInput {
  epoch: number;
  epochs: number;
  history: CheckpointState['history'];
  rngState: number | null;
  best: CheckpointState['best'];
  /** The best epoch's weights in model.getWeights() order, or null. */
  bestWeights: readonly tf.Tensor[] | null;
  fitOrder: Uint32Array | null;
}

/** Writes checkpoints/epoch-N whole (temp folder + rename), then removes the older ones. */
export async function saveCheckpoint(runDir: string, model: tf.LayersModel, input: CheckpointInput): Promise<string> {
  const chunks: Buffer[] = [];
  const offset = { bytes: 0 };
  const values = model.getWeights(); // the variables themselves, not copies
  const modelSpecs = await pack(model.weights.map((w, i) => ({ name: w.originalName, tensor: values[i] })), chunks, offset);
  let optimizer: CheckpointState['optimizer'] = null;
  try {
    const named = await model.optimizer.getWeights();
    const powers = model.optimizer as unknown as WithPowers;
    const extra = ADAM_POWERS.flatMap((k) => (powers[k] ? [{ name: `optimizer/${k}`, tensor: powers[k] }] : []));
    try {
      optimizer = { className: model.optimizer.getClassName(), weights: await pack([...named, ...extra], chunks, offset) };
    } finally {
      // The step count is a fresh tensor; the rest are the optimizer's own variables.
      for (const n of named) if (n.name === 'iter') n.tensor.dispose();
    }
  } catch {
    optimizer = null; // an optimizer without getWeights: resume starts it afresh
  }
  const bestWeights = input.bestWeights
    ? await pack(input.bestWeights.map((t, i) => ({ name: model.weights[i].originalName, tensor: t })), chunks, offset)
    : null;
  let fitOrder: WeightSpec | null = null;
  if (input.fitOrder) {
    const bytes = Buffer.from(input.fitOrder.buffer, input.fitOrder.byteOffset, input.fitOrder.byteLength);
    fitOrder = { name: 'fit-order', shape: [input.fitOrder.length], dtype: 'int32', offset: offset.bytes };
    chunks.push(Buffer.from(bytes)); // a copy: the order goes on changing
    offset.bytes += bytes.length;
  }
  const state: CheckpointState = {
    version: 1,
    epoch: input.epoch,
    epochs: input.epochs,
    history: input.history,
    rngState: input.rngState,
    model: modelSpecs,
    optimizer,
    best: input.best,
    bestWeights,
    fitOrder,
    savedAt: new Date().toISOString(),
  };
  const root = join(runDir, CHECKPOINTS_DIR);
  const dir = join(root, `epoch-${input.epoch}`);
  const tmp = join(root, `.tmp-epoch-${input.epoch}-${process.pid}`);
  // A same-named one (an epoch written again) is moved aside, not deleted, until this one has its name.
  const old = join(root, `.tmp-epoch-${input.epoch}-old-${process.pid}`);
  try {
    rmSync(tmp, { recursive: true, force: true });
    mkdirSync(tmp, { recursive: true });
    // On the disk before the rename: after a power cut a folder named epoch-N is still whole.
    writeFileDurable(join(tmp, 'weights.bin'), Buffer.concat(chunks));
    writeFileDurable(join(tmp, 'state.json'), JSON.stringify(state));
    fsyncDir(tmp);
    if (existsSync(dir)) renameSync(dir, old);
    renameSync(tmp, dir);
    fsyncDir(root);
  } catch (err) {
    rmSync(tmp, { recursive: true, force: true }); // a full disk keeps the previous checkpoint, not half of this one
    throw new RunFolderWriteError(join(dir, 'weights.bin'), err);
  }
  // Only now are the older ones (and the one moved aside) removed.
  pruneCheckpoints(runDir, dir);
  return dir;
}

/**
 * Puts a checkpoint's weights and optimizer state into a freshly built model of the same config.
 * Returns the best epoch's weights (the caller owns them) when the checkpoint kept them, and fit's order.
 */
export async function loadCheckpoint(
  dir: string,
  state: CheckpointState,
  model: tf.LayersModel,
): Promise<{ bestWeights: tf.Tensor[] | null; fitOrder: Uint32Array | null }> {
  const bin = readFileSync(join(dir, 'weights.bin'));
  const weights = unpack(state.model, bin);
  if (weights.length !== model.weights.length || weights.some((w, i) => !tf.util.arraysEqual(w.tensor.shape, model.weights[i].shape as number[]))) {
    tf.dispose(weights.map((w) => w.tensor));
    throw new Error(`the checkpoint in ${dir} does not fit the model in config.json (different layers)`);
  }
  model.setWeights(weights.map((w) => w.tensor));
  tf.dispose(weights.map((w) => w.tensor));
  if (state.optimizer && state.optimizer.className === model.optimizer.getClassName()) {
    const all = unpack(state.optimizer.weights, bin);
    const slots = all.filter((s) => !s.name.startsWith('optimizer/'));
    await model.optimizer.setWeights(slots);
    const powers = model.optimizer as unknown as WithPowers;
    for (const k of ADAM_POWERS) {
      const saved = all.find((s) => s.name === `optimizer/${k}`);
      if (saved && powers[k]) powers[k].assign(saved.tensor);
    }
    tf.dispose(all.map((s) => s.tensor));
  }
  const o = state.fitOrder;
  return {
    bestWeights: state.bestWeights ? unpack(state.bestWeights, bin).map((w) => w.tensor) : null,
    fitOrder: o ? new Uint32Array(bin.buffer.slice(bin.byteOffset + o.offset, bin.byteOffset + o.offset + o.shape[0] * 4)) : null,
  };
}
