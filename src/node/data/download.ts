// Downloads dataset files into a cache folder: mirrors in order, size + MD5 checked, atomic writes.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { DataError } from './idx';
import { fsyncDir } from '../files/durable';
import { removeStaleTemps } from '../files/stale-temps';
import { type ProxyEnv, ProxyConfigError, getThroughProxy } from './proxy';

/** A file the downloader fetches, and what it must be. */
export interface RemoteFile {
  name: string;
  size: number;
  md5: string;
}

export interface DownloadProgress {
  file: string;
  url: string;
  receivedBytes: number;
  /** null when the server does not say. */
  totalBytes: number | null;
}

export interface DownloadOptions {
  /** Folder the verified files end up in. */
  dir: string;
  /** Base URLs tried in order; the file name is appended. */
  mirrors: readonly string[];
  onProgress?: (p: DownloadProgress) => void;
  /** A mirror failed or a cached copy was bad, and the download goes on: worth a log line. */
  onWarning?: (message: string) => void;
  signal?: AbortSignal;
  /** Minimum time between progress callbacks (the first and last are always sent). */
  progressIntervalMs?: number;
  /** A transfer that receives nothing for this long is given up. */
  stallTimeoutMs?: number;
  /**
   * The slowest average speed a transfer may have, in bytes/s: each file gets a deadline of
   * deadlineGraceMs + its size at this speed, so a mirror that drips bytes (which keeps the stall
   * timer quiet) is given up too. 0: no deadline. Default: MNIST_DOWNLOAD_MIN_SPEED (KB/s) from the
   * environment, else DEFAULT_MIN_BYTES_PER_SECOND.
   */
  minBytesPerSecond?: number;
  /** Added to every file's deadline: connecting, a slow first byte. */
  deadlineGraceMs?: number;
  /** Where the proxy variables (HTTPS_PROXY, HTTP_PROXY, NO_PROXY) and MNIST_DOWNLOAD_MIN_SPEED are read; process.env by default. */
  env?: DownloadEnv;
  /** Extra certificate authorities for https mirrors reached through a proxy (tests). */
  ca?: string | Buffer;
}

export type DownloadEnv = ProxyEnv & { MNIST_DOWNLOAD_MIN_SPEED?: string };

/** 20 KB/s: the 9.9 MB training images then have 8.8 minutes (with the grace); slower on average is a mirror stuck dripping. */
export const DEFAULT_MIN_BYTES_PER_SECOND = 20_000;
export const DEFAULT_DEADLINE_GRACE_MS = 30_000;

/** The slowest average speed allowed, from the option, the environment or the default; `problem` for an unusable variable. */
export function minimumSpeed(opts: Pick<DownloadOptions, 'minBytesPerSecond' | 'env'>): { bytesPerSecond: number; problem?: string } {
  if (opts.minBytesPerSecond !== undefined) return { bytesPerSecond: Math.max(0, opts.minBytesPerSecond) };
  const raw = (opts.env ?? (process.env as DownloadEnv)).MNIST_DOWNLOAD_MIN_SPEED?.trim();
  if (!raw) return { bytesPerSecond: DEFAULT_MIN_BYTES_PER_SECOND };
  const kb = Number(raw);
  if (!Number.isFinite(kb) || kb < 0) {
    return {
      bytesPerSecond: DEFAULT_MIN_BYTES_PER_SECOND,
      problem: `MNIST_DOWNLOAD_MIN_SPEED="${raw}" is not a speed in KB/s (a number, 0 for no deadline); using ${DEFAULT_MIN_BYTES_PER_SECOND / 1000} KB/s`,
    };
  }
  return { bytesPerSecond: kb * 1000 };
}

/** The most time a file may take, or null for none. */
export function downloadDeadlineMs(size: number, bytesPerSecond: number, graceMs = DEFAULT_DEADLINE_GRACE_MS): number | null {
  return bytesPerSecond > 0 ? Math.ceil(graceMs + (size / bytesPerSecond) * 1000) : null;
}

const SLOW_HINT = 'On a slow connection, allow more time with MNIST_DOWNLOAD_MIN_SPEED (the slowest average in KB/s, 0 for no deadline), or use data.dir.';

// The official files (LeCun et al.), as torchvision and TensorFlow check them.
export const MNIST_FILES: readonly RemoteFile[] = [
  { name: 'train-images-idx3-ubyte.gz', size: 9912422, md5: 'f68b3c2dcbeaaa9fbdd348bbdeb94873' },
  { name: 'train-labels-idx1-ubyte.gz', size: 28881, md5: 'd53e105ee54ea40749a09fcbcd1e9432' },
  { name: 't10k-images-idx3-ubyte.gz', size: 1648877, md5: '9fb629c4189551a2d022fa330f9573f3' },
  { name: 't10k-labels-idx1-ubyte.gz', size: 4542, md5: 'ec29112dd5afa0611ce80d1b7f02629c' },
];

// MD5s from the Fashion-MNIST README (zalandoresearch/fashion-mnist); sizes as Keras downloads them.
// Debian's /usr/share/datasets/fashion-mnist holds the same data re-gzipped (other MD5s).
export const FASHION_MNIST_FILES: readonly RemoteFile[] = [
  { name: 'train-images-idx3-ubyte.gz', size: 26421880, md5: '8d4fb7e6c68d591d4c3dfef9ec88bf0d' },
  { name: 'train-labels-idx1-ubyte.gz', size: 29515, md5: '25c81989df183df01b3e8a0aad5dffbe' },
  { name: 't10k-images-idx3-ubyte.gz', size: 4422102, md5: 'bef4ecab320f06d8554ea6380940ec79' },
  { name: 't10k-labels-idx1-ubyte.gz', size: 5148, md5: 'bb300cfdad3c16e7a12a480ee83cd310' },
];

export const DEFAULT_MIRRORS: Readonly<Record<'mnist' | 'fashion-mnist', readonly string[]>> = {
  // torchvision's and TensorFlow's mirrors of yann.lecun.com.
  mnist: ['https://ossci-datasets.s3.amazonaws.com/mnist/', 'https://storage.googleapis.com/cvdf-datasets/mnist/'],
  // Keras' copy (https), then the official bucket (http only; the MD5 check covers it).
  'fashion-mnist': [
    'https://storage.googleapis.com/tensorflow/tf-keras-datasets/',
    'http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/',
  ],
};

export const OFFLINE_HINT =
  'Check your network, set data.dir to a folder with the four IDX files, or use "dataset": "mnist-sample" (bundled, offline).';

/** Downloads each file unless a verified copy is cached; returns their paths in the same order. */
export async function downloadFiles(files: readonly RemoteFile[], opts: DownloadOptions): Promise<string[]> {
  const paths: string[] = [];
  for (const file of files) paths.push(await downloadFile(file, opts));
  return paths;
}

/** The path of a verified copy of `file` in opts.dir, fetched from the first mirror that delivers it. */
export async function downloadFile(file: RemoteFile, opts: DownloadOptions): Promise<string> {
  opts.signal?.throwIfAborted();
  const dest = join(opts.dir, file.name);
  const cached = await checkFile(dest, file);
  if (cached === 'ok') return dest;
  if (cached !== 'missing') {
    opts.onWarning?.(`${dest}: cached copy is bad (${cached}); downloading it again`);
    await rm(dest, { force: true });
  }
  try {
    await mkdir(opts.dir, { recursive: true });
  } catch (err) {
    throw cacheWriteError(err, file, opts.dir) ?? err;
  }
  // What a download killed mid-way left (its process is gone) is removed, not left to fill the disk.
  removeStaleTemps(opts.dir, (name) => name === file.name);

  if (opts.mirrors.length === 0) {
    throw new DataError(`Could not download ${file.name}: no mirror is configured.`, file.name, OFFLINE_HINT);
  }
  const speed = minimumSpeed(opts);
  if (speed.problem) opts.onWarning?.(speed.problem);
  const deadlineMs = downloadDeadlineMs(file.size, speed.bytesPerSecond, opts.deadlineGraceMs);
  let lastReason = '';
  let lastTooSlow = false;
  for (const base of opts.mirrors) {
    const url = mirrorUrl(base, file.name);
    try {
      await fetchVerified(file, url, dest, opts, deadlineMs, speed.bytesPerSecond);
      return dest;
    } catch (err) {
      if (opts.signal?.aborted) throw opts.signal.reason;
      // Another mirror cannot help a full or read-only disk, or a proxy variable that makes no sense.
      if (err instanceof DataError) throw err;
      if (err instanceof ProxyConfigError) {
        throw new DataError(`Could not download ${file.name}: ${err.message}.`, file.name, 'Fix the proxy variable (or VS Code\'s http.proxy setting), or unset it to connect directly.');
      }
      lastReason = `${url}: ${reasonOf(err)}`;
      lastTooSlow = err instanceof TooSlow;
      opts.onWarning?.(`${file.name}: ${lastReason}`);
    }
  }
  const tried = opts.mirrors.length === 1 ? '' : `tried ${opts.mirrors.length} mirrors; last: `;
  throw new DataError(
    `Could not download ${file.name} from any mirror (${tried}${lastReason}).`,
    file.name,
    lastTooSlow ? SLOW_HINT : OFFLINE_HINT,
  );
}

/** 'ok', 'missing', or what is wrong with the file on disk. */
export async function checkFile(path: string, file: RemoteFile): Promise<'ok' | 'missing' | string> {
  let size: number;
  try {
    size = (await stat(path)).size;
  } catch {
    return 'missing';
  }
  if (size !== file.size) return `size ${size} bytes, expected ${file.size}`;
  const md5 = await md5OfFile(path);
  return md5 === file.md5 ? 'ok' : `md5 ${md5}, expected ${file.md5}`;
}

export function mirrorUrl(base: string, name: string): string {
  return (base.endsWith('/') ? base : base + '/') + name;
}

/** Something the mirror did wrong; the next mirror may do better. */
class MirrorError extends Error {}
/** The transfer went on past its deadline. */
class TooSlow extends MirrorError {}

async function fetchVerified(file: RemoteFile, url: string, dest: string, opts: DownloadOptions, deadlineMs: number | null, bytesPerSecond: number): Promise<void> {
  const tmp = `${dest}.tmp-${process.pid}`;
  const stall = new AbortController();
  const deadline = new AbortController();
  const signal = AbortSignal.any([stall.signal, deadline.signal, ...(opts.signal ? [opts.signal] : [])]);
  const stallMs = opts.stallTimeoutMs ?? 30_000;
  let timer: NodeJS.Timeout | undefined;
  let received = 0;
  const deadlineTimer =
    deadlineMs === null
      ? undefined
      : setTimeout(() => {
          const kb = `${Math.round(bytesPerSecond / 100) / 10} KB/s`;
          deadline.abort(new TooSlow(`too slow: ${received} of ${file.size} bytes after ${seconds(deadlineMs)}, this file's deadline (at least ${kb} on average)`));
        }, deadlineMs);
  const armStallTimer = () => {
    clearTimeout(timer);
    timer = setTimeout(() => stall.abort(new MirrorError(`no data for ${stallMs / 1000} s`)), stallMs);
  };
  let handle;
  try {
    handle = await open(tmp, 'w');
  } catch (err) {
    throw cacheWriteError(err, file, opts.dir) ?? err;
  }
  try {
    armStallTimer();
    // identity: the .gz bytes as stored, so the MD5 matches; fetch would otherwise gunzip them.
    const res = await getThroughProxy(url, { signal, headers: { 'accept-encoding': 'identity' }, env: opts.env, ca: opts.ca });
    if (!res.ok || !res.body) throw new MirrorError(`HTTP ${res.status} ${res.statusText}`.trim());
    const header = Number(res.headers.get('content-length'));
    const total = res.headers.has('content-length') && Number.isFinite(header) ? header : null;
    if (total !== null && total !== file.size) {
      throw new MirrorError(`the server offers ${total} bytes, expected ${file.size}`);
    }
    const report = throttle(opts.onProgress, opts.progressIntervalMs ?? 100);
    // The expected size is known even when the server does not say it, so progress can show a fraction.
    report({ file: file.name, url, receivedBytes: 0, totalBytes: file.size }, true);
    const hash = createHash('md5');
    for await (const chunk of res.body as AsyncIterable<Uint8Array>) {
      armStallTimer();
      received += chunk.length;
      if (received > file.size) throw new MirrorError(`the server sent more than the expected ${file.size} bytes`);
      hash.update(chunk);
      await handle.write(chunk);
      report({ file: file.name, url, receivedBytes: received, totalBytes: file.size }, received === file.size);
    }
    if (received !== file.size) {
      throw new MirrorError(`the transfer ended after ${received} of ${file.size} bytes`);
    }
    const md5 = hash.digest('hex');
    if (md5 !== file.md5) throw new MirrorError(`checksum mismatch: md5 ${md5}, expected ${file.md5}`);
    await handle.sync(); // on the disk before it takes its name: a power cut never leaves a short file named as the real one
    await handle.close();
    await rename(tmp, dest);
    fsyncDir(opts.dir);
  } catch (err) {
    await handle.close().catch(() => undefined);
    await rm(tmp, { force: true });
    const local = cacheWriteError(err, file, opts.dir);
    if (local) throw local;
    if (stall.signal.aborted) throw stall.signal.reason;
    if (deadline.signal.aborted) throw deadline.signal.reason;
    if (err instanceof MirrorError || err instanceof ProxyConfigError || opts.signal?.aborted) throw err;
    // fetch reports a cut connection as "terminated"/"fetch failed" with the socket error as cause.
    throw new MirrorError(
      received > 0 ? `the transfer was interrupted after ${received} of ${file.size} bytes: ${reasonOf(err)}` : reasonOf(err),
    );
  } finally {
    clearTimeout(timer);
    clearTimeout(deadlineTimer);
  }
}

function seconds(ms: number): string {
  return ms >= 60_000 ? `${Math.round(ms / 6000) / 10} min` : `${Math.round(ms / 100) / 10} s`;
}

/** The cache folder's own problems (a full disk, no permission), as a DataError; null for anything else. */
function cacheWriteError(err: unknown, file: RemoteFile, dir: string): DataError | null {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  const other = 'or set the download cache (the mnist.dataCacheFolder setting, mnist-train --cache-dir) to a folder on another disk.';
  switch (code) {
    case 'ENOSPC':
    case 'EDQUOT':
      return new DataError(
        `Could not save ${file.name} in the download cache ${dir}: no space left on the disk (${code}); nothing was kept under its name.`,
        join(dir, file.name),
        `Free at least ${Math.ceil(file.size / 1e6)} MB there and train again, ${other}`,
      );
    case 'EACCES':
    case 'EPERM':
    case 'EROFS':
      return new DataError(
        `Could not save ${file.name} in the download cache ${dir}: ${code === 'EROFS' ? 'the disk is read-only' : 'permission denied'} (${code}).`,
        join(dir, file.name),
        `Make ${dir} writable for your user, ${other}`,
      );
    default:
      return null;
  }
}

function throttle(
  onProgress: DownloadOptions['onProgress'],
  intervalMs: number,
): (p: DownloadProgress, force: boolean) => void {
  let last = -Infinity;
  return (p, force) => {
    const now = Date.now();
    if (!onProgress || (!force && now - last < intervalMs)) return;
    last = now;
    onProgress(p);
  };
}

function reasonOf(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = (err as { cause?: unknown }).cause;
  if (cause instanceof Error) {
    const code = (cause as { code?: string }).code;
    return code && !cause.message.includes(code) ? `${cause.message} (${code})` : cause.message;
  }
  return err.message;
}

function md5OfFile(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('md5');
    createReadStream(path)
      .on('data', (chunk) => hash.update(chunk))
      .on('error', reject)
      .on('end', () => resolve(hash.digest('hex')));
  });
}
