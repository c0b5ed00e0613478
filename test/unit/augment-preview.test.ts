// MNIST: Preview Augmentation's pure part on the bundled real digits: which digits, which
// transforms, and versions that are the trainer's warp, seeded.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { buildAugmentPreview, describeAugment, pickPreviewDigits, PREVIEW_VERSIONS, type PreviewInput } from '../../src/shared/augment-preview';
import { AUGMENT_DEFAULTS, type AugmentConfig } from '../../src/shared/config';
import { decodeDigit } from '../../src/shared/digits';
import { loadDataset } from '../../src/node/data/datasets';
import type { RunInfo, TrainerEvent } from '../../src/shared/protocol';
import { runAugmentPreview } from '../../webview/dashboard/insights';
import { applyMessage, initialState } from '../../webview/dashboard/state';
import { ensureSample } from '../helpers/datasets';
import { repoRoot } from '../helpers/paths';

let input: PreviewInput;

before(async () => {
  const sampleDir = ensureSample();
  const d = await loadDataset({ dataset: 'mnist-sample', dir: null, cacheDir: '/nonexistent', sampleDir });
  input = { images: d.trainImages, labels: d.trainLabels, classNames: d.classNames, source: d.source };
});

const DEFAULTS: AugmentConfig = { ...AUGMENT_DEFAULTS, elastic: null };
const bytes = (s: string) => decodeDigit(s)!;
const differing = (a: Uint8Array, b: Uint8Array) => a.reduce((n, v, i) => n + (v !== b[i] ? 1 : 0), 0);
const ink = (a: Uint8Array) => a.reduce((n, v) => n + v, 0);

describe('augmentation preview', () => {
  it('picks the first training image of each class, in class order', () => {
    const picked = pickPreviewDigits(input.labels);
    assert.deepEqual(picked.map((i) => input.labels[i]), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    for (const i of picked) for (let j = 0; j < i; j++) assert.notEqual(input.labels[j], input.labels[i], `#${j} is an earlier ${input.labels[i]}`);
    const two = pickPreviewDigits(input.labels, 10, 2);
    assert.equal(two.length, 20);
    assert.deepEqual(two.filter((_, k) => k % 2 === 0), picked);
  });

  it('describes the transforms in the config\'s units', () => {
    assert.equal(describeAugment(DEFAULTS), 'rotation ±10°, shift ±2 px, zoom ±10%, no elastic distortion');
    assert.equal(describeAugment({ rotation: 0, shift: 0, zoom: 0.05, elastic: { alpha: 34, sigma: 4 } }), 'no rotation, no shift, zoom ±5%, elastic distortion (alpha 34, sigma 4)');
  });

  it('with augmentation on: the real digit, then versions that move its pixels but keep its ink, as bytes', () => {
    const p = buildAugmentPreview(input, DEFAULTS, 42);
    assert.equal(p.enabled, true);
    assert.deepEqual(p.notes, []);
    assert.equal(p.digits.length, 10);
    for (const d of p.digits) {
      const original = bytes(d.image);
      assert.deepEqual(original, input.images.subarray(d.index * 784, (d.index + 1) * 784), 'the original is the training image');
      assert.equal(d.label, input.labels[d.index]);
      assert.equal(d.versions.length, PREVIEW_VERSIONS);
      for (const v of d.versions.map(bytes)) {
        assert.equal(v.length, 784);
        assert.ok(differing(v, original) > 20, 'pixels change');
        // ±10% zoom scales the area by at most 1.21; the bilinear warp blurs a little.
        const ratio = ink(v) / ink(original);
        assert.ok(ratio > 0.7 && ratio < 1.35, `ink kept: ${ratio.toFixed(2)}`);
      }
      assert.notDeepEqual(bytes(d.versions[0]), bytes(d.versions[1]), 'each version draws its own transform');
    }
  });

  it('is seeded: the same config shows the same versions; another seed others', () => {
    const a = buildAugmentPreview(input, DEFAULTS, 7);
    assert.deepEqual(buildAugmentPreview(input, DEFAULTS, 7), a);
    assert.notDeepEqual(buildAugmentPreview(input, DEFAULTS, 8).digits[0].versions, a.digits[0].versions);
  });

  it('augmentation off (no data.augment): shows what the defaults would do and says it is off', () => {
    const p = buildAugmentPreview(input, null, 42);
    assert.equal(p.enabled, false);
    assert.deepEqual(p.augment, DEFAULTS);
    assert.match(p.notes.join(' '), /^Augmentation is off: "data\.augment" is not set, so training uses the digits as they are\./);
    assert.deepEqual(p.digits, buildAugmentPreview(input, DEFAULTS, 42).digits);
  });

  it('a config whose ranges are all 0 changes nothing, and says so', () => {
    const p = buildAugmentPreview(input, { rotation: 0, shift: 0, zoom: 0, elastic: null }, 42);
    assert.equal(p.enabled, false);
    assert.match(p.notes[0], /changes nothing/);
    for (const d of p.digits) for (const v of d.versions) assert.equal(v, d.image);
  });

  it('elastic distortion bends strokes: more pixels change than with the affine part alone', () => {
    const affine = buildAugmentPreview(input, { rotation: 0, shift: 0, zoom: 0, elastic: null }, 1);
    const elastic = buildAugmentPreview(input, { rotation: 0, shift: 0, zoom: 0, elastic: { alpha: 34, sigma: 4 } }, 1);
    assert.equal(elastic.enabled, true);
    const changed = (p: typeof affine) => p.digits.reduce((n, d) => n + differing(bytes(d.versions[0]), bytes(d.image)), 0);
    assert.equal(changed(affine), 0);
    assert.ok(changed(elastic) > 500, `${changed(elastic)} pixels changed over 10 digits`);
  });
});

describe('the Dashboard dataset explorer\'s augmentation rows (recorded log, completed-with-examples)', () => {
  const dir = join(repoRoot, 'test', 'fixtures', 'webview-runs', 'completed-with-examples');
  const events = readFileSync(join(dir, 'events.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as TrainerEvent);
  const view = (augment: AugmentConfig | null | undefined) => {
    const info: RunInfo = { id: 'r', model: 'mlp', dataset: 'mnist-sample', epochs: 2, batchSize: 32, live: false, ...(augment !== undefined ? { augment, seed: 5 } : {}) };
    return applyMessage(applyMessage(initialState(), { type: 'showRun', run: info }), { type: 'events', runId: 'r', events });
  };

  it('a run that augmented: the first digit of each class in its log, with versions drawn with its config and seed', () => {
    const s = view(DEFAULTS);
    const p = runAugmentPreview(s)!;
    assert.equal(p.description, describeAugment(DEFAULTS));
    assert.equal(p.seed, 5);
    assert.deepEqual(p.digits.map((d) => d.label), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    for (const d of p.digits) {
      const example = s.dataset!.examples.find((x) => x.index === d.index)!;
      assert.ok(example, `#${d.index} is a training index from the log`);
      assert.deepEqual(bytes(d.image), example.pixels);
      assert.equal(d.versions.length, 4);
      assert.ok(differing(bytes(d.versions[0]), example.pixels!) > 20);
    }
    assert.deepEqual(runAugmentPreview(view(DEFAULTS)), p, 'the same every time the view draws it');
  });

  it('a run without augmentation, or from a host that did not say: no rows', () => {
    assert.equal(runAugmentPreview(view(null)), null);
    assert.equal(runAugmentPreview(view(undefined)), null);
    assert.equal(runAugmentPreview(view({ rotation: 0, shift: 0, zoom: 0, elastic: null })), null);
  });
});
