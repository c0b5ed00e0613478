// The IDX format of the MNIST files (http://yann.lecun.com/exdb/mnist/), gzip or raw.
import { constants as zlibConstants, gunzipSync, gzipSync } from 'node:zlib';

/** A problem with the data, in words a user can act on. `file` is the file or folder at fault. */
export class DataError extends Error {
  readonly file?: string;
  readonly hint?: string;
  constructor(message: string, file?: string, hint?: string) {
    super(message);
    this.name = 'DataError';
    this.file = file;
    this.hint = hint;
  }
}

export const IMAGES_MAGIC = 0x00000803;
export const LABELS_MAGIC = 0x00000801;
export const IMAGE_SIDE = 28;
export const CLASS_COUNT = 10;

export type IdxKind = 'images' | 'labels';

export interface IdxImages {
  kind: 'images';
  count: number;
  rows: number;
  cols: number;
  /** count × rows × cols bytes, 0..255, in file order; its own buffer (byteOffset 0). */
  data: Uint8Array;
}

export interface IdxLabels {
  kind: 'labels';
  count: number;
  /** count class ids, 0..9. */
  data: Uint8Array;
}

export type IdxFile = IdxImages | IdxLabels;

const GOOD_FILES_HINT = 'Delete the file so it is fetched again, or point data.dir at a folder with good IDX files.';

export function isGzip(buf: Uint8Array): boolean {
  return buf.length >= 2 && buf[0] === 0x1f && buf[1] === 0x8b;
}

/** What the name says the file holds: official and Kaggle names contain "images" or "labels". */
export function kindFromName(fileName: string): IdxKind | null {
  const base = fileName.split(/[\\/]/).pop() ?? fileName;
  if (/images/i.test(base)) return 'images';
  if (/labels/i.test(base)) return 'labels';
  return null;
}

/**
 * Parses an MNIST IDX file (gzip detected by its magic bytes). The expected kind comes from
 * `expect`, else from the file name, else from the file's own magic number.
 */
export function parseIdx(buf: Uint8Array, fileName: string, expect: IdxKind | null = kindFromName(fileName)): IdxFile {
  const raw = isGzip(buf) ? gunzip(buf, fileName) : new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  if (raw.length < 8) {
    throw new DataError(
      `${fileName}: too short to be an IDX file (${raw.length} bytes)${looksLikeText(raw) ? '; it looks like a text file' : ''}`,
      fileName,
      GOOD_FILES_HINT,
    );
  }
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const magic = view.getUint32(0);
  const kind = expect ?? (magic === LABELS_MAGIC ? 'labels' : 'images');
  const wanted = kind === 'images' ? IMAGES_MAGIC : LABELS_MAGIC;
  if (magic !== wanted) throw wrongMagic(fileName, kind, magic, wanted, raw);

  const count = view.getUint32(4);
  if (kind === 'labels') {
    const data = body(raw, 8, count, 'labels', fileName);
    const bad = data.findIndex((v) => v >= CLASS_COUNT);
    if (bad >= 0) {
      throw new DataError(
        `${fileName}: label ${data[bad]} at position ${bad} is not a digit class 0..9`,
        fileName,
        GOOD_FILES_HINT,
      );
    }
    return { kind, count, data };
  }
  if (raw.length < 16) {
    throw new DataError(`${fileName}: the IDX header is cut short (${raw.length} of 16 bytes)`, fileName, GOOD_FILES_HINT);
  }
  const rows = view.getUint32(8);
  const cols = view.getUint32(12);
  if (rows !== IMAGE_SIDE || cols !== IMAGE_SIDE) {
    throw new DataError(
      `${fileName}: images are ${rows}×${cols} pixels, expected ${IMAGE_SIDE}×${IMAGE_SIDE} (MNIST format)`,
      fileName,
      'Use the MNIST or Fashion-MNIST IDX files; other image sizes are not supported.',
    );
  }
  return { kind, count, rows, cols, data: body(raw, 16, count, 'images', fileName, rows * cols) };
}

/** The same number of images and labels, or an error naming both files. */
export function checkSameCount(images: IdxImages, imagesFile: string, labels: IdxLabels, labelsFile: string): void {
  if (images.count === labels.count) return;
  throw new DataError(
    `${imagesFile} holds ${fmt(images.count)} images but ${labelsFile} holds ${fmt(labels.count)} labels; they must match`,
    imagesFile,
    'Use an images file and a labels file from the same set (both train-… or both t10k-…).',
  );
}

/** Builds an IDX file; gzip by default, as the official files are. */
export function encodeIdx(file: IdxFile, { gzip = true }: { gzip?: boolean } = {}): Uint8Array {
  const headerBytes = file.kind === 'images' ? 16 : 8;
  const out = new Uint8Array(headerBytes + file.data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, file.kind === 'images' ? IMAGES_MAGIC : LABELS_MAGIC);
  view.setUint32(4, file.count);
  if (file.kind === 'images') {
    view.setUint32(8, file.rows);
    view.setUint32(12, file.cols);
  }
  out.set(file.data, headerBytes);
  return gzip ? new Uint8Array(gzipSync(out, { level: 9 })) : out;
}

/**
 * The most items an IDX file may declare: EMNIST, the largest MNIST-like set, has 814,255 images.
 * Larger counts are refused before anything is decompressed: 1,000,000 images are 784 MB.
 */
export const MAX_IDX_ITEMS = 1_000_000;

/** The compressed bytes read for the header: deflate unpacks at most 1032:1, so 1 KB gives at most about 1 MB. */
const PREFIX_BYTES = 1024;
const PREFIX_OUTPUT_CAP = 2 << 20;

/**
 * How many bytes the data decompresses to, from its IDX header (read from the first bytes
 * only), so gunzip stops there: a gzip bomb or a header that lies cannot fill the memory.
 */
function declaredSize(buf: Uint8Array, fileName: string): number | null {
  let head: Buffer;
  try {
    // Z_SYNC_FLUSH: what the first compressed bytes give, without needing the rest.
    head = gunzipSync(buf.subarray(0, PREFIX_BYTES), { finishFlush: zlibConstants.Z_SYNC_FLUSH, maxOutputLength: PREFIX_OUTPUT_CAP }).subarray(0, 16);
  } catch {
    return null; // not gzip, or damaged from the start: the full gunzip says why
  }
  if (head.length < 8) return null;
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const magic = view.getUint32(0);
  const count = view.getUint32(4);
  const images = magic === IMAGES_MAGIC && head.length >= 16;
  if (magic !== IMAGES_MAGIC && magic !== LABELS_MAGIC) return null; // wrongMagic explains it after a capped gunzip
  if (count > MAX_IDX_ITEMS) {
    throw new DataError(`${fileName}: its header declares ${fmt(count)} ${images ? 'images' : 'labels'}, more than the ${fmt(MAX_IDX_ITEMS)} supported`, fileName, GOOD_FILES_HINT);
  }
  if (!images) return 8 + count;
  // Other image sizes are refused after the header: their declared size is not worth decompressing.
  return view.getUint32(8) === IMAGE_SIDE && view.getUint32(12) === IMAGE_SIDE ? 16 + count * IMAGE_SIDE * IMAGE_SIDE : null;
}

/** Bytes that are surely enough for a header and a message about a file that is not IDX. */
const UNKNOWN_FORMAT_CAP = 1 << 16;

function gunzip(buf: Uint8Array, fileName: string): Uint8Array {
  const size = declaredSize(buf, fileName);
  const cap = size ?? UNKNOWN_FORMAT_CAP;
  try {
    const out = gunzipSync(buf, { maxOutputLength: Math.max(cap, 16) });
    return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
      if (size === null) {
        try {
          return partialGunzip(buf, cap);
        } catch {
          throw new DataError(`${fileName}: not valid gzip data, or not an IDX file`, fileName, GOOD_FILES_HINT);
        }
      }
      throw new DataError(
        `${fileName}: decompresses to more than the ${fmt(size)} bytes its header promises (a damaged file, or one made to fill the memory); it was not unpacked further`,
        fileName,
        GOOD_FILES_HINT,
      );
    }
    const why = err instanceof Error ? err.message : String(err);
    const cut = /unexpected end of file/i.test(why);
    throw new DataError(
      cut
        ? `${fileName}: the gzip data is cut short (${why}); the file is incomplete, probably an interrupted download`
        : `${fileName}: not valid gzip data (${why})`,
      fileName,
      GOOD_FILES_HINT,
    );
  }
}

/** The first bytes of gzip data that is not MNIST's IDX, enough for the error that names what it is. */
function partialGunzip(buf: Uint8Array, cap: number): Uint8Array {
  const out = gunzipSync(buf.subarray(0, PREFIX_BYTES), { finishFlush: zlibConstants.Z_SYNC_FLUSH, maxOutputLength: PREFIX_OUTPUT_CAP });
  return new Uint8Array(out.buffer, out.byteOffset, Math.min(out.byteLength, cap));
}

function body(raw: Uint8Array, offset: number, count: number, what: IdxKind, fileName: string, itemBytes = 1): Uint8Array {
  const expected = offset + count * itemBytes;
  if (raw.length !== expected) {
    const shape = what === 'images' ? `${fmt(count)} images of 28×28` : `${fmt(count)} labels`;
    const problem =
      raw.length < expected
        ? `is cut short: the header promises ${shape} (${fmt(expected)} bytes) but the data has ${fmt(raw.length)} bytes`
        : `has ${fmt(raw.length - expected)} bytes more than the ${shape} its header promises`;
    throw new DataError(`${fileName}: ${problem}`, fileName, GOOD_FILES_HINT);
  }
  if (count === 0) throw new DataError(`${fileName}: holds no ${what}`, fileName, GOOD_FILES_HINT);
  // A copy, so the pixels own their buffer rather than share the file's or zlib's pool.
  return raw.slice(offset, expected);
}

function wrongMagic(fileName: string, kind: IdxKind, magic: number, wanted: number, raw: Uint8Array): DataError {
  const other = kind === 'images' ? LABELS_MAGIC : IMAGES_MAGIC;
  let why = '';
  if (magic === other) why = `; it is an IDX ${kind === 'images' ? 'labels' : 'images'} file — are the file names swapped?`;
  else if (looksLikeHtml(raw)) {
    why = '; the file may be an HTML page from a captive portal or proxy — delete it or point data.dir at good files';
  } else if (looksLikeText(raw)) why = '; it looks like a text file';
  return new DataError(
    `${fileName}: not an IDX ${kind === 'images' ? 'image' : 'label'} file (magic ${hex(magic)}, expected ${hex(wanted)})${why}`,
    fileName,
    GOOD_FILES_HINT,
  );
}

function looksLikeHtml(raw: Uint8Array): boolean {
  const head = new TextDecoder().decode(raw.subarray(0, 512)).trimStart().toLowerCase();
  return head.startsWith('<') && /<(!doctype html|html|head|body|title)/.test(head);
}

function looksLikeText(raw: Uint8Array): boolean {
  const head = raw.subarray(0, 512);
  return head.length > 0 && head.every((b) => b === 9 || b === 10 || b === 13 || (b >= 32 && b < 127));
}

function hex(n: number): string {
  return '0x' + n.toString(16).padStart(8, '0');
}

function fmt(n: number): string {
  return n.toLocaleString('en-US');
}
