// Tooltips of the evaluation and dataset charts build HTML from a run's events.jsonl, which a cloned
// workspace may have written to hold markup: every value must reach the tooltip as text.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { DatasetEvent, EvaluationEvent, TrainerEvent } from '../../src/shared/protocol';
import { FALLBACK_THEME } from '../../src/shared/chart-theme';
import { classCountsChartOption, confusionChartOption, perClassChartOption } from '../../webview/dashboard/eval-charts';
import { formatTooltip } from '../../webview/dashboard/charts';
import type { Evaluation } from '../../webview/dashboard/state';
import { repoRoot } from '../helpers/paths';

const HOSTILE = '<img src=x onerror=alert(1)>';
type Formatter = (p: unknown) => string;

function events(): TrainerEvent[] {
  const file = join(repoRoot, 'test', 'fixtures', 'webview-runs', 'completed-with-examples', 'events.jsonl');
  return readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as TrainerEvent);
}

/** A recorded run's evaluation and dataset events with markup where numbers and names belong. */
function poisoned(): { ev: Evaluation; ds: DatasetEvent } {
  const all = events();
  const ev = structuredClone(all.find((e) => e.type === 'evaluation') as EvaluationEvent);
  const ds = structuredClone(all.find((e) => e.type === 'dataset') as DatasetEvent);
  (ev.confusionMatrix[3] as unknown[])[5] = HOSTILE;
  (ev.confusionMatrix[3] as unknown[])[3] = HOSTILE;
  const names = Array.from({ length: 10 }, (_, c) => (c === 3 || c === 5 ? HOSTILE : String(c)));
  ds.classNames = names;
  (ds.classCounts!.train as unknown[])[3] = HOSTILE;
  return { ev: ev as unknown as Evaluation, ds };
}

function assertText(out: string): void {
  assert.ok(!out.includes('<img'), `markup reached the tooltip: ${out}`);
  assert.match(out, /&#60;img src=x onerror=alert\(1\)&#62;/, 'the value is still shown, as text');
}

describe('tooltips escape what events.jsonl says', () => {
  const { ev, ds } = poisoned();

  it('confusion matrix: a cell count and class names holding markup', () => {
    const option = confusionChartOption(ev, 'counts', FALLBACK_THEME, ds.classNames);
    const format = (option.tooltip as { formatter: Formatter }).formatter;
    assertText(format({ value: [5, 3, 0] }));
  });

  it('per-class accuracy: the count right and the class name', () => {
    const option = perClassChartOption(ev, FALLBACK_THEME, ds.classNames);
    assertText((option.tooltip as { formatter: Formatter }).formatter({ dataIndex: 3 }));
  });

  it('class counts: a count holding markup', () => {
    const info = { classNames: ds.classNames, classCounts: ds.classCounts } as Parameters<typeof classCountsChartOption>[0];
    const option = classCountsChartOption(info, FALLBACK_THEME);
    assertText((option.tooltip as { formatter: Formatter }).formatter([{ dataIndex: 3 }]));
  });

  it('a class name that is not a string at all (an object) does not break the tooltip', () => {
    const names = [{ toString: () => HOSTILE }] as unknown as string[];
    const option = perClassChartOption(ev, FALLBACK_THEME, names);
    assertText((option.tooltip as { formatter: Formatter }).formatter({ dataIndex: 0 }));
  });

  it('the training curves: a series or category name holding markup', () => {
    assertText(formatTooltip({ seriesId: 'train', seriesName: HOSTILE, name: 'epoch 1', value: [1, 0.5] }));
    assertText(formatTooltip({ seriesId: 'train', seriesName: 'loss', name: HOSTILE, value: [1, 0.5] }));
  });
});
