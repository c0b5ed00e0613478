// The downloader against a local HTTP server that serves the bundled sample's real IDX files.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, test } from 'node:test';
import { DEFAULT_MIN_BYTES_PER_SECOND, downloadDeadlineMs, downloadFile, downloadFiles, minimumSpeed, type DownloadProgress, type RemoteFile } from '../../src/node/data/download';
import { DataError, parseIdx, type IdxImages } from '../../src/node/data/idx';
import { ensureSample } from '../helpers/datasets';
import { startMirrorServer, type MirrorServer } from '../helpers/idx-server';

const NAMES = ['train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte.gz', 't10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz'];
const bytes = new Map<string, Uint8Array>();
let table: RemoteFile[] = [];
let trainImages: RemoteFile;
let server: MirrorServer;
let cache = '';
const scratch: string[] = [];

before(async () => {
  const dir = ensureSample();
  for (const name of NAMES) bytes.set(name, new Uint8Array(readFileSync(join(dir, name))));
  table = NAMES.map((name) => ({ name, size: body(name).length, md5: md5(body(name)) }));
  trainImages = table[0];
  server = await startMirrorServer();
});
after(async () => {
  await server.close();
  for (const d of scratch) rmSync(d, { recursive: true, force: true });
});
beforeEach(() => {
  cache = mkdtempSync(join(tmpdir(), 'mnist-dl-'));
  scratch.push(cache);
  server.requests.length = 0;
});

function body(name: string): Uint8Array {
  const b = bytes.get(name);
  if (!b) throw new Error(`no fixture ${name}`);
  return b;
}
function md5(b: Uint8Array): string {
  return createHash('md5').update(b).digest('hex');
}
/** A fresh mirror name whose paths serve the good files unless `overrides` says otherwise. */
let mirrorCount = 0;
function mirror(overrides: Record<string, Parameters<MirrorServer['set']>[1]> = {}): string {
  const m = `m${++mirrorCount}`;
  for (const name of NAMES) server.set(`/${m}/${name}`, overrides[name] ?? { body: body(name) });
  return server.base(m);
}
function emptyMirror(): string {
  return server.base(`m${++mirrorCount}`);
}
function cacheListing(): string[] {
  return readdirSync(cache).sort();
}
async function rejectsDataError(p: Promise<unknown>, ...patterns: RegExp[]): Promise<DataError> {
  let caught: unknown;
  await p.then(
    () => assert.fail('expected the download to fail'),
    (err: unknown) => (caught = err),
  );
  assert.ok(caught instanceof DataError, `expected a DataError, got ${String(caught)}`);
  for (const re of patterns) assert.match(caught.message, re);
  return caught;
}
function corrupted(b: Uint8Array): Uint8Array {
  const c = Uint8Array.from(b);
  c[c.length >> 1] ^= 0xff;
  return c;
}

describe('downloadFiles', () => {
  test('downloads the four files, reports progress, leaves only verified files', async () => {
    const events: DownloadProgress[] = [];
    const base = mirror();
    const paths = await downloadFiles(table, { dir: cache, mirrors: [base], onProgress: (p) => events.push(p) });

    assert.deepEqual(paths, NAMES.map((n) => join(cache, n)));
    assert.deepEqual(cacheListing(), [...NAMES].sort());
    for (const name of NAMES) assert.deepEqual(new Uint8Array(readFileSync(join(cache, name))), body(name));
    const parsed = parseIdx(readFileSync(paths[0]), paths[0]) as IdxImages;
    assert.equal(parsed.count, 8000);

    for (const file of table) {
      const mine = events.filter((e) => e.file === file.name);
      assert.ok(mine.length >= 2, `${file.name}: a start and an end event`);
      assert.equal(mine[0].receivedBytes, 0);
      assert.equal(mine[0].url, base + file.name);
      assert.deepEqual(mine.at(-1), { file: file.name, url: base + file.name, receivedBytes: file.size, totalBytes: file.size });
      for (let i = 1; i < mine.length; i++) assert.ok(mine[i].receivedBytes >= mine[i - 1].receivedBytes);
    }
    // Throttled: a 1.3 MB file over loopback arrives in many chunks but few events.
    assert.ok(events.filter((e) => e.file === trainImages.name).length < 20);
  });

  test('a second load reuses the cache and makes no request', async () => {
    const base = mirror();
    await downloadFiles(table, { dir: cache, mirrors: [base] });
    assert.equal(server.requests.length, 4);
    server.requests.length = 0;
    const events: DownloadProgress[] = [];
    await downloadFiles(table, { dir: cache, mirrors: [base], onProgress: (p) => events.push(p) });
    assert.deepEqual(server.requests, []);
    assert.deepEqual(events, []);
  });

  test('a corrupt cached file is removed and downloaded again', async () => {
    const base = mirror();
    const warnings: string[] = [];
    writeFileSync(join(cache, trainImages.name), corrupted(body(trainImages.name)));
    writeFileSync(join(cache, 't10k-labels-idx1-ubyte.gz'), '<html>login</html>');
    await downloadFiles(table, { dir: cache, mirrors: [base], onWarning: (w) => warnings.push(w) });

    assert.deepEqual(new Uint8Array(readFileSync(join(cache, trainImages.name))), body(trainImages.name));
    assert.deepEqual(cacheListing(), [...NAMES].sort());
    assert.equal(server.requests.filter((r) => r.endsWith(trainImages.name)).length, 1);
    assert.match(warnings.join('\n'), /train-images-idx3-ubyte\.gz: cached copy is bad \(md5 [0-9a-f]{32}, expected [0-9a-f]{32}\)/);
    assert.match(warnings.join('\n'), /t10k-labels-idx1-ubyte\.gz: cached copy is bad \(size 18 bytes, expected \d+\)/);
  });

  test('a checksum mismatch discards the file and tries the next mirror', async () => {
    const bad = mirror({ [trainImages.name]: { body: corrupted(body(trainImages.name)) } });
    const good = mirror();
    const warnings: string[] = [];
    const path = await downloadFile(trainImages, { dir: cache, mirrors: [bad, good], onWarning: (w) => warnings.push(w) });

    assert.deepEqual(new Uint8Array(readFileSync(path)), body(trainImages.name));
    assert.deepEqual(server.requests, [new URL(bad).pathname + trainImages.name, new URL(good).pathname + trainImages.name]);
    assert.match(warnings[0], new RegExp(`^train-images-idx3-ubyte\\.gz: ${bad}train-images-idx3-ubyte\\.gz: checksum mismatch: md5 [0-9a-f]{32}, expected ${trainImages.md5}`));
  });

  test('a checksum mismatch on every mirror: a clear error, nothing kept', async () => {
    const bad = mirror({ [trainImages.name]: { body: corrupted(body(trainImages.name)) } });
    await rejectsDataError(
      downloadFile(trainImages, { dir: cache, mirrors: [bad] }),
      /^Could not download train-images-idx3-ubyte\.gz from any mirror \(/,
      new RegExp(`checksum mismatch: md5 [0-9a-f]{32}, expected ${trainImages.md5}`),
    );
    assert.deepEqual(cacheListing(), []);
  });

  test('HTTP 500 on the first mirror and 404 on the second: the third delivers', async () => {
    const broken = mirror({ [trainImages.name]: { status: 500 } });
    const path = await downloadFile(trainImages, { dir: cache, mirrors: [broken, emptyMirror(), mirror()] });
    assert.deepEqual(new Uint8Array(readFileSync(path)), body(trainImages.name));
    assert.equal(server.requests.length, 3);
  });

  test('an HTML page with status 200 (captive portal) is not taken for the file', async () => {
    const html = new TextEncoder().encode('<!doctype html><html><title>Sign in</title></html>');
    const portal = mirror({ [trainImages.name]: { body: html } });
    const warnings: string[] = [];
    await downloadFile(trainImages, { dir: cache, mirrors: [portal, mirror()], onWarning: (w) => warnings.push(w) });
    assert.match(warnings[0], new RegExp(`the server offers ${html.length} bytes, expected ${trainImages.size}`));
    assert.deepEqual(cacheListing(), [trainImages.name]);
  });

  test('an interrupted transfer leaves no partial file and the next mirror delivers', async () => {
    const half = trainImages.size >> 1;
    const cut = mirror({ [trainImages.name]: { body: body(trainImages.name), cutAfter: half } });
    const warnings: string[] = [];
    await downloadFile(trainImages, { dir: cache, mirrors: [cut, mirror()], onWarning: (w) => warnings.push(w) });
    assert.match(warnings[0], new RegExp(`the transfer was interrupted after \\d+ of ${trainImages.size} bytes`));
    assert.deepEqual(cacheListing(), [trainImages.name]);
    assert.deepEqual(new Uint8Array(readFileSync(join(cache, trainImages.name))), body(trainImages.name));
  });

  test('an interrupted transfer on the only mirror: a clear error and an empty cache', async () => {
    const cut = mirror({ [trainImages.name]: { body: body(trainImages.name), cutAfter: 100_000 } });
    await rejectsDataError(
      downloadFile(trainImages, { dir: cache, mirrors: [cut] }),
      /^Could not download train-images-idx3-ubyte\.gz from any mirror/,
      /interrupted after \d+ of \d+ bytes/,
    );
    assert.deepEqual(cacheListing(), []);
  });

  test('a stalled transfer is given up and the next mirror tried', async () => {
    const stalled = mirror({ [trainImages.name]: { body: body(trainImages.name), stallAfter: 50_000 } });
    const warnings: string[] = [];
    await downloadFile(trainImages, { dir: cache, mirrors: [stalled, mirror()], stallTimeoutMs: 300, onWarning: (w) => warnings.push(w) });
    assert.match(warnings[0], /no data for 0\.3 s/);
    assert.deepEqual(cacheListing(), [trainImages.name]);
  });

  test('an abort stops the download at once: no other mirror, no partial file', async () => {
    const stalled = mirror({ [trainImages.name]: { body: body(trainImages.name), stallAfter: 50_000 } });
    const controller = new AbortController();
    const download = downloadFile(trainImages, {
      dir: cache,
      mirrors: [stalled, mirror()],
      signal: controller.signal,
      progressIntervalMs: 0,
      onProgress: (p) => p.receivedBytes > 0 && controller.abort(),
    });
    await assert.rejects(download, { name: 'AbortError' });
    assert.equal(server.requests.length, 1);
    assert.deepEqual(cacheListing(), []);
  });

  test('a mirror that drips bytes (never silent long enough to stall) is given up at the file\'s deadline, naming the file and the mirror', async () => {
    const drip = mirror({ [trainImages.name]: { body: body(trainImages.name), dripBytes: 2000, everyMs: 20 } });
    const started = Date.now();
    // 1 MB/s at least: the 1.3 MB file gets 0.2 s + 1.3 s; the drip (100 KB/s) would take 13 s.
    const err = await rejectsDataError(
      downloadFile(trainImages, { dir: cache, mirrors: [drip], stallTimeoutMs: 1000, minBytesPerSecond: 1_000_000, deadlineGraceMs: 200 }),
      new RegExp(`^Could not download train-images-idx3-ubyte\\.gz from any mirror \\(${drip}train-images-idx3-ubyte\\.gz: too slow: \\d+ of ${trainImages.size} bytes after 1\\.\\d s, this file's deadline \\(at least 1000 KB/s on average\\)\\)\\.$`),
    );
    assert.ok(Date.now() - started < 5000, 'given up at the deadline, not when the drip ends');
    assert.match(err.hint ?? '', /MNIST_DOWNLOAD_MIN_SPEED/);
    assert.deepEqual(cacheListing(), []);
  });

  test('a dripping mirror is given up and the next one delivers; MNIST_DOWNLOAD_MIN_SPEED sets the speed', async () => {
    const drip = mirror({ [trainImages.name]: { body: body(trainImages.name), dripBytes: 2000, everyMs: 20 } });
    const warnings: string[] = [];
    const env = { MNIST_DOWNLOAD_MIN_SPEED: '500' }; // KB/s: 2.6 s for the file plus 1 s; the drip would take 13 s
    await downloadFile(trainImages, { dir: cache, mirrors: [drip, mirror()], deadlineGraceMs: 1000, env, onWarning: (w) => warnings.push(w) });
    assert.match(warnings[0], /too slow: .* \(at least 500 KB\/s on average\)/);
    assert.deepEqual(new Uint8Array(readFileSync(join(cache, trainImages.name))), body(trainImages.name));
  });

  test('the deadline scales with the file and can be turned off; a bad MNIST_DOWNLOAD_MIN_SPEED is named and the default used', () => {
    assert.equal(downloadDeadlineMs(9_912_422, DEFAULT_MIN_BYTES_PER_SECOND), 30_000 + Math.ceil(9_912_422 / 20));
    assert.ok(downloadDeadlineMs(4542, DEFAULT_MIN_BYTES_PER_SECOND)! < 31_000);
    assert.equal(downloadDeadlineMs(9_912_422, 0), null);
    assert.deepEqual(minimumSpeed({ env: { MNIST_DOWNLOAD_MIN_SPEED: '0' } }), { bytesPerSecond: 0 });
    assert.deepEqual(minimumSpeed({ env: { MNIST_DOWNLOAD_MIN_SPEED: '5' } }), { bytesPerSecond: 5000 });
    assert.deepEqual(minimumSpeed({ env: {} }), { bytesPerSecond: DEFAULT_MIN_BYTES_PER_SECOND });
    const bad = minimumSpeed({ env: { MNIST_DOWNLOAD_MIN_SPEED: 'fast' } });
    assert.equal(bad.bytesPerSecond, DEFAULT_MIN_BYTES_PER_SECOND);
    assert.equal(bad.problem, 'MNIST_DOWNLOAD_MIN_SPEED="fast" is not a speed in KB/s (a number, 0 for no deadline); using 20 KB/s');
    assert.deepEqual(minimumSpeed({ minBytesPerSecond: 7, env: { MNIST_DOWNLOAD_MIN_SPEED: '5' } }), { bytesPerSecond: 7 }, 'the option wins');
  });

  test('what a download killed mid-way left is removed at the next download; a live download\'s temp file is not', async () => {
    const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
    writeFileSync(join(cache, `${trainImages.name}.tmp-${dead}`), body(trainImages.name).subarray(0, 1000));
    writeFileSync(join(cache, `${trainImages.name}.tmp-${process.ppid}`), 'another download, still running');
    await downloadFile(trainImages, { dir: cache, mirrors: [mirror()] });
    assert.deepEqual(cacheListing(), [trainImages.name, `${trainImages.name}.tmp-${process.ppid}`].sort());
  });

  test('every mirror down: the offline message suggests data.dir and mnist-sample', async () => {
    const gone = await startMirrorServer();
    const goneBase = gone.base('mnist');
    await gone.close();
    const err = await rejectsDataError(
      downloadFiles(table, { dir: cache, mirrors: [emptyMirror(), goneBase] }),
      new RegExp(`^Could not download train-images-idx3-ubyte\\.gz from any mirror \\(tried 2 mirrors; last: ${goneBase}train-images-idx3-ubyte\\.gz: .*ECONNREFUSED.*\\)\\.$`),
    );
    assert.match(err.hint ?? '', /^Check your network, set data\.dir to a folder with the four IDX files, or use "dataset": "mnist-sample" \(bundled, offline\)\.$/);
    assert.deepEqual(cacheListing(), []);
  });
});
