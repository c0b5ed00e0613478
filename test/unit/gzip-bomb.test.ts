// IDX readers gunzip only as much as the file's header says it holds: a gzip bomb (a small file
// that unpacks to gigabytes) or a header that lies is refused without filling the memory.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { createGzip, gzipSync } from 'node:zlib';
import { DataError, MAX_IDX_ITEMS, parseIdx } from '../../src/node/data/idx';
import { ensureSample } from '../helpers/datasets';

/** gzip of `head` followed by `zeros` zero bytes, made in chunks so the test itself stays small. */
async function bomb(head: Uint8Array, zeros: number): Promise<Buffer> {
  const gz = createGzip({ level: 9 });
  const parts: Buffer[] = [];
  gz.on('data', (b: Buffer) => parts.push(b));
  gz.write(head);
  const chunk = Buffer.alloc(1 << 20);
  for (let left = zeros; left > 0; left -= chunk.length) {
    if (!gz.write(left >= chunk.length ? chunk : chunk.subarray(0, left))) await once(gz, 'drain');
  }
  gz.end();
  await once(gz, 'end');
  return Buffer.concat(parts);
}

function header(magic: number, count: number, rows = 28, cols = 28): Uint8Array {
  const h = new Uint8Array(magic === 0x803 ? 16 : 8);
  const v = new DataView(h.buffer);
  v.setUint32(0, magic);
  v.setUint32(4, count);
  if (magic === 0x803) {
    v.setUint32(8, rows);
    v.setUint32(12, cols);
  }
  return h;
}

const grown = (before: number) => (process.memoryUsage().rss - before) / 1e6;

test('a header for 10 images followed by 512 MB of zeros: refused at 7,856 bytes, memory stays flat', async () => {
  const file = await bomb(header(0x803, 10), 512 << 20);
  assert.ok(file.length < 1_000_000, `the bomb is small: ${file.length} bytes`);
  const before = process.memoryUsage().rss;
  assert.throws(() => parseIdx(file, 'train-images-idx3-ubyte.gz'), (err: unknown) => {
    assert.ok(err instanceof DataError);
    assert.equal(err.message, 'train-images-idx3-ubyte.gz: decompresses to more than the 7,856 bytes its header promises (a damaged file, or one made to fill the memory); it was not unpacked further');
    return true;
  });
  assert.ok(grown(before) < 64, `memory grew by ${grown(before).toFixed(0)} MB`);
});

test('a header declaring more items than any MNIST-like set: refused before unpacking', async () => {
  const file = await bomb(header(0x801, 4_000_000_000), 1 << 20);
  assert.throws(() => parseIdx(file, 'train-labels-idx1-ubyte.gz'), new RegExp(`its header declares 4,000,000,000 labels, more than the ${MAX_IDX_ITEMS.toLocaleString('en-US')} supported`));
});

test('gzip of zeros with no IDX header, and images of another size: a message about the header, not a frozen reader', async () => {
  const zeros = await bomb(new Uint8Array(0), 256 << 20);
  const before = process.memoryUsage().rss;
  assert.throws(() => parseIdx(zeros, 'train-images-idx3-ubyte.gz'), /not an IDX image file \(magic 0x00000000, expected 0x00000803\)/);
  const big = await bomb(header(0x803, 60000, 1000, 1000), 256 << 20);
  assert.throws(() => parseIdx(big, 'train-images-idx3-ubyte.gz'), /images are 1000×1000 pixels, expected 28×28/);
  assert.ok(grown(before) < 64, `memory grew by ${grown(before).toFixed(0)} MB`);
});

test('the real files still unpack whole: the bundled sample\'s images and labels, and gzip of an exact IDX', () => {
  const dir = ensureSample();
  const images = parseIdx(readFileSync(join(dir, 'train-images-idx3-ubyte.gz')), 'train-images-idx3-ubyte.gz');
  assert.equal(images.count, 8000);
  assert.equal(images.data.length, 8000 * 784);
  const labels = parseIdx(gzipSync(Buffer.concat([header(0x801, 3), Uint8Array.from([1, 2, 3])])), 'x-labels.gz');
  assert.deepEqual([...labels.data], [1, 2, 3]);
});
