// ajv's schema errors in plain words: the field, what is wrong, and what it most likely meant. Pure.
import type { ErrorObject } from 'ajv';
import schema from '../../../media/mnist.config.schema.json';
import { formatPath } from '../config';
import { type ConfigIssue, type JsonPath } from './issues';

/** Issues pointing at a field name rather than its value (unknown fields): the squiggle goes on the name. */
export const onFieldName = new WeakSet<ConfigIssue>();

// ---------------------------------------------------------------- schema errors in plain words

export interface FieldSchema {
  type?: string | string[];
  enum?: unknown[];
  default?: unknown;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  properties?: Record<string, FieldSchema>;
}

/** What a field means, for range messages where the number alone does not say it. */
const FIELD_MEANINGS: Record<string, string> = {
  rate: 'the fraction of inputs dropped while training',
  validationSplit: 'the fraction of training images held out for validation',
  augment: 'null turns augmentation off; {} turns it on with the defaults',
  elastic: 'null turns elastic distortion off; {} turns it on with the defaults',
  earlyStopping: 'null turns early stopping off; {} turns it on with the defaults',
  reduceLrOnPlateau: 'null turns it off; {} turns it on with the defaults',
  factor: 'what the learning rate is multiplied by on a plateau',
  dir: 'give the folder with the IDX files, or null to download the dataset',
};

/** More than this many schema problems are summed up in one more: a generated or pasted file, not typos. */
export const MAX_SCHEMA_ISSUES = 50;

export function translateSchemaErrors(errors: readonly ErrorObject[], root: unknown): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const seen = new Set<string>();
  let more = 0;
  for (const e of errors) {
    if (issues.length >= MAX_SCHEMA_ISSUES) {
      if (e.keyword !== 'if') more++;
      continue;
    }
    const issue = translateSchemaError(e, root);
    if (!issue) continue;
    const key = `${formatPath(issue.path)}\n${issue.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    issue.code = 'schema';
    issues.push(issue);
  }
  if (more > 0) {
    issues.push({ path: [], severity: 'error', code: 'schema', message: `and about ${more.toLocaleString('en-US')} more problems besides the ${MAX_SCHEMA_ISSUES} listed; fix those first` });
  }
  return issues;
}

function translateSchemaError(e: ErrorObject, root: unknown): ConfigIssue | null {
  const path = toPath(e.instancePath, root);
  const parent = (e.parentSchema ?? {}) as FieldSchema;
  const error = (message: string, at: JsonPath = path): ConfigIssue => ({ path: at, severity: 'error', message });
  switch (e.keyword) {
    case 'if': // its "then" reports the real problem
      return null;
    case 'additionalProperties': {
      const field = String((e.params as { additionalProperty: string }).additionalProperty);
      const issue = error(unknownFieldMessage(field, path, parent, e.data), [...path, field]);
      onFieldName.add(issue);
      return issue;
    }
    case 'required': {
      const field = String((e.params as { missingProperty: string }).missingProperty);
      return error(missingFieldMessage(field, parent, e.data), [...path, field]);
    }
    case 'enum':
      return error(enumMessage(path, e.data, (e.params as { allowedValues: unknown[] }).allowedValues));
    case 'type':
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum': {
      const message = isNumeric(parent) ? numberProblem(e.data, parent, lastKey(path)) : typeMessage(path, e.data, parent);
      return message ? error(message) : null;
    }
    case 'minLength':
      return error(`must not be empty; ${FIELD_MEANINGS[lastKey(path)] ?? 'write a value, or remove the field to use its default'}`);
    case 'maxItems':
      return error(`has ${Array.isArray(e.data) ? e.data.length : 'too many'} items; the most allowed is ${(e.params as { limit: number }).limit}`);
    default:
      return error(`is not valid here (${e.message ?? e.keyword}); see the field's description for what it accepts`);
  }
}

function toPath(pointer: string, root: unknown): JsonPath {
  const path: JsonPath = [];
  let node = root;
  for (const raw of pointer.split('/').slice(1)) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(node)) {
      path.push(Number(key));
      node = node[Number(key)];
    } else {
      path.push(key);
      node = isRecord(node) ? node[key] : undefined;
    }
  }
  return path;
}

export function lastKey(path: JsonPath): string {
  const last = path[path.length - 1];
  return typeof last === 'string' ? last : '';
}

function unknownFieldMessage(field: string, path: JsonPath, parent: FieldSchema, data: unknown): string {
  const here = Object.keys(parent.properties ?? {}).filter((k) => k !== '$schema');
  const near = closest(field, here);
  if (near) return `unknown field "${field}"; did you mean "${near}"?`;
  const elsewhere = knownFieldElsewhere(field, path);
  if (elsewhere) return `unknown field "${field}" here; it belongs in ${elsewhere}, so move it there`;
  const owner = layerType(data) && path.includes('layers') ? `a ${layerType(data)} layer has` : 'the fields here are';
  return `unknown field "${field}"; remove it (${owner} ${listOf(here)})`;
}

/** "epochs" at the top level, or Keras' habit of putting validation_split next to epochs. */
function knownFieldElsewhere(field: string, path: JsonPath): string | undefined {
  if (path.some((p) => typeof p === 'number')) return undefined;
  const top = schema.properties as Record<string, FieldSchema>;
  const here = path.join('.');
  const places = new Map<string, string>();
  for (const [name, section] of Object.entries(top)) {
    if (name !== '$schema' && here !== '') places.set(name, name);
    for (const inner of Object.keys(section.properties ?? {})) if (here !== name) places.set(inner, `${name}.${inner}`);
  }
  const near = closest(field, [...places.keys()]);
  return near ? `"${places.get(near)}"` : undefined;
}

function missingFieldMessage(field: string, parent: FieldSchema, data: unknown): string {
  const spec = parent.properties?.[field] ?? {};
  const owner = layerType(data) ? `a ${layerType(data)} layer` : field === 'type' ? 'a layer' : 'this object';
  if (spec.enum) return `${owner} needs "${field}"; add "${field}" with one of ${listOf(spec.enum)}`;
  const example = spec.default !== undefined ? `, for example "${field}": ${JSON.stringify(spec.default)}` : '';
  return `${owner} needs "${field}"; add it${example}`;
}

function layerType(data: unknown): string | undefined {
  return isRecord(data) && typeof data.type === 'string' ? data.type : undefined;
}

export function enumMessage(path: JsonPath, value: unknown, allowed: readonly unknown[]): string {
  const key = lastKey(path);
  const noun = key === 'type' ? (path.includes('layers') ? 'layer type' : `${String(path[path.length - 2])} type`) : key || 'value';
  const names = allowed.filter((a): a is string => typeof a === 'string');
  const near = typeof value === 'string' ? closest(value, names) : undefined;
  const guess = near ? `did you mean "${near}"? ` : '';
  return `unknown ${noun} ${show(value)}; ${guess}${near ? 'Use' : 'use'} one of ${listOf(allowed)}`;
}

function typeMessage(path: JsonPath, value: unknown, parent: FieldSchema): string {
  const types = Array.isArray(parent.type) ? parent.type : parent.type ? [parent.type] : [];
  const expected = types.map(typeWords).join(' or ');
  const subject = path.length === 0 ? 'the config must be' : 'must be';
  const meaning = FIELD_MEANINGS[lastKey(path)];
  const unquote =
    typeof value === 'string' && ((types.includes('boolean') && /^(true|false)$/.test(value)) || (types.includes('null') && value === 'null'))
      ? `; write ${value} without quotes`
      : '';
  return `${subject} ${expected}, not ${show(value)}${unquote}${meaning ? ` (${meaning})` : ''}`;
}

function typeWords(type: string): string {
  switch (type) {
    case 'integer':
      return 'a whole number';
    case 'number':
      return 'a number';
    case 'string':
      return 'text in double quotes';
    case 'boolean':
      return 'true or false';
    case 'null':
      return 'null';
    case 'object':
      return 'an object { … }';
    case 'array':
      return 'a list [ … ]';
    default:
      return type;
  }
}

function isNumeric(s: FieldSchema): boolean {
  return s.type === 'integer' || s.type === 'number';
}

/** The one wording for a number out of range, shared by the schema translation and the semantic checks. */
export function numberProblem(value: unknown, s: FieldSchema, key: string): string | null {
  const range = rangeWords(s);
  const meaning = FIELD_MEANINGS[key] ? ` (${FIELD_MEANINGS[key]})` : '';
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    const unquote = typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value)) ? `; write ${value.trim()} without quotes` : '';
    return `must be ${range}, not ${show(value)}${unquote}${meaning}`;
  }
  if (s.type === 'integer' && !Number.isInteger(value)) return `${value} is not a whole number; use ${range}${meaning}`;
  if ((s.minimum !== undefined && value < s.minimum) || (s.exclusiveMinimum !== undefined && value <= s.exclusiveMinimum)) {
    return `${value} is too small; use ${range}${meaning}`;
  }
  if ((s.maximum !== undefined && value > s.maximum) || (s.exclusiveMaximum !== undefined && value >= s.exclusiveMaximum)) {
    return `${value} is too large; use ${range}${meaning}`;
  }
  return null;
}

function rangeWords(s: FieldSchema): string {
  const noun = s.type === 'integer' ? 'a whole number' : 'a number';
  const { minimum: min, maximum: max, exclusiveMinimum: xmin, exclusiveMaximum: xmax } = s;
  if (min !== undefined && max !== undefined) return `${noun} from ${min} to ${max}`;
  const low = min !== undefined ? `at least ${min}` : xmin !== undefined ? `greater than ${xmin}` : '';
  const high = max !== undefined ? `at most ${max}` : xmax !== undefined ? `less than ${xmax}` : '';
  const bounds = [low, high].filter(Boolean).join(' and ');
  return bounds ? `${noun} ${min !== undefined ? 'of ' : ''}${bounds}` : noun;
}

export function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') {
    const quoted = JSON.stringify(value.length > 40 ? value.slice(0, 40) + '…' : value);
    return quoted;
  }
  return String(value);
}

function listOf(values: readonly unknown[]): string {
  return values.map((v) => (typeof v === 'string' ? `"${v}"` : String(v))).join(', ');
}

/** The candidate a typo most likely meant: same letters ignoring case, - and _ (Keras' snake_case), or a small edit distance. */
function closest(word: string, candidates: readonly string[]): string | undefined {
  const norm = (s: string) => s.toLowerCase().replace(/[-_\s]/g, '');
  const w = norm(word);
  const limit = Math.max(1, Math.floor(w.length / 3));
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = editDistance(w, norm(c));
    if (d < bestDistance) [best, bestDistance] = [c, d];
  }
  return bestDistance <= limit ? best : undefined;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length];
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
