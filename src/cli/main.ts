// mnist-train: a terminal front end over the trainer process.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { type MnistConfig, type MnistConfigInput, tutorialConfig } from '../shared/config';
import type { TrainerEvent } from '../shared/protocol';
import { type ConfigIssue, MAX_CONFIG_CHARS, checkDataDir, formatIssue, parseConfigText, tooLargeIssue, validateConfig } from '../shared/validate';
import { dataDirProbe } from '../node/data/data-dir-probe';
import { resumeProblem } from '../node/runs/resume';
import { readRunConfig } from '../node/runs/run-folder';
import { RunsFolderBusy } from '../node/runs/run-lock';
import { type LaunchedRun, RunFolderUnavailable, launchRun } from '../node/runs/launch';
import { type CliOptions, USAGE, UsageError, parseArgs } from './args';
import { EtaTracker } from '../shared/progress';
import { formatBatchLine, formatBytes, formatEpochLine } from './progress';
import { reportCommand } from './report';
import { runSweepCli } from './sweep';
import { completedSummaryLine } from './summary-line';
import { printFindings, printJsonSummary } from './findings';

declare const __VERSION__: string | undefined;

/** Exit codes: 0 completed, 1 failed, 2 bad input, 75 runs folder busy, 130 cancelled (as shells report Ctrl-C). */
const EXIT = { completed: 0, failed: 1, usage: 2, busy: 75, cancelled: 130 } as const;

class InputError extends Error {}

function defaultCacheDir(): string {
  return join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'mnist-trainer');
}

/** The config file's value (or the tutorial's), with the command line's overrides applied. */
async function loadConfig(o: CliOptions): Promise<{ config: MnistConfig; file: string; warnings: ConfigIssue[] }> {
  let file = o.config ?? 'mnist.config.json';
  let value: unknown;
  if (o.config !== null || existsSync(file)) {
    if (!existsSync(file)) throw new InputError(`${file}: no such file (give a config path, or none to use ./mnist.config.json or the tutorial's model)`);
    let text: string;
    try {
      // Not read at all when far too large: a wrong path could name a multi-gigabyte file.
      const bytes = statSync(file).size;
      if (bytes > 4 * MAX_CONFIG_CHARS) throw new InputError(formatIssue(tooLargeIssue(file, bytes), file));
      text = readFileSync(file, 'utf8');
    } catch (err) {
      if (err instanceof InputError) throw err;
      throw new InputError(`${file}: cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
    }
    const parsed = parseConfigText(text, file);
    const errors = parsed.issues.filter((i) => i.severity === 'error');
    if (errors.length > 0) throw new InputError(errors.map((i) => formatIssue(i, file, text)).join('\n'));
    value = parsed.value;
  } else {
    file = "(the tutorial's config)";
    value = tutorialConfig();
  }
  const input = (typeof value === 'object' && value !== null && !Array.isArray(value) ? structuredClone(value) : value) as MnistConfigInput;
  if (typeof input === 'object' && input !== null && !Array.isArray(input)) {
    if (o.dataset) input.dataset = o.dataset;
    if (o.dataDir) input.data = { ...input.data, dir: resolve(o.dataDir) };
    if (o.preset) input.model = { preset: o.preset };
    if (o.backend) input.backend = o.backend;
    const t = { ...input.training };
    if (o.epochs) t.epochs = o.epochs;
    if (o.batchSize) t.batchSize = o.batchSize;
    if (o.seed !== undefined) t.seed = o.seed;
    if (Object.keys(t).length > 0) input.training = t;
    // A relative data.dir in a config file is relative to that file, as users expect.
    if (!o.dataDir && typeof input.data?.dir === 'string' && o.config !== null) input.data.dir = resolve(o.config, '..', input.data.dir);
  }
  const { config, issues } = validateConfig(input);
  const errors = issues.filter((i) => i.severity === 'error');
  if (!config || errors.length > 0) throw new InputError(errors.map((i) => formatIssue(i, file)).join('\n'));
  // Checked here so a wrong folder is one line, not a failed run folder.
  const dirIssues = await checkDataDir(config.data.dir, dataDirProbe(resolve(o.config ?? 'mnist.config.json')));
  if (dirIssues.length > 0) throw new InputError(`${o.dataDir ? '--data-dir' : file}: ${dirIssues[0].message}`);
  return { config, file, warnings: issues.filter((i) => i.severity === 'warning') };
}

/** --resume RUN_DIR: the run's own config, checked again, and the folder to continue. */
function resumeTarget(dir: string): { config: MnistConfig; file: string; warnings: ConfigIssue[]; runDir: string } {
  const runDir = resolve(dir);
  const problem = resumeProblem(runDir);
  if (problem) throw new InputError(`--resume ${dir}: cannot resume: ${problem}`);
  const file = join(runDir, 'config.json');
  let value: unknown;
  try {
    value = readRunConfig(runDir);
  } catch (err) {
    throw new InputError(`${file}: cannot be read (${(err as Error).message})`);
  }
  const { config, issues } = validateConfig(value);
  const errors = issues.filter((i) => i.severity === 'error');
  if (!config || errors.length > 0) throw new InputError(errors.map((i) => formatIssue(i, file)).join('\n'));
  return { config, file, warnings: [], runDir };
}

async function main(argv: string[]): Promise<number> {
  if (argv[0] === 'report') return reportCommand(argv.slice(1));
  const o = parseArgs(argv);
  if (o.help) {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  if (o.version) {
    process.stdout.write(`mnist-train ${typeof __VERSION__ === 'string' ? __VERSION__ : 'dev'}\n`);
    return 0;
  }
  if (o.sweep) return runSweepCli(o, { trainerPath: join(__dirname, 'trainer.js'), cacheDir: resolve(o.cacheDir ?? defaultCacheDir()) });
  const resumed = o.resume !== undefined ? resumeTarget(o.resume) : null;
  const { config, file, warnings } = resumed ?? (await loadConfig(o));
  for (const w of warnings) process.stderr.write(`warning: ${formatIssue(w, file)}\n`);

  const trainerPath = join(__dirname, 'trainer.js');
  if (!existsSync(trainerPath)) throw new InputError(`${trainerPath} is missing: run "npm run build" first`);

  const tty = process.stderr.isTTY === true;
  const status = (line: string) => {
    if (tty) process.stderr.write(`\r\x1b[2K${line}`);
  };
  const print = (line: string) => {
    if (tty) process.stderr.write('\r\x1b[2K');
    process.stderr.write(line + '\n');
  };

  const eta = new EtaTracker();
  let lastDownloadLine = 0;
  let runDir = '';
  const onEvent = (e: TrainerEvent) => {
    const etaSec = eta.update(e);
    switch (e.type) {
      case 'ready':
        print(`Backend: ${e.backend} (${e.reason}); tfjs ${e.versions.tfjs}`);
        break;
      case 'log':
        if (e.level === 'error') print(`trainer: ${e.message.split('\n')[0]}`);
        else if (process.env.MNIST_VERBOSE) print(`trainer: ${e.message}`);
        break;
      case 'download':
        if (tty) status(`Downloading ${e.file}: ${formatBytes(e.receivedBytes)}${e.totalBytes ? ` of ${formatBytes(e.totalBytes)}` : ''}`);
        else if (e.receivedBytes === e.totalBytes || e.time - lastDownloadLine > 5000) {
          lastDownloadLine = e.time;
          print(`Downloading ${e.file}: ${formatBytes(e.receivedBytes)}`);
        }
        break;
      case 'dataset':
        print(`Dataset: ${e.name} from ${e.source}: ${e.train} train, ${e.validation} validation, ${e.test} test`);
        break;
      case 'model':
        print(`Model: ${e.layers.map((l) => l.type).join(' → ')} (${e.totalParams.toLocaleString('en-US')} parameters)`);
        break;
      case 'batch':
        status(formatBatchLine(e, etaSec ?? NaN));
        break;
      case 'epoch':
        print(formatEpochLine(e));
        break;
      case 'resume':
        print(`Resuming ${runDir} after epoch ${e.epoch} of ${e.epochs}`);
        break;
      case 'earlyStop':
        print(`Early stop after epoch ${e.epoch}: ${e.reason}${e.restoredBestWeights ? `; back to the weights of epoch ${e.bestEpoch}` : ''}`);
        break;
      default:
        break;
    }
  };
  let trainer: LaunchedRun;
  try {
    trainer = launchRun(
      {
        trainerPath,
        runsFolder: resumed ? dirname(resumed.runDir) : resolve(o.out),
        tool: 'mnist-train',
        config,
        cacheDir: resolve(o.cacheDir ?? defaultCacheDir()),
        mirrors: o.mirrors,
        ...(resumed ? { resumeDir: resumed.runDir } : {}),
        silenceTimeoutMs: o.trainerTimeoutSeconds * 1000,
      },
      onEvent,
    );
  } catch (err) {
    if (err instanceof RunFolderUnavailable) throw new InputError(`--out ${o.out}: cannot create a run folder there (${err.code ?? err.message})`);
    throw err;
  }
  runDir = trainer.runDir;

  let interrupts = 0;
  process.on('SIGINT', () => {
    interrupts++;
    if (interrupts === 1) {
      print('Stopping after the current batch… (Ctrl-C again to abort)');
      trainer.stop();
    } else {
      trainer.kill();
    }
  });
  process.on('SIGTERM', () => trainer.stop());

  const { done } = await trainer.exited;
  if (o.json) printJsonSummary(runDir);
  if (done.status === 'completed') {
    print(completedSummaryLine(runDir));
    printFindings(runDir, print);
    print(`Run folder: ${runDir}`);
    return EXIT.completed;
  }
  if (done.status === 'cancelled') {
    print(`Cancelled: ${done.message ?? 'stopped'}`);
    print(`Run folder: ${runDir}`);
    if (resumeProblem(runDir) === null) print(`Resume with: mnist-train --resume ${runDir}`);
    return EXIT.cancelled;
  }
  print(`Training failed: ${done.message ?? 'unknown error'}`);
  if (done.hint) print(done.hint);
  print(`Run folder: ${runDir}`);
  if (resumeProblem(runDir) === null) print(`Resume with: mnist-train --resume ${runDir}`);
  return EXIT.failed;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (err instanceof UsageError) {
      process.stderr.write(`mnist-train: ${err.message}\n`);
      process.exit(EXIT.usage);
    }
    if (err instanceof InputError) {
      process.stderr.write(`mnist-train: ${err.message}\n`);
      process.exit(EXIT.usage);
    }
    if (err instanceof RunsFolderBusy) {
      process.stderr.write(`mnist-train: ${err.message}\n`);
      process.exit(EXIT.busy);
    }
    process.stderr.write(`mnist-train: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(EXIT.failed);
  },
);
