// The bench's arithmetic and tables: pure functions, no processes.
import type { BatchEvent } from '../../src/shared/protocol';

export interface RunMeasure {
  ok: boolean;
  status: string;
  message?: string;
  backend: string;
  reason?: string;
  train: number;
  samplesPerSecond: number;
  /** Samples per second of the trainer's CPU time (all its threads) in the same window. */
  samplesPerCpuSecond: number;
  timedBatches: number;
  /** The trainer's own epoch time: training and validation. */
  epochSeconds: number;
  testAccuracy: number;
  maxRssKB: number;
  wallSeconds: number;
  runDir: string;
}

export interface Row {
  preset: string;
  batch: number;
  backend: string;
  runs: number;
  okRuns: number;
  samplesPerSecond: number;
  samplesPerSecondAll: number[];
  /** Median samples per CPU-second of the trainer (NaN for PyTorch). */
  samplesPerCpuSecond: number;
  epoch48kSeconds: number;
  maxRssMB: number;
  testAccuracy: number;
  timedBatches: number;
  vsTorch?: number;
  error?: string;
  load?: string;
}

export function median(xs: number[]): number {
  const s = xs.filter(Number.isFinite).sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * Training samples per second after a warm-up, from the trainer's (throttled) batch events: from
 * the first event at or past the warm-up to the epoch's last batch, which is always reported.
 * The events' `time` stamps are taken after each reported batch, so the window holds whole batches.
 */
export function throughput(
  batches: (BatchEvent & { cpuMs?: number })[],
  batchSize: number,
  train: number,
  warmupFraction: number,
): { samplesPerSecond: number; samplesPerCpuSecond: number; timedBatches: number } {
  const none = { samplesPerSecond: NaN, samplesPerCpuSecond: NaN, timedBatches: 0 };
  const epoch1 = batches.filter((b) => b.epoch === 1);
  const last = epoch1.find((b) => b.batch === b.batchesPerEpoch);
  if (!last) return none;
  const warm = Math.max(3, Math.ceil(last.batchesPerEpoch * warmupFraction));
  const first = epoch1.find((b) => b.batch >= warm && b.batch < last.batch);
  if (!first || last.time <= first.time) return none;
  const samples = Math.min(last.batch * batchSize, train) - first.batch * batchSize;
  const cpuMs = first.cpuMs !== undefined && last.cpuMs !== undefined ? last.cpuMs - first.cpuMs : NaN;
  return {
    samplesPerSecond: samples / ((last.time - first.time) / 1000),
    samplesPerCpuSecond: samples / (cpuMs / 1000),
    timedBatches: last.batch - first.batch,
  };
}

const int = (x: number) => (Number.isFinite(x) ? Math.round(x).toLocaleString('en-US') : '—');
const fixed = (x: number, d: number) => (Number.isFinite(x) ? x.toFixed(d) : '—');
const pct = (x: number) => (Number.isFinite(x) ? `${(x * 100).toFixed(2)}%` : '—');

function grid(head: string[], rows: string[][], right: boolean[]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => '| ' + cells.map((c, i) => (right[i] ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join(' | ') + ' |';
  const rule = '|' + widths.map((w, i) => (right[i] ? '-'.repeat(w + 1) + ':' : ':' + '-'.repeat(w + 1))).join('|') + '|';
  return [line(head), rule, ...rows.map(line)].join('\n');
}

/** The main table, as markdown (it goes into the README as is). */
export function formatTable(rows: Row[]): string {
  const head = ['model', 'batch', 'backend', 'samples/s (median)', 'runs', 's/epoch @48k', 'peak RSS', 'test acc', 'vs PyTorch', 'samples/CPU-s'];
  const body = rows.map((r) => [
    r.preset,
    String(r.batch),
    r.backend,
    int(r.samplesPerSecond),
    `${r.okRuns}/${r.runs}${r.error ? ` (${r.error.slice(0, 60)})` : ''}`,
    fixed(r.epoch48kSeconds, 1),
    Number.isFinite(r.maxRssMB) ? `${Math.round(r.maxRssMB)} MB` : '—',
    pct(r.testAccuracy),
    r.vsTorch === undefined ? '' : `${r.vsTorch.toFixed(2)}×`,
    int(r.samplesPerCpuSecond),
  ]);
  return grid(head, body, [false, true, false, true, false, true, true, true, true, true]);
}

export interface FashionRow {
  preset: string;
  batch: number;
  backend: string;
  status: string;
  train: number;
  samplesPerSecond: number;
  epochSeconds: number;
  testAccuracy: number;
  maxRssMB: number;
  torchEpochSeconds: number;
  torchSamplesPerSecond: number;
  torchTestAccuracy: number;
}

export function formatFashion(rows: FashionRow[]): string {
  const head = ['Fashion-MNIST, 1 epoch', 'batch', 'backend', 'train', 'samples/s', 'epoch s (incl. validation)', 'peak RSS', 'test acc', 'PyTorch epoch s', 'PyTorch test acc'];
  const body = rows.map((r) => [
    r.preset + (r.status === 'completed' ? '' : ` (${r.status})`),
    String(r.batch),
    r.backend,
    int(r.train),
    int(r.samplesPerSecond),
    fixed(r.epochSeconds, 1),
    Number.isFinite(r.maxRssMB) ? `${Math.round(r.maxRssMB)} MB` : '—',
    pct(r.testAccuracy),
    fixed(r.torchEpochSeconds, 1),
    pct(r.torchTestAccuracy),
  ]);
  return grid(head, body, [false, true, false, true, true, true, true, true, true, true]);
}

export interface ExtensionFigures {
  /** Which build the bundle figures are of. */
  build: string;
  bundles: { file: string; bytes: number | null }[];
  vsix: { file: string; bytes: number | null }[];
  /** Medians over requireRuns fresh Node processes (scripts/bench/require-extension.cjs). */
  requireMs: number;
  activateMs: number;
  totalMs: number;
  /** CPU time of require + activate(): what the wall time would be on an idle core. */
  cpuMs: number;
  requireRuns: number;
  requireError?: string;
  hostBundleHas?: { tfjs: boolean; echarts: boolean };
  /** Median first contentful paint of the Dashboard webview in headless Chromium (scripts/bench/webview-paint.ts). */
  firstPaintMs: number;
  firstPaintRuns: number;
  notes: string[];
}

/**
 * Whether a host bundle holds TensorFlow.js or ECharts code. Code markers, not package names: the
 * host may name '@tensorflow/tfjs-node' in a message or an install command.
 */
export function hostBundleContents(code: string): { tfjs: boolean; echarts: boolean } {
  return { tfjs: code.includes('_tfengine'), echarts: code.includes('_echarts_instance_') || code.includes('zrender') };
}

export function formatExtension(e: ExtensionFigures): string {
  const kb = (b: number | null) => (b === null ? 'not built' : `${(b / 1024).toFixed(0)} KiB`);
  const rows = [...e.bundles, ...(e.vsix.length ? e.vsix : [{ file: '.vsix', bytes: null }])].map((b) => [b.file, kb(b.bytes)]);
  if (e.hostBundleHas) {
    rows.push(['dist/extension.js contains tfjs / echarts', `${e.hostBundleHas.tfjs ? 'yes' : 'no'} / ${e.hostBundleHas.echarts ? 'yes' : 'no'}`]);
  }
  const ms = (x: number) => (Number.isFinite(x) ? `${x.toFixed(1)} ms` : '—');
  rows.push([
    'activation: require + activate() of dist/extension.js (plain Node, stand-in vscode)',
    e.requireError
      ? `failed: ${e.requireError}`
      : e.requireRuns > 0
        ? `${ms(e.totalMs)} = ${ms(e.requireMs)} + ${ms(e.activateMs)}; CPU ${ms(e.cpuMs)} (medians of ${e.requireRuns})`
        : 'not built',
  ]);
  if (e.firstPaintRuns > 0) rows.push(['webview first contentful paint (headless Chromium, stand-in acquireVsCodeApi, no cache)', `${ms(e.firstPaintMs)} (median of ${e.firstPaintRuns})`]);
  return `${grid([`extension (${e.build})`, 'figure'], rows, [false, true])}`;
}
