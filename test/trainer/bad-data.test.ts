// Bad data and a bad disk: faulty downloads retried, a full disk (a real tmpfs) while writing the
// download cache and while writing the run folder, and an unreadable data folder. Each: a clear
// error naming the file and what to do, nothing corrupt left under a final name, and the next
// attempt starts clean. (Wrong magic, truncated gzip, count mismatch and HTML files read from
// data.dir are in test/unit/idx.test.ts and datasets.test.ts.)
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { DataError } from '../../src/node/data/idx';
import { type RemoteFile, checkFile, downloadFiles } from '../../src/node/data/download';
import { listRunRecords } from '../../src/node/runs/run-listing';
import { type CliResult, runCli } from '../helpers/cli';
import { type Reply, startMirrorServer } from '../helpers/idx-server';
import { cliBundle, distDir } from '../helpers/paths';
import { mountTmpfs } from '../helpers/tmpfs';

const SAMPLE = join(distDir, 'data', 'mnist-sample');
const NAMES = ['train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte.gz', 't10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz'];

/** The bundled sample's four files as a "remote" dataset with sizes and MD5s, served by a local server. */
function sampleFiles(): { files: RemoteFile[]; bodies: Record<string, Uint8Array> } {
  const bodies: Record<string, Uint8Array> = {};
  const files = NAMES.map((name) => {
    const body = readFileSync(join(SAMPLE, name));
    bodies[name] = body;
    return { name, size: body.length, md5: createHash('md5').update(body).digest('hex') };
  });
  return { files, bodies };
}

/** Every file under `dir`, relative, recursively. */
function allFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => statSync(join(dir, f)).isFile());
}

describe('the download cache', () => {
  test('a cut transfer, an HTML page, wrong bytes of the right size: a clear error, nothing under the final name; fixed, the next attempt downloads it', async () => {
    const { files, bodies } = sampleFiles();
    const labels = files[3];
    const good = bodies[labels.name];
    const html = new TextEncoder().encode('<!doctype html><html><title>Sign in to Wi-Fi</title></html>');
    const faults: [string, Reply, RegExp][] = [
      ['a transfer cut short', { body: good, cutAfter: 20 }, /the transfer (was interrupted|ended) after 20 of 53 bytes/],
      ['a captive portal page', { body: html }, /the server offers \d+ bytes, expected 53/],
      ['a captive portal page of the very size', { body: html.slice(0, good.length) }, /checksum mismatch: md5 [0-9a-f]{32}, expected [0-9a-f]{32}/],
      ['bytes flipped', { body: good.map((b, i) => (i === 30 ? b ^ 0xff : b)) }, /checksum mismatch/],
      ['HTTP 503', { status: 503 }, /HTTP 503/],
    ];
    const server = await startMirrorServer();
    try {
      for (const [what, reply, reason] of faults) {
        const dir = mkdtempSync(join(tmpdir(), 'cache-'));
        server.set(`/m1/${labels.name}`, reply);
        await assert.rejects(downloadFiles([labels], { dir, mirrors: [server.base('m1')] }), (err: unknown) => {
          assert.ok(err instanceof DataError, what);
          assert.match(err.message, new RegExp(`^Could not download ${labels.name.replace(/\./g, '\\.')} from any mirror \\(`), what);
          assert.match(err.message, reason, what);
          assert.match(err.hint ?? '', /data\.dir|mnist-sample/, what);
          return true;
        });
        assert.deepEqual(readdirSync(dir), [], `${what}: no file, not even a temporary one`);
        server.set(`/m1/${labels.name}`, { body: good });
        const [path] = await downloadFiles([labels], { dir, mirrors: [server.base('m1')] });
        assert.equal(await checkFile(path, labels), 'ok', `${what}: the retry`);
        assert.deepEqual(readdirSync(dir), [labels.name]);
      }
    } finally {
      await server.close();
    }
  });

  test('a full disk (ENOSPC, a 4 MB tmpfs filled to 0.5 MB): a clear error naming the file and the cache, no other mirror tried, nothing kept; space freed, the retry completes', async (t) => {
    const fs = mountTmpfs(4 * 1024 * 1024);
    if ('skip' in fs) return t.skip(fs.skip);
    t.after(() => fs.unmount());
    const { files, bodies } = sampleFiles();
    const server = await startMirrorServer(Object.fromEntries(NAMES.flatMap((n) => [[`/m1/${n}`, { body: bodies[n] }], [`/m2/${n}`, { body: bodies[n] }]])));
    t.after(() => server.close());
    const dir = join(fs.dir, 'cache', 'mnist');
    const filler = fs.fill(512 * 1024);
    const opts = { dir, mirrors: [server.base('m1'), server.base('m2')] };
    await assert.rejects(downloadFiles(files, opts), (err: unknown) => {
      assert.ok(err instanceof DataError);
      assert.equal(
        err.message,
        `Could not save train-images-idx3-ubyte.gz in the download cache ${dir}: no space left on the disk (ENOSPC); nothing was kept under its name.`,
      );
      assert.match(err.hint ?? '', /^Free at least 2 MB there and train again, or set the download cache \(the mnist\.dataCacheFolder setting, mnist-train --cache-dir\) to a folder on another disk\.$/);
      return true;
    });
    assert.deepEqual(server.requests, ['/m1/train-images-idx3-ubyte.gz'], 'a full disk is not a mirror problem');
    assert.deepEqual(readdirSync(dir), [], 'no partial file, no temporary file');
    rmSync(filler);
    const paths = await downloadFiles(files, opts);
    for (const [i, p] of paths.entries()) assert.equal(await checkFile(p, files[i]), 'ok');
    assert.deepEqual(readdirSync(dir).sort(), [...NAMES].sort());
  });
});

describe('the run folder', () => {
  test('a full disk (ENOSPC, an 8 MB tmpfs with 200 KB free) while mnist-train writes its run: failed naming the file, no half-written file, still listed; space freed, the next run completes', { timeout: 300_000 }, async (t) => {
    const fs = mountTmpfs(8 * 1024 * 1024);
    if ('skip' in fs) return t.skip(fs.skip);
    t.after(() => fs.unmount());
    const cwd = mkdtempSync(join(tmpdir(), 'enospc-run-'));
    const runs = join(fs.dir, 'runs');
    const filler = fs.fill(200 * 1024);
    // The event log (~40 KB) fits; the first checkpoint (weights and Adam's moments, 1.3 MB) does not.
    const args = ['--dataset', 'mnist-sample', '--epochs', '1', '--batch-size', '128', '--backend', 'wasm', '--out', runs];
    const first = await runCli(args, cwd);
    assert.equal(first.code, 1, first.stderr);
    const [id] = readdirSync(runs).filter((n) => n !== 'training.lock');
    const runDir = join(runs, id);
    assert.match(first.stderr, new RegExp(`Training failed: Could not write ${runDir.replace(/[/\\.]/g, '\\$&')}/\\S+: no space left on the disk \\(ENOSPC\\)`));
    assert.match(first.stderr, /\nFree some disk space and train again \(everything written before is kept\), or set mnist\.runsFolder \(mnist-train --out\) to a folder on another disk\.\n/);
    assert.doesNotMatch(first.stderr, /\n\s+at /);
    assert.deepEqual(allFiles(runDir).filter((f) => /\.tmp-|\.old-/.test(f)), [], 'no temporary file left');
    assert.ok(!existsSync(join(runDir, 'model')) || JSON.parse(readFileSync(join(runDir, 'model', 'model.json'), 'utf8')).weightsManifest, 'model/ absent or whole');
    JSON.parse(readFileSync(join(runDir, 'config.json'), 'utf8'));
    const [record] = listRunRecords(runs);
    assert.equal(record.id, id);
    assert.equal(record.state, 'failed');
    assert.match(record.message ?? '', /no space left on the disk \(ENOSPC\)/);
    assert.equal(existsSync(join(runs, 'training.lock')), false, 'the lock is released');

    rmSync(filler);
    const second = await runCli(args, cwd);
    assert.equal(second.code, 0, second.stderr);
    const records = listRunRecords(runs);
    assert.deepEqual(records.map((r) => r.state).sort(), ['completed', 'failed'], 'the failed run is kept beside the new one');
  });
});

/** mnist-train as another user (nobody) when this is root, for whom chmod 000 denies nothing. */
function runCliAs(args: string[], cwd: string): Promise<CliResult> {
  const asRoot = process.getuid?.() === 0;
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cliBundle, ...args], {
      cwd,
      env: { ...process.env, XDG_CACHE_HOME: join(cwd, 'cache'), HOME: cwd },
      ...(asRoot ? { uid: 65534, gid: 65534 } : {}),
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b) => (stdout += b));
    child.stderr.on('data', (b) => (stderr += b));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('an unreadable data folder (chmod 000; as root, mnist-train runs as nobody)', () => {
  test('the folder: exit 2 naming it, permission denied and what to do', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'unreadable-'));
    chmodSync(cwd, 0o777);
    const data = join(cwd, 'data');
    cpSync(SAMPLE, data, { recursive: true });
    chmodSync(data, 0o000);
    try {
      const r = await runCliAs(['--data-dir', data, '--epochs', '1', '--out', join(cwd, 'runs')], cwd);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, new RegExp(`^mnist-train: --data-dir: data\\.dir ${data.replace(/[/\\.]/g, '\\$&')} cannot be read: permission denied \\(EACCES\\); give your user read access to it \\(chmod u\\+rx\\); point data\\.dir at a folder`));
      assert.equal(existsSync(join(cwd, 'runs')), false);
    } finally {
      chmodSync(data, 0o755);
    }
  });

  test('one file in it: the run fails naming the file; readable again, the next run trains', { timeout: 300_000 }, async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'unreadable-file-'));
    chmodSync(cwd, 0o777);
    const data = join(cwd, 'data');
    cpSync(SAMPLE, data, { recursive: true });
    chmodSync(data, 0o755);
    const labels = join(data, 'train-labels-idx1-ubyte.gz');
    chmodSync(labels, 0o000);
    const args = ['--data-dir', data, '--epochs', '1', '--batch-size', '256', '--backend', 'wasm', '--out', join(cwd, 'runs')];
    const r = await runCliAs(args, cwd);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, new RegExp(`Training failed: ${labels.replace(/[/\\.]/g, '\\$&')}: cannot be read: permission denied \\(EACCES\\)\\nGive your user read access to the file \\(chmod u\\+r\\), or point data\\.dir at another folder\\.`));
    chmodSync(labels, 0o644);
    const again = await runCliAs(args, cwd);
    assert.equal(again.code, 0, again.stderr);
  });
});
