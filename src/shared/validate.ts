// Checks for mnist.config.json: JSON(C) syntax, the schema, then what the schema cannot say
// (layer order, shapes, the output layer). Pure; runs in the trainer, the CLI and the extension host.
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import {
  findNodeAtLocation,
  parse,
  parseTree,
  printParseErrorCode,
  stripComments,
  type Node as JsonNode,
  type ParseError,
  type ParseOptions,
} from 'jsonc-parser';
import schema from '../../media/mnist.config.schema.json';
import { checkTrainingOptions } from './validate-options';
import {
  applyDefaults,
  BACKENDS,
  DATASETS,
  type DatasetName,
  formatPath,
  IMAGE_SHAPE,
  type LayerConfig,
  LOSSES,
  type MnistConfig,
  type MnistConfigInput,
  NUM_CLASSES,
  OPTIMIZERS,
} from './config';

export interface ConfigIssue {
  path: (string | number)[];
  message: string;
  severity: 'error' | 'warning';
  /** Which check found it; editors show it and key quick fixes on it. */
  code?: IssueCode;
  /** 0-based offset range in the text when validated from text */
  range?: { offset: number; length: number };
}

/**
 * 'syntax' and 'schema' are what any JSON schema validator (VS Code's JSON language service too)
 * also reports; the rest only these checks know.
 */
export type IssueCode =
  | 'syntax'
  | 'schema'
  | 'preset-ignored'
  | 'unknown-value'
  | 'out-of-range'
  | 'no-layers'
  | 'flatten-twice'
  | 'dense-on-image'
  | 'image-layer-on-flat'
  | 'image-too-small'
  | 'output-not-dense'
  | 'output-units'
  | 'output-activation'
  | 'too-many-parameters'
  | 'batch-size-over-training-set'
  | 'data-dir';

/** A tensor's shape without the batch dimension: [height, width, channels] for images, [n] when flat. */
export type Shape = number[];

type JsonPath = (string | number)[];

// ---------------------------------------------------------------- text

// JSONC, like tsconfig.json: VS Code users write comments and trailing commas, so both are accepted
// silently (the schema says so to VS Code with allowComments/allowTrailingCommas).
const PARSE_OPTIONS: ParseOptions = { allowTrailingComma: true, disallowComments: false, allowEmptyContent: false };

/**
 * Parses mnist.config.json as JSONC. A UTF-8 BOM is accepted. Only the first syntax error is
 * reported (later ones are usually its echoes), and then `value` is undefined rather than a guess.
 */
export function parseConfigText(text: string, fileName: string): { value: unknown; issues: ConfigIssue[] } {
  const source = withoutBom(text);
  if (isBlank(source)) {
    const name = baseName(fileName);
    return {
      value: undefined,
      issues: [syntaxIssue(text, 0, 0, `${name} is empty; write a JSON object such as {} (every field has a default) or { "dataset": "mnist-sample" }`)],
    };
  }
  const errors: ParseError[] = [];
  const value: unknown = parse(source, errors, PARSE_OPTIONS);
  const first = errors[0];
  if (!first) return { value, issues: [] };
  return {
    value: undefined,
    issues: [syntaxIssue(text, first.offset, first.length, `invalid JSON: ${describeSyntaxError(first, text)}`)],
  };
}

// The BOM becomes a space, not nothing, so offsets still match the text the editor holds.
function withoutBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? ' ' + text.slice(1) : text;
}

function isBlank(text: string): boolean {
  return stripComments(text).trim() === '';
}

function baseName(fileName: string): string {
  return fileName.split(/[\\/]/).pop() || fileName;
}

function syntaxIssue(text: string, offset: number, length: number, what: string): ConfigIssue {
  const { line, column } = positionAt(text, offset);
  return { path: [], severity: 'error', code: 'syntax', message: `${what} ${locationSuffix(line, column)}`, range: { offset, length } };
}

function locationSuffix(line: number, column: number): string {
  return `(line ${line}, column ${column})`;
}

function describeSyntaxError(error: ParseError, text: string): string {
  const found = text.substr(error.offset, Math.max(error.length, 1));
  switch (printParseErrorCode(error.error)) {
    case 'InvalidSymbol':
      return found.startsWith("'")
        ? `unexpected ${JSON.stringify(found)}; JSON needs double quotes around text and field names`
        : `unexpected ${JSON.stringify(found)}; text and field names need double quotes, as in "dataset": "mnist"`;
    case 'InvalidNumberFormat':
    case 'UnexpectedEndOfNumber':
      return `${JSON.stringify(found)} is not a number; write numbers like 0.001, 32 or 1e-3`;
    case 'PropertyNameExpected':
      return 'expected a field name in double quotes, as in "epochs"';
    case 'ValueExpected':
      return 'expected a value: a number, "text", true, false, null, [ … ] or { … }';
    case 'ColonExpected':
      return 'expected a colon after the field name, as in "epochs": 5';
    case 'CommaExpected':
      return 'expected a comma between two values or fields';
    case 'CloseBraceExpected':
      return 'expected a comma or a closing } here; check for a missing comma or }';
    case 'CloseBracketExpected':
      return 'expected a comma or a closing ] here; check for a missing comma or ]';
    case 'EndOfFileExpected':
      return 'unexpected text after the end of the config object; remove it (or a } closes the object too early)';
    case 'UnexpectedEndOfString':
      return 'a text value is not closed; add the closing "';
    case 'UnexpectedEndOfComment':
      return 'a /* comment is not closed; add */';
    case 'InvalidEscapeCharacter':
      return 'invalid backslash escape in a text value; in JSON a backslash is written \\\\ (or use / in folder paths)';
    case 'InvalidUnicode':
      return 'invalid \\u escape in a text value; it needs four hex digits, as in \\u00e9';
    case 'InvalidCharacter':
      return 'a line break or tab inside a text value; write it as \\n or \\t, or close the " before the line ends';
    default:
      return 'the text cannot be read as JSON here';
  }
}

/** 1-based line and column (in UTF-16 code units, as editors count) of a 0-based offset. */
export function positionAt(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  const end = Math.min(offset, text.length);
  for (let i = 0; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || (c === 13 && text.charCodeAt(i + 1) !== 10)) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

// ---------------------------------------------------------------- schema

// VS Code's own schema keywords; ajv keeps strict mode for everything else, so a typo in the schema still fails.
const VSCODE_KEYWORDS = ['defaultSnippets', 'markdownDescription', 'enumDescriptions', 'allowComments', 'allowTrailingCommas'];

let compiled: ValidateFunction | undefined;
function schemaValidator(): ValidateFunction {
  compiled ??= new Ajv({ allErrors: true, verbose: true }).addVocabulary(VSCODE_KEYWORDS).compile(schema);
  return compiled;
}

/** Issues pointing at a field name rather than its value (unknown fields): the squiggle goes on the name. */
const onFieldName = new WeakSet<ConfigIssue>();

/**
 * Schema, then semantic checks, then defaults. Semantic checks still run on the top-level sections
 * that passed the schema, so a typo in "training" does not hide a mistake in "model".
 * `config` is null when any issue is an error.
 */
export function validateConfig(value: unknown): { config: MnistConfig | null; issues: ConfigIssue[] } {
  const validate = schemaValidator();
  const issues: ConfigIssue[] = validate(value) ? [] : translateSchemaErrors(validate.errors ?? [], value);
  if (!isRecord(value)) return { config: null, issues };

  const broken = new Set(issues.map((i) => i.path[0]));
  const input = Object.fromEntries(Object.entries(value).filter(([k]) => !broken.has(k))) as MnistConfigInput;
  issues.push(...checkInput(input));
  const config = applyDefaults(input);
  // The training set's size needs a valid dataset and split.
  const needs = (i: ConfigIssue) => (i.code === 'batch-size-over-training-set' ? ['training', 'dataset', 'data'] : [i.path[0]]);
  issues.push(...checkModel(config).filter((i) => !needs(i).some((k) => broken.has(k))));
  return { config: issues.some((i) => i.severity === 'error') ? null : config, issues };
}

/** What only the written config shows: the resolved one has lost it. */
function checkInput(input: MnistConfigInput): ConfigIssue[] {
  const preset = input.model?.preset;
  if (preset && input.model?.layers) {
    return [
      {
        path: ['model', 'preset'],
        severity: 'warning',
        code: 'preset-ignored',
        message: `"preset": "${preset}" is ignored because "layers" is also given (layers win); remove "preset", or remove "layers" to train the ${preset} preset`,
      },
    ];
  }
  return [];
}

/** parseConfigText + validateConfig, with each issue's `range` set to its node in the text. */
export function validateConfigText(text: string, fileName: string): { config: MnistConfig | null; issues: ConfigIssue[] } {
  const parsed = parseConfigText(text, fileName);
  if (parsed.issues.some((i) => i.severity === 'error')) return { config: null, issues: parsed.issues };
  const result = validateConfig(parsed.value);
  const tree = parseTree(withoutBom(text), undefined, PARSE_OPTIONS);
  const issues = result.issues.map((i) => (i.range ? i : { ...i, range: rangeOf(tree, i) }));
  // In file order, as a reader meets them.
  issues.sort((a, b) => (a.range?.offset ?? 0) - (b.range?.offset ?? 0));
  return { config: result.config, issues: [...parsed.issues, ...issues] };
}

/** The node at the issue's path, or its nearest existing ancestor (a missing field points at its object). */
function rangeOf(tree: JsonNode | undefined, issue: ConfigIssue): { offset: number; length: number } {
  if (!tree) return { offset: 0, length: 0 };
  const path = [...issue.path];
  let node = findNodeAtLocation(tree, path);
  const exact = node !== undefined;
  while (!node && path.length > 0) {
    path.pop();
    node = findNodeAtLocation(tree, path);
  }
  node ??= tree;
  if (exact && onFieldName.has(issue) && node.parent?.type === 'property' && node.parent.children?.[0]) {
    node = node.parent.children[0];
  }
  return { offset: node.offset, length: node.length };
}

// ---------------------------------------------------------------- schema errors in plain words

interface FieldSchema {
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

function translateSchemaErrors(errors: readonly ErrorObject[], root: unknown): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const seen = new Set<string>();
  for (const e of errors) {
    const issue = translateSchemaError(e, root);
    if (!issue) continue;
    const key = `${formatPath(issue.path)}\n${issue.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    issue.code = 'schema';
    issues.push(issue);
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

function lastKey(path: JsonPath): string {
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

function enumMessage(path: JsonPath, value: unknown, allowed: readonly unknown[]): string {
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
function numberProblem(value: unknown, s: FieldSchema, key: string): string | null {
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

function show(value: unknown): string {
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

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

// ---------------------------------------------------------------- semantic checks

const FIELDS = {
  validationSplit: schema.properties.data.properties.validationSplit,
  epochs: schema.properties.training.properties.epochs,
  batchSize: schema.properties.training.properties.batchSize,
  learningRate: schema.properties.training.properties.learningRate,
  seed: schema.properties.training.properties.seed,
  units: schema.definitions.dense.properties.units,
  rate: schema.definitions.dropout.properties.rate,
  filters: schema.definitions.conv2d.properties.filters,
  kernelSize: schema.definitions.conv2d.properties.kernelSize,
  strides: schema.definitions.conv2d.properties.strides,
  poolSize: schema.definitions.maxPooling2d.properties.poolSize,
} satisfies Record<string, FieldSchema>;

/** Beyond this the weights alone need over 400 MB (more with Adam's state): the trainer would stall, not learn. */
const MAX_PARAMETERS = 100_000_000;

/**
 * The checks a schema cannot express, on a resolved config: the layer stack against 28×28×1 input
 * and the 10-class categoricalCrossentropy output, plus the ranges again for configs that did not
 * come through validateConfig (a run's config.json, an IPC message).
 */
export function checkModel(config: MnistConfig): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const error = (path: JsonPath, code: IssueCode, message: string) => issues.push({ path, severity: 'error', code, message });
  const enumCheck = (path: JsonPath, value: unknown, allowed: readonly string[]) => {
    if (!allowed.includes(value as string)) error(path, 'unknown-value', enumMessage(path, value, allowed));
  };
  const numberCheck = (path: JsonPath, value: unknown, s: FieldSchema) => {
    const problem = numberProblem(value, s, lastKey(path));
    if (problem) error(path, 'out-of-range', problem);
    return !problem;
  };

  enumCheck(['dataset'], config.dataset, DATASETS);
  enumCheck(['backend'], config.backend, BACKENDS);
  const splitOk = numberCheck(['data', 'validationSplit'], config.data?.validationSplit, FIELDS.validationSplit);
  numberCheck(['training', 'epochs'], config.training?.epochs, FIELDS.epochs);
  const batchOk = numberCheck(['training', 'batchSize'], config.training?.batchSize, FIELDS.batchSize);
  numberCheck(['training', 'learningRate'], config.training?.learningRate, FIELDS.learningRate);
  enumCheck(['training', 'optimizer'], config.training?.optimizer, OPTIMIZERS);
  enumCheck(['training', 'loss'], config.training?.loss, LOSSES);
  if (splitOk && batchOk) issues.push(...checkBatchSize(config));
  issues.push(...checkTrainingOptions(config, numberProblem, enumMessage));

  const layers: readonly LayerConfig[] = Array.isArray(config.model?.layers) ? config.model.layers : [];
  if (layers.length === 0) {
    error(
      ['model', 'layers'],
      'no-layers',
      'the model has no layers; add some, ending with { "type": "dense", "units": 10, "activation": "softmax" }, or remove "layers" to train the tutorial\'s model',
    );
    return issues;
  }
  const walk = walkModel(layers);
  issues.push(...walk.issues);
  issues.push(...checkOutputLayer(layers, config.training?.loss ?? 'categoricalCrossentropy'));
  if (walk.parameters > MAX_PARAMETERS) {
    const gb = (walk.parameters * 4) / 1e9;
    error(
      ['model', 'layers'],
      'too-many-parameters',
      `the model would have ${walk.parameters.toLocaleString('en-US')} parameters (about ${gb >= 1 ? `${gb.toFixed(1)} GB` : `${Math.round(gb * 1000)} MB`} of weights), too many to train; use fewer units or filters (the tutorial's model has 109,386)`,
    );
  }
  return issues;
}

/** Training images before the validation split; mnist-sample keeps the last 2,000 of its 10,000 as the test set. */
const TRAINING_IMAGES: Readonly<Record<DatasetName, number>> = { mnist: 60_000, 'fashion-mnist': 60_000, 'mnist-sample': 8_000 };

/**
 * The images left to fit on after the validation split, as the trainer splits them (the first
 * ⌊n × (1 − validationSplit)⌋); null when unknown: a data.dir folder, or an unknown dataset.
 */
export function trainingSetSize(config: Pick<MnistConfig, 'dataset' | 'data'>): number | null {
  const split = config.data?.validationSplit;
  if ((config.data?.dir ?? null) !== null || typeof split !== 'number') return null;
  const total = (TRAINING_IMAGES as Record<string, number | undefined>)[config.dataset];
  return total === undefined ? null : Math.floor(total * (1 - split));
}

// A warning, not an error: fit takes one batch of every image, so it trains, one step per epoch.
function checkBatchSize(config: MnistConfig): ConfigIssue[] {
  const size = trainingSetSize(config);
  const batchSize = config.training.batchSize;
  if (size === null || batchSize <= size) return [];
  const total = TRAINING_IMAGES[config.dataset];
  return [
    {
      path: ['training', 'batchSize'],
      severity: 'warning',
      code: 'batch-size-over-training-set',
      message: `batchSize ${batchSize} is larger than the training set: ${config.dataset} has ${fmt(size)} training images (${fmt(total)} × (1 − ${config.data.validationSplit}) after the validation split), so each epoch would be a single step; use at most ${fmt(size)} (the tutorial uses 32)`,
    },
  ];
}

function fmt(n: number): string {
  return n.toLocaleString('en-US');
}

/** What a look into a data.dir folder found; `dir` is the folder looked at, resolved. */
export type DataDirFinding = { dir: string; missing: string[] } | { dir: string; error: string };
/** Looks into the folder a config's data.dir names (relative to the config file's folder). Injected: this module has no file system. */
export type DataDirProbe = (dir: string) => Promise<DataDirFinding>;

const DATA_DIR_HINT =
  'point data.dir at a folder holding train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz and t10k-labels-idx1-ubyte.gz (gzip or not), or set it to null to download the dataset';

/** data.dir must name a folder holding the four IDX files; the trainer's words for what is wrong. */
export async function checkDataDir(dir: unknown, probe: DataDirProbe): Promise<ConfigIssue[]> {
  if (typeof dir !== 'string' || dir.trim() === '') return [];
  const found = await probe(dir);
  const issue = (message: string): ConfigIssue[] => [{ path: ['data', 'dir'], severity: 'error', code: 'data-dir', message: `${message}; ${DATA_DIR_HINT}` }];
  if ('error' in found) return issue(found.error);
  if (found.missing.length > 0) return issue(`data.dir ${found.dir} lacks ${found.missing.join(', ')} (the .gz suffix is optional)`);
  return [];
}

function checkOutputLayer(layers: readonly LayerConfig[], loss: string): ConfigIssue[] {
  const i = layers.length - 1;
  const last: unknown = layers[i];
  const at = (...rest: JsonPath): JsonPath => ['model', 'layers', i, ...rest];
  const output = `{ "type": "dense", "units": ${NUM_CLASSES}, "activation": "softmax" }`;
  if (!isRecord(last) || last.type !== 'dense') {
    const what = isRecord(last) && typeof last.type === 'string' ? `a ${last.type} layer` : 'not a layer';
    return [
      {
        path: at(),
        severity: 'error',
        code: 'output-not-dense',
        message: `the last layer must be a dense layer with ${NUM_CLASSES} units (one per class) and softmax for ${loss}, but this is ${what}; add ${output} at the end`,
      },
    ];
  }
  const issues: ConfigIssue[] = [];
  if (last.units !== NUM_CLASSES) {
    issues.push({
      path: at('units'),
      severity: 'error',
      code: 'output-units',
      message: `the last layer must have ${NUM_CLASSES} units (one per class) for ${loss}; set "units": ${NUM_CLASSES}`,
    });
  }
  if (last.activation !== 'softmax') {
    const now = last.activation === undefined ? ' (none given means "linear")' : `, not ${show(last.activation)}`;
    issues.push({
      path: at('activation'),
      severity: 'error',
      code: 'output-activation',
      message: `the last layer's activation must be "softmax" for ${loss}${now}: it turns the ${NUM_CLASSES} outputs into class probabilities; set "activation": "softmax"`,
    });
  }
  return issues;
}

/**
 * Each layer's output shape from a 28×28×1 image, as tfjs would compute it (dense on an image acts
 * on the last axis, as in Keras). A layer that cannot take its input gets null, and the next layer
 * sees the last good shape, as if that layer were removed: one mistake, one message.
 */
export function inferShapes(layers: readonly LayerConfig[]): (Shape | null)[] {
  return walkModel(layers).shapes;
}

interface ModelWalk {
  shapes: (Shape | null)[];
  issues: ConfigIssue[];
  parameters: number;
}

function walkModel(layers: readonly LayerConfig[]): ModelWalk {
  const shapes: (Shape | null)[] = [];
  const issues: ConfigIssue[] = [];
  let parameters = 0;
  let shape: Shape = [...IMAGE_SHAPE];
  let flattenedAt: number | null = null;
  let denseOnImageReported = false;

  layers.forEach((layer, i) => {
    const at = (...rest: JsonPath): JsonPath => ['model', 'layers', i, ...rest];
    const error = (code: IssueCode, message: string, path: JsonPath = at()) => issues.push({ path, severity: 'error', code, message });
    const field = (name: keyof typeof FIELDS, fallback?: number): number | null => {
      const value = (layer as unknown as Record<string, unknown>)[name] ?? fallback;
      const problem = numberProblem(value, FIELDS[name], name);
      if (problem) error('out-of-range', problem, at(name));
      return problem ? null : (value as number);
    };
    const input = shape;
    const flatSince = flattenedAt === null ? '' : `, since the flatten at ${formatPath(['model', 'layers', flattenedAt])}`;
    let output: Shape | null = null;

    switch (layer?.type) {
      case 'flatten':
        if (input.length === 1) {
          error('flatten-twice', `the data is already flat (${formatShape(input)}${flatSince}); remove this flatten`);
        } else {
          output = [product(input)];
          flattenedAt = i;
        }
        break;
      case 'dense': {
        const units = field('units');
        if (input.length > 1 && !denseOnImageReported) {
          denseOnImageReported = true;
          error(
            'dense-on-image',
            `a dense layer needs flat input, but here the data is still a ${formatShape(input)} image; add { "type": "flatten" } before it (Flatten turns ${formatShape(input)} into ${product(input)} values)`,
          );
        }
        if (units !== null) {
          output = [...input.slice(0, -1), units];
          parameters += input[input.length - 1] * units + units;
        }
        break;
      }
      case 'dropout':
        if (field('rate') !== null) output = input;
        break;
      case 'batchNormalization':
        output = input;
        parameters += 4 * input[input.length - 1];
        break;
      case 'conv2d':
      case 'maxPooling2d': {
        const conv = layer.type === 'conv2d';
        const window = conv ? field('kernelSize') : field('poolSize', 2);
        const strides = field('strides', conv ? 1 : window ?? 2);
        const filters = conv ? field('filters') : input[input.length - 1];
        const padding = conv ? (layer.padding ?? 'valid') : 'valid';
        if (window === null || strides === null || filters === null) break;
        if (input.length !== 3) {
          error(
            'image-layer-on-flat',
            `a ${layer.type} layer needs an image (height×width×channels), but here the data is already flat (${formatShape(input)}${flatSince}); move this layer before the flatten`,
          );
          break;
        }
        const [h, w, channels] = input;
        const side = (n: number) => (padding === 'same' ? Math.ceil(n / strides) : Math.floor((n - window) / strides) + 1);
        const would: Shape = [side(h), side(w), filters];
        if (would[0] <= 0 || would[1] <= 0) {
          const setting = conv ? `kernelSize ${window}` : `poolSize ${window}`;
          const advice = conv
            ? 'use a smaller kernelSize, "padding": "same", or fewer pooling layers before it'
            : 'remove it, use a smaller poolSize, or pool less before it';
          error('image-too-small', `this ${layer.type} would shrink the image to ${formatShape(would)} (its input is ${formatShape(input)}, ${setting}${strides !== (conv ? 1 : window) ? `, strides ${strides}` : ''}); ${advice}`);
          break;
        }
        output = would;
        if (conv) parameters += window * window * channels * filters + filters;
        break;
      }
      default: {
        const type = (layer as { type?: unknown } | undefined)?.type;
        error('unknown-value', enumMessage(at('type'), type, ['flatten', 'dense', 'dropout', 'conv2d', 'maxPooling2d', 'batchNormalization']), at('type'));
      }
    }
    shapes.push(output);
    if (output) shape = output;
  });
  return { shapes, issues, parameters };
}

function product(shape: Shape): number {
  return shape.reduce((a, b) => a * b, 1);
}

function formatShape(shape: Shape): string {
  return shape.length === 1 ? `${shape[0]} values` : shape.join('×');
}

// ---------------------------------------------------------------- output

/**
 * One line for a terminal or log: "mnist.config.json: model.layers[3].units: …". Given the text the
 * issue came from, the location becomes "mnist.config.json:12:17:", the form editors and problem
 * matchers link to.
 */
export function formatIssue(issue: ConfigIssue, fileName?: string, text?: string): string {
  let message = issue.message;
  let where = fileName ?? '';
  if (text !== undefined && issue.range) {
    const { line, column } = positionAt(text, issue.range.offset);
    where = `${where ? `${where}:` : ''}${line}:${column}`;
    // Syntax messages carry their own location for callers without the text; say it once.
    const suffix = ` ${locationSuffix(line, column)}`;
    if (message.endsWith(suffix)) message = message.slice(0, -suffix.length);
  }
  const parts = [where, issue.severity === 'warning' ? 'warning' : '', issue.path.length > 0 ? formatPath(issue.path) : '', message];
  return parts.filter(Boolean).join(': ');
}
