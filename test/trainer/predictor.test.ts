// Draw a digit's predictor: a run trained by the real mnist-train (dist/cli.js) on mnist-sample,
// its saved model loaded in-process and by the predictor process, asked about real test digits.
import * as tf from '@tensorflow/tfjs';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { PredictorClient, savedModelDir } from '../../src/node/processes/predictor-client';
import type { DatasetEvent, EvaluationEvent, SamplesEvent, TrainerEvent } from '../../src/shared/protocol';
import { Predictor } from '../../src/trainer/predictor';
import { inputForRequest, toMnistInput } from '../../webview/dashboard/preprocess';
import { cliBundle } from '../helpers/paths';
import { predictorBundle } from '../helpers/predictor-bundle';

interface Digit {
  index: number;
  label: number;
  /** The run's own confidence in its (right) answer after its last epoch. */
  confidence: number;
  bytes: Buffer;
}

let runDir = '';
let events: TrainerEvent[] = [];
let chosen: Digit[] = [];
let bundle = '';

function train(cwd: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cliBundle, '--dataset', 'mnist-sample', '--epochs', '1', '--backend', 'wasm', '--out', join(cwd, 'runs')], {
      cwd,
      env: { ...process.env, XDG_CACHE_HOME: join(cwd, 'cache') },
    });
    let stderr = '';
    child.stderr.on('data', (b) => (stderr += b));
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`mnist-train exited ${code}: ${stderr}`))));
  });
}

const argmax = (p: readonly number[]): number => p.indexOf(Math.max(...p));
const scaled = (d: Digit): number[] => Array.from(d.bytes, (v) => v / 255);

before(async () => {
  const cwd = mkdtempSync(join(tmpdir(), 'mnist-predictor-test-'));
  [bundle] = await Promise.all([predictorBundle(), train(cwd)]);
  const [id] = readdirSync(join(cwd, 'runs'));
  runDir = join(cwd, 'runs', id);
  events = readFileSync(join(runDir, 'events.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as TrainerEvent);
  const samples = events.filter((e): e is SamplesEvent => e.type === 'samples');
  const images = samples[0].images!;
  const last = samples.at(-1)!;
  // Ten digits the run got right, one of each class where it can.
  const right = last.indices.map((index, i) => ({ index, label: last.labels[i], confidence: last.confidence[i], bytes: Buffer.from(images[i], 'base64'), ok: last.predicted[i] === last.labels[i] })).filter((d) => d.ok);
  const seen = new Set<number>();
  chosen = [...right.filter((d) => !seen.has(d.label) && seen.add(d.label)), ...right.filter((d) => seen.has(d.label))].slice(0, 10);
  assert.equal(chosen.length, 10, 'the run got at least 10 of its 20 sample digits right');
});

describe('the run folder the dashboard reads', () => {
  it('events.jsonl carries class counts, explorer digits and bounded evaluation examples', () => {
    const dataset = events.find((e): e is DatasetEvent => e.type === 'dataset')!;
    assert.equal(dataset.classCounts!.train.reduce((a, b) => a + b, 0), dataset.train);
    assert.equal(dataset.examples!.images.length, 30);
    assert.ok(JSON.stringify(dataset).length < 12_000, `dataset event ${JSON.stringify(dataset).length} characters`);
    const evaluation = events.find((e): e is EvaluationEvent => e.type === 'evaluation')!;
    assert.ok(evaluation.examples!.length > 0 && evaluation.examples!.length <= 200);
    const indices = new Set(evaluation.examples!.map((x) => x.index));
    for (const m of evaluation.misclassified) assert.ok(indices.has(m.index));
    assert.ok(JSON.stringify(evaluation).length < 100_000, `evaluation event ${JSON.stringify(evaluation).length} characters`);
    const size = statSync(join(runDir, 'events.jsonl')).size;
    assert.ok(size < 200_000, `events.jsonl ${size} bytes`);
    assert.ok(savedModelDir(runDir), 'the model is saved');
    assert.equal(savedModelDir(join(runDir, 'nowhere')), null);
  });
});

describe('in-process predictor (src/trainer/predictor.ts)', () => {
  const predictor = new Predictor();
  after(() => predictor.dispose());

  it('loads the saved model and classifies the chosen test digits as the run did, without leaking tensors', async () => {
    await predictor.load(savedModelDir(runDir)!);
    const before = tf.memory().numTensors;
    let right = 0;
    for (const d of chosen) {
      const p = predictor.predict(scaled(d));
      assert.equal(p.length, 10);
      assert.ok(Math.abs(p.reduce((a, b) => a + b, 0) - 1) < 1e-4, 'probabilities');
      if (argmax(p) === d.label) right++;
      assert.ok(Math.abs(p[d.label] - d.confidence) < 1e-3, `#${d.index}: ${p[d.label]} vs the run's ${d.confidence}`);
    }
    assert.ok(right >= 9, `${right} of 10 right`);
    assert.equal(tf.memory().numTensors, before, 'no tensors left behind');
  });

  it('says what is wrong: a wrong-sized input, a folder without a model', async () => {
    assert.throws(() => predictor.predict(new Array(100).fill(0)), /expected 784 pixel values, got 100/);
    const other = new Predictor();
    assert.throws(() => other.predict(new Array(784).fill(0)), /no model is loaded/);
    await assert.rejects(other.load(join(runDir, 'nowhere')), /could not load the model in .*nowhere/);
    assert.throws(() => other.predict(new Array(784).fill(0)), /could not load the model/);
  });
});

describe('predictor process (dist/predictor.js) through the host client', () => {
  const logs: string[] = [];
  let client: PredictorClient;
  before(() => {
    client = new PredictorClient(bundle, (level, message) => logs.push(`${level}: ${message}`));
  });
  after(() => client.dispose());

  it('predicts the chosen test digits right (at least 9 of 10), and so does the same digit drawn large', async () => {
    const dir = savedModelDir(runDir)!;
    client.warm(dir);
    let right = 0;
    let drawnRight = 0;
    for (const d of chosen) {
      const r = await client.predict(dir, scaled(d));
      assert.ok('probabilities' in r, JSON.stringify(r));
      if (argmax(r.probabilities) === d.label) right++;
      assert.ok(Math.abs(r.probabilities[d.label] - d.confidence) < 1e-3);
      // The same digit ten times larger, as if drawn on the pad, through the MNIST preprocessing.
      const big = new Float32Array(280 * 280);
      for (let y = 0; y < 280; y++) for (let x = 0; x < 280; x++) big[y * 280 + x] = d.bytes[Math.floor(y / 10) * 28 + Math.floor(x / 10)] / 255;
      const drawn = await client.predict(dir, inputForRequest(toMnistInput(big, 280, 280)!));
      assert.ok('probabilities' in drawn);
      if (argmax(drawn.probabilities) === d.label) drawnRight++;
    }
    assert.ok(right >= 9, `${right} of 10 right`);
    assert.ok(drawnRight >= 9, `${drawnRight} of 10 drawn digits right`);
    assert.ok(logs.some((l) => /loaded .*model/.test(l)), logs.join('\n'));
  });

  it('answers a warm request well within 100 ms', async () => {
    const dir = savedModelDir(runDir)!;
    const times: number[] = [];
    for (let i = 0; i < 15; i++) {
      const t = performance.now();
      const r = await client.predict(dir, scaled(chosen[i % chosen.length]));
      times.push(performance.now() - t);
      assert.ok('probabilities' in r);
    }
    times.sort((a, b) => a - b);
    assert.ok(times[Math.floor(times.length / 2)] < 100, `median ${times[7].toFixed(1)} ms`);
  });

  it('a run without a saved model gets an answer that says so, and the process carries on', async () => {
    const r = await client.predict(join(runDir, 'no-such-model'), scaled(chosen[0]));
    assert.ok('error' in r && /could not load the model/.test(r.error), JSON.stringify(r));
    const ok = await client.predict(savedModelDir(runDir)!, scaled(chosen[0]));
    assert.ok('probabilities' in ok && argmax(ok.probabilities) === chosen[0].label);
  });

  it('a predictor that dies fails its pending request with a message, and the next one starts it again', async () => {
    const dir = savedModelDir(runDir)!;
    const pending = client.predict(dir, scaled(chosen[1]));
    client.stop();
    const r = await pending;
    assert.ok('error' in r, JSON.stringify(r));
    assert.equal(client.running, false);
    const again = await client.predict(dir, scaled(chosen[1]));
    assert.ok('probabilities' in again && argmax(again.probabilities) === chosen[1].label);
    assert.equal(client.running, true);
  });

  it('a missing bundle is an error message, not a crash', async () => {
    const missing = new PredictorClient(join(runDir, 'predictor.js'));
    const r = await missing.predict(savedModelDir(runDir)!, scaled(chosen[0]));
    assert.ok('error' in r && /predictor is missing/.test(r.error));
    missing.dispose();
  });
});
