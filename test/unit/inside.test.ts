// Look Inside Model's pure parts: the panel's message guards (untrusted webview input), the
// check of what the predictor sent, the digits read from a real run's log, and the panel's own
// redo of a conv/pool output (against tf.conv2d and tf.maxPool on a real digit).
import * as tf from '@tensorflow/tfjs';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { decodeDigit } from '../../src/shared/digits';
import { insideDigits, MAX_MISTAKES, runClassNames } from '../../src/shared/inside';
import { isFromWebview, isPredictorCommand } from '../../src/shared/protocol';
import { isFromInsidePanel } from '../../src/shared/protocol/inside-guard';
import { decodeTensor, type EncodedTensor, isFromInsideView, isInspection, isToInsideView } from '../../src/shared/protocol/inspect';
import { readEvents } from '../../src/node/runs/run-folder';
import { activate, convAt, poolAt, windowOf } from '../../webview/inside/conv-math';
import { repoRoot } from '../helpers/paths';

const pixels = (): number[] => Array.from({ length: 784 }, (_, i) => (i % 29) / 28);
const encode = (values: number[], shape: number[]): EncodedTensor => ({ shape, data: Buffer.from(new Float32Array(values).buffer).toString('base64') });

describe('messages from the Look Inside Model panel', () => {
  it('accepts ready and an inspect request of 784 numbers in 0..1 with a whole-number id', () => {
    assert.ok(isFromInsideView({ type: 'ready' }));
    assert.ok(isFromInsideView({ type: 'inspect', id: 0, pixels: pixels() }));
    assert.ok(isFromInsideView({ type: 'inspect', id: 2 ** 40, pixels: new Array(784).fill(1) }));
    assert.ok(isFromInsideView({ type: 'testDigit', index: 0 }));
    assert.ok(isFromInsideView({ type: 'testDigit', index: 9999 }));
  });

  it('refuses anything else: wrong sizes, values out of range, extra fields, class instances, paths', () => {
    const bad: unknown[] = [
      null, 'ready', [], { type: 'ready', extra: 1 },
      { type: 'inspect', id: 1, pixels: pixels().slice(1) },
      { type: 'inspect', id: 1, pixels: pixels().map((v, i) => (i === 3 ? 1.5 : v)) },
      { type: 'inspect', id: 1, pixels: pixels().map((v, i) => (i === 3 ? NaN : v)) },
      { type: 'inspect', id: 1, pixels: pixels().map((v, i) => (i === 3 ? '0' : v)) },
      { type: 'inspect', id: -1, pixels: pixels() },
      { type: 'inspect', id: 1.5, pixels: pixels() },
      { type: 'inspect', id: 1, pixels: new Float32Array(784) },
      { type: 'inspect', id: 1, pixels: pixels(), modelDir: '/etc' },
      { type: 'inspect', id: 1, pixels: new Array(10_000_000) },
      { type: 'testDigit', index: -1 }, { type: 'testDigit', index: 1.5 }, { type: 'testDigit', index: '3' }, { type: 'testDigit', index: 1e12 },
      { type: 'testDigit', index: 3, path: '/etc' }, { type: 'testDigit' },
      Object.assign(Object.create({ type: 'ready' }) as object, {}),
      new (class { type = 'ready'; })(),
    ];
    for (const m of bad) assert.equal(isFromInsideView(m), false, JSON.stringify(m)?.slice(0, 100));
  });

  it('the panel also takes the Dashboard’s export request, checked by its guard, and nothing of the Dashboard’s else', () => {
    const png = 'data:image/png;base64,' + Buffer.from([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]).toString('base64');
    assert.ok(isFromInsidePanel({ type: 'export', format: 'png', fileName: 'inside-conv2d.png', data: png }));
    assert.ok(isFromInsidePanel({ type: 'export', format: 'csv', fileName: 'layers.csv', data: 'layer,value\n' }));
    assert.equal(isFromInsidePanel({ type: 'export', format: 'png', fileName: '../x.png', data: png }), false);
    assert.equal(isFromInsidePanel({ type: 'train' }), false);
    assert.equal(isFromInsidePanel({ type: 'predict', id: 1, pixels: pixels() }), false);
  });

  it('the Dashboard may ask to look inside (no fields); the predictor takes inspect only with valid pixels', () => {
    assert.ok(isFromWebview({ type: 'lookInside' }));
    assert.equal(isFromWebview({ type: 'lookInside', runDir: '/etc' }), false);
    assert.ok(isPredictorCommand({ type: 'inspect', id: 3, pixels: pixels() }));
    assert.equal(isPredictorCommand({ type: 'inspect', id: 3, pixels: [1, 2] }), false);
  });
});

describe('what the host sends the panel', () => {
  it('the panel acts only on its four message shapes', () => {
    const digit = { index: 3, label: 7, predicted: 7, source: 'sample', image: 'AAAA' };
    assert.ok(isToInsideView({ type: 'insideRun', run: { id: 'r' }, digits: [digit], classNames: ['0'], initial: 3 }));
    assert.ok(isToInsideView({ type: 'inspection', id: 1, error: 'no model' }));
    assert.ok(isToInsideView({ type: 'testDigit', index: 5, digit: { ...digit, source: 'index', predicted: -1 } }));
    assert.ok(isToInsideView({ type: 'follow', pixels: pixels(), from: 'r' }));
    for (const bad of [null, [], { type: 'insideRun', run: { id: 'r' }, digits: [{ ...digit, source: 'web' }], classNames: [], initial: null },
      { type: 'insideRun', run: { id: 'r' }, digits: 'x', classNames: [], initial: null }, { type: 'inspection', id: '1' },
      { type: 'follow', pixels: [2], from: 'r' }, { type: 'testDigit', index: 1, digit: {} }, { type: 'showRun' }]) {
      assert.equal(isToInsideView(bad), false, JSON.stringify(bad));
    }
  });
});

describe('what the predictor sent', () => {
  const good = () => ({
    layers: [{ name: 'dense', className: 'Dense', shape: [10], kind: 'values', output: encode(new Array(10).fill(0.1), [10]) }],
    probabilities: new Array(10).fill(0.1),
    predicted: 0,
    filters: null,
    saliency: encode(new Array(784).fill(0), [28, 28]),
    saliencyOf: 'logit',
    gradCam: null,
    millis: 3,
  });

  it('decodes float32 tensors exactly and refuses a shape its data does not fill', () => {
    assert.deepEqual(Array.from(decodeTensor(encode([1.5, -2, 3.25], [3]))!), [1.5, -2, 3.25]);
    assert.equal(decodeTensor(encode([1, 2, 3], [4])), null);
    assert.equal(decodeTensor({ shape: [3], data: '!!!!' }), null);
    assert.equal(decodeTensor({ shape: [0], data: '' }), null);
    assert.equal(decodeTensor({ shape: [1e9], data: 'AAAA' }), null);
    assert.equal(decodeTensor('AAAA'), null);
  });

  it('an answer is drawn only when every tensor decodes', () => {
    assert.ok(isInspection(good()));
    assert.equal(isInspection({ ...good(), saliency: encode([0], [1]) }), false);
    assert.equal(isInspection({ ...good(), layers: [] }), false);
    assert.equal(isInspection({ ...good(), layers: [{ ...good().layers[0], output: { shape: [10], data: 'AAAA' } }] }), false);
    assert.equal(isInspection({ ...good(), gradCam: { layer: 'c', method: 'HiResCAM', map: encode([1], [1]) } }), false);
    assert.equal(isInspection({ ...good(), layers: [{ name: 'd', className: 'Dropout', shape: [10], kind: 'identity' }] }), true);
  });
});

describe('the digits a run offers', () => {
  const dir = join(repoRoot, 'test', 'fixtures', 'webview-runs', 'completed-with-examples');
  const events = readEvents(dir);

  it('the sample grid first (with the prediction after the last epoch), then the mistakes, each a decodable 28×28 digit', () => {
    const digits = insideDigits(events);
    const samples = digits.filter((d) => d.source === 'sample');
    const mistakes = digits.filter((d) => d.source === 'mistake');
    assert.ok(samples.length >= 16, `${samples.length} sample digits`);
    assert.ok(mistakes.length > 0 && mistakes.length <= MAX_MISTAKES, `${mistakes.length} mistakes`);
    assert.ok(mistakes.every((d) => d.predicted !== d.label));
    assert.equal(new Set(digits.map((d) => d.index)).size, digits.length, 'each digit once');
    for (const d of digits) {
      const bytes = decodeDigit(d.image);
      assert.ok(bytes && bytes.some((v) => v > 128), `digit #${d.index} has ink`);
    }
    const samplesEvents = events.filter((e) => e.type === 'samples');
    const last = samplesEvents.at(-1) as { indices: number[]; predicted: number[] };
    assert.deepEqual(samples.map((d) => d.predicted), samples.map((d) => last.predicted[last.indices.indexOf(d.index)]));
    assert.deepEqual(runClassNames(events), ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
  });

  it('a log without samples or evaluation offers nothing, and does not throw', () => {
    assert.deepEqual(insideDigits([]), []);
    assert.equal(runClassNames([]).length, 10);
  });
});

describe('the panel’s dot product for one output value', () => {
  it('Conv2D, valid and same padding, stride 1 and 2: equal to tf.conv2d on a real digit', () => {
    const digit = Array.from(decodeDigit(insideDigits(readEvents(join(repoRoot, 'test', 'fixtures', 'webview-runs', 'completed-with-examples')))[0].image)!, (v) => v / 255);
    const inC = 2;
    const input = new Float32Array(28 * 28 * inC);
    digit.forEach((v, i) => ((input[i * inC] = v), (input[i * inC + 1] = 1 - v)));
    const filters = 3;
    const kernel = Float32Array.from({ length: 3 * 3 * inC * filters }, (_, i) => Math.sin(i * 1.7));
    const bias = Float32Array.from([0.1, -0.2, 0.05]);
    for (const [padding, stride] of [['valid', 1], ['same', 1], ['same', 2], ['valid', 2]] as const) {
      const out = tf.tidy(() => tf.conv2d(tf.tensor4d(input, [1, 28, 28, inC]), tf.tensor4d(kernel, [3, 3, inC, filters]), stride, padding).add(tf.tensor1d(bias)));
      const [, h, w] = out.shape;
      const values = out.dataSync();
      out.dispose();
      const win = windowOf([28, 28, inC], [h, w, filters], [3, 3], [stride, stride], padding);
      for (const [y, x, c] of [[0, 0, 0], [h - 1, w - 1, 2], [Math.floor(h / 2), 3, 1]]) {
        const t = convAt(input, kernel, bias, filters, win, c, y, x);
        assert.ok(Math.abs(t.pre - values[(y * w + x) * filters + c]) < 1e-5, `${padding} stride ${stride} at ${y},${x},${c}: ${t.pre} vs ${values[(y * w + x) * filters + c]}`);
        assert.ok(Math.abs(t.perChannel.reduce((a, b) => a + b, 0) + t.bias - t.pre) < 1e-5);
      }
    }
    assert.equal(activate(-2, 'relu'), 0);
    assert.equal(activate(2, 'relu'), 2);
    assert.equal(activate(2, 'softplus'), null, 'an activation it cannot redo says so');
  });

  it('MaxPooling2D: the window and its largest value, as tf.maxPool', () => {
    const input = Float32Array.from({ length: 26 * 26 * 2 }, (_, i) => Math.cos(i * 0.37));
    const out = tf.tidy(() => tf.maxPool(tf.tensor4d(input, [1, 26, 26, 2]), 2, 2, 'valid'));
    const values = out.dataSync();
    out.dispose();
    const win = windowOf([26, 26, 2], [13, 13, 2], [2, 2], [2, 2], 'valid');
    for (const [y, x, c] of [[0, 0, 0], [12, 12, 1], [5, 7, 1]]) {
      const p = poolAt(input, win, c, y, x);
      assert.equal(p.window.length, 4);
      assert.equal(p.max, values[(y * 13 + x) * 2 + c]);
    }
  });
});
