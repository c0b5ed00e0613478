// Look Inside Model's answer time: a CNN preset trained by the real mnist-train (1 epoch on the
// bundled mnist-sample), then `inspect` requests for its 20 sample-grid test digits through the
// real predictor process (dist/predictor.js) as the panel's host sends them. Target: < 200 ms.
//   node --import tsx scripts/bench/inspect.ts [--reps N] [--run RUN_DIR] [--json]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PredictorClient } from '../../src/node/processes/predictor-client';
import { readEvents } from '../../src/node/runs/run-folder';
import { decodeDigit } from '../../src/shared/digits';
import { insideDigits } from '../../src/shared/inside';

const DIST = resolve(__dirname, '..', '..', 'dist');

export interface InspectFigures {
  cpu: string;
  requests: number;
  /** Request to answer in the host, ms: what the panel waits. */
  roundTripMs: { median: number; p90: number; max: number };
  /** The predictor's own time for the tensor work and encoding, ms. */
  predictorMs: { median: number };
  answerKB: number;
  load: string;
}

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
};

function trainCnn(out: string): string {
  const r = spawnSync(process.execPath, [join(DIST, 'cli.js'), '--dataset', 'mnist-sample', '--preset', 'cnn', '--epochs', '1', '--backend', 'wasm', '--out', out], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`mnist-train exited ${r.status}: ${r.stderr.slice(-500)}`);
  return join(out, readdirSync(out)[0]);
}

export async function benchInspect(reps = 3, runDir?: string): Promise<InspectFigures> {
  const tmp = runDir ? null : mkdtempSync(join(tmpdir(), 'mnist-bench-inspect-'));
  const dir = runDir ?? trainCnn(tmp!);
  const client = new PredictorClient(join(DIST, 'predictor.js'));
  try {
    const digits = insideDigits(readEvents(dir)).filter((d) => d.source === 'sample');
    const inputs = digits.map((d) => Array.from(decodeDigit(d.image)!, (v) => v / 255));
    if (inputs.length === 0) throw new Error(`${dir} logged no sample digits`);
    const modelDir = join(dir, 'model');
    const first = await client.inspect(modelDir, inputs[0]); // loads the model: not timed
    if ('error' in first) throw new Error(first.error);
    const trips: number[] = [];
    const own: number[] = [];
    let bytes = 0;
    for (let r = 0; r < reps; r++) {
      for (const pixels of inputs) {
        const t = performance.now();
        const a = await client.inspect(modelDir, pixels);
        trips.push(performance.now() - t);
        if ('error' in a) throw new Error(a.error);
        own.push(a.inspection.millis);
        bytes = JSON.stringify(a.inspection).length;
      }
    }
    return {
      cpu: `${cpus().length} × ${cpus()[0]?.model ?? '?'}`,
      requests: trips.length,
      roundTripMs: { median: quantile(trips, 0.5), p90: quantile(trips, 0.9), max: Math.max(...trips) },
      predictorMs: { median: quantile(own, 0.5) },
      answerKB: bytes / 1024,
      load: loadavg().map((l) => l.toFixed(2)).join(' '),
    };
  } finally {
    client.dispose();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  }
}

export function formatInspect(f: InspectFigures): string {
  const verdict = f.roundTripMs.median < 200 ? 'under' : 'OVER';
  return [
    `Look Inside Model (CNN preset, 28×28 input, predictor process, ${f.requests} requests): answer in ${f.roundTripMs.median.toFixed(1)} ms median ` +
      `(p90 ${f.roundTripMs.p90.toFixed(1)}, max ${f.roundTripMs.max.toFixed(1)}; ${verdict} the 200 ms target), ` +
      `of which ${f.predictorMs.median.toFixed(1)} ms tensor work; ${f.answerKB.toFixed(0)} KB per answer`,
    `  CPU ${f.cpu}; load average ${f.load}`,
  ].join('\n');
}

if (require.main === module) {
  const arg = (name: string) => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : undefined);
  const run = arg('--run');
  if (!existsSync(join(DIST, 'predictor.js'))) {
    console.error('bench: dist/predictor.js is missing: run npm run build first');
    process.exit(2);
  }
  benchInspect(Number(arg('--reps') ?? 3), run ? resolve(run) : undefined).then(
    (f) => console.log(process.argv.includes('--json') ? JSON.stringify(f) : formatInspect(f)),
    (err: unknown) => {
      console.error(`bench: ${(err as Error).message}`);
      process.exit(1);
    },
  );
}
