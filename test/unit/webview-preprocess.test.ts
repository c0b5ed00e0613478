// Draw a digit: strokes → 28×28 the MNIST way (crop, fit 20×20 keeping aspect, centre of mass at the centre).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { SamplesEvent, TrainerEvent } from '../../src/shared/protocol';
import { inputForRequest, PAD_RESOLUTION, PEN_WIDTH, rasterizeStrokes, type Stroke, toMnistInput } from '../../webview/dashboard/preprocess';
import { repoRoot } from '../helpers/paths';

/** A width×height bitmap with 1s in the given rectangle. */
function block(width: number, height: number, left: number, top: number, w: number, h: number): Float32Array {
  const out = new Float32Array(width * height);
  for (let y = top; y < top + h; y++) for (let x = left; x < left + w; x++) out[y * width + x] = 1;
  return out;
}

/** Rows, then columns, that have any ink. */
function inked(pixels: ArrayLike<number>): { rows: number[]; cols: number[] } {
  const rows = new Set<number>();
  const cols = new Set<number>();
  for (let i = 0; i < 784; i++) if (pixels[i] > 0) {
      rows.add(Math.floor(i / 28));
      cols.add(i % 28);
    }
  return { rows: [...rows].sort((a, b) => a - b), cols: [...cols].sort((a, b) => a - b) };
}

/** In pixel indices, as MNIST centres its digits: within half a pixel of (14, 14). */
function centerOfMass(pixels: ArrayLike<number>): { x: number; y: number } {
  let m = 0;
  let x = 0;
  let y = 0;
  for (let i = 0; i < 784; i++) {
    m += pixels[i];
    x += pixels[i] * (i % 28);
    y += pixels[i] * Math.floor(i / 28);
  }
  return { x: x / m, y: y / m };
}

const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('draw a digit: the 28×28 input', () => {
  it('a filled square anywhere becomes exactly a 20×20 block in the middle (rows and columns 5..24)', () => {
    for (const [left, top, side] of [[30, 50, 10], [0, 0, 40], [77, 3, 23]]) {
      const input = toMnistInput(block(100, 100, left, top, side, side), 100, 100)!;
      const expected = new Float32Array(784);
      for (let y = 5; y < 25; y++) for (let x = 5; x < 25; x++) expected[y * 28 + x] = 1;
      assert.deepEqual([...input.pixels], [...expected], `square ${side} at ${left},${top}`);
      assert.deepEqual(input.box, { left: 5, top: 5, width: 20, height: 20 });
      // 9.5 from the block's edge: the shift 14 − 9.5 rounds to 5, as MNIST's half-pixel cases do.
      assert.deepEqual(input.centerOfMass, { x: 14.5, y: 14.5 });
      assert.equal(input.bytes[5 * 28 + 5], 255);
      assert.equal(input.bytes[4 * 28 + 5], 0);
    }
  });

  it('keeps the aspect: a 10×5 bar becomes 20×10, centred (columns 5..24, rows 10..19)', () => {
    const input = toMnistInput(block(60, 40, 7, 11, 10, 5), 60, 40)!;
    assert.deepEqual(input.box, { left: 5, top: 10, width: 20, height: 10 });
    const { rows, cols } = inked(input.pixels);
    assert.deepEqual(rows, range(10, 19));
    assert.deepEqual(cols, range(5, 24));
    assert.ok([...input.pixels].every((v) => v === 0 || v === 1));
  });

  it('averages areas when it shrinks: a one-pixel checkerboard turns mid grey', () => {
    const ink = new Float32Array(40 * 40);
    for (let y = 0; y < 40; y++) for (let x = 0; x < 40; x++) ink[y * 40 + x] = (x + y) % 2;
    const input = toMnistInput(ink, 40, 40)!;
    for (let y = 5; y < 25; y++) for (let x = 5; x < 25; x++) assert.ok(Math.abs(input.pixels[y * 28 + x] - 0.5) < 1e-6);
  });

  it('centres by the centre of mass, not the bounding box: an L sits off-centre', () => {
    // A thick L: a vertical bar and a foot to the right, so the mass is low and to the left.
    const ink = new Float32Array(100 * 100);
    const fill = (l: number, t: number, w: number, h: number) => {
      for (let y = t; y < t + h; y++) for (let x = l; x < l + w; x++) ink[y * 100 + x] = 1;
    };
    fill(10, 10, 10, 60);
    fill(10, 60, 50, 10);
    const input = toMnistInput(ink, 100, 100)!;
    const cm = centerOfMass(input.pixels);
    assert.ok(Math.abs(cm.x - 14) <= 0.5 && Math.abs(cm.y - 14) <= 0.5, `centre of mass ${cm.x}, ${cm.y}`);
    assert.deepEqual(input.centerOfMass, cm);
    const { box } = input;
    assert.equal(box.height, 20);
    assert.equal(box.width, Math.round(50 * (20 / 60)));
    assert.ok(box.left + box.width / 2 > 16, 'the bounding box is not what is centred: the light right side is pushed out');
  });

  it('a vertical stroke (a "1") fills the 20 rows, two or three columns wide, in the middle', () => {
    const one: Stroke[] = [[{ x: 0.5, y: 0.2 }, { x: 0.5, y: 0.5 }, { x: 0.5, y: 0.8 }]];
    const input = toMnistInput(rasterizeStrokes(one), PAD_RESOLUTION, PAD_RESOLUTION)!;
    const { rows, cols } = inked(input.pixels);
    assert.deepEqual(rows, range(5, 24), 'top-bottom symmetric, like the square');
    assert.ok(cols.length >= 2 && cols.length <= 3, `columns ${cols}`);
    assert.ok(cols.every((c) => c >= 13 && c <= 15), `columns ${cols}`);
    assert.ok(Math.max(...input.pixels) > 0.9, 'the middle of the stroke is solid ink');
    const cm = centerOfMass(input.pixels);
    assert.ok(Math.abs(cm.x - 14) <= 0.5 && Math.abs(cm.y - 14) <= 0.5, `centre of mass ${cm.x}, ${cm.y}`);
  });

  it('the same stroke moved on the pad gives the same input; drawn twice as large, nearly the same', () => {
    const seven = (ox: number, oy: number, k: number): Stroke[] => [
      [{ x: ox, y: oy }, { x: ox + 0.3 * k, y: oy }, { x: ox + 0.12 * k, y: oy + 0.5 * k }],
    ];
    const at = (ox: number, oy: number, k = 1, pen = PEN_WIDTH) => toMnistInput(rasterizeStrokes(seven(ox, oy, k), PAD_RESOLUTION, pen), PAD_RESOLUTION, PAD_RESOLUTION)!;
    const a = at(0.1, 0.1);
    const b = at(0.5, 0.4); // 112 and 84 pad pixels away: whole pixels
    assert.deepEqual([...b.pixels], [...a.pixels]);
    const big = at(0.05, 0.05, 1.6, PEN_WIDTH * 1.6);
    const diff = big.pixels.reduce((s, v, i) => s + Math.abs(v - a.pixels[i]), 0) / 784;
    assert.ok(diff < 0.03, `mean difference ${diff}`);
    const solid = (p: Float32Array) => inked(p.map((v) => (v > 0.5 ? v : 0)));
    assert.deepEqual(solid(big.pixels), solid(a.pixels));
  });

  it('a tap is a dot in the middle; no ink is no input', () => {
    const dot = toMnistInput(rasterizeStrokes([[{ x: 0.3, y: 0.7 }]]), PAD_RESOLUTION, PAD_RESOLUTION)!;
    assert.deepEqual(dot.box, { left: 5, top: 5, width: 20, height: 20 });
    assert.ok(dot.pixels[14 * 28 + 14] > 0.99 && dot.pixels[5 * 28 + 5] < 0.5, 'round, not square');
    assert.equal(toMnistInput(new Float32Array(100), 10, 10), null);
    assert.equal(toMnistInput(rasterizeStrokes([]), PAD_RESOLUTION, PAD_RESOLUTION), null);
    assert.throws(() => toMnistInput(new Float32Array(99), 10, 10), /expected 100 values/);
  });

  it('the request carries 784 numbers in 0..1', () => {
    const input = toMnistInput(block(50, 50, 10, 10, 8, 30), 50, 50)!;
    const values = inputForRequest(input);
    assert.equal(values.length, 784);
    assert.ok(values.every((v) => typeof v === 'number' && v >= 0 && v <= 1));
  });

  it('real MNIST digits, drawn ten times larger, come back exactly as themselves (MNIST was made this way)', () => {
    const events = readFileSync(join(repoRoot, 'test', 'fixtures', 'webview-runs', 'completed', 'events.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as TrainerEvent);
    const samples = events.find((e): e is SamplesEvent => e.type === 'samples' && e.epoch === 0)!;
    assert.equal(samples.images!.length, 20);
    for (const [k, image] of samples.images!.entries()) {
      const digit = Buffer.from(image, 'base64');
      const big = new Float32Array(280 * 280);
      for (let y = 0; y < 280; y++) for (let x = 0; x < 280; x++) big[y * 280 + x] = digit[Math.floor(y / 10) * 28 + Math.floor(x / 10)] / 255;
      const input = toMnistInput(big, 280, 280)!;
      assert.deepEqual([...input.bytes], [...digit], `digit ${k} (label ${samples.labels[k]}) at ${JSON.stringify(input.box)}`);
      const cm = centerOfMass(input.pixels);
      assert.ok(Math.abs(cm.x - 14) <= 0.5 && Math.abs(cm.y - 14) <= 0.5);
    }
  });
});
