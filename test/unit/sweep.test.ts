// Sweeps: expanding "experiments" into configs, checking them before anything trains, and the queue.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import schema from '../../media/mnist.config.schema.json';
import { PRESET_LAYERS, tutorialConfig } from '../../src/shared/config';
import { type PlannedRun, SweepError, SweepQueue, applyOverrides, describeOutcome, expandSweep, parseConfigPath, planSweep, sweepId } from '../../src/shared/sweep';
import { validateConfig } from '../../src/shared/validate';

test('config paths: dots and indices; anything else is refused with an example', () => {
  assert.deepEqual(parseConfigPath('training.learningRate'), ['training', 'learningRate']);
  assert.deepEqual(parseConfigPath('model.layers[1].units'), ['model', 'layers', 1, 'units']);
  assert.deepEqual(parseConfigPath('dataset'), ['dataset']);
  for (const bad of ['', '.a', 'a.', 'a..b', '[0]', 'a[x]', 'a b', 'training.learning-rate', 'a[1]b']) {
    assert.throws(() => parseConfigPath(bad), (e: Error) => e instanceof SweepError && /write it like "training\.learningRate"/.test(e.message), bad);
  }
});

test('a grid expands to every combination, first path outermost, named by its values', () => {
  const base = { ...tutorialConfig(), experiments: { grid: { 'training.learningRate': [0.01, 0.001], 'model.preset': ['mlp', 'mlp-dropout'] } } };
  const before = JSON.stringify(base);
  const items = expandSweep(base);
  assert.equal(JSON.stringify(base), before, 'the base config is not changed');
  assert.deepEqual(items.map((i) => i.name), [
    'learningRate=0.01, preset=mlp',
    'learningRate=0.01, preset=mlp-dropout',
    'learningRate=0.001, preset=mlp',
    'learningRate=0.001, preset=mlp-dropout',
  ]);
  assert.deepEqual(items[1].overrides, { 'training.learningRate': 0.01, 'model.preset': 'mlp-dropout' });
  const c = items[1].config;
  assert.equal(c.training?.learningRate, 0.01);
  assert.equal(c.training?.epochs, 5, 'the rest of the base config stays');
  assert.deepEqual(c.model, { preset: 'mlp-dropout' }, "the tutorial's written-out layers give way to the preset");
  assert.equal('experiments' in c, false);
  const { config } = validateConfig(c);
  assert.deepEqual(config?.model.layers, PRESET_LAYERS['mlp-dropout']);
});

test('named experiments: names default to the values they set and are made unique; layer edits write a preset out', () => {
  const items = expandSweep({
    model: { preset: 'mlp' },
    experiments: [
      { name: 'wide', set: { 'model.layers[1].units': 256 } },
      { set: { 'training.batchSize': 64, 'training.optimizer': 'sgd' } },
      { name: 'wide', set: { 'training.seed': 1 } },
    ],
  });
  assert.deepEqual(items.map((i) => i.name), ['wide', 'batchSize=64, optimizer=sgd', 'wide (2)']);
  const layers = items[0].config.model?.layers;
  assert.equal(items[0].config.model?.preset, undefined);
  assert.deepEqual(layers?.map((l) => (l.type === 'dense' ? l.units : l.type)), ['flatten', 256, 64, 10]);
  assert.deepEqual(PRESET_LAYERS.mlp[1], { type: 'dense', units: 128, activation: 'relu' }, 'the preset itself is not changed');
  assert.deepEqual(expandSweep({}), [], 'no experiments: no sweep');
  assert.deepEqual(expandSweep({ experiments: null }), []);
});

test('malformed experiments: a clear error before anything trains', () => {
  const cases: [unknown, RegExp][] = [
    [{ grid: {} }, /experiments\.grid is empty/],
    [{ grid: { 'training.learningRate': [] } }, /give a list of at least one value/],
    [[], /experiments is empty/],
    [[{ name: 'x' }], /experiments\[0\]: write \{ "name"/],
    [{ grid: { 'training.seed': Array.from({ length: 11 }, (_, i) => i), 'training.batchSize': Array.from({ length: 10 }, (_, i) => i + 1) } }, /would train 110 runs; at most 100/],
    [[{ set: { 'model.layers[9].units': 5 } }], /model\.layers\[9\]\.units: model\.layers has 4 items, so there is no \[9\]/],
    [5, /write a list of \{ "name", "set" \} objects, or \{ "grid"/],
  ];
  for (const [experiments, message] of cases) {
    assert.throws(() => expandSweep({ ...tutorialConfig(), experiments: experiments as never }), (e: Error) => e instanceof SweepError && message.test(e.message), JSON.stringify(experiments));
  }
});

test('planSweep validates every run as its own config and names the experiment; a base-config mistake is said once', () => {
  const bad = planSweep({ dataset: 'mnist-sample', experiments: [{ name: 'ok', set: { 'training.seed': 1 } }, { name: 'too fast', set: { 'training.learningRate': -1 } }, { name: 'typo', set: { 'training.epoch': 3 } }] });
  assert.equal(bad.runs.length, 0, 'nothing runs when one experiment is wrong');
  assert.match(bad.errors[0], /^experiment "too fast": training\.learningRate: /);
  assert.match(bad.errors[1], /^experiment "typo": training\.epoch: unknown field "epoch"; did you mean "epochs"\?/);

  const base = planSweep({ training: { epochs: 0 }, experiments: { grid: { 'model.preset': ['mlp', 'cnn'] } } }, 'my.json');
  assert.equal(base.errors.length, 1);
  assert.match(base.errors[0], /^my\.json: training\.epochs/);

  assert.match(planSweep({ dataset: 'mnist-sample' }).errors[0], /has no "experiments"; add e\.g\./);

  const ok = planSweep({ dataset: 'mnist-sample', experiments: { grid: { 'model.preset': ['mlp', 'mlp-dropout', 'cnn'] } } });
  assert.deepEqual(ok.errors, []);
  assert.deepEqual(ok.runs.map((r) => r.config.model.layers), [PRESET_LAYERS.mlp, PRESET_LAYERS['mlp-dropout'], PRESET_LAYERS.cnn]);
  assert.ok(ok.runs.every((r) => r.config.dataset === 'mnist-sample'));
});

test("the schema's experiments snippets expand into valid runs", () => {
  const snippets = (schema as unknown as { properties: { experiments: { defaultSnippets: { body: unknown }[] } } }).properties.experiments.defaultSnippets;
  const fill = (b: unknown): unknown =>
    typeof b === 'string'
      ? b.startsWith('^')
        ? JSON.parse(b.slice(1).replace(/\$\{\d+:([^}]*)\}/g, '$1'))
        : b.replace(/\$\{\d+:([^}]*)\}/g, '$1')
      : Array.isArray(b)
        ? b.map(fill)
        : b && typeof b === 'object'
          ? Object.fromEntries(Object.entries(b).map(([k, v]) => [k, fill(v)]))
          : b;
  assert.equal(snippets.length, 3);
  for (const s of snippets) {
    const config = { dataset: 'mnist-sample', experiments: fill(s.body) };
    assert.deepEqual(validateConfig(config).issues, [], JSON.stringify(s.body));
    const plan = planSweep(config);
    assert.deepEqual(plan.errors, []);
    assert.ok(plan.runs.length >= 2);
  }
});

test('sweep ids sort by time', () => {
  assert.equal(sweepId(new Date(2026, 10, 26, 9, 5, 7)), 'sweep-2026-11-26_09-05-07');
});

// ---------------------------------------------------------------- the queue, with a stand-in for training

function planned(n: number): PlannedRun[] {
  return planSweep({ dataset: 'mnist-sample', experiments: { grid: { 'training.seed': Array.from({ length: n }, (_, i) => i + 1) } } }).runs;
}

test('the queue trains one run at a time, in order; a failed or crashing run does not stop the rest', async () => {
  const started: number[] = [];
  let running = 0;
  const queue = new SweepQueue(planned(4), async (_run, index) => {
    assert.equal(running++, 0, 'one at a time');
    started.push(index);
    await new Promise((r) => setImmediate(r));
    running--;
    if (index === 1) return { status: 'failed', message: 'data.dir /nowhere does not exist', runDir: `/runs/${index}` };
    if (index === 2) throw new Error('could not fork');
    return { status: 'completed', runDir: `/runs/${index}` };
  });
  const progress: string[] = [];
  queue.onProgress((p) => progress.push(`${p.phase} ${p.index + 1}/${p.total} ok=${p.completed} failed=${p.failed}`));
  const outcome = await queue.run();
  assert.deepEqual(started, [0, 1, 2, 3]);
  assert.deepEqual(outcome.results.map((r) => r.status), ['completed', 'failed', 'failed', 'completed']);
  assert.equal(outcome.results[2].message, 'could not fork');
  assert.equal(outcome.stopped, false);
  assert.deepEqual(progress, [
    'started 1/4 ok=0 failed=0', 'ended 1/4 ok=1 failed=0',
    'started 2/4 ok=1 failed=0', 'ended 2/4 ok=1 failed=1',
    'started 3/4 ok=1 failed=1', 'ended 3/4 ok=1 failed=2',
    'started 4/4 ok=1 failed=2', 'ended 4/4 ok=2 failed=2',
  ]);
  assert.equal(describeOutcome(outcome), '2 of 4 completed, 2 failed (seed=2, seed=3)');
});

test('stop() ends the run in progress through its stopper and skips the rest', async () => {
  let stopCalls = 0;
  const queue = new SweepQueue(planned(3), (_run, index, stopper) =>
    new Promise((resolve) => {
      if (index === 0) return resolve({ status: 'completed' });
      // run 2 trains until it is told to stop, then ends cancelled
      stopper.onStop(() => {
        stopCalls++;
        resolve({ status: 'cancelled', message: 'Stopped by the user' });
      });
      queueMicrotask(() => queue.stop());
    }),
  );
  const outcome = await queue.run();
  assert.equal(stopCalls, 1);
  assert.deepEqual(outcome.results.map((r) => r.status), ['completed', 'cancelled', 'skipped']);
  assert.equal(outcome.stopped, true);
  assert.equal(describeOutcome(outcome), '1 of 3 completed, 1 cancelled, 1 not started; the sweep was stopped');
});

test('a stop that arrives before the run registers its stopper still stops it', async () => {
  let stopped = false;
  const queue = new SweepQueue(planned(2), async (_run, _index, stopper) => {
    queue.stop();
    stopper.onStop(() => (stopped = true));
    return { status: 'cancelled' };
  });
  const outcome = await queue.run();
  assert.equal(stopped, true);
  assert.deepEqual(outcome.results.map((r) => r.status), ['cancelled', 'skipped']);
});

test('applyOverrides sets nested values and creates missing sections', () => {
  assert.deepEqual(applyOverrides({}, { 'training.earlyStopping.patience': 2, dataset: 'mnist-sample' }), { training: { earlyStopping: { patience: 2 } }, dataset: 'mnist-sample' });
});
