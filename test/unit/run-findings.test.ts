// The findings engine on runs recorded by the real trainer (test/fixtures/run-history/mnist10k-*):
// each finding on the run that shows it, with the numbers a user can check on the curves, and
// silence on a healthy run.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { type RunFinding, readFindings, runFindings, thresholds } from '../../src/shared/runs/findings';
import { summarizeRun } from '../../src/shared/summary';
import { RECORDED, recordedRun } from '../helpers/recorded-runs';

const byId = (fs: RunFinding[], id: RunFinding['id']) => fs.find((f) => f.id === id);
const valLoss = (s: Record<string, unknown>) => (s.history as { valLoss: number[] }).valLoss;

test('overfitting: the 25-epoch MLP on mnist-10k, validation loss lowest at epoch 6 → a warning on training.epochs with early stopping, dropout and augmentation', () => {
  const { config, events, summary } = recordedRun('mnist10k-overfitting-25-epochs');
  const f = byId(runFindings(config, events), 'overfitting')!;
  assert.ok(f, 'an overfitting finding');
  assert.equal(f.severity, 'warning');
  assert.deepEqual(f.path, ['training', 'epochs']);
  const vl = valLoss(summary);
  assert.equal(vl.indexOf(Math.min(...vl)) + 1, 6, 'the recorded curve is lowest at epoch 6');
  assert.match(f.message, /^Validation loss rose after epoch 6 \(0\.2103 → 0\.2739 at epoch 25\) while training loss fell/);
  assert.match(f.message, /patience 2 would have stopped at epoch 8 and kept epoch 6's weights/, 'epochs 7 and 8 are both above 0.2103');
  assert.deepEqual(f.marks?.epochs, [6, 8]);
  assert.deepEqual(f.fixes.map((x) => x.kind), ['addEarlyStopping', 'addDropout', 'turnOnAugment']);
  assert.deepEqual(f.fixes[0].edits, [{ path: ['training', 'earlyStopping'], value: { monitor: 'valLoss', patience: 2, restoreBestWeights: true } }]);
});

test('overfitting live: flagged from the events so far once the rise is clear (epoch 9), not before', () => {
  const { config, events } = recordedRun('mnist10k-overfitting-25-epochs');
  const upTo = (epoch: number) => events.slice(0, events.findIndex((e) => e.type === 'epoch' && e.epoch === epoch) + 1);
  assert.equal(byId(runFindings(config, upTo(8), { live: true }), 'overfitting'), undefined, 'epoch 8 (0.2180) is within 5 % of 0.2103');
  const live = runFindings(null, upTo(9), { live: true });
  assert.deepEqual(live.map((f) => f.id), ['overfitting']);
  assert.match(live[0].message, /rose after epoch 6 \(0\.2103 → 0\.2260 at epoch 9\)/);
  assert.deepEqual(live[0].fixes, [], 'without the config (the Dashboard) no quick fixes');
});

test('divergence: sgd at learning rate 20 stays at chance → an error on training.learningRate naming the rate and the optimizer', () => {
  const { config, events } = recordedRun('mnist10k-sgd-lr20-diverges');
  const fs = runFindings(config, events);
  assert.deepEqual(fs.map((f) => f.id), ['noLearning'], 'nothing else is worth saying about a model that learned nothing');
  const f = fs[0];
  assert.equal(f.severity, 'error');
  assert.deepEqual(f.path, ['training', 'learningRate']);
  assert.match(f.message, /stayed at chance \(10\.1 % after epoch 3; chance is 10\.0 %\)/);
  assert.match(f.message, /20 is far too high for sgd; the tutorial uses adam at 0\.001/);
  assert.deepEqual(
    f.fixes.map((x) => x.edits),
    [[{ path: ['training', 'learningRate'], value: 2 }], [{ path: ['training', 'learningRate'], value: 0.2 }], [{ path: ['training', 'optimizer'], value: 'adam' }, { path: ['training', 'learningRate'], value: 0.001 }]],
  );
  const live = runFindings(null, events.slice(0, events.findIndex((e) => e.type === 'epoch') + 1), { live: true });
  assert.deepEqual(live.map((x) => x.id), ['noLearning'], 'live: after the first epoch already');
  assert.match(live[0].message, /learning rate 20 is likely too high/);
});

test('still improving: sgd at 0.01 for 4 epochs gains 3.5 points in the last 2 → info on training.epochs, epochs ×2', () => {
  const { config, events } = recordedRun('mnist10k-sgd-still-improving');
  const f = byId(runFindings(config, events), 'stillImproving')!;
  assert.equal(f.severity, 'info');
  assert.deepEqual(f.path, ['training', 'epochs']);
  assert.match(f.message, /\+3\.5 points in the last 2 epochs \(83\.6 % at epoch 2 → 87\.1 % at epoch 4\)/);
  assert.deepEqual(f.fixes.map((x) => x.edits), [[{ path: ['training', 'epochs'], value: 8 }]]);
  assert.equal(byId(runFindings(config, events), 'overfitting'), undefined);
});

test('generalisation gap: 100.0 % training against 94.9 % validation accuracy at epoch 25 → info on the model', () => {
  const { config, events } = recordedRun('mnist10k-overfitting-25-epochs');
  const f = byId(runFindings(config, events), 'generalisationGap')!;
  assert.deepEqual(f.path, ['model']);
  assert.match(f.message, /Training accuracy 100\.0 % against validation accuracy 94\.9 % at epoch 25: a gap of 5\.1 points/);
  assert.deepEqual(f.fixes.map((x) => x.kind), ['addDropout', 'turnOnAugment']);
});

test('weakest digits: the two digits furthest below the test accuracy, with what the confusion matrix says they are read as', () => {
  const { config, events } = recordedRun('mnist10k-sgd-still-improving');
  const f = byId(runFindings(config, events), 'weakDigits')!;
  const ev = events.find((e) => e.type === 'evaluation')!;
  assert.equal(f.marks?.classes?.[0], ev.perClassAccuracy.indexOf(Math.min(...ev.perClassAccuracy)));
  assert.match(f.message, /overall 87\.8 %\): 5: 79\.9 %, mostly read as 3 and 8; 8: 80\.0 %, mostly read as 5 and 3\./);
  const row5 = ev.confusionMatrix[5].map((n, p) => (p === 5 ? -1 : n));
  assert.equal(row5.indexOf(Math.max(...row5)), 3, 'the recorded matrix reads most 5s as 3');
});

test('a schedule that never acted: early stopping patience 5 and ReduceLROnPlateau in a 4-epoch run → hints on those fields', () => {
  const { config, events } = recordedRun('mnist10k-patience-longer-than-run');
  const hints = runFindings(config, events).filter((f) => f.id === 'neverActed');
  assert.deepEqual(hints.map((h) => h.path), [['training', 'earlyStopping', 'patience'], ['training', 'reduceLrOnPlateau']]);
  assert.ok(hints.every((h) => h.severity === 'hint'));
  assert.match(hints[0].message, /patience \(5\) is not shorter than the run \(4 epochs\)/);
  assert.match(hints[1].message, /never reduced the rate: validation loss never went 3 epochs without improving in 4 epochs/);
});

test('a healthy run (mlp-dropout, early stopping that stopped at epoch 10 and kept epoch 8): no findings at all', () => {
  const { config, events } = recordedRun('mnist10k-healthy-early-stop');
  assert.ok(events.some((e) => e.type === 'earlyStop'), 'the recorded run did stop early');
  assert.deepEqual(runFindings(config, events), []);
  assert.deepEqual(runFindings(config, events, { live: true }), []);
});

test('summary.json carries the findings, and findings read back from disk are checked', () => {
  const { config, events } = recordedRun('mnist10k-sgd-lr20-diverges');
  const s = summarizeRun(config, events);
  assert.deepEqual(s.findings, runFindings(config, events));
  assert.deepEqual(readFindings(JSON.parse(JSON.stringify(s.findings))), s.findings);
  assert.deepEqual(readFindings('nope'), []);
  const hostile = readFindings([{ id: 'noLearning', severity: 'error', message: 'm', path: ['training'], fixes: [{ kind: 'rm', title: 't', edits: [] }, { kind: 'useAdam', title: { x: 1 }, edits: [] }, { kind: 'useAdam', title: 'Use adam', edits: [] }] }]);
  assert.deepEqual(hostile[0].fixes, [{ kind: 'useAdam', title: 'Use adam', edits: [] }], 'only sound quick fixes are kept');
  assert.deepEqual(readFindings([{ id: 'overfitting', severity: 'warning', message: 'x', path: ['a', -1], fixes: [] }, { id: 'rm -rf', severity: 'error', message: 'y', path: [], fixes: [] }]), []);
});

test('thresholds: the numbers the findings decide with are named constants', () => {
  assert.equal(thresholds.SUGGESTED_PATIENCE, 2);
  assert.ok(thresholds.GAP_MIN > 0 && thresholds.IMPROVING_MIN_GAIN > 0 && thresholds.CHANCE_MARGIN > 0);
});

test("the report lists each run's findings under Findings, with the config field", async () => {
  const { mkdtempSync, readFileSync: read } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { readRunsForReport, writeReport } = await import('../../src/node/runs/report-files');
  const dirs = ['mnist10k-overfitting-25-epochs', 'mnist10k-sgd-lr20-diverges'].map((n) => join(RECORDED, n));
  const written = writeReport(readRunsForReport(dirs), mkdtempSync(join(tmpdir(), 'reports-')), { date: new Date(2026, 11, 7, 23, 0, 0) });
  const md = read(written.file, 'utf8');
  const section = md.slice(md.indexOf('## Findings'));
  assert.match(section, /validation loss was lowest after epoch 6 \(0\.2103\)/, 'overfitting, from the sweep findings');
  assert.match(section, /\*\*mnist10k-overfitting-25-epochs\*\* \(`model`, info\): Training accuracy 100\.0 % against validation accuracy 94\.9 %/);
  assert.match(section, /\*\*mnist10k-sgd-lr20-diverges\*\* \(`training\.learningRate`, error\): Validation accuracy stayed at chance/);
});
