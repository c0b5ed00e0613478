// The guard for a TrainerEvent read back from events.jsonl (or received from a trainer): a run log
// in a cloned repository can hold anything, and every reader folds these events without checks.
import type { TrainerEvent, TrainerEventType } from './trainer';

type Kind = 'string' | 'number' | 'boolean' | 'object' | 'numbers' | 'numberRows' | 'strings' | 'array' | 'number?' | 'string?';

/** The fields each event's readers rely on; optional fields are checked only when present. */
const FIELDS: Record<TrainerEventType, Record<string, Kind>> = {
  ready: { backend: 'string', reason: 'string', versions: 'object', threads: 'number?' },
  log: { level: 'string', message: 'string' },
  download: { file: 'string', receivedBytes: 'number' },
  dataset: { name: 'string', source: 'string', train: 'number', validation: 'number', test: 'number', classNames: 'strings' },
  model: { layers: 'array', totalParams: 'number', trainableParams: 'number' },
  batch: { epoch: 'number', epochs: 'number', batch: 'number', batchesPerEpoch: 'number', loss: 'number', acc: 'number', samplesPerSecond: 'number' },
  epoch: { epoch: 'number', epochs: 'number', loss: 'number', acc: 'number', valLoss: 'number', valAcc: 'number', seconds: 'number', learningRate: 'number?' },
  earlyStop: { epoch: 'number', monitor: 'string', best: 'number', bestEpoch: 'number', reason: 'string', restoredBestWeights: 'boolean' },
  resume: { epoch: 'number', epochs: 'number' },
  samples: { epoch: 'number', indices: 'numbers', labels: 'numbers', predicted: 'numbers', confidence: 'numbers' },
  evaluation: { testLoss: 'number', testAccuracy: 'number', confusionMatrix: 'numberRows', perClassAccuracy: 'numbers', misclassified: 'array' },
  prediction: { id: 'number', probabilities: 'numbers' },
  heartbeat: {},
  done: { status: 'string', runDir: 'string?', message: 'string?', hint: 'string?' },
};

const STATUSES = new Set(['completed', 'cancelled', 'failed']);

// JSON has no NaN: the trainer writes a diverged loss as null, which the readers treat as NaN.
const isNumber = (v: unknown) => typeof v === 'number' || v === null;
const isNumbers = (v: unknown) => Array.isArray(v) && v.every(isNumber);

function fits(v: unknown, kind: Kind): boolean {
  switch (kind) {
    case 'string':
      return typeof v === 'string';
    case 'number':
      return isNumber(v);
    case 'boolean':
      return typeof v === 'boolean';
    case 'object':
      return typeof v === 'object' && v !== null && !Array.isArray(v);
    case 'numbers':
      return isNumbers(v);
    case 'numberRows':
      return Array.isArray(v) && v.every(isNumbers);
    case 'strings':
      return Array.isArray(v) && v.every((x) => typeof x === 'string');
    case 'array':
      return Array.isArray(v) && v.every((x) => typeof x === 'object' && x !== null);
    case 'number?':
      return v === undefined || isNumber(v);
    case 'string?':
      return v === undefined || typeof v === 'string';
  }
}

/** An object with a known `type`, a numeric `time` and the fields of that type. */
export function isTrainerEvent(m: unknown): m is TrainerEvent {
  if (typeof m !== 'object' || m === null || Array.isArray(m)) return false;
  const o = m as Record<string, unknown>;
  if (typeof o.type !== 'string' || !Object.hasOwn(FIELDS, o.type) || typeof o.time !== 'number') return false;
  const fields = FIELDS[o.type as TrainerEventType];
  for (const [key, kind] of Object.entries(fields)) if (!fits(o[key], kind)) return false;
  if (o.type === 'ready' && typeof (o.versions as Record<string, unknown>).tfjs !== 'string') return false;
  if (o.type === 'done' && !STATUSES.has(o.status as string)) return false;
  return true;
}
