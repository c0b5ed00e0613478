// mnist-train's command line, parsed into plain data. Pure: no fs, no process.
import { BACKENDS, type BackendName, DATASETS, type DatasetName, PRESETS, type PresetName } from '../shared/config';

export interface CliOptions {
  config: string | null;
  dataset?: DatasetName;
  dataDir?: string;
  preset?: PresetName;
  epochs?: number;
  batchSize?: number;
  backend?: BackendName;
  seed?: number;
  out: string;
  cacheDir?: string;
  mirrors: string[];
  /** A cancelled or failed run folder to continue. */
  resume?: string;
  /** Train CONFIG's "experiments" one after another. */
  sweep?: boolean;
  /** Print the run's summary.json, findings included, as JSON on stdout when it ends. */
  json?: boolean;
  /** A trainer silent for this long is ended and its run failed; 0 never ends it. */
  trainerTimeoutSeconds: number;
  help: boolean;
  version: boolean;
}

export class UsageError extends Error {}

/** The same default as VS Code's "mnist.trainerTimeout" setting (package.json). */
export const DEFAULT_TRAINER_TIMEOUT_SECONDS = 300;

export const USAGE = `Usage: mnist-train [CONFIG] [options]

Trains the model in CONFIG (default ./mnist.config.json, else the Keras tutorial's MLP) and
writes a run folder: config.json, events.jsonl, model/, summary.json.

Options:
  --dataset NAME      mnist | fashion-mnist | mnist-sample (bundled, offline)
  --data-dir DIR      a folder with the four IDX files (train/t10k images and labels)
  --preset NAME       mlp | mlp-dropout | cnn (replaces the config's layers)
  --epochs N          number of epochs
  --batch-size N      samples per gradient step
  --backend NAME      auto | tensorflow | wasm | cpu
  --seed N            random seed (same seed and backend give the same metrics)
  --out DIR           where run folders go (default ./.mnist/runs)
  --cache-dir DIR     where downloaded datasets are kept (default ~/.cache/mnist-trainer)
  --mirror URL        a mirror base URL for downloads; repeat to try several in order
  --resume RUN_DIR    continue a cancelled or failed run from its last finished epoch, with its
                      own config (no CONFIG, --dataset, --preset, --epochs … with it)
  --trainer-timeout S end the run as failed when the trainer reports nothing for S seconds
                      (a hung trainer; default ${DEFAULT_TRAINER_TIMEOUT_SECONDS}, 0 never), as VS Code's mnist.trainerTimeout
  --sweep             train CONFIG's "experiments" one after another (a list of named changes
                      or a grid); the flags above set the base config, the experiments win
  --json              when the run ends, print its summary (metrics, history, findings) as JSON
                      on stdout; progress stays on stderr
  -h, --help          show this help
  --version           show the version

Ctrl-C stops after the current batch and keeps the run as cancelled; press it twice to abort.`;

function positiveInt(flag: string, v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${flag} must be a positive whole number, got "${v}"`);
  return n;
}

function oneOf<T extends string>(flag: string, v: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(v)) {
    throw new UsageError(`${flag} must be one of ${allowed.join(', ')}; got "${v}"`);
  }
  return v as T;
}

export function parseArgs(argv: readonly string[]): CliOptions {
  const o: CliOptions = { config: null, out: '.mnist/runs', mirrors: [], trainerTimeoutSeconds: DEFAULT_TRAINER_TIMEOUT_SECONDS, help: false, version: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined || (inline === undefined && v.startsWith('--'))) throw new UsageError(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case '-h':
      case '--help':
        o.help = true;
        break;
      case '--version':
        o.version = true;
        break;
      case '--dataset':
        o.dataset = oneOf(flag, value(), DATASETS);
        break;
      case '--data-dir':
        o.dataDir = value();
        break;
      case '--preset':
        o.preset = oneOf(flag, value(), PRESETS);
        break;
      case '--epochs':
        o.epochs = positiveInt(flag, value());
        break;
      case '--batch-size':
        o.batchSize = positiveInt(flag, value());
        break;
      case '--backend':
        o.backend = oneOf(flag, value(), BACKENDS);
        break;
      case '--trainer-timeout': {
        const v = value();
        const n = Number(v);
        if (!Number.isFinite(n) || n < 0) throw new UsageError(`--trainer-timeout must be a number of seconds (0 for never), got "${v}"`);
        o.trainerTimeoutSeconds = n;
        break;
      }
      case '--seed': {
        const v = value();
        const n = Number(v);
        if (!Number.isInteger(n)) throw new UsageError(`--seed must be a whole number, got "${v}"`);
        o.seed = n;
        break;
      }
      case '--out':
        o.out = value();
        break;
      case '--cache-dir':
        o.cacheDir = value();
        break;
      case '--mirror':
        o.mirrors.push(value());
        break;
      case '--sweep':
        o.sweep = true;
        break;
      case '--json':
        o.json = true;
        break;
      case '--resume':
        o.resume = value();
        break;
      default:
        if (arg.startsWith('-')) throw new UsageError(`unknown option ${arg} (see mnist-train --help)`);
        if (o.config !== null) throw new UsageError(`only one config file can be given; got "${o.config}" and "${arg}"`);
        o.config = arg;
    }
  }
  if (o.resume !== undefined) {
    const clash = [
      o.config !== null && `a config file ("${o.config}")`,
      ...(['dataset', 'dataDir', 'preset', 'epochs', 'batchSize', 'backend', 'seed'] as const)
        .filter((k) => o[k] !== undefined)
        .map((k) => `--${k.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase())}`),
    ].filter((x): x is string => typeof x === 'string');
    if (o.sweep) clash.push('--sweep');
    if (clash.length > 0) throw new UsageError(`--resume continues a run with the config it was started with, so it cannot be combined with ${clash.join(', ')}`);
  }
  return o;
}
