// npm run bench: training speed of the real trainer bundle (dist/trainer.js, forked as the CLI and
// the extension fork it) per preset, batch size and backend, beside PyTorch on the same data, plus
// the extension's figures: bundle and .vsix sizes, require + activate time. `npm run bench` builds
// first. Options: --help.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type MnistConfigInput, type PresetName, applyDefaults } from '../../src/shared/config';
import type { BatchEvent, TrainerEvent } from '../../src/shared/protocol';
import { TrainerProcess } from '../../src/node/processes/trainer-client';
import { createRunDir } from '../../src/node/runs/run-folder';
import {
  type ExtensionFigures,
  type Row,
  type RunMeasure,
  formatExtension,
  formatFashion,
  formatTable,
  hostBundleContents,
  median,
  throughput,
} from './lib';
import { benchInspect, formatInspect } from './inspect';
import { describeMachine, formatMachine } from './machine';

const ROOT = resolve(__dirname, '..', '..');
const DIST = join(ROOT, 'dist');
let TRAINER = join(DIST, 'trainer.js');
const PROBE = join(__dirname, 'probe.cjs');
const TORCH_SCRIPT = join(__dirname, 'torch_bench.py');
const MNIST_10K = resolve(ROOT, '..', 'shared', 'datasets', 'mnist-10k');
const SAMPLE = join(DIST, 'data', 'mnist-sample');
const FASHION = '/usr/share/datasets/fashion-mnist';
const CHROMIUM = process.env.MNIST_E2E_CHROMIUM || '/usr/bin/chromium';
const WARMUP = 0.1; // fraction of an epoch's batches (at least 3) left out of the timing

/** wasm: one thread (MNIST_WASM_THREADS=1); wasm2: two (the threaded build, the CNN's default on 2+ cores; see src/trainer/kernels/threads.ts). */
type Backend = 'wasm' | 'wasm2' | 'cpu' | 'tensorflow';
interface Case { preset: PresetName; batch: number; backend: Backend }

const HELP = `usage: node --import tsx scripts/bench/run.ts [options]
  --reps N            repetitions per case, each a fresh trainer process (default 3)
  --cases LIST        e.g. mlp:32:wasm,cnn:128:wasm2 (default: every preset × backend the issue asks for;
                      wasm is one thread, wasm2 is MNIST_WASM_THREADS=2, the threaded build that
                      models with convolutions get by default on 2+ cores)
  --data 10k|sample|DIR   training data (default: ../shared/datasets/mnist-10k if present, else the bundled sample)
  --json FILE         also write the results as JSON
  --no-torch          skip PyTorch     --no-fashion   skip the full-size Fashion-MNIST epoch
  --no-extension      skip the extension figures (bundle sizes, .vsix size, require + activate time)
  --no-paint          skip the webview's first paint (headless Chromium, /usr/bin/chromium)
  --no-inspect        skip Look Inside Model's answer time (a 1-epoch CNN on mnist-sample, inspect through the predictor)
  --no-package        measure dist/ as built instead of packaging (production build + .vsix; dist/ is rebuilt after)
  --fashion-timeout S stop a Fashion-MNIST epoch after S seconds (default 300)
  --profile DIR       run the trainer with --cpu-prof, profiles into DIR
  --trainer FILE      another trainer bundle (default dist/trainer.js; see build-at.mjs for before/after)
  --keep              keep the run folders (printed)`;

interface Options {
  reps: number;
  cases: Case[] | null;
  data: string | null;
  json: string | null;
  torch: boolean;
  fashion: boolean;
  extension: boolean;
  package: boolean;
  paint: boolean;
  inspect: boolean;
  fashionTimeout: number;
  profile: string | null;
  keep: boolean;
}

function parseArgs(argv: string[]): Options {
  const o: Options = { reps: 3, cases: null, data: null, json: null, torch: true, fashion: true, extension: true, package: true, paint: true, inspect: true, fashionTimeout: 300, profile: null, keep: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) fail(`${a} needs a value`);
      return v;
    };
    if (a === '--reps') o.reps = Math.max(1, Number(value()) | 0);
    else if (a === '--cases') o.cases = value().split(',').map(parseCase);
    else if (a === '--data') o.data = value();
    else if (a === '--json') o.json = resolve(value());
    else if (a === '--no-torch') o.torch = false;
    else if (a === '--no-fashion') o.fashion = false;
    else if (a === '--no-extension') o.extension = false;
    else if (a === '--no-package') o.package = false;
    else if (a === '--no-paint') o.paint = false;
    else if (a === '--no-inspect') o.inspect = false;
    else if (a === '--fashion-timeout') o.fashionTimeout = Number(value());
    else if (a === '--profile') o.profile = resolve(value());
    else if (a === '--keep') o.keep = true;
    else if (a === '--trainer') TRAINER = resolve(value());
    else if (a === '--help' || a === '-h') {
      console.log(HELP);
      process.exit(0);
    } else fail(`unknown option ${a}\n${HELP}`);
  }
  return o;
}

function parseCase(s: string): Case {
  const [preset, batch, backend] = s.split(':');
  if (!['mlp', 'mlp-dropout', 'cnn'].includes(preset) || !(Number(batch) > 0) || !['wasm', 'wasm2', 'cpu', 'tensorflow'].includes(backend)) {
    fail(`bad case "${s}": preset:batch:backend, e.g. mlp:32:wasm`);
  }
  return { preset: preset as PresetName, batch: Number(batch), backend: backend as Backend };
}

function fail(message: string): never {
  console.error(`bench: ${message}`);
  process.exit(2);
}

function hasTfjsNode(): boolean {
  try {
    require.resolve('@tensorflow/tfjs-node', { paths: [ROOT] });
    return true;
  } catch {
    return false;
  }
}

let python = 'python3';

/** PyTorch's version, and `python` set to an interpreter that imports it (Debian's, when a pyenv python3 comes first). */
function hasTorch(): string | null {
  for (const candidate of ['python3', '/usr/bin/python3']) {
    const r = spawnSync(candidate, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8' });
    if (r.status === 0) {
      python = candidate;
      return r.stdout.trim();
    }
  }
  return null;
}

function defaultCases(notes: string[]): Case[] {
  const backends: Backend[] = ['wasm', 'cpu'];
  if (hasTfjsNode()) backends.push('tensorflow');
  else notes.push('tensorflow (tfjs-node): not installed here (libtensorflow cannot be downloaded), so not measured.');
  notes.push('cpu: the MLPs only; the plain-JS backend takes minutes per CNN epoch.');
  const cases: Case[] = [];
  for (const [preset, batch] of [['mlp', 32], ['mlp', 128], ['mlp-dropout', 32], ['cnn', 32], ['cnn', 128]] as const) {
    for (const backend of backends) if (!(preset === 'cnn' && backend === 'cpu')) cases.push({ preset, batch, backend });
    // The threaded wasm build: the default for models with convolutions on 2+ cores.
    if (preset === 'cnn') cases.push({ preset, batch, backend: 'wasm2' });
  }
  notes.push('wasm: MNIST_WASM_THREADS=1; wasm2: MNIST_WASM_THREADS=2 (the threaded build, the default for CNNs on 2+ cores).');
  return cases;
}

interface DataChoice { label: string; input: Pick<MnistConfigInput, 'dataset' | 'data'>; dir: string }

function chooseData(arg: string | null): DataChoice {
  const tenK = (dir: string): DataChoice => ({
    label: `mnist-10k (${dir}): 10,000 training digits, 8,000 after the 0.2 validation split; the official 10,000 test images`,
    input: { dataset: 'mnist', data: { dir, validationSplit: 0.2 } },
    dir,
  });
  const sample: DataChoice = {
    label: 'bundled mnist-sample: 8,000 training digits, 6,400 after the 0.2 validation split; 2,000 test',
    input: { dataset: 'mnist-sample', data: { dir: null, validationSplit: 0.2 } },
    dir: SAMPLE,
  };
  if (arg === 'sample') return sample;
  if (arg === '10k' || arg === null) {
    if (existsSync(join(MNIST_10K, 'train-images-idx3-ubyte.gz'))) return tenK(MNIST_10K);
    if (arg === '10k') fail(`${MNIST_10K} is not present`);
    return sample;
  }
  return tenK(resolve(arg));
}

/** One fresh trainer process, one epoch; what its events and the probe say. */
async function trainOnce(
  c: Case,
  input: Pick<MnistConfigInput, 'dataset' | 'data'>,
  runsDir: string,
  opts: { profile: string | null; timeoutS: number },
): Promise<RunMeasure> {
  const config = applyDefaults({
    ...input,
    model: { preset: c.preset },
    training: { epochs: 1, batchSize: c.batch, seed: 42 },
    backend: c.backend === 'wasm2' ? 'wasm' : c.backend,
  });
  const runDir = createRunDir(runsDir, config);
  const probeFile = join(runDir, 'bench-probe.json');
  process.env.MNIST_BENCH_PROBE = probeFile; // fork passes process.env on to the trainer
  process.env.MNIST_WASM_THREADS = c.backend === 'wasm2' ? '2' : '1';
  const execArgv = ['--require', PROBE];
  if (opts.profile) execArgv.push('--cpu-prof', '--cpu-prof-dir', opts.profile);
  const started = Date.now();
  const trainer = new TrainerProcess(TRAINER, { type: 'start', config, runDir, cacheDir: join(runsDir, 'cache') }, { execArgv });
  const events: TrainerEvent[] = [];
  trainer.onEvent((e) => events.push(e));
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    trainer.stop();
    setTimeout(() => trainer.kill(), 20_000).unref();
  }, opts.timeoutS * 1000);
  const { done } = await trainer.exited;
  clearTimeout(timer);
  delete process.env.MNIST_BENCH_PROBE;
  delete process.env.MNIST_WASM_THREADS;

  const ready = events.find((e) => e.type === 'ready');
  const dataset = events.find((e) => e.type === 'dataset');
  const epoch = events.find((e) => e.type === 'epoch');
  const evaluation = events.find((e) => e.type === 'evaluation');
  const batches = events.filter((e): e is BatchEvent => e.type === 'batch');
  const train = dataset?.type === 'dataset' ? dataset.train : NaN;
  const t = throughput(batches, c.batch, train, WARMUP);
  let maxRssKB = NaN;
  try {
    maxRssKB = (JSON.parse(readFileSync(probeFile, 'utf8')) as { maxRssKB: number }).maxRssKB;
  } catch {
    // the trainer died before exiting normally
  }
  return {
    ok: done.status === 'completed',
    status: timedOut ? `stopped after ${opts.timeoutS} s` : done.status,
    message: done.message,
    backend: ready?.type === 'ready' ? `${ready.backend}${ready.backend === 'wasm' ? ` (${ready.threads} thr)` : ''}` : c.backend,
    reason: ready?.type === 'ready' ? ready.reason : undefined,
    train,
    samplesPerSecond: t.samplesPerSecond,
    samplesPerCpuSecond: t.samplesPerCpuSecond,
    timedBatches: t.timedBatches,
    epochSeconds: epoch?.type === 'epoch' ? epoch.seconds : NaN,
    testAccuracy: evaluation?.type === 'evaluation' ? evaluation.testAccuracy : NaN,
    maxRssKB,
    wallSeconds: (Date.now() - started) / 1000,
    runDir,
  };
}

interface TorchRep { samplesPerSecond: number; samplesPerCpuSecond: number; timedBatches: number; epochSeconds: number; testAccuracy: number; maxRssKB: number; threads: number; train: number }

function torchRuns(preset: PresetName, batch: number, dataDir: string, reps: number, timeoutS: number): { reps: TorchRep[]; error?: string } {
  const r = spawnSync(python, [TORCH_SCRIPT, '--data', dataDir, '--preset', preset, '--batch', String(batch), '--reps', String(reps), '--warmup', String(WARMUP), '--threads', '2'], {
    encoding: 'utf8',
    timeout: timeoutS * 1000,
  });
  const out = r.stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as TorchRep);
  if (r.status !== 0) return { reps: out, error: (r.stderr || `exit ${r.status ?? r.signal}`).trim().split('\n').pop() };
  return { reps: out };
}

function summarize(name: { preset: string; batch: number; backend: string }, runs: RunMeasure[]): Row {
  const ok = runs.filter((r) => r.ok && Number.isFinite(r.samplesPerSecond));
  const sps = median(ok.map((r) => r.samplesPerSecond));
  return {
    ...name,
    backend: ok[0]?.backend ?? name.backend,
    runs: runs.length,
    okRuns: ok.length,
    samplesPerSecond: sps,
    samplesPerSecondAll: ok.map((r) => Math.round(r.samplesPerSecond)),
    samplesPerCpuSecond: median(ok.map((r) => r.samplesPerCpuSecond)),
    epoch48kSeconds: 48_000 / sps,
    maxRssMB: median(ok.map((r) => r.maxRssKB / 1024)),
    testAccuracy: median(ok.map((r) => r.testAccuracy)),
    timedBatches: ok[0]?.timedBatches ?? 0,
    error: ok.length < runs.length ? runs.find((r) => !r.ok)?.message ?? runs.find((r) => !r.ok)?.status : undefined,
  };
}

function fileSize(path: string): number | null {
  return existsSync(path) ? statSync(path).size : null;
}

/** The bundles as `npm run package` ships them (minified), the .vsix, and require + activate time of the host bundle. */
function extensionFigures(pack: boolean, paint: boolean): ExtensionFigures {
  const notes: string[] = [];
  let vsix: ExtensionFigures['vsix'] = [];
  let build = 'dist/ as npm run build makes it: not minified';
  if (pack) {
    // vsce packages what is in dist/, so the production build goes there; the dev build is put back after.
    const out = mkdtempSync(join(tmpdir(), 'mnist-vsix-'));
    try {
      execFileSync(process.execPath, ['esbuild.mjs', '--production'], { cwd: ROOT, stdio: 'pipe' });
      const file = join(out, 'mnist-trainer.vsix');
      execFileSync(
        process.execPath,
        [require.resolve('@vscode/vsce/vsce', { paths: [ROOT] }), 'package', '--no-dependencies', '--allow-missing-repository', '--no-rewrite-relative-links', '--out', file],
        { cwd: ROOT, stdio: 'pipe' },
      );
      vsix = [{ file: 'mnist-trainer.vsix (npm run package)', bytes: fileSize(file) }];
      build = 'production build, as npm run package makes it';
    } catch (err) {
      notes.push(`packaging failed: ${(err as Error).message.split('\n')[0]}`);
    }
  }
  const bundles = ['extension.js', 'ajv.js', 'report-svg.js', 'webview.js', 'webview.css', 'compare.js', 'compare.css', 'trainer.js', 'predictor.js', 'cli.js'].map((f) => ({ file: `dist/${f}`, bytes: fileSize(join(DIST, f)) }));
  const ext = join(DIST, 'extension.js');
  const runs: { requireMs: number; activateMs: number; ms: number; cpuMs: number }[] = [];
  let requireError: string | undefined;
  let hostBundleHas: { tfjs: boolean; echarts: boolean } | undefined;
  if (existsSync(ext)) {
    hostBundleHas = hostBundleContents(readFileSync(ext, 'utf8'));
    try {
      for (let i = 0; i < 9; i++) {
        const out = execFileSync(process.execPath, [join(__dirname, 'require-extension.cjs'), ext], { encoding: 'utf8' });
        runs.push(JSON.parse(out.trim().split('\n').pop()!) as (typeof runs)[number]);
      }
    } catch (err) {
      requireError = (err as Error).message.split('\n')[0];
    }
  }
  let firstPaintMs: number[] = [];
  if (paint && existsSync(CHROMIUM)) {
    try {
      const out = execFileSync(process.execPath, ['--import', 'tsx', join(__dirname, 'webview-paint.ts'), '--runs', '7', '--chromium', CHROMIUM], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
      firstPaintMs = (JSON.parse(out.trim().split('\n').pop()!) as { firstContentfulPaintMs: number[] }).firstContentfulPaintMs;
    } catch (err) {
      notes.push(`webview first paint: ${(err as Error).message.split('\n')[0]}`);
    }
  } else if (paint) {
    notes.push(`webview first paint: ${CHROMIUM} is absent (apt-get install -y chromium), so not measured.`);
  }
  if (pack) execFileSync(process.execPath, ['esbuild.mjs'], { cwd: ROOT, stdio: 'pipe' });
  return {
    firstPaintMs: median(firstPaintMs),
    firstPaintRuns: firstPaintMs.length,
    build,
    bundles,
    vsix,
    requireMs: median(runs.map((r) => r.requireMs)),
    activateMs: median(runs.map((r) => r.activateMs)),
    totalMs: median(runs.map((r) => r.ms)),
    cpuMs: median(runs.map((r) => r.cpuMs)),
    requireRuns: runs.length,
    requireError,
    hostBundleHas,
    notes,
  };
}

function gitHead(): string {
  try {
    const sha = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'src/trainer', 'scripts/bench'], { cwd: ROOT, encoding: 'utf8' }).trim();
    return dirty ? `${sha}+local changes in src/trainer or scripts/bench` : sha;
  } catch {
    return 'unknown';
  }
}

const load = () => loadavg().map((l) => l.toFixed(2)).join(' ');

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  if (!existsSync(TRAINER)) fail(`${TRAINER} is missing: run npm run build first`);
  const notes: string[] = [];
  const cases = o.cases ?? defaultCases(notes);
  const data = chooseData(o.data);
  const torchVersion = o.torch ? hasTorch() : null;
  if (o.torch && !torchVersion) notes.push('PyTorch: python3 cannot import torch (apt-get install -y python3-torch), so not measured.');
  const runsDir = mkdtempSync(join(tmpdir(), 'mnist-bench-'));
  if (o.profile) mkdirSync(o.profile, { recursive: true });
  const loadBefore = load();
  const meta = {
    date: new Date().toISOString(),
    trainer: TRAINER,
    commit: gitHead(),
    node: process.version,
    cpu: `${cpus().length} × ${cpus()[0]?.model ?? '?'}`,
    machine: describeMachine(),
    torch: torchVersion,
    data: data.label,
    reps: o.reps,
    warmup: `first ${WARMUP * 100}% of each epoch's batches (at least 3) not timed`,
    loadBefore,
    loadAfter: '',
  };
  console.log(`MNIST Trainer bench · ${meta.date} · ${meta.commit} · Node ${meta.node} · ${meta.cpu}`);
  for (const line of formatMachine(meta.machine)) console.log(line);
  console.log(`data: ${data.label}`);
  console.log(`trainer: ${TRAINER}`);
  console.log(`each run: a fresh trainer process, 1 epoch, ${meta.warmup}; ${o.reps} run(s) per case, medians; load average ${loadBefore}`);

  const rows: Row[] = [];
  // PyTorch's runs alternate with the wasm runs of the same preset and batch, so both meet the
  // same load (its two OpenMP threads suffer most when other jobs take a core).
  const torchReps = new Map<string, { reps: TorchRep[]; errors: string[] }>();
  const torchOnce = (c: Case) => {
    const key = `${c.preset}:${c.batch}`;
    const acc = torchReps.get(key) ?? { reps: [], errors: [] };
    torchReps.set(key, acc);
    if (acc.reps.length + acc.errors.length >= o.reps) return;
    const t = torchRuns(c.preset, c.batch, data.dir, 1, 900);
    acc.reps.push(...t.reps);
    if (t.error) acc.errors.push(t.error);
    process.stderr.write(`  ${c.preset} b${c.batch} torch run ${acc.reps.length + acc.errors.length}: ${t.reps.map((r) => `${Math.round(r.samplesPerSecond)} samples/s`).join('')}${t.error ? ` (${t.error})` : ''} (load ${load()})\n`);
  };
  for (const c of cases) {
    const runs: RunMeasure[] = [];
    for (let i = 0; i < o.reps; i++) {
      const r = await trainOnce(c, data.input, runsDir, { profile: o.profile, timeoutS: 900 });
      runs.push(r);
      process.stderr.write(
        `  ${c.preset} b${c.batch} ${c.backend} run ${i + 1}: ${r.ok ? `${Math.round(r.samplesPerSecond)} samples/s (${Math.round(r.samplesPerCpuSecond)}/CPU-s), acc ${(r.testAccuracy * 100).toFixed(2)}%, ${(r.maxRssKB / 1024).toFixed(0)} MB` : `${r.status}: ${r.message ?? ''}`} (load ${load()})\n`,
      );
      // With the wasm runs of this preset and batch, one or two threads: whichever comes first.
      if (torchVersion && (c.backend === 'wasm' || c.backend === 'wasm2')) torchOnce(c);
    }
    rows.push({ ...summarize(c, runs), load: load() });
  }
  // Cases without a wasm run (e.g. --cases mlp:32:cpu) get their PyTorch runs now.
  if (torchVersion) for (const c of cases) for (let i = 0; i < o.reps; i++) torchOnce(c);
  const torchRows = new Map<string, Row>();
  for (const [key, t] of torchReps) {
    const [preset, batch] = key.split(':');
    const sps = median(t.reps.map((r) => r.samplesPerSecond));
    torchRows.set(key, {
      preset,
      batch: Number(batch),
      backend: `torch ${torchVersion} (${t.reps[0]?.threads ?? 2} thr)`,
      runs: o.reps,
      okRuns: t.reps.length,
      samplesPerSecond: sps,
      samplesPerSecondAll: t.reps.map((r) => Math.round(r.samplesPerSecond)),
      samplesPerCpuSecond: median(t.reps.map((r) => r.samplesPerCpuSecond)),
      epoch48kSeconds: 48_000 / sps,
      maxRssMB: median(t.reps.map((r) => r.maxRssKB / 1024)),
      testAccuracy: median(t.reps.map((r) => r.testAccuracy)),
      timedBatches: t.reps[0]?.timedBatches ?? 0,
      error: t.errors[0],
    });
  }
  for (const r of rows) {
    const t = torchRows.get(`${r.preset}:${r.batch}`);
    if (t && Number.isFinite(t.samplesPerSecond)) r.vsTorch = r.samplesPerSecond / t.samplesPerSecond;
  }
  const table = [...rows, ...torchRows.values()].sort((a, b) => order(a) - order(b));

  const fashion: ReturnType<typeof fashionRow>[] = [];
  if (o.fashion && existsSync(join(FASHION, 'train-images-idx3-ubyte.gz'))) {
    for (const c of [{ preset: 'mlp', batch: 32, backend: 'wasm' }, { preset: 'cnn', batch: 128, backend: 'wasm2' }] as Case[]) {
      if (o.cases && !o.cases.some((x) => x.preset === c.preset && x.batch === c.batch && x.backend === c.backend)) continue;
      const r = await trainOnce(c, { dataset: 'fashion-mnist', data: { dir: null, validationSplit: 0.2 } }, runsDir, { profile: null, timeoutS: o.fashionTimeout });
      const t = torchVersion ? torchRuns(c.preset, c.batch, FASHION, 1, o.fashionTimeout) : null;
      fashion.push(fashionRow(c, r, t?.reps[0]));
      process.stderr.write(`  fashion ${c.preset} b${c.batch}: ${r.status}, epoch ${r.epochSeconds.toFixed(1)} s${t?.reps[0] ? `; torch ${t.reps[0].epochSeconds.toFixed(1)} s` : ''}\n`);
    }
  } else if (o.fashion) {
    notes.push(`Fashion-MNIST: ${FASHION} is absent (apt-get install -y dataset-fashion-mnist), so no full-size epoch was measured.`);
  }

  const extension = o.extension ? extensionFigures(o.package, o.paint) : null;
  if (extension) notes.push(...extension.notes);
  const inspect = o.inspect ? await benchInspect(o.reps).catch((err: unknown) => (notes.push(`Look Inside Model: ${(err as Error).message}`), null)) : null;
  meta.loadAfter = load();

  console.log('');
  console.log(formatTable(table));
  if (fashion.length) {
    console.log('');
    console.log(formatFashion(fashion));
  }
  if (extension) {
    console.log('');
    console.log(formatExtension(extension));
  }
  if (inspect) {
    console.log('');
    console.log(formatInspect(inspect));
  }
  console.log('');
  for (const n of notes) console.log(`note: ${n}`);
  console.log(`load average before ${loadBefore}, after ${meta.loadAfter} (2 cores: above ~0.3 means other work shared the CPU)`);
  if (o.json) {
    writeFileSync(o.json, JSON.stringify({ meta, notes, cases: table, fashion, extension, inspect }, null, 2) + '\n');
    console.log(`wrote ${o.json}`);
  }
  if (o.keep) console.log(`run folders: ${runsDir}`);
  else rmSync(runsDir, { recursive: true, force: true });
}

function order(r: Row): number {
  const presets = ['mlp', 'mlp-dropout', 'cnn'];
  const backend = r.backend.startsWith('wasm') ? (r.backend.includes('(1 thr)') ? 0 : 1) : r.backend.startsWith('tensorflow') ? 2 : r.backend.startsWith('cpu') ? 3 : 4;
  return presets.indexOf(r.preset) * 1e6 + r.batch * 10 + backend;
}

function fashionRow(c: Case, r: RunMeasure, torch: TorchRep | undefined) {
  return {
    preset: c.preset,
    batch: c.batch,
    backend: r.backend,
    status: r.status,
    train: r.train,
    samplesPerSecond: r.samplesPerSecond,
    epochSeconds: r.epochSeconds,
    testAccuracy: r.testAccuracy,
    maxRssMB: r.maxRssKB / 1024,
    torchEpochSeconds: torch?.epochSeconds ?? NaN,
    torchSamplesPerSecond: torch?.samplesPerSecond ?? NaN,
    torchTestAccuracy: torch?.testAccuracy ?? NaN,
  };
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
