// Checks for mnist.config.json: JSON(C) syntax, the schema, then what the schema cannot say
// (layer order, shapes, the output layer). Pure; runs in the trainer, the CLI and the extension host.
import type { ValidateFunction } from 'ajv';
import { findNodeAtLocation, parseTree, type Node as JsonNode } from 'jsonc-parser';
import schema from '../../media/mnist.config.schema.json';
import { applyDefaults, type MnistConfig, type MnistConfigInput } from './config';
import { type ConfigIssue } from './validate/issues';
import { PARSE_OPTIONS, parseConfigText, withoutBom } from './validate/text';
import { isRecord, onFieldName, translateSchemaErrors } from './validate/schema-words';
import { checkModel } from './validate/model-checks';

export type { ConfigIssue, IssueCode, Shape } from './validate/issues';
export { formatIssue, positionAt } from './validate/issues';
export { MAX_CONFIG_CHARS, MAX_CONFIG_DEPTH, parseConfigText, tooLargeIssue } from './validate/text';
export { MAX_SCHEMA_ISSUES } from './validate/schema-words';
export { MAX_ACTIVATION_BYTES, checkDataDir, checkModel, inferShapes, trainingSetSize, type DataDirFinding, type DataDirProbe } from './validate/model-checks';

// ---------------------------------------------------------------- schema

// VS Code's own schema keywords; ajv keeps strict mode for everything else, so a typo in the schema still fails.
const VSCODE_KEYWORDS = ['defaultSnippets', 'markdownDescription', 'enumDescriptions', 'allowComments', 'allowTrailingCommas'];

// Setting up ajv's modules is half of the extension's activation (about 30 ms of CPU), so it
// happens on the first validation instead (the extension host loads it from its own bundle,
// dist/ajv.js: see esbuild.mjs). A CommonJS require in every runtime this file is bundled for.
declare const require: (id: 'ajv') => typeof import('ajv');

let compiled: ValidateFunction | undefined;
function schemaValidator(): ValidateFunction {
  if (!compiled) {
    const Ajv = require('ajv').default;
    compiled = new Ajv({ allErrors: true, verbose: true }).addVocabulary(VSCODE_KEYWORDS).compile(schema);
  }
  return compiled;
}

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
  const needs = (i: ConfigIssue) =>
    i.code === 'batch-size-over-training-set' ? ['training', 'dataset', 'data'] : i.code === 'too-much-memory' ? ['training', 'dataset', 'data', 'model'] : [i.path[0]];
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

