// Where a run's digits come from: a data.dir folder, the bundled sample, Debian's Fashion-MNIST or the download cache.
import { constants as fsConstants } from 'node:fs';
import { open, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { DataError, MAX_IDX_ITEMS, checkSameCount, parseIdx, type IdxImages, type IdxLabels } from './idx';
import {
  DEFAULT_MIRRORS,
  FASHION_MNIST_FILES,
  MNIST_FILES,
  downloadFiles,
  type DownloadProgress,
  type RemoteFile,
} from './download';

export { DataError } from './idx';

export interface Dataset {
  /** 'mnist' | 'fashion-mnist' | 'mnist-sample' | 'folder' (data.dir). */
  name: string;
  /** Where it came from, in plain words. */
  source: string;
  /** count × 784 bytes, 0..255, in the files' order. */
  trainImages: Uint8Array;
  trainLabels: Uint8Array;
  testImages: Uint8Array;
  testLabels: Uint8Array;
  classNames: string[];
}

export interface LoadOptions {
  dataset: 'mnist' | 'fashion-mnist' | 'mnist-sample';
  /** data.dir: a folder holding the four IDX files; overrides the dataset's source. */
  dir: string | null;
  cacheDir: string;
  /** Folder of the bundled mnist-sample IDX files. */
  sampleDir: string;
  mirrors?: string[];
  onDownload?: (p: DownloadProgress) => void;
  /** A mirror failed or a cached file was bad, and loading goes on. */
  onWarning?: (message: string) => void;
  signal?: AbortSignal;
  /** Default /usr/share/datasets/fashion-mnist (Debian's dataset-fashion-mnist). */
  fashionSystemDir?: string;
  /** The files to download and their checksums; the official ones by default (tests serve others). */
  remoteFiles?: readonly RemoteFile[];
}

export type IdxRole = 'trainImages' | 'trainLabels' | 'testImages' | 'testLabels';
export const IDX_ROLES: readonly IdxRole[] = ['trainImages', 'trainLabels', 'testImages', 'testLabels'];

/** The official file names, in IDX_ROLES order. */
export const OFFICIAL_NAMES: Readonly<Record<IdxRole, string>> = {
  trainImages: 'train-images-idx3-ubyte.gz',
  trainLabels: 'train-labels-idx1-ubyte.gz',
  testImages: 't10k-images-idx3-ubyte.gz',
  testLabels: 't10k-labels-idx1-ubyte.gz',
};

export const MNIST_CLASS_NAMES: readonly string[] = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];
export const FASHION_CLASS_NAMES: readonly string[] = [
  'T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot',
];

export const FASHION_SYSTEM_DIR = '/usr/share/datasets/fashion-mnist';

export interface IdxFileSet {
  dir: string;
  /** Full paths of the files found. */
  files: Partial<Record<IdxRole, string>>;
  /** Official names of the files not found. */
  missing: string[];
}

/**
 * Which of `names` plays which role. Accepts the official names gzip or raw
 * (`train-images-idx3-ubyte[.gz]`) and the Kaggle naming (`train-images.idx3-ubyte`); gzip first.
 */
export function matchIdxFiles(names: readonly string[]): Partial<Record<IdxRole, string>> {
  const found: Partial<Record<IdxRole, string>> = {};
  const sorted = [...names].sort((a, b) => Number(b.endsWith('.gz')) - Number(a.endsWith('.gz')) || a.localeCompare(b));
  for (const name of sorted) {
    const role = roleOf(name);
    if (role && !found[role]) found[role] = name;
  }
  return found;
}

function roleOf(name: string): IdxRole | null {
  const m = /^(train|t10k)-(images|labels)[-.]idx([13])-ubyte(\.gz)?$/i.exec(name);
  if (!m) return null;
  const [, part, kind, dims] = m;
  if ((kind.toLowerCase() === 'images') !== (dims === '3')) return null;
  const train = part.toLowerCase() === 'train';
  return kind.toLowerCase() === 'images' ? (train ? 'trainImages' : 'testImages') : train ? 'trainLabels' : 'testLabels';
}

/** The IDX files in `dir`; a DataError naming the folder when it does not exist or is not a folder. */
export function findIdxFiles(dir: string): Promise<IdxFileSet> {
  return listFolder(dir, 'data.dir', FOLDER_HINT);
}

async function listFolder(dir: string, what: string, hint: string): Promise<IdxFileSet> {
  let names: string[];
  try {
    if (!(await stat(dir)).isDirectory()) throw new DataError(`${what} ${dir} is a file, not a folder`, dir, hint);
    names = await readdir(dir);
  } catch (err) {
    if (err instanceof DataError) throw err;
    if (denied(err)) throw new DataError(`${what} ${dir} cannot be read: permission denied (${codeOf(err)}); give your user read access to it (chmod u+rx)`, dir, hint);
    throw new DataError(`${what} ${dir} does not exist or cannot be read (${codeOf(err)})`, dir, hint);
  }
  const matched = matchIdxFiles(names);
  const files: Partial<Record<IdxRole, string>> = {};
  for (const role of IDX_ROLES) if (matched[role]) files[role] = join(dir, matched[role]);
  return { dir, files, missing: IDX_ROLES.filter((r) => !matched[r]).map((r) => OFFICIAL_NAMES[r]) };
}

const SAMPLE_HINT = 'The bundled sample is missing: rebuild the extension (npm run build:sample) or reinstall it.';
const FOLDER_HINT =
  'Point data.dir at a folder holding train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz and t10k-labels-idx1-ubyte.gz (gzip or not), or set it to null.';

/** Loads the dataset the config asks for, downloading it if needed. */
export async function loadDataset(opts: LoadOptions): Promise<Dataset> {
  const classNames = [...(opts.dataset === 'fashion-mnist' ? FASHION_CLASS_NAMES : MNIST_CLASS_NAMES)];
  if (opts.dir !== null) {
    return { name: 'folder', source: `folder ${opts.dir}`, classNames, ...(await readFolder(opts.dir, 'data.dir', FOLDER_HINT)) };
  }
  if (opts.dataset === 'mnist-sample') {
    const data = await readFolder(opts.sampleDir, 'the bundled mnist-sample folder', SAMPLE_HINT);
    const counts = `${fmt(data.trainLabels.length)} train / ${fmt(data.testLabels.length)} test`;
    return { name: 'mnist-sample', source: `bundled sample (${counts})`, classNames, ...data };
  }
  if (opts.dataset === 'fashion-mnist') {
    const systemDir = opts.fashionSystemDir ?? FASHION_SYSTEM_DIR;
    if (await hasAllFiles(systemDir)) {
      const hint = `Reinstall Debian's dataset-fashion-mnist, or remove ${systemDir} so the files are downloaded.`;
      return { name: 'fashion-mnist', source: systemDir, classNames, ...(await readFolder(systemDir, 'the Fashion-MNIST folder', hint)) };
    }
  }
  const cacheDir = join(opts.cacheDir, opts.dataset);
  const paths = await downloadFiles(opts.remoteFiles ?? (opts.dataset === 'mnist' ? MNIST_FILES : FASHION_MNIST_FILES), {
    dir: cacheDir,
    mirrors: opts.mirrors ?? DEFAULT_MIRRORS[opts.dataset],
    onProgress: opts.onDownload,
    onWarning: opts.onWarning,
    signal: opts.signal,
  });
  const files = Object.fromEntries(IDX_ROLES.map((role, i) => [role, paths[i]])) as Record<IdxRole, string>;
  return { name: opts.dataset, source: `cache ${cacheDir}`, classNames, ...(await readFiles(files)) };
}

type DatasetArrays = Pick<Dataset, 'trainImages' | 'trainLabels' | 'testImages' | 'testLabels'>;

async function readFolder(dir: string, what: string, hint: string): Promise<DatasetArrays> {
  const set = await listFolder(dir, what, hint);
  if (set.missing.length > 0) {
    throw new DataError(`${what} ${dir} lacks ${set.missing.join(', ')} (the .gz suffix is optional)`, dir, hint);
  }
  return readFiles(set.files as Record<IdxRole, string>);
}

async function readFiles(files: Record<IdxRole, string>): Promise<DatasetArrays> {
  const [trainImages, trainLabels, testImages, testLabels] = await Promise.all(
    IDX_ROLES.map(async (role) => parseIdx(await readBytes(files[role]), files[role], role.endsWith('Images') ? 'images' : 'labels')),
  );
  checkSameCount(trainImages as IdxImages, files.trainImages, trainLabels as IdxLabels, files.trainLabels);
  checkSameCount(testImages as IdxImages, files.testImages, testLabels as IdxLabels, files.testLabels);
  return {
    trainImages: trainImages.data,
    trainLabels: trainLabels.data,
    testImages: testImages.data,
    testLabels: testLabels.data,
  };
}

/** The largest raw IDX file: MAX_IDX_ITEMS images of 28×28 and the header. */
const MAX_IDX_FILE_BYTES = 16 + MAX_IDX_ITEMS * 28 * 28;

/** A regular file only (data.dir may hold symlinks to real files, but not to /dev/zero or a FIFO), of at most MAX_IDX_FILE_BYTES. */
async function readBytes(file: string): Promise<Uint8Array> {
  try {
    // O_NONBLOCK: opening a FIFO would otherwise wait for a writer forever.
    const handle = await open(file, fsConstants.O_RDONLY | (fsConstants.O_NONBLOCK ?? 0));
    try {
      const info = await handle.stat();
      if (!info.isFile()) throw new DataError(`${file}: is not a regular file`, file, 'Point data.dir at a folder holding the IDX files themselves.');
      if (info.size > MAX_IDX_FILE_BYTES) {
        throw new DataError(`${file}: is ${fmt(info.size)} bytes, more than any MNIST-like IDX file (at most ${fmt(MAX_IDX_FILE_BYTES)})`, file, 'Point data.dir at a folder holding the MNIST or Fashion-MNIST IDX files.');
      }
      return await handle.readFile();
    } finally {
      await handle.close();
    }
  } catch (err) {
    if (err instanceof DataError) throw err;
    if (denied(err)) throw new DataError(`${file}: cannot be read: permission denied (${codeOf(err)})`, file, 'Give your user read access to the file (chmod u+r), or point data.dir at another folder.');
    throw new DataError(`${file}: cannot be read (${codeOf(err)})`, file, 'Check that the file exists and is readable.');
  }
}

async function hasAllFiles(dir: string): Promise<boolean> {
  try {
    return (await listFolder(dir, 'folder', '')).missing.length === 0;
  } catch {
    return false;
  }
}

function denied(err: unknown): boolean {
  const code = (err as { code?: string }).code;
  return code === 'EACCES' || code === 'EPERM';
}

function codeOf(err: unknown): string {
  return (err as { code?: string }).code ?? (err instanceof Error ? err.message : String(err));
}

function fmt(n: number): string {
  return n.toLocaleString('en-US');
}
