// IDX parsing on real digits (the bundled sample; ../shared/datasets/mnist-10k where present) and on broken files.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { gunzipSync, gzipSync } from 'node:zlib';
import { DataError, checkSameCount, encodeIdx, parseIdx, type IdxImages, type IdxLabels } from '../../src/node/data/idx';
import { MNIST_10K_DIR, ensureSample, hasMnist10k } from '../helpers/datasets';

const PIXELS = 784;
let sampleDir = '';
before(() => {
  sampleDir = ensureSample();
});

function read(dir: string, name: string): Uint8Array {
  return readFileSync(join(dir, name));
}
function images(dir: string, name = 'train-images-idx3-ubyte.gz'): IdxImages {
  return parseIdx(read(dir, name), name) as IdxImages;
}
function labels(dir: string, name = 'train-labels-idx1-ubyte.gz'): IdxLabels {
  return parseIdx(read(dir, name), name) as IdxLabels;
}
function counts(data: Uint8Array): number[] {
  const c = new Array<number>(10).fill(0);
  for (const v of data) c[v]++;
  return c;
}
/** Asserts that fn throws a DataError whose message matches every pattern. */
function throwsDataError(fn: () => unknown, ...patterns: RegExp[]): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof DataError, `expected a DataError, got ${String(err)}`);
    for (const p of patterns) assert.match(err.message, p);
    return true;
  });
}

describe('parseIdx on real files', () => {
  test('reads ../shared/datasets/mnist-10k: 10,000 training digits and the official test set', (t) => {
    if (!hasMnist10k()) return t.skip('../shared/datasets/mnist-10k not present');
    const trainImages = images(MNIST_10K_DIR);
    const trainLabels = labels(MNIST_10K_DIR);
    const testImages = images(MNIST_10K_DIR, 't10k-images-idx3-ubyte.gz');
    const testLabels = labels(MNIST_10K_DIR, 't10k-labels-idx1-ubyte.gz');
    assert.equal(trainImages.count, 10_000);
    assert.equal(trainImages.rows, 28);
    assert.equal(trainImages.cols, 28);
    assert.equal(trainImages.data.length, 10_000 * PIXELS);
    assert.equal(testImages.count, 10_000);
    // MNIST's well-known first digits: training starts 5 0 4 1 9, test starts 7 2 1 0 4.
    assert.deepEqual([...trainLabels.data.subarray(0, 5)], [5, 0, 4, 1, 9]);
    assert.deepEqual([...testLabels.data.subarray(0, 5)], [7, 2, 1, 0, 4]);
    // The official test set's class counts.
    assert.deepEqual(counts(testLabels.data), [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]);
    // Pixels are bytes: black background, full-intensity strokes.
    const first = trainImages.data.subarray(0, PIXELS);
    assert.equal(Math.min(...first), 0);
    assert.equal(Math.max(...first), 255);
  });

  test('reads the bundled sample: 8,000 train / 2,000 test, 200 test digits per class', () => {
    const trainImages = images(sampleDir);
    const trainLabels = labels(sampleDir);
    const testImages = images(sampleDir, 't10k-images-idx3-ubyte.gz');
    const testLabels = labels(sampleDir, 't10k-labels-idx1-ubyte.gz');
    assert.equal(trainImages.count, 8000);
    assert.equal(trainLabels.count, 8000);
    assert.equal(testImages.count, 2000);
    assert.deepEqual(counts(testLabels.data), new Array(10).fill(200));
    // The package's per-digit counts among the first 10,000 MNIST training images, minus 200 each.
    assert.deepEqual(counts(trainLabels.data), [801, 927, 791, 832, 780, 663, 814, 870, 744, 778]);
  });

  test('the sample holds the same bytes as the same digits in ../shared/datasets/mnist-10k', (t) => {
    if (!hasMnist10k()) return t.skip('../shared/datasets/mnist-10k not present');
    const official = images(MNIST_10K_DIR).data;
    const officialLabels = labels(MNIST_10K_DIR).data;
    // The package's list for digit d is the official images with label d, in official order.
    const byDigit: number[][] = Array.from({ length: 10 }, () => []);
    officialLabels.forEach((d, i) => byDigit[d].push(i));
    const trainPerDigit = byDigit.map((list) => list.length - 200);

    const check = (sampleImages: Uint8Array, sampleLabels: Uint8Array, firstRank: (d: number) => number) => {
      const seen = new Array<number>(10).fill(0);
      sampleLabels.forEach((d, j) => {
        const i = byDigit[d][firstRank(d) + seen[d]++];
        const got = sampleImages.subarray(j * PIXELS, (j + 1) * PIXELS);
        const want = official.subarray(i * PIXELS, (i + 1) * PIXELS);
        assert.ok(Buffer.compare(got, want) === 0, `sample image ${j} (digit ${d}) differs from official training image ${i}`);
      });
    };
    check(images(sampleDir).data, labels(sampleDir).data, () => 0);
    check(
      images(sampleDir, 't10k-images-idx3-ubyte.gz').data,
      labels(sampleDir, 't10k-labels-idx1-ubyte.gz').data,
      (d) => trainPerDigit[d],
    );
  });

  test('a raw (not gzipped) file parses to the same digits', () => {
    const gz = read(sampleDir, 't10k-images-idx3-ubyte.gz');
    const fromRaw = parseIdx(gunzipSync(gz), 't10k-images-idx3-ubyte') as IdxImages;
    assert.equal(fromRaw.count, 2000);
    assert.deepEqual(fromRaw.data, images(sampleDir, 't10k-images-idx3-ubyte.gz').data);
  });

  test('encodeIdx writes what parseIdx reads back', () => {
    const real = images(sampleDir, 't10k-images-idx3-ubyte.gz');
    const five = { ...real, count: 5, data: real.data.slice(0, 5 * PIXELS) };
    assert.deepEqual(parseIdx(encodeIdx(five), 'five-images.gz'), five);
    assert.deepEqual(parseIdx(encodeIdx(five, { gzip: false }), 'five-images'), five);
  });
});

describe('parseIdx on broken files', () => {
  test('wrong magic number: the file and both magics are named', () => {
    const raw = gunzipSync(read(sampleDir, 't10k-images-idx3-ubyte.gz'));
    raw.writeUInt32BE(0x00000a03, 0);
    throwsDataError(
      () => parseIdx(raw, 't10k-images-idx3-ubyte'),
      /^t10k-images-idx3-ubyte: not an IDX image file \(magic 0x00000a03, expected 0x00000803\)/,
    );
  });

  test('a labels file under an images name is called out as swapped', () => {
    throwsDataError(
      () => parseIdx(read(sampleDir, 'train-labels-idx1-ubyte.gz'), 'train-images-idx3-ubyte.gz'),
      /^train-images-idx3-ubyte\.gz: not an IDX image file \(magic 0x00000801, expected 0x00000803\)/,
      /swapped/,
    );
  });

  test('an HTML page (captive portal) saved under the official name', () => {
    const html = Buffer.from('<html><head><title>Sign in to Hotel WiFi</title></head><body>Please log in</body></html>\n');
    throwsDataError(
      () => parseIdx(html, 'train-images-idx3-ubyte.gz'),
      /^train-images-idx3-ubyte\.gz: not an IDX image file \(magic 0x3c68746d, expected 0x00000803\)/,
      /HTML page from a captive portal/,
      /data\.dir/,
    );
  });

  test('a truncated gzip file says it is cut short', () => {
    const gz = read(sampleDir, 'train-images-idx3-ubyte.gz');
    throwsDataError(
      () => parseIdx(gz.subarray(0, gz.length >> 1), 'train-images-idx3-ubyte.gz'),
      /^train-images-idx3-ubyte\.gz: the gzip data is cut short/,
      /interrupted download/,
    );
  });

  test('truncated raw data: the promised and actual sizes are named', () => {
    const raw = gunzipSync(read(sampleDir, 't10k-images-idx3-ubyte.gz'));
    throwsDataError(
      () => parseIdx(raw.subarray(0, raw.length - 1000), 't10k-images-idx3-ubyte'),
      /^t10k-images-idx3-ubyte: is cut short: the header promises 2,000 images of 28×28 \(1,568,016 bytes\) but the data has 1,567,016 bytes/,
    );
    const gzLabels = gzipSync(gunzipSync(read(sampleDir, 't10k-labels-idx1-ubyte.gz')).subarray(0, 1008));
    throwsDataError(
      () => parseIdx(gzLabels, 't10k-labels-idx1-ubyte.gz'),
      /^t10k-labels-idx1-ubyte\.gz: is cut short: the header promises 2,000 labels \(2,008 bytes\) but the data has 1,008 bytes/,
    );
  });

  test('bytes beyond what the header promises', () => {
    const raw = Buffer.concat([gunzipSync(read(sampleDir, 't10k-labels-idx1-ubyte.gz')), Buffer.alloc(7)]);
    throwsDataError(() => parseIdx(raw, 't10k-labels-idx1-ubyte'), /^t10k-labels-idx1-ubyte: has 7 bytes more than the 2,000 labels/);
  });

  test('images that are not 28×28', () => {
    const real = images(sampleDir, 't10k-images-idx3-ubyte.gz');
    // 784 bytes per image either way: 16×49 keeps the length right, so only the dims are wrong.
    const odd = encodeIdx({ kind: 'images', count: 10, rows: 16, cols: 49, data: real.data.slice(0, 10 * PIXELS) });
    throwsDataError(() => parseIdx(odd, 'odd-images.gz'), /^odd-images\.gz: images are 16×49 pixels, expected 28×28/);
  });

  test('a label outside 0..9', () => {
    const bad = encodeIdx({ kind: 'labels', count: 3, data: Uint8Array.of(3, 12, 4) });
    throwsDataError(() => parseIdx(bad, 'train-labels-idx1-ubyte.gz'), /^train-labels-idx1-ubyte\.gz: label 12 at position 1 is not a digit class 0\.\.9/);
  });

  test('different image and label counts name both files', () => {
    const imgs = images(sampleDir, 't10k-images-idx3-ubyte.gz');
    const lbls = labels(sampleDir, 'train-labels-idx1-ubyte.gz');
    throwsDataError(
      () => checkSameCount(imgs, '/data/t10k-images-idx3-ubyte.gz', lbls, '/data/train-labels-idx1-ubyte.gz'),
      /^\/data\/t10k-images-idx3-ubyte\.gz holds 2,000 images but \/data\/train-labels-idx1-ubyte\.gz holds 8,000 labels/,
    );
    assert.doesNotThrow(() => checkSameCount(imgs, 'a', labels(sampleDir, 't10k-labels-idx1-ubyte.gz'), 'b'));
  });

  test('an empty file', () => {
    throwsDataError(() => parseIdx(new Uint8Array(0), 'train-images-idx3-ubyte'), /^train-images-idx3-ubyte: too short to be an IDX file \(0 bytes\)/);
  });
});
