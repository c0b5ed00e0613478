// The findings logic on recorded histories: where overfitting began, the best run, each setting's effect.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { bestRun, findings, overfittingOnset, parameterEffects } from '../../src/shared/findings';
import type { RunRecord } from '../../src/shared/run-record';
import { readRunRecord } from '../../src/node/runs/run-listing';
import { repoRoot } from '../helpers/paths';

const RECORDED = join(repoRoot, 'test', 'fixtures', 'run-history');
const [mlp, dropout, cnn] = ['mlp-12-epochs', 'mlp-dropout-12-epochs', 'cnn-3-epochs'].map((n) => readRunRecord(join(RECORDED, n))!);
const summaryOf = (n: string) => JSON.parse(readFileSync(join(RECORDED, n, 'summary.json'), 'utf8'));

test('overfitting onset on recorded runs: after epoch 9 (mlp), 10 (mlp-dropout), none yet (cnn, 3 epochs)', () => {
  const o = overfittingOnset(mlp.history)!;
  assert.equal(o.epoch, 9, 'the rise at epoch 5 falls back below its level: noise, not the onset');
  const s = summaryOf('mlp-12-epochs');
  assert.equal(o.bestValLoss, Math.min(...s.history.valLoss));
  assert.equal(o.finalValLoss, s.history.valLoss[11]);
  assert.equal(o.trainLossAtOnset, s.history.loss[8]);
  assert.ok(o.finalTrainLoss < o.trainLossAtOnset);
  assert.equal(overfittingOnset(dropout.history)?.epoch, 10);
  assert.equal(overfittingOnset(cnn.history), null);
});

test('overfitting onset: the definition on small histories', () => {
  assert.equal(overfittingOnset({ loss: [0.5], valLoss: [0.4] }), null, 'one epoch');
  assert.equal(overfittingOnset({ loss: [], valLoss: [] }), null);
  assert.equal(overfittingOnset({ loss: [0.5, 0.4, 0.3], valLoss: [0.4, 0.3, 0.2] }), null, 'still improving');
  assert.equal(overfittingOnset({ loss: [0.5, 0.4, 0.3, 0.2], valLoss: [0.4, 0.3, 0.35, 0.4] })?.epoch, 2);
  assert.equal(overfittingOnset({ loss: [0.5, 0.4, 0.45, 0.5], valLoss: [0.4, 0.3, 0.35, 0.4] }), null, 'training loss rose too: not overfitting');
  assert.equal(overfittingOnset({ loss: [0.5, 0.4, 0.3, 0.2], valLoss: [0.4, 0.3, 0.3, 0.31] })?.epoch, 3, 'a plateau ends where the rise begins');
  assert.equal(overfittingOnset({ loss: [0.5, 0.4, 0.3], valLoss: [0.4, 0.5, 0.39] }), null, 'lowest at the end');
});

test('the best run is the one with the highest test accuracy; ties and runs without a test accuracy', () => {
  assert.equal(bestRun([mlp, dropout, cnn]), cnn);
  assert.equal(bestRun([mlp, dropout]), dropout);
  const tie: RunRecord = { ...mlp, id: 'tie', testAccuracy: cnn.testAccuracy };
  assert.equal(bestRun([tie, cnn]), cnn, 'equal test accuracy: the higher best validation accuracy');
  const untested = [mlp, cnn].map((r) => ({ ...r, testAccuracy: null }));
  assert.equal(bestRun(untested), untested[1], 'none tested: by validation accuracy');
  assert.equal(bestRun([{ ...mlp, testAccuracy: null, history: { loss: [], acc: [], valLoss: [], valAcc: [] } }]), null);
  assert.equal(bestRun([]), null);
});

function variant(base: RunRecord, id: string, lr: number, preset: 'mlp' | 'cnn', acc: number): RunRecord {
  const config = structuredClone(base.config!);
  config.training.learningRate = lr;
  config.training.epochs = 1;
  config.model = { preset: null, layers: preset === 'mlp' ? mlp.config!.model.layers : cnn.config!.model.layers };
  return { ...base, id, label: id, config, model: preset, testAccuracy: acc };
}

test('the effect of each varied setting: mean test accuracy per value; isolated only for one setting or a full grid', () => {
  const grid = [variant(mlp, 'a', 0.01, 'mlp', 0.90), variant(mlp, 'b', 0.01, 'cnn', 0.96), variant(mlp, 'c', 0.001, 'mlp', 0.92), variant(mlp, 'd', 0.001, 'cnn', 0.98)];
  const effects = parameterEffects(grid);
  const model = effects.find((e) => e.key === 'model')!;
  assert.deepEqual(model.groups.map((g) => [g.value, Number(g.meanTestAccuracy.toFixed(4)), g.runs]), [['cnn', 0.97, 2], ['mlp', 0.91, 2]]);
  assert.equal(Number(model.spread.toFixed(4)), 0.06);
  assert.equal(model.isolated, true, 'a full 2×2 grid');
  const lr = effects.find((e) => e.key === 'training.learningRate')!;
  assert.deepEqual(lr.groups.map((g) => g.value), ['0.001', '0.01']);
  assert.equal(parameterEffects(grid.slice(0, 3)).every((e) => !e.isolated), true, 'three corners of the grid mix the effects');
  assert.equal(parameterEffects([grid[0], grid[2]])[0].isolated, true, 'one setting varied');
});

test('the findings say it in words, with the numbers of the runs', () => {
  const lines = findings([mlp, dropout, cnn]);
  assert.match(lines[0], /^\*\*Best configuration:\*\* cnn-3-epochs \(.*model cnn\), with test accuracy 0\.9480, 0\.0175 above the weakest \(mlp-12-epochs, 0\.9305\)\.$/);
  assert.ok(lines.some((l) => /^\*\*Effect of model\*\* on test accuracy: cnn: 0\.9480 > mlp-dropout: 0\.9430 > mlp: 0\.9305; 0\.0175 between/.test(l)));
  assert.ok(lines.some((l) => /mlp-12-epochs: validation loss was lowest after epoch 9 \(0\.2172\) and 0\.2434 by epoch 12, while training loss fell from 0\.0286 to 0\.0129: overfitting began after epoch 9\./.test(l)));
  assert.ok(lines.some((l) => /overfitting began after epoch 10/.test(l)));
  assert.ok(lines.some((l) => /No overfitting seen\*\* in cnn-3-epochs/.test(l)));
  const cancelled = { ...mlp, state: 'cancelled' as const, message: 'Stopped by the user' };
  assert.ok(findings([cancelled]).some((l) => /did not complete \(cancelled: Stopped by the user\)/.test(l)));
  assert.deepEqual(findings([]), ['No run has metrics yet: nothing to compare.']);
});
