// mnist-train --sweep [CONFIG]: the config's "experiments" trained one after another, with the
// same queue as the extension (src/shared/sweep.ts); each run is a normal run folder tagged with the sweep.
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { MnistConfigInput } from '../shared/config';
import type { TrainerEvent } from '../shared/protocol';
import { type PlannedRun, type SweepOutcome, SweepQueue, describeOutcome, planSweep, sweepId } from '../shared/sweep';
import { formatIssue, parseConfigText } from '../shared/validate';
import { launchRun } from '../node/runs/launch';
import { readSummary } from '../node/runs/run-folder';
import type { RunsLock } from '../node/runs/run-lock';
import { type CliOptions, UsageError } from './args';
import { formatEpochLine } from './progress';
import { reportOnSweep } from './report';
import { takeRunsLock } from './lock';

export interface SweepCliEnv {
  trainerPath: string;
  cacheDir: string;
  /** The runs folder's lock, held for the whole sweep (as in VS Code) so no other run interleaves. */
  lock: RunsLock;
  /** Where a line goes (stderr). */
  print(line: string): void;
}

export interface CliSweepResult {
  id: string;
  outcome: SweepOutcome;
  /** Run folders in queue order; runs that never started have none. */
  runDirs: string[];
}

/** The command line's flags set values of the base config; the experiments' own values win over them. */
export function applyCliFlags(input: MnistConfigInput, o: CliOptions, configFile: string | null): MnistConfigInput {
  const out: MnistConfigInput = { ...input };
  if (o.dataset) out.dataset = o.dataset;
  if (o.dataDir) out.data = { ...out.data, dir: resolve(o.dataDir) };
  else if (typeof out.data?.dir === 'string' && configFile) out.data = { ...out.data, dir: resolve(configFile, '..', out.data.dir) };
  if (o.preset) out.model = { preset: o.preset };
  if (o.backend) out.backend = o.backend;
  const t = { ...out.training };
  if (o.epochs) t.epochs = o.epochs;
  if (o.batchSize) t.batchSize = o.batchSize;
  if (o.seed !== undefined) t.seed = o.seed;
  if (Object.keys(t).length > 0) out.training = t;
  return out;
}

/** Reads CONFIG (default ./mnist.config.json) and plans its sweep; bad input is a UsageError naming the file and field. */
export function loadSweep(o: CliOptions): { file: string; runs: PlannedRun[] } {
  const file = o.config ?? 'mnist.config.json';
  if (!existsSync(file)) throw new UsageError(`--sweep: ${file}: no such file (give the config with the "experiments")`);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new UsageError(`${file}: cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  const parsed = parseConfigText(text, file);
  const syntax = parsed.issues.find((i) => i.severity === 'error');
  if (syntax) throw new UsageError(formatIssue(syntax, file, text));
  const value = parsed.value;
  const input = typeof value === 'object' && value !== null && !Array.isArray(value) ? applyCliFlags(value as MnistConfigInput, o, file) : value;
  const plan = planSweep(input, file);
  if (plan.errors.length > 0) throw new UsageError(plan.errors.join('\n'));
  return { file, runs: plan.runs };
}

/** Trains a planned sweep with trainer processes, one at a time; `stop` on the result's queue ends it. */
export function startSweep(runs: PlannedRun[], o: CliOptions, env: SweepCliEnv): { queue: SweepQueue; done: Promise<CliSweepResult> } {
  const id = sweepId(new Date());
  const runDirs: string[] = [];
  const queue = new SweepQueue(runs, async (run, index, stopper) => {
    const onEvent = (e: TrainerEvent) => {
      if (e.type === 'epoch') env.print(`  ${formatEpochLine(e)}`);
      else if (e.type === 'log' && e.level === 'error') env.print(`  trainer: ${e.message.split('\n')[0]}`);
    };
    const trainer = launchRun(
      {
        trainerPath: env.trainerPath,
        runsFolder: resolve(o.out),
        tool: 'mnist-train',
        config: run.config,
        cacheDir: env.cacheDir,
        mirrors: o.mirrors,
        meta: { sweep: { id, experiment: run.name, index: index + 1, total: runs.length, overrides: run.overrides } },
        silenceTimeoutMs: o.trainerTimeoutSeconds * 1000,
        heldLock: env.lock,
      },
      onEvent,
    );
    const runDir = trainer.runDir;
    runDirs[index] = runDir;
    stopper.onStop(() => trainer.stop());
    const { done } = await trainer.exited;
    return { status: done.status, runDir, ...(done.message ? { message: done.message } : {}) };
  });
  queue.onProgress((p) => {
    if (p.phase === 'started') {
      env.print(`[${p.index + 1}/${p.total}] ${p.name}`);
      return;
    }
    const r = p.result!;
    const s = r.runDir ? readSummary(r.runDir) : null;
    if (r.status === 'completed' && s?.testAccuracy != null) env.print(`  completed: test accuracy ${s.testAccuracy.toFixed(4)} · ${r.runDir}`);
    else env.print(`  ${r.status}${r.message ? `: ${r.message}` : ''}${r.runDir ? ` · ${r.runDir}` : ''}`);
  });
  env.print(`Sweep ${id}: ${runs.length} run${runs.length === 1 ? '' : 's'}`);
  const done = queue.run().then((outcome) => {
    env.print(`Sweep ${id}: ${describeOutcome(outcome)}`);
    return { id, outcome, runDirs: runDirs.filter(Boolean) };
  });
  return { queue, done };
}

/** mnist-train --sweep: exit 0 when every run completed, 1 when one failed, 130 when stopped. */
export async function runSweepCli(o: CliOptions, env: Omit<SweepCliEnv, 'print' | 'lock'>): Promise<number> {
  const { runs } = loadSweep(o);
  if (!existsSync(env.trainerPath)) throw new UsageError(`${env.trainerPath} is missing: run "npm run build" first`);
  const print = (line: string) => process.stderr.write(line + '\n');
  // Listening before the first line is printed: a Ctrl-C right after it must not kill the process mid-write.
  let queue: SweepQueue | undefined;
  let interrupts = 0;
  process.on('SIGINT', () => {
    if (++interrupts === 1) {
      print('Stopping the sweep after the current batch… (Ctrl-C again to abort)');
      queue?.stop();
    } else process.exit(130);
  });
  process.on('SIGTERM', () => queue?.stop());
  // One lock for the whole sweep: another run starting between two of its runs would interleave.
  const lock = takeRunsLock(resolve(o.out), o.out);
  let result: CliSweepResult;
  try {
    const started = startSweep(runs, o, { ...env, print, lock });
    queue = started.queue;
    result = await started.done;
  } finally {
    lock.release();
  }
  const { id, outcome, runDirs } = result;
  // The report: what the sweep was for. Runs that never started have no folder to read.
  if (runDirs.length > 0) {
    try {
      const written = reportOnSweep(runDirs, 'reports', id);
      print(`Report: ${written.file}`);
    } catch (err) {
      print(`The report could not be written: ${(err as Error).message}`);
    }
  }
  if (outcome.stopped) return 130;
  return outcome.results.every((r) => r.status === 'completed') ? 0 : 1;
}
