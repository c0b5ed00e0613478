// What mnist-train prints after a completed run when summary.json is fine, missing or not a summary.
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { completedSummaryLine } from '../../src/cli/summary-line';
import { repoRoot } from '../helpers/paths';

const runDir = () => mkdtempSync(join(tmpdir(), 'summary-line-'));

test('a real summary: accuracy, loss, epochs, speed and time', () => {
  const dir = runDir();
  copyFileSync(join(repoRoot, 'test', 'fixtures', 'webview-runs', 'completed', 'summary.json'), join(dir, 'summary.json'));
  assert.match(completedSummaryLine(dir), /^Test accuracy 0\.\d{4} \(loss \d+\.\d{4}\) after \d+ epochs, [\d,]+ samples\/s, .+ of training$/);
});

test('missing, an array, null, strings for numbers, a symlink to /dev/zero: a line saying so, never a throw', () => {
  const cases: [string, (dir: string) => void, RegExp][] = [
    ['missing', () => undefined, /^Completed; no results to show from .*summary\.json \(it is missing\)\. The run's events\.jsonl has them\.$/],
    ['array', (d) => writeFileSync(join(d, 'summary.json'), '[]'), /does not hold a run's test results/],
    ['null', (d) => writeFileSync(join(d, 'summary.json'), 'null'), /does not hold a run's test results/],
    ['torn', (d) => writeFileSync(join(d, 'summary.json'), '{"testAcc'), /^Completed; no results to show from .*summary\.json \(.*JSON/],
    ['strings', (d) => writeFileSync(join(d, 'summary.json'), '{"testAccuracy":"0.9","testLoss":"x","epochsCompleted":1}'), /does not hold/],
    ['/dev/zero', (d) => symlinkSync('/dev/zero', join(d, 'summary.json')), /is a symbolic link, which is not followed/],
  ];
  for (const [what, make, expected] of cases) {
    const dir = runDir();
    make(dir);
    assert.match(completedSummaryLine(dir), expected, what);
  }
});

test('a summary without speed or time still gives the results', () => {
  const dir = runDir();
  writeFileSync(join(dir, 'summary.json'), '{"testAccuracy":0.5,"testLoss":1.25,"epochsCompleted":2,"trainSamplesPerSecond":null}');
  assert.equal(completedSummaryLine(dir), 'Test accuracy 0.5000 (loss 1.2500) after 2 epochs');
});
