import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TrainerLog } from '../../src/cli/progress';
import type { TrainerEvent } from '../../src/shared/protocol';

const log = (message: string, level: 'info' | 'warn' | 'error' = 'error'): TrainerEvent => ({ type: 'log', time: 0, level, message });
const done = (message?: string): TrainerEvent => ({ type: 'done', time: 0, status: 'failed', runDir: '/r', ...(message ? { message } : {}) });

test("the trainer's error line is not printed when the failure says the same; it is when the failure does not", () => {
  const quiet = new TrainerLog(false);
  assert.deepEqual(quiet.lines(log('data/x.gz: the gzip data is cut short')), []);
  assert.deepEqual(quiet.lines(log('loading', 'info')), []);
  assert.deepEqual(quiet.lines(done('data/x.gz: the gzip data is cut short')), []);

  const crash = new TrainerLog(false);
  crash.lines(log("TypeError: Cannot read properties of undefined (reading 'shape')\n    at fit (train.ts:3:1)"));
  assert.deepEqual(crash.lines(done("Cannot read properties of undefined (reading 'shape')")), [], 'a stack trace whose first line is the message');

  const died = new TrainerLog(false);
  died.lines(log('The run could not be finished: EACCES: permission denied'));
  assert.deepEqual(died.lines(done('The trainer exited with code 1 before the run ended.')), ['trainer: The run could not be finished: EACCES: permission denied']);
});

test('MNIST_VERBOSE prints every line as it comes', () => {
  const verbose = new TrainerLog(true);
  assert.deepEqual(verbose.lines(log('fit: 1 epoch(s) in 2.0 s', 'info')), ['trainer: fit: 1 epoch(s) in 2.0 s']);
  assert.deepEqual(verbose.lines(log('boom')), ['trainer: boom']);
  assert.deepEqual(verbose.lines(done('boom')), []);
});
