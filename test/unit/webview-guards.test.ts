// Each webview acts only on what its guard from src/shared/protocol/ (one per channel) accepts: the
// messages the host really sends (built from recorded runs and the bundled digits) pass, and
// malformed ones are dropped before the view's render could throw on them. The last test runs the
// views' shared start (webview/common/vscode.ts) on a stand-in window: only accepted messages
// reach the view, and it says `ready` once it listens.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { buildAugmentPreview } from '../../src/shared/augment-preview';
import { compareCurves, compareTable } from '../../src/shared/compare';
import { isToAugmentView, isToCompareView, isToWebview } from '../../src/shared/protocol';
import type { RunRecord } from '../../src/shared/run-record';
import { loadDataset } from '../../src/node/data/datasets';
import { readRunRecord } from '../../src/node/runs/run-listing';
import { ensureSample } from '../helpers/datasets';
import { repoRoot } from '../helpers/paths';

const RECORDED = join(repoRoot, 'test', 'fixtures', 'run-history');
const runs = ['mlp-12-epochs', 'cnn-3-epochs'].map((r) => readRunRecord(join(RECORDED, r))).filter((r): r is RunRecord => r !== null);

/** The message Compare Runs gets for the two recorded runs (ComparePanel.message builds the same). */
function compareMessage() {
  return { type: 'compare', table: compareTable(runs), curves: compareCurves(runs) };
}

async function augmentMessage() {
  const sampleDir = ensureSample();
  const d = await loadDataset({ dataset: 'mnist-sample', dir: null, cacheDir: '/nonexistent', sampleDir });
  const preview = buildAugmentPreview({ images: d.trainImages, labels: d.trainLabels, classNames: d.classNames, source: 'mnist-sample' }, null, 42);
  return { type: 'augmentPreview', preview, configFile: 'mnist.config.json' };
}

/** A copy of `m` with the value at `path` replaced (or removed, for undefined). */
function withValue(m: unknown, path: (string | number)[], value: unknown): unknown {
  const copy = structuredClone(m) as Record<string | number, unknown>;
  let at = copy;
  for (const k of path.slice(0, -1)) at = at[k] as Record<string | number, unknown>;
  const last = path[path.length - 1];
  if (value === undefined) delete at[last];
  else at[last] = value;
  return copy;
}

const NOT_MESSAGES: [string, unknown][] = [
  ['null', null],
  ['a string', 'compare'],
  ['an array', [{ type: 'compare' }]],
  ['an empty object', {}],
  ['a number type', { type: 7 }],
];

describe('Compare Runs guard', () => {
  test('accepts what the host sends for two recorded runs, also after the structured clone of postMessage', () => {
    assert.equal(runs.length, 2, 'both recorded runs read');
    const m = compareMessage();
    assert.equal(m.table.rows.length, 2);
    assert.ok(isToCompareView(m));
    assert.ok(isToCompareView(structuredClone(m)));
  });

  test('a diverged run (NaN loss, no test accuracy) is still shown', () => {
    const m = compareMessage();
    m.curves[0].valLoss[1] = NaN;
    m.table.rows[0].testAccuracy = null;
    assert.ok(isToCompareView(m));
  });

  const bad: [string, (string | number)[], unknown][] = [
    ['another view\'s type', ['type'], 'augmentPreview'],
    ['no table', ['table'], undefined],
    ['a table that is a number', ['table'], 5],
    ['rows that are not a list', ['table', 'rows'], { 0: {} }],
    ['a row without an id', ['table', 'rows', 0, 'id'], undefined],
    ['a row whose label is a number', ['table', 'rows', 1, 'label'], 42],
    ['a config value that is an object', ['table', 'rows', 0, 'config', 'x'], { toString: 1 }],
    ['a metric that is a string', ['table', 'rows', 0, 'testLoss'], '0.1'],
    ['a config column that is a number', ['table', 'configColumns', 0], 3],
    ['a common setting without a value', ['table', 'common', 0, 'value'], undefined],
    ['no curves', ['curves'], undefined],
    ['a curve of strings', ['curves', 1, 'valAcc'], ['0.9']],
  ];
  for (const [label, path, value] of bad) {
    test(`drops a message with ${label}`, () => assert.equal(isToCompareView(withValue(compareMessage(), path, value)), false));
  }
  test('drops what is not a message at all', () => {
    for (const [label, m] of NOT_MESSAGES) assert.equal(isToCompareView(m), false, label);
  });
});

describe('Augmentation Preview guard', () => {
  test('accepts the preview of the bundled digits: ten classes, each with its versions', async () => {
    const m = await augmentMessage();
    assert.equal(m.preview.digits.length, 10);
    assert.ok(m.preview.digits.every((d) => d.versions.length > 0));
    assert.ok(isToAugmentView(m));
    assert.ok(isToAugmentView({ ...m, configFile: null }), 'no config file');
  });

  test('drops malformed previews', async () => {
    const m = await augmentMessage();
    const bad: [string, (string | number)[], unknown][] = [
      ['another view\'s type', ['type'], 'compare'],
      ['no preview', ['preview'], undefined],
      ['a preview that is a string', ['preview'], 'digits'],
      ['digits that are not a list', ['preview', 'digits'], 'x'],
      ['a digit whose image is bytes, not text', ['preview', 'digits', 0, 'image'], [0, 1, 2]],
      ['a digit without versions', ['preview', 'digits', 3, 'versions'], undefined],
      ['a version that is a number', ['preview', 'digits', 3, 'versions', 0], 7],
      ['notes that are text, not a list', ['preview', 'notes'], 'note'],
      ['a seed that is text', ['preview', 'seed'], '42'],
      ['enabled as text', ['preview', 'enabled'], 'true'],
      ['a config file that is a number', ['configFile'], 1],
    ];
    for (const [label, path, value] of bad) assert.equal(isToAugmentView(withValue(m, path, value)), false, label);
    for (const [label, x] of NOT_MESSAGES) assert.equal(isToAugmentView(x), false, label);
  });
});

describe('the views\' shared start', () => {
  test('only messages the guard accepts reach the view; it says ready once, after it listens', async () => {
    const posted: unknown[] = [];
    const target = new EventTarget();
    const g = globalThis as Record<string, unknown>;
    const saved = { window: g.window, acquireVsCodeApi: g.acquireVsCodeApi };
    let acquired = 0;
    g.window = target;
    g.acquireVsCodeApi = () => {
      acquired++;
      return { postMessage: (m: unknown) => posted.push(m), getState: () => undefined, setState: () => undefined };
    };
    try {
      const { startView, vscodeApi } = await import('../../webview/common/vscode');
      vscodeApi();
      const shown: unknown[] = [];
      startView({ accept: isToCompareView, onMessage: (m) => shown.push(m) });
      assert.deepEqual(posted, [{ type: 'ready' }]);
      assert.equal(acquired, 1, 'VS Code\'s API is acquired once per page, as VS Code allows');
      const good = compareMessage();
      const send = (data: unknown) => target.dispatchEvent(new MessageEvent('message', { data }));
      for (const [, m] of NOT_MESSAGES) send(m);
      send(withValue(good, ['table', 'rows'], 'x'));
      send({ type: 'showRun', run: null }); // the Dashboard's message, not this view's
      assert.ok(isToWebview({ type: 'showRun', run: null }));
      assert.deepEqual(shown, [], 'nothing malformed or foreign reached the view');
      send(good);
      assert.deepEqual(shown, [good]);
    } finally {
      g.window = saved.window;
      g.acquireVsCodeApi = saved.acquireVsCodeApi;
    }
  });
});
