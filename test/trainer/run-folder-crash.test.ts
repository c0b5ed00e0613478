// A trainer killed (SIGKILL) while it saves the model: the run folder it leaves is listed and read,
// its model is absent or whole, never half a model under model/.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { applyDefaults } from '../../src/shared/config';
import { TrainerProcess } from '../../src/node/processes/trainer-client';
import { createRunDir, readEvents } from '../../src/node/runs/run-folder';
import { listRunRecords, readRunRecord } from '../../src/node/runs/run-listing';
import { trainerBundle } from '../helpers/paths';

/** model/ is whole: model.json parses and weights.bin holds every byte its manifest lists. */
function assertWholeModel(dir: string): void {
  const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')) as { weightsManifest: { weights: { shape: number[] }[] }[] };
  const floats = json.weightsManifest.flatMap((g) => g.weights).reduce((n, w) => n + w.shape.reduce((a, b) => a * b, 1), 0);
  assert.equal(statSync(join(dir, 'weights.bin')).size, floats * 4);
}

test('SIGKILL at the test evaluation and 40 and 150 ms later, around the model save: failed, listed, readable, model absent or whole', { timeout: 600_000 }, async (t) => {
  const runs = mkdtempSync(join(tmpdir(), 'crash-'));
  const config = applyDefaults({ dataset: 'mnist-sample', backend: 'wasm', training: { epochs: 1, batchSize: 256 } });
  const outcomes: string[] = [];
  for (const delayMs of [0, 40, 150]) {
    const runDir = createRunDir(runs, config, new Date(2026, 10, 26, 12, 0, delayMs % 60));
    const trainer = new TrainerProcess(trainerBundle, { type: 'start', config, runDir, cacheDir: join(runs, 'cache') });
    trainer.onEvent((e) => {
      if (e.type === 'evaluation') setTimeout(() => trainer.kill('SIGKILL'), delayMs);
    });
    const { done, signal } = await trainer.exited;
    const record = readRunRecord(runDir);
    assert.ok(record, 'still a run folder');
    const model = join(runDir, 'model');
    const finished = readEvents(runDir).some((e) => e.type === 'done' && e.status === 'completed');
    if (signal === 'SIGKILL' && !finished) {
      assert.equal(done.status, 'failed');
      assert.match(done.message ?? '', /killed \(SIGKILL\)/);
      assert.equal(record.state, 'failed');
    } else {
      // Killed after its last write (done and summary.json on disk): the folder tells the truth.
      assert.equal(record.state, 'completed', 'finished before the kill');
      assertWholeModel(model);
    }
    assert.ok(record.testAccuracy !== null && record.testAccuracy > 0.5, 'the evaluation written before the kill is kept');
    assert.equal(readEvents(runDir).at(-1)?.type, 'done');
    if (existsSync(model)) assertWholeModel(model);
    outcomes.push(`${delayMs} ms: ${signal ?? 'exited'}, model ${existsSync(model) ? 'whole' : 'absent'}, left ${readdirSync(runDir).filter((f) => f.includes('.tmp-')).join(', ') || 'no temp files'}`);
  }
  assert.equal(listRunRecords(runs).length, 3, 'every run listed');
  t.diagnostic(outcomes.join('; '));
});
