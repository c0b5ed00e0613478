// kill -9 at random moments (seeded): while starting, mid-epoch, and around the end of an epoch where
// the best model and the checkpoint are written. After every kill the run must be resumable from its
// last good checkpoint, its log must hold each epoch once, and the run, finished at last, must equal
// an uninterrupted one. The real trainer bundle on the bundled digits, with a one-layer model.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { type MnistConfig, type MnistConfigInput, applyDefaults } from '../../src/shared/config';
import { Mulberry32 } from '../../src/shared/prng';
import type { EpochEvent, RunSummary, TrainerEvent } from '../../src/shared/protocol';
import { TrainerProcess } from '../../src/node/processes/trainer-client';
import { latestAttempt, latestCheckpoint, resumeProblem } from '../../src/node/runs/resume';
import { createRunDir, readEvents, readSummary } from '../../src/node/runs/run-folder';
import { trainerBundle } from '../helpers/paths';

const KILLS = 20;
const INPUT: MnistConfigInput = {
  dataset: 'mnist-sample',
  backend: 'wasm',
  model: { layers: [{ type: 'flatten' }, { type: 'dense', units: 10, activation: 'softmax' }] },
  training: { epochs: 5, batchSize: 512, seed: 7 },
};

function newRun(): { config: MnistConfig; runDir: string } {
  const config = applyDefaults(INPUT);
  return { config, runDir: createRunDir(mkdtempSync(join(tmpdir(), 'kill-resume-')), config) };
}

function start(config: MnistConfig, runDir: string, resume: boolean) {
  const trainer = new TrainerProcess(trainerBundle, { type: 'start', config, runDir, cacheDir: join(runDir, '..', 'cache'), ...(resume ? { resume: true } : {}) });
  const events: TrainerEvent[] = [];
  const spawned = Date.now();
  trainer.onEvent((e) => events.push(e));
  return { trainer, events, spawned };
}

const epochsIn = (events: readonly TrainerEvent[]) => events.filter((e): e is EpochEvent => e.type === 'epoch').map((e) => e.epoch);

/** Every leftover of an interrupted write anywhere in the run folder. */
function leftovers(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((p) => /\.(tmp|old)-\d+$|(^|\/)\.tmp-epoch-/.test(p));
}

type Moment = 'starting' | 'training' | 'epoch end';

test(`kill -9 at ${KILLS} random moments: each time resumable from the last good checkpoint, and the finished run equals an uninterrupted one`, async (t) => {
  // The uninterrupted run, timed: when the first batch comes and how long an epoch takes.
  const straight = newRun();
  const ref = start(straight.config, straight.runDir, false);
  const at: Partial<Record<string, number>> = {};
  ref.trainer.onEvent((e) => {
    if (e.type === 'batch' && at.firstBatch === undefined) at.firstBatch = Date.now() - ref.spawned;
    if (e.type === 'epoch') at[`epoch${e.epoch}`] = Date.now() - ref.spawned;
  });
  assert.equal((await ref.trainer.exited).done.status, 'completed');
  const reference = readSummary(straight.runDir)!;
  const startup = at.firstBatch!;
  const epochMs = at.epoch2! - at.epoch1!;

  const rng = new Mulberry32(20261207);
  const moments: Moment[] = [];
  let run = newRun();
  let resume = false;
  const finished: RunSummary[] = [];
  while (moments.length < KILLS) {
    const checkpointBefore: number = resume ? latestCheckpoint(run.runDir)!.state.epoch : 0;
    // The first attempt of a run lives past its first checkpoint: before it there is nothing to resume.
    const r = rng.next();
    const moment: Moment = !resume ? 'training' : r < 0.25 ? 'starting' : r < 0.6 ? 'training' : 'epoch end';
    const attempt = start(run.config, run.runDir, resume);
    const kill = () => attempt.trainer.kill('SIGKILL');
    let timer: NodeJS.Timeout | undefined;
    if (moment === 'starting') timer = setTimeout(kill, rng.next() * startup);
    let armed = moment !== 'starting';
    attempt.trainer.onEvent((e) => {
      if (!armed || e.type !== 'batch') return;
      if (moment === 'training' && (resume || e.epoch >= 2)) {
        armed = false;
        timer = setTimeout(kill, rng.next() * 1.5 * epochMs);
      } else if (moment === 'epoch end' && e.batch === e.batchesPerEpoch) {
        // the last batch: validation, model-best/ and the checkpoint are written in the next moments
        armed = false;
        timer = setTimeout(kill, rng.next() * 0.3 * epochMs);
      }
    });
    const exit = await attempt.trainer.exited;
    clearTimeout(timer);
    const what: string = `kill ${moments.length + 1} (${moment}, ${resume ? `resumed from epoch ${checkpointBefore}` : 'a new run'})`;

    const begun = attempt.events.find((e) => e.type === 'resume');
    if (begun?.type === 'resume') assert.equal(begun.epoch, checkpointBefore, `${what}: the resume starts from the last checkpoint`);
    const own = attempt.events.filter((e) => e.type === 'done');
    assert.ok(own.every((d) => d.type === 'done' && (d.status === 'completed' || /killed \(SIGKILL\)/.test(d.message ?? ''))), `${what}: ${JSON.stringify(own)}`);

    const log = readEvents(run.runDir);
    const completed = latestAttempt(log).some((e) => e.type === 'done' && e.status === 'completed');
    if (exit.signal !== 'SIGKILL' || completed) {
      // It finished before the kill came: check it, and go on killing a new run.
      finished.push(readSummary(run.runDir)!);
      run = newRun();
      resume = false;
      continue;
    }
    moments.push(moment);
    t.diagnostic(`${what}: checkpoint ${latestCheckpoint(run.runDir)?.state.epoch}; left: ${leftovers(run.runDir).join(' ') || 'nothing'}`);
    assert.equal(resumeProblem(run.runDir), null, `${what}: the run can be resumed`);
    const checkpoint = latestCheckpoint(run.runDir)!.state.epoch;
    const logged = epochsIn(log);
    assert.deepEqual(logged, Array.from({ length: logged.length }, (_, i) => i + 1), `${what}: each epoch logged once, in order`);
    assert.ok(checkpoint >= checkpointBefore && (checkpoint === logged.length || checkpoint === logged.length + 1), `${what}: checkpoint ${checkpoint}, log up to ${logged.length}`);
    resume = true;
  }
  if (resume) {
    const last = start(run.config, run.runDir, true);
    const { done } = await last.trainer.exited;
    assert.equal(done.status, 'completed', done.message);
    finished.push(readSummary(run.runDir)!);
    assert.deepEqual(epochsIn(readEvents(run.runDir)), [1, 2, 3, 4, 5], 'events.jsonl: each epoch once, in order');
    assert.deepEqual(leftovers(run.runDir), [], 'nothing of an interrupted write is left');
  }

  t.diagnostic(`killed ${moments.join(', ')}; ${finished.length} run(s) finished; an epoch took ${epochMs} ms, the first batch came after ${startup} ms`);
  assert.deepEqual(new Set(moments), new Set(['starting', 'training', 'epoch end']), `killed at every kind of moment: ${moments.join(', ')}`);
  for (const summary of finished) {
    assert.equal(summary.status, 'completed');
    assert.equal(summary.epochsCompleted, 5);
    // Weights, optimizer state, Math.random and the shuffle order came back each time: the same numbers.
    assert.deepEqual(summary.history, reference.history);
    assert.equal(summary.testAccuracy, reference.testAccuracy);
  }
});
