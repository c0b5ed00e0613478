// data.augment, training.earlyStopping, reduceLrOnPlateau and lrSchedule in the config and the
// schema; and summary.json of a run that stopped early or was resumed (one continuous history).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import schema from '../../media/mnist.config.schema.json';
import {
  AUGMENT_DEFAULTS,
  applyDefaults,
  DEFAULT_CONFIG,
  EARLY_STOPPING_DEFAULTS,
  ELASTIC_DEFAULTS,
  LR_SCHEDULE_DEFAULTS,
  LR_SCHEDULES,
  type MnistConfig,
  MONITORS,
  REDUCE_LR_DEFAULTS,
} from '../../src/shared/config';
import type { EpochEvent, TrainerEvent } from '../../src/shared/protocol';
import { summarizeRun } from '../../src/shared/summary';
import { checkModel, formatIssue, validateConfig, validateConfigText } from '../../src/shared/validate';

type Node = { default?: unknown; enum?: unknown[]; properties?: Record<string, Node>; defaultSnippets?: { label: string; body: unknown }[] };
const props = (schema as unknown as Node).properties!;
const augment = props.data.properties!.augment;
const training = props.training.properties!;

describe('config and schema', () => {
  test('the inner defaults in the schema equal the TypeScript ones', () => {
    const defaults = (n: Node) => Object.fromEntries(Object.entries(n.properties!).map(([k, p]) => [k, p.default]));
    assert.deepEqual(defaults(augment), { ...AUGMENT_DEFAULTS, elastic: null });
    assert.deepEqual(defaults(augment.properties!.elastic), ELASTIC_DEFAULTS);
    assert.deepEqual(defaults(training.earlyStopping), EARLY_STOPPING_DEFAULTS);
    assert.deepEqual(defaults(training.reduceLrOnPlateau), REDUCE_LR_DEFAULTS);
    assert.deepEqual(defaults(training.lrSchedule), LR_SCHEDULE_DEFAULTS);
    assert.deepEqual(training.lrSchedule.default, LR_SCHEDULE_DEFAULTS);
    assert.deepEqual(training.earlyStopping.properties!.monitor.enum, [...MONITORS]);
    assert.deepEqual(training.reduceLrOnPlateau.properties!.monitor.enum, [...MONITORS]);
    assert.deepEqual(training.lrSchedule.properties!.type.enum, [...LR_SCHEDULES]);
  });

  test('off by default; {} turns a feature on with its defaults; given fields win', () => {
    assert.equal(DEFAULT_CONFIG.data.augment, null);
    assert.equal(DEFAULT_CONFIG.training.earlyStopping, null);
    assert.equal(DEFAULT_CONFIG.training.reduceLrOnPlateau, null);
    const c = applyDefaults({
      data: { augment: { rotation: 15 } },
      training: { earlyStopping: {}, reduceLrOnPlateau: { factor: 0.2 }, lrSchedule: { type: 'cosine' } },
    });
    assert.deepEqual(c.data.augment, { rotation: 15, shift: 2, zoom: 0.1, elastic: null });
    assert.deepEqual(c.training.earlyStopping, EARLY_STOPPING_DEFAULTS);
    assert.deepEqual(c.training.reduceLrOnPlateau, { ...REDUCE_LR_DEFAULTS, factor: 0.2 });
    assert.deepEqual(c.training.lrSchedule, { ...LR_SCHEDULE_DEFAULTS, type: 'cosine' });
    assert.deepEqual(applyDefaults({ data: { augment: { elastic: {} } } }).data.augment, { ...AUGMENT_DEFAULTS, elastic: ELASTIC_DEFAULTS });
    assert.deepEqual(applyDefaults({ data: { augment: null }, training: { earlyStopping: null } }), DEFAULT_CONFIG);
    const { config, issues } = validateConfig({ data: { augment: {} }, training: { earlyStopping: { patience: 5 } } });
    assert.deepEqual(issues, []);
    assert.equal(config?.training.earlyStopping?.patience, 5);
  });

  test('a resolved config validates to itself (a run records it in config.json)', () => {
    const c = applyDefaults({ data: { augment: { elastic: {} } }, training: { earlyStopping: {}, reduceLrOnPlateau: {}, lrSchedule: { type: 'step' } } });
    assert.deepEqual(validateConfig(c), { config: c, issues: [] });
  });

  test('every defaultSnippet of the new fields, filled in, passes validation', () => {
    const fill = (body: unknown): unknown => {
      if (typeof body === 'string') {
        const s = body.replace(/\$\{\d+:([^}]*)\}/g, '$1').replace(/\$\{\d+\|([^,|]*)[^}]*\|\}/g, '$1');
        return body.startsWith('^') ? JSON.parse(s.slice(1)) : s;
      }
      if (body && typeof body === 'object') return Object.fromEntries(Object.entries(body).map(([k, v]) => [k, fill(v)]));
      return body;
    };
    const cases: [Node, (b: unknown) => unknown][] = [
      [augment, (b) => ({ data: { augment: b } })],
      [training.earlyStopping, (b) => ({ training: { earlyStopping: b } })],
      [training.reduceLrOnPlateau, (b) => ({ training: { reduceLrOnPlateau: b } })],
      [training.lrSchedule, (b) => ({ training: { lrSchedule: b } })],
    ];
    for (const [node, wrap] of cases) {
      assert.ok(node.defaultSnippets!.length > 0);
      for (const s of node.defaultSnippets!) assert.deepEqual(validateConfig(wrap(fill(s.body))).issues, [], s.label);
    }
  });

  test('mistakes in plain words, at the right field', () => {
    const text = JSON.stringify(
      {
        data: { augment: { rotaton: 10, shift: -1, elastic: { sigma: 0 } } },
        training: { earlyStopping: { monitor: 'val_los', patience: 1.5 }, reduceLrOnPlateau: { factor: 1 }, lrSchedule: { type: 'linear', gamma: 0 } },
      },
      null,
      2,
    );
    const { config, issues } = validateConfigText(text, 'mnist.config.json');
    assert.equal(config, null);
    const lines = issues.map((i) => formatIssue(i));
    assert.deepEqual(lines, [
      'data.augment.rotaton: unknown field "rotaton"; did you mean "rotation"?',
      'data.augment.shift: -1 is too small; use a number from 0 to 14',
      'data.augment.elastic.sigma: 0 is too small; use a number greater than 0 and at most 14',
      'training.earlyStopping.monitor: unknown monitor "val_los"; did you mean "valLoss"? Use one of "valLoss", "valAcc"',
      'training.earlyStopping.patience: 1.5 is not a whole number; use a whole number from 0 to 10000',
      'training.reduceLrOnPlateau.factor: 1 is too large; use a number greater than 0 and less than 1 (what the learning rate is multiplied by on a plateau)',
      'training.lrSchedule.type: unknown lrSchedule type "linear"; use one of "constant", "step", "exponential", "cosine"',
      'training.lrSchedule.gamma: 0 is too small; use a number greater than 0 and at most 1',
    ]);
    const onOff = validateConfig({ training: { earlyStopping: true } }).issues.map((i) => formatIssue(i));
    assert.deepEqual(onOff, ['training.earlyStopping: must be an object { … } or null, not true (null turns early stopping off; {} turns it on with the defaults)']);
  });

  test('checkModel repeats the checks for a config that skipped the schema (IPC, an edited config.json)', () => {
    const c = JSON.parse(JSON.stringify(applyDefaults({ data: { augment: {} }, training: { earlyStopping: {} } }))) as MnistConfig;
    c.data.augment!.zoom = 1;
    c.training.earlyStopping!.monitor = 'loss' as never;
    c.training.lrSchedule.stepSize = 0;
    assert.deepEqual(checkModel(c).map((i) => formatIssue(i)), [
      'data.augment.zoom: 1 is too large; use a number of at least 0 and less than 1',
      'training.earlyStopping.monitor: unknown monitor "loss"; use one of "valLoss", "valAcc"',
      'training.lrSchedule.stepSize: 0 is too small; use a whole number from 1 to 10000',
    ]);
    const old = JSON.parse(JSON.stringify(DEFAULT_CONFIG));
    delete old.training.earlyStopping;
    delete old.training.lrSchedule;
    assert.deepEqual(checkModel(old), [], 'a config.json from before these fields: they count as off');
  });
});

// ---------------------------------------------------------------- summary of a resumed or early-stopped run

const config = applyDefaults({ dataset: 'mnist-sample', training: { epochs: 6, earlyStopping: { patience: 2 } } });
let clock = 1_000;
const at = <T extends object>(e: T) => ({ ...e, time: (clock += 10) }) as unknown as TrainerEvent;
const epoch = (n: number, valLoss: number, learningRate = 0.001): TrainerEvent =>
  at({ type: 'epoch', epoch: n, epochs: 6, loss: valLoss - 0.05, acc: 0.9, valLoss, valAcc: 1 - valLoss, seconds: 2, samplesPerSecond: 3200, learningRate } satisfies Omit<EpochEvent, 'time'>);
const start = (): TrainerEvent[] => [
  at({ type: 'ready', backend: 'wasm', reason: 'x', versions: { tfjs: '4.22.0', node: '20' }, threads: 1 }),
  at({ type: 'dataset', name: 'mnist-sample', source: 'bundled', train: 6400, validation: 1600, test: 2000, imageShape: [28, 28, 1], classNames: [] }),
];

describe('summary.json of a resumed run', () => {
  test('a `done` in the middle, then a resume and more epochs: one history, the last status', () => {
    const events = [
      ...start(),
      epoch(1, 0.4),
      epoch(2, 0.3),
      at({ type: 'done', status: 'failed', message: 'The trainer was killed (SIGKILL) before the run ended.', runDir: 'r' }),
      at({ type: 'resume', epoch: 2, epochs: 6 }),
      ...start(),
      epoch(3, 0.25),
      epoch(4, 0.26, 0.0005),
      at({ type: 'done', status: 'cancelled', message: 'Stopped by the user', runDir: 'r' }),
      at({ type: 'resume', epoch: 4, epochs: 6 }),
      ...start(),
      epoch(5, 0.24),
      epoch(6, 0.23),
      at({ type: 'evaluation', testLoss: 0.2, testAccuracy: 0.95, confusionMatrix: [], perClassAccuracy: [], misclassified: [] }),
      at({ type: 'done', status: 'completed', runDir: 'r' }),
    ];
    const s = summarizeRun(config, events);
    assert.equal(s.status, 'completed');
    assert.equal(s.message, undefined);
    assert.equal(s.epochsCompleted, 6);
    assert.deepEqual(s.history.valLoss, [0.4, 0.3, 0.25, 0.26, 0.24, 0.23]);
    assert.deepEqual(s.history.learningRate, [0.001, 0.001, 0.001, 0.0005, 0.001, 0.001]);
    assert.equal(s.fitSeconds, 12);
    assert.equal(s.resumed, 2);
    assert.equal(s.testAccuracy, 0.95);
    assert.deepEqual([s.bestEpoch, s.bestMetric], [6, { monitor: 'valLoss', value: 0.23 }]);
  });

  test('a resume from an earlier checkpoint supersedes epochs logged after it; a repeated epoch counts once', () => {
    const events = [
      ...start(),
      epoch(1, 0.4),
      epoch(2, 0.3),
      epoch(3, 0.35),
      at({ type: 'done', status: 'failed', runDir: 'r' }),
      at({ type: 'resume', epoch: 2, epochs: 6 }),
      epoch(3, 0.28),
      epoch(3, 0.28),
    ];
    const s = summarizeRun(config, events);
    assert.deepEqual(s.history.valLoss, [0.4, 0.3, 0.28]);
    assert.equal(s.status, 'failed');
    assert.equal(s.message, 'the run ended without a final event', 'the resumed attempt has no done of its own yet');
  });

  test('an early stop is in the summary with the best epoch', () => {
    const events = [
      ...start(),
      epoch(1, 0.4),
      epoch(2, 0.3),
      epoch(3, 0.31),
      epoch(4, 0.32),
      at({ type: 'earlyStop', epoch: 4, monitor: 'valLoss', best: 0.3, bestEpoch: 2, reason: 'validation loss did not improve for 2 epochs; best 0.3000 at epoch 2', restoredBestWeights: true }),
      at({ type: 'done', status: 'completed', runDir: 'r' }),
    ];
    const s = summarizeRun(config, events);
    assert.equal(s.epochsCompleted, 4);
    assert.deepEqual(s.earlyStop, { epoch: 4, reason: 'validation loss did not improve for 2 epochs; best 0.3000 at epoch 2', restoredBestWeights: true });
    assert.equal(s.bestEpoch, 2);
    assert.equal(s.resumed, undefined);
  });
});
