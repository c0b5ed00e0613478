// checkModel's range checks for data.augment, training.earlyStopping, reduceLrOnPlateau and
// lrSchedule, for resolved configs that did not pass the schema (a run's config.json, IPC).
import schema from '../../media/mnist.config.schema.json';
import { LR_SCHEDULES, MONITORS, type MnistConfig } from './config';
import type { ConfigIssue } from './validate';

type Path = (string | number)[];
type NumberProblem = (value: unknown, s: object, key: string) => string | null;
type EnumMessage = (path: Path, value: unknown, allowed: readonly unknown[]) => string;

const augment = schema.properties.data.properties.augment.properties;
const training = schema.properties.training.properties;

/** Each optional section, the fields checked as numbers, and those checked against an enum. */
const SECTIONS: { path: Path; get(c: MnistConfig): unknown; numbers: Record<string, object>; enums?: Record<string, readonly string[]> }[] = [
  { path: ['data', 'augment'], get: (c) => c.data?.augment, numbers: { rotation: augment.rotation, shift: augment.shift, zoom: augment.zoom } },
  { path: ['data', 'augment', 'elastic'], get: (c) => c.data?.augment?.elastic, numbers: augment.elastic.properties },
  {
    path: ['training', 'earlyStopping'],
    get: (c) => c.training?.earlyStopping,
    numbers: { minDelta: training.earlyStopping.properties.minDelta, patience: training.earlyStopping.properties.patience },
    enums: { monitor: MONITORS },
  },
  {
    path: ['training', 'reduceLrOnPlateau'],
    get: (c) => c.training?.reduceLrOnPlateau,
    numbers: (({ monitor: _, ...n }) => n)(training.reduceLrOnPlateau.properties),
    enums: { monitor: MONITORS },
  },
  {
    path: ['training', 'lrSchedule'],
    get: (c) => c.training?.lrSchedule,
    numbers: (({ type: _, ...n }) => n)(training.lrSchedule.properties),
    enums: { type: LR_SCHEDULES },
  },
];

/** Absent sections (a config.json from before these fields existed) count as off. */
export function checkTrainingOptions(config: MnistConfig, numberProblem: NumberProblem, enumMessage: EnumMessage): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  for (const section of SECTIONS) {
    const value = section.get(config) as Record<string, unknown> | null | undefined;
    if (value === null || value === undefined) continue;
    for (const [key, s] of Object.entries(section.numbers)) {
      const problem = numberProblem(value[key], s, key);
      if (problem) issues.push({ path: [...section.path, key], severity: 'error', code: 'out-of-range', message: problem });
    }
    for (const [key, allowed] of Object.entries(section.enums ?? {})) {
      if (!allowed.includes(value[key] as string)) {
        const path = [...section.path, key];
        issues.push({ path, severity: 'error', code: 'unknown-value', message: enumMessage(path, value[key], allowed) });
      }
    }
  }
  return issues;
}
