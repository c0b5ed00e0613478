// TrainerProcess (the CLI's and the host's side of the trainer) with real trainers that fail:
// out of memory under a small heap given through execArgv, and a hang caught by the watchdog.
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { applyDefaults } from '../../src/shared/config';
import type { RunSummary, TrainerEvent } from '../../src/shared/protocol';
import { TrainerProcess, type TrainerProcessOptions } from '../../src/node/processes/trainer-client';
import { createRunDir, readEvents } from '../../src/node/runs/run-folder';
import { trainerBundle } from '../helpers/paths';
import { isGone, productChildren } from '../helpers/processes';

// A failing test must not leave a hung trainer behind it.
after(() => {
  for (const c of productChildren()) process.kill(c.pid, 'SIGKILL');
});

/** A 3-epoch run (400 batches an epoch) whose trainer is forked with MNIST_TRAINER_FAULT=fault. */
function startFaulty(fault: string, options: TrainerProcessOptions) {
  const config = applyDefaults({ dataset: 'mnist-sample', backend: 'wasm', training: { epochs: 3, batchSize: 16 } });
  const runDir = createRunDir(mkdtempSync(join(tmpdir(), 'runs-')), config);
  process.env.MNIST_TRAINER_FAULT = fault;
  let trainer: TrainerProcess;
  try {
    trainer = new TrainerProcess(trainerBundle, { type: 'start', config, runDir, cacheDir: join(runDir, '..', 'cache') }, options);
  } finally {
    delete process.env.MNIST_TRAINER_FAULT;
  }
  const events: TrainerEvent[] = [];
  trainer.onEvent((e) => events.push(e));
  return { trainer, events, runDir };
}

function summaryOf(runDir: string): RunSummary {
  return JSON.parse(readFileSync(join(runDir, 'summary.json'), 'utf8')) as RunSummary;
}

test('out of memory (--max-old-space-size=96 through execArgv): V8 aborts, stderr tells why, the run is failed as out of memory', async () => {
  const { trainer, events, runDir } = startFaulty('oom', { execArgv: ['--max-old-space-size=96'] });
  const pid = trainer.pid!;
  const { done, code, signal } = await trainer.exited;
  assert.ok(events.some((e) => e.type === 'batch'), 'it ran out of memory mid-epoch, not at start-up');
  assert.ok(events.some((e) => e.type === 'log' && /heap out of memory/.test(e.message)), "V8's own words reach the log");
  assert.ok(signal !== null || code !== 0, `an abnormal exit (code ${code}, signal ${signal})`);
  assert.equal(done.status, 'failed');
  assert.equal(done.message, 'The trainer ran out of memory.');
  assert.match(done.hint ?? '', /smaller batchSize/);
  assert.equal(summaryOf(runDir).message, 'The trainer ran out of memory.');
  assert.equal(readEvents(runDir).at(-1)?.type, 'done');
  assert.ok(isGone(pid));
});

test('a hang: no event for silenceTimeoutMs ends the trainer and fails the run, saying so', { timeout: 180_000 }, async () => {
  const { trainer, events, runDir } = startFaulty('hang', { silenceTimeoutMs: 8000 });
  const pid = trainer.pid!;
  const { done, signal } = await trainer.exited;
  assert.ok(events.some((e) => e.type === 'batch'), 'it hung mid-epoch, not at start-up');
  assert.equal(signal, 'SIGKILL');
  assert.equal(done.status, 'failed');
  assert.equal(done.message, 'The trainer stopped responding (no progress for 8 s), so it was ended.');
  assert.equal(summaryOf(runDir).status, 'failed');
  assert.ok(isGone(pid));
});

test('a healthy run is never taken as hung: heartbeats cover the evaluation and are not kept in events.jsonl', async () => {
  const config = applyDefaults({ dataset: 'mnist-sample', backend: 'wasm', training: { epochs: 1, batchSize: 128 } });
  const runDir = createRunDir(mkdtempSync(join(tmpdir(), 'runs-')), config);
  const trainer = new TrainerProcess(trainerBundle, { type: 'start', config, runDir, cacheDir: join(runDir, '..', 'cache') }, { silenceTimeoutMs: 20_000 });
  const events: TrainerEvent[] = [];
  trainer.onEvent((e) => events.push(e));
  // The raw channel, under TrainerProcess, to see what it swallows.
  let heartbeats = 0;
  (trainer as unknown as { child: ChildProcess }).child.on('message', (m: TrainerEvent) => void (m.type === 'heartbeat' && heartbeats++));
  const { done } = await trainer.exited;
  assert.equal(done.status, 'completed', done.message);
  assert.equal(heartbeats, 2000 / 500, 'one heartbeat per 500 test digits evaluated');
  assert.ok(!events.some((e) => e.type === 'heartbeat'), 'heartbeats stay between the trainer and TrainerProcess');
  assert.ok(!readEvents(runDir).some((e) => e.type === 'heartbeat'));
});
