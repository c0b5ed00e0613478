// loadDataset on real digits: the bundled sample, data.dir folders, Fashion-MNIST and the download cache.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import {
  FASHION_CLASS_NAMES,
  FASHION_SYSTEM_DIR,
  findIdxFiles,
  loadDataset,
  matchIdxFiles,
  type Dataset,
  type LoadOptions,
} from '../../src/node/data/datasets';
import { DataError } from '../../src/node/data/idx';
import { MNIST_10K_DIR, ensureSample, hasMnist10k } from '../helpers/datasets';
import { startMirrorServer } from '../helpers/idx-server';

const NAMES = ['train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte.gz', 't10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz'];
let sampleDir = '';
const scratch: string[] = [];
before(() => {
  sampleDir = ensureSample();
});
after(() => {
  for (const d of scratch) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'mnist-ds-'));
  scratch.push(d);
  return d;
}
/** Options that would fail loudly if they reached the network or the wrong folder. */
function options(over: Partial<LoadOptions>): LoadOptions {
  return {
    dataset: 'mnist-sample',
    dir: null,
    cacheDir: join(tempDir(), 'cache'),
    sampleDir,
    mirrors: [],
    fashionSystemDir: join(tempDir(), 'no-fashion-here'),
    ...over,
  };
}
function classCounts(labels: Uint8Array): number[] {
  const c = new Array<number>(10).fill(0);
  for (const v of labels) c[v]++;
  return c;
}
function assertShapes(ds: Dataset, train: number, test: number): void {
  assert.equal(ds.trainLabels.length, train);
  assert.equal(ds.trainImages.length, train * 784);
  assert.equal(ds.testLabels.length, test);
  assert.equal(ds.testImages.length, test * 784);
}
async function rejectsDataError(p: Promise<unknown>, ...patterns: RegExp[]): Promise<DataError> {
  let caught: unknown;
  await p.then(
    () => assert.fail('expected loadDataset to fail'),
    (err: unknown) => (caught = err),
  );
  assert.ok(caught instanceof DataError, `expected a DataError, got ${String(caught)}`);
  for (const re of patterns) assert.match(caught.message, re);
  return caught;
}
function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

describe('loadDataset: mnist-sample', () => {
  test('8,000 training and 2,000 test digits, offline, described as the bundled sample', async () => {
    const ds = await loadDataset(options({ dataset: 'mnist-sample' }));
    assertShapes(ds, 8000, 2000);
    assert.equal(ds.name, 'mnist-sample');
    assert.equal(ds.source, 'bundled sample (8,000 train / 2,000 test)');
    assert.deepEqual(ds.classNames, ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    assert.deepEqual(classCounts(ds.testLabels), new Array(10).fill(200));
    for (const n of classCounts(ds.trainLabels)) assert.ok(n >= 600 && n <= 1000, `${n} training digits of a class`);
  });

  test('the last 20% of training (Keras validation split) holds every digit in proportion', async () => {
    const ds = await loadDataset(options({ dataset: 'mnist-sample' }));
    const total = classCounts(ds.trainLabels);
    const tail = classCounts(ds.trainLabels.subarray(ds.trainLabels.length * 0.8));
    tail.forEach((n, digit) => {
      const share = n / total[digit];
      assert.ok(share > 0.18 && share < 0.22, `digit ${digit}: ${n} of ${total[digit]} in the validation part`);
    });
    // Any 100 consecutive training digits already mix most classes.
    for (let i = 0; i < ds.trainLabels.length; i += 100) {
      const distinct = new Set(ds.trainLabels.subarray(i, i + 100)).size;
      assert.ok(distinct >= 8, `digits ${i}..${i + 99} hold only ${distinct} classes`);
    }
  });

  test('a missing sample folder says so and how to rebuild it', async () => {
    const missing = join(tempDir(), 'mnist-sample');
    const err = await rejectsDataError(
      loadDataset(options({ dataset: 'mnist-sample', sampleDir: missing })),
      new RegExp(`^the bundled mnist-sample folder ${escape(missing)} does not exist`),
    );
    assert.match(err.hint ?? '', /npm run build:sample/);
  });
});

describe('loadDataset: data.dir', () => {
  test('../shared/datasets/mnist-10k: 10,000 training digits and the official 10,000 test digits', async (t) => {
    if (!hasMnist10k()) return t.skip('../shared/datasets/mnist-10k not present');
    const ds = await loadDataset(options({ dataset: 'mnist', dir: MNIST_10K_DIR }));
    assertShapes(ds, 10_000, 10_000);
    assert.equal(ds.name, 'folder');
    assert.equal(ds.source, `folder ${MNIST_10K_DIR}`);
    assert.deepEqual([...ds.testLabels.subarray(0, 5)], [7, 2, 1, 0, 4]);
  });

  test('raw files with Kaggle names (train-images.idx3-ubyte) load the same digits', async () => {
    const dir = tempDir();
    for (const name of NAMES) {
      const kaggle = name.replace('-idx', '.idx').replace(/\.gz$/, '');
      writeFileSync(join(dir, kaggle), gunzipSync(readFileSync(join(sampleDir, name))));
    }
    const fromRaw = await loadDataset(options({ dir }));
    const fromSample = await loadDataset(options({ dataset: 'mnist-sample' }));
    assertShapes(fromRaw, 8000, 2000);
    assert.deepEqual(fromRaw.trainImages, fromSample.trainImages);
    assert.deepEqual(fromRaw.testLabels, fromSample.testLabels);
  });

  test('a folder that does not exist is named', async () => {
    const dir = join(tempDir(), 'my-mnist');
    await rejectsDataError(loadDataset(options({ dataset: 'mnist', dir })), new RegExp(`^data\\.dir ${escape(dir)} does not exist`));
  });

  test('a file instead of a folder is named', async () => {
    const file = join(tempDir(), 'train-images-idx3-ubyte.gz');
    copyFileSync(join(sampleDir, NAMES[0]), file);
    await rejectsDataError(loadDataset(options({ dataset: 'mnist', dir: file })), new RegExp(`^data\\.dir ${escape(file)} is a file, not a folder`));
  });

  test('a folder lacking files names the folder and each missing file', async () => {
    const dir = tempDir();
    copyFileSync(join(sampleDir, 'train-images-idx3-ubyte.gz'), join(dir, 'train-images-idx3-ubyte.gz'));
    writeFileSync(join(dir, 'notes.txt'), 'digits');
    const err = await rejectsDataError(
      loadDataset(options({ dataset: 'mnist', dir })),
      new RegExp(`^data\\.dir ${escape(dir)} lacks train-labels-idx1-ubyte\\.gz, t10k-images-idx3-ubyte\\.gz, t10k-labels-idx1-ubyte\\.gz`),
    );
    assert.equal(err.file, dir);
    assert.match(err.hint ?? '', /or set it to null/);
  });

  test('training images with the test labels: both files are named', async () => {
    const dir = tempDir();
    for (const name of NAMES) copyFileSync(join(sampleDir, name), join(dir, name));
    copyFileSync(join(sampleDir, 't10k-labels-idx1-ubyte.gz'), join(dir, 'train-labels-idx1-ubyte.gz'));
    await rejectsDataError(
      loadDataset(options({ dataset: 'mnist', dir })),
      new RegExp(
        `^${escape(join(dir, 'train-images-idx3-ubyte.gz'))} holds 8,000 images but ${escape(join(dir, 'train-labels-idx1-ubyte.gz'))} holds 2,000 labels`,
      ),
    );
  });

  test('a broken file in the folder is named with its full path', async () => {
    const dir = tempDir();
    for (const name of NAMES) copyFileSync(join(sampleDir, name), join(dir, name));
    writeFileSync(join(dir, 't10k-images-idx3-ubyte.gz'), '<html><body>Access denied</body></html>');
    await rejectsDataError(
      loadDataset(options({ dataset: 'mnist', dir })),
      new RegExp(`^${escape(join(dir, 't10k-images-idx3-ubyte.gz'))}: not an IDX image file \\(magic 0x3c68746d`),
    );
  });
});

describe('findIdxFiles', () => {
  test('accepts gzip, raw and Kaggle names and prefers gzip', () => {
    assert.deepEqual(
      matchIdxFiles([
        'train-images-idx3-ubyte',
        'train-images-idx3-ubyte.gz',
        'train-labels.idx1-ubyte',
        't10k-images.idx3-ubyte.gz',
        't10k-labels-idx1-ubyte',
        't10k-labels-idx3-ubyte',
        'README.md',
      ]),
      {
        trainImages: 'train-images-idx3-ubyte.gz',
        trainLabels: 'train-labels.idx1-ubyte',
        testImages: 't10k-images.idx3-ubyte.gz',
        testLabels: 't10k-labels-idx1-ubyte',
      },
    );
  });

  test('lists the full paths found and the official names missing', async () => {
    const dir = tempDir();
    copyFileSync(join(sampleDir, 't10k-labels-idx1-ubyte.gz'), join(dir, 't10k-labels-idx1-ubyte.gz'));
    assert.deepEqual(await findIdxFiles(dir), {
      dir,
      files: { testLabels: join(dir, 't10k-labels-idx1-ubyte.gz') },
      missing: ['train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte.gz', 't10k-images-idx3-ubyte.gz'],
    });
  });
});

describe('loadDataset: fashion-mnist', () => {
  test('uses a system folder when it holds the four files', async () => {
    // Real digits stand in for the clothes: what matters is where they are read from.
    const systemDir = tempDir();
    for (const name of NAMES) copyFileSync(join(sampleDir, name), join(systemDir, name));
    const ds = await loadDataset(options({ dataset: 'fashion-mnist', fashionSystemDir: systemDir }));
    assertShapes(ds, 8000, 2000);
    assert.equal(ds.name, 'fashion-mnist');
    assert.equal(ds.source, systemDir);
    assert.deepEqual(ds.classNames, [...FASHION_CLASS_NAMES]);
    assert.equal(ds.classNames[0], 'T-shirt/top');
  });

  test(`Debian's ${FASHION_SYSTEM_DIR}: 60,000 + 10,000 real images`, async (t) => {
    if (!existsSync(join(FASHION_SYSTEM_DIR, 't10k-labels-idx1-ubyte.gz'))) return t.skip(`${FASHION_SYSTEM_DIR} not present`);
    const ds = await loadDataset(options({ dataset: 'fashion-mnist', fashionSystemDir: FASHION_SYSTEM_DIR }));
    assertShapes(ds, 60_000, 10_000);
    assert.equal(ds.source, FASHION_SYSTEM_DIR);
    assert.deepEqual(classCounts(ds.testLabels), new Array(10).fill(1000));
  });
});

describe('loadDataset: downloads into the cache', () => {
  const md5 = (b: Uint8Array) => createHash('md5').update(b).digest('hex');

  test('mnist and fashion-mnist download into separate cache folders, then load with no request', async () => {
    const files = NAMES.map((name) => ({ name, bytes: readFileSync(join(sampleDir, name)) }));
    const routes = Object.fromEntries(files.map((f) => [`/mirror/${f.name}`, { body: f.bytes }]));
    const server = await startMirrorServer(routes);
    try {
      const remoteFiles = files.map((f) => ({ name: f.name, size: f.bytes.length, md5: md5(f.bytes) }));
      const cacheDir = join(tempDir(), 'global-storage');
      const downloads: string[] = [];
      const common = { cacheDir, mirrors: [server.base('mirror')], remoteFiles, onDownload: (p: { file: string }) => downloads.push(p.file) };

      const mnist = await loadDataset(options({ dataset: 'mnist', ...common }));
      assertShapes(mnist, 8000, 2000);
      assert.equal(mnist.name, 'mnist');
      assert.equal(mnist.source, `cache ${join(cacheDir, 'mnist')}`);
      assert.deepEqual(new Set(downloads), new Set(NAMES));
      assert.equal(server.requests.length, 4);

      const fashion = await loadDataset(options({ dataset: 'fashion-mnist', ...common }));
      assert.equal(fashion.source, `cache ${join(cacheDir, 'fashion-mnist')}`);
      assert.equal(server.requests.length, 8);

      server.requests.length = 0;
      const again = await loadDataset(options({ dataset: 'mnist', ...common }));
      assert.deepEqual(server.requests, []);
      assert.deepEqual(again.trainImages, mnist.trainImages);
    } finally {
      await server.close();
    }
  });

  test('offline with nothing cached: the error suggests data.dir and mnist-sample', async () => {
    const cacheDir = join(tempDir(), 'empty-cache');
    mkdirSync(cacheDir);
    const server = await startMirrorServer();
    try {
      const err = await rejectsDataError(
        loadDataset(options({ dataset: 'mnist', cacheDir, mirrors: [server.base('down')] })),
        /^Could not download train-images-idx3-ubyte\.gz from any mirror \(.*HTTP 404 Not Found\)\.$/,
      );
      assert.match(err.hint ?? '', /set data\.dir to a folder with the four IDX files, or use "dataset": "mnist-sample"/);
    } finally {
      await server.close();
    }
  });
});
