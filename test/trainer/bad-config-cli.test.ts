// Bad config from a terminal and over IPC: a sample of the generated broken configs through the built
// mnist-train (real processes, two at a time), and configs that skipped validation sent to the real trainer.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { applyDefaults, type MnistConfig } from '../../src/shared/config';
import type { RunSummary } from '../../src/shared/protocol';
import { TrainerProcess } from '../../src/node/processes/trainer-client';
import { createRunDir, readEvents } from '../../src/node/runs/run-folder';
import { type BrokenConfig, brokenConfigs } from '../helpers/broken-configs';
import { runCli } from '../helpers/cli';
import { trainerBundle } from '../helpers/paths';

const STACK = /\n\s+at .+:\d+:\d+|TypeError|RangeError|Maximum call stack/;

/** Every fixed case (empty, BOM, 10 MB, depth…) and every eighth generated one: 61 of the 240. */
function sample(cases: readonly BrokenConfig[]): BrokenConfig[] {
  const fixed = cases.filter((c) => ['not-an-object', 'jsonc', 'size-and-depth'].includes(c.family));
  const generated = cases.filter((c) => !fixed.includes(c)).filter((_, i) => i % 8 === 0);
  return [...fixed, ...generated];
}

async function inPairs<T, R>(items: readonly T[], work: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < items.length; i = next++) results[i] = await work(items[i], i);
  };
  await Promise.all([worker(), worker()]);
  return results;
}

test('mnist-train CONFIG on 61 generated broken configs: exit 2, the field or line:column on stderr, no stack trace, no run folder', { timeout: 600_000 }, async (t) => {
  const cases = sample(brokenConfigs(10, 240));
  assert.ok(cases.length >= 50, `${cases.length} cases`);
  const root = mkdtempSync(join(tmpdir(), 'bad-config-cli-'));
  const started = Date.now();
  const results = await inPairs(cases, async (c, i) => {
    const cwd = join(root, `case-${i}`);
    mkdirSync(cwd);
    writeFileSync(join(cwd, 'mnist.config.json'), c.text);
    return runCli(['mnist.config.json', '--out', 'runs'], cwd).then((r) => ({ ...r, cwd }));
  });
  for (const [i, c] of cases.entries()) {
    const r = results[i];
    const what = `${c.family}: ${c.name}`;
    assert.equal(r.code, 2, `${what}: exit ${r.code}: ${r.stderr}`);
    assert.ok(r.stderr.startsWith('mnist-train: mnist.config.json'), `${what}: names the file: ${r.stderr.slice(0, 300)}`);
    if (c.names === 'position') assert.match(r.stderr, /mnist\.config\.json:\d+:\d+: |too large for a config/, what);
    else if (c.names === '(config)') assert.match(r.stderr, /the config must be an object/, what);
    else assert.ok(r.stderr.includes(`${c.names}`), `${what}: names ${c.names}: ${r.stderr.slice(0, 300)}`);
    assert.doesNotMatch(r.stderr, STACK, `${what}: no stack trace`);
    assert.equal(existsSync(join(r.cwd, 'runs')), false, `${what}: nothing written`);
  }
  t.diagnostic(`${cases.length} CLI runs, two at a time, in ${((Date.now() - started) / 1000).toFixed(1)} s`);
});

function runWith(config: unknown) {
  const runsDir = mkdtempSync(join(tmpdir(), 'runs-'));
  const runDir = createRunDir(runsDir, applyDefaults({ dataset: 'mnist-sample' }));
  // As a host with a bug, or an older or newer version, might send it: no validation on this side.
  const trainer = new TrainerProcess(trainerBundle, { type: 'start', config: config as MnistConfig, runDir, cacheDir: join(runsDir, 'cache') });
  return { trainer, runDir };
}

test('the trainer, sent configs that skipped validation, ends each as a failed run naming the field, and exits', { timeout: 180_000 }, async () => {
  const tutorial = applyDefaults({ dataset: 'mnist-sample' });
  const cases: { what: string; config: unknown; message: RegExp }[] = [
    { what: '10⁹ epochs', config: { ...tutorial, training: { ...tutorial.training, epochs: 1e9 } }, message: /training\.epochs: 1000000000 is too large; use a whole number from 1 to 10000/ },
    {
      what: '10⁹ units',
      config: { ...tutorial, model: { preset: null, layers: [{ type: 'flatten' }, { type: 'dense', units: 1e9 }, { type: 'dense', units: 10, activation: 'softmax' }] } },
      message: /model\.layers\[1\]\.units: 1000000000 is too large/,
    },
    {
      what: 'a CNN on mnist with a batch of 65,536',
      config: { ...tutorial, dataset: 'mnist', model: { preset: 'cnn', layers: applyDefaults({ model: { preset: 'cnn' } }).model.layers }, training: { ...tutorial.training, batchSize: 65536 } },
      message: /training\.batchSize: one training step on 48,000 images would need about [\d.]+ GB/,
    },
    { what: 'no training section', config: { ...tutorial, training: null }, message: /training\.epochs: must be a whole number from 1 to 10000, not nothing/ },
    { what: 'not an object', config: 'mnist.config.json', message: /the config must be an object/ },
  ];
  for (const c of cases) {
    const { trainer, runDir } = runWith(c.config);
    const { done, code, signal } = await trainer.exited;
    assert.equal(done.status, 'failed', c.what);
    assert.match(done.message ?? '', c.message, c.what);
    assert.doesNotMatch(done.message ?? '', STACK, c.what);
    assert.match(done.hint ?? '', /Fix mnist\.config\.json/, c.what);
    assert.equal(signal, null, `${c.what}: not killed`);
    assert.equal(code, 0, `${c.what}: the trainer ended on its own`);
    const summary = JSON.parse(readFileSync(join(runDir, 'summary.json'), 'utf8')) as RunSummary;
    assert.equal(summary.status, 'failed', c.what);
    assert.match(summary.message ?? '', c.message, c.what);
    const kinds = readEvents(runDir).map((e) => e.type);
    assert.ok(!kinds.includes('ready') && !kinds.includes('dataset'), `${c.what}: refused before the backend and the data (no tensor): ${kinds}`);
    assert.equal(kinds.at(-1), 'done');
  }
});
