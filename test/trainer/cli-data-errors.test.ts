// A broken dataset file through mnist-train: what the terminal shows is the message once, its hint
// and the run folder, not the trainer's log line and then the same words again.
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { runCli } from '../helpers/cli';
import { distDir } from '../helpers/paths';

const sampleDataDir = join(distDir, 'data', 'mnist-sample');

const cases: { name: string; file: string; bytes: (good: Buffer) => Buffer; says: RegExp }[] = [
  { name: 'a truncated .gz', file: 'train-images-idx3-ubyte.gz', bytes: (good) => good.subarray(0, good.length >> 1), says: /train-images-idx3-ubyte\.gz: the gzip data is cut short/ },
  {
    name: 'an HTML page saved as .gz',
    file: 'train-labels-idx1-ubyte.gz',
    bytes: () => Buffer.from('<!doctype html><html><head><title>Sign in to Wi-Fi</title></head><body>Accept the terms</body></html>'),
    says: /train-labels-idx1-ubyte\.gz: .*HTML/i,
  },
  {
    name: 'images and labels that do not match in count',
    file: 'train-labels-idx1-ubyte.gz',
    // A valid labels file of 100 labels next to 8,000 images.
    bytes: () => gzipSync(Buffer.concat([Buffer.from([0, 0, 8, 1, 0, 0, 0, 100]), Buffer.alloc(100, 3)])),
    says: /100 labels?.*8,?000 images|8,?000 images.*100 labels?/,
  },
];

for (const c of cases) {
  test(`${c.name}: at most 4 lines, the message once, no stack trace`, async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'cli-data-'));
    const dir = join(cwd, 'data');
    mkdirSync(dir);
    for (const f of readdirSync(sampleDataDir).filter((n) => n.endsWith('.gz'))) copyFileSync(join(sampleDataDir, f), join(dir, f));
    writeFileSync(join(dir, c.file), c.bytes(readFileSync(join(sampleDataDir, c.file))));

    const r = await runCli(['--data-dir', dir, '--epochs', '1', '--backend', 'wasm'], cwd);
    assert.equal(r.code, 1, r.stderr);
    const lines = (r.stdout + r.stderr).trim().split('\n');
    assert.ok(lines.length <= 4, `at most 4 lines, got ${lines.length}:\n${lines.join('\n')}`);
    const failure = lines.find((l) => l.startsWith('Training failed: '));
    assert.ok(failure, r.stderr);
    assert.match(failure, c.says);
    const message = failure.slice('Training failed: '.length);
    assert.equal(r.stderr.split(message).length - 1, 1, `the message once:\n${r.stderr}`);
    assert.doesNotMatch(r.stderr, /trainer: /);
    assert.doesNotMatch(r.stderr, /\n\s+at .+:\d+:\d+/);
    assert.match(lines[lines.length - 1], /^Run folder: /);
  });
}
