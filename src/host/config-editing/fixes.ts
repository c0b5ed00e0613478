// Quick fixes where the fix is obvious, each as one text edit on the config's text. Pure: tests apply
// them with jsonc-parser's applyEdits and validate the result.
import { type Edit, type FormattingOptions, type Node as JsonNode, applyEdits, findNodeAtLocation, modify } from 'jsonc-parser';
import { type LayerConfig, NUM_CLASSES } from '../../shared/config';
import { type ConfigIssue, validateConfigText } from '../../shared/validate';
import { parseJsonc } from './analyze';

export type FixKind = 'output-layer' | 'append-output-layer' | 'insert-flatten' | 'remove-flatten' | 'dropout-rate';

export interface QuickFix {
  kind: FixKind;
  title: string;
  /** The issue it fixes, with its range in the text. */
  issue: ConfigIssue;
  /** One edit on the text the fix was computed from. */
  edit: Edit;
  preferred: boolean;
}

export interface TextRange {
  offset: number;
  length: number;
}

/** A dropout rate of 1 or more becomes this: the cnn preset's rate, the highest in common use. A negative one becomes 0. */
export const DROPOUT_FIX_RATE = 0.5;

const OUTPUT_LAYER: LayerConfig = { type: 'dense', units: NUM_CLASSES, activation: 'softmax' };
const FLATTEN: LayerConfig = { type: 'flatten' };

type JsonPath = (string | number)[];

/** The fixes for the issues touching `range` (all issues when no range is given). */
export function quickFixes(text: string, fileName: string, range?: TextRange): QuickFix[] {
  const { issues } = validateConfigText(text, fileName);
  const fixes: QuickFix[] = [];
  const seen = new Set<string>();
  for (const issue of issues) {
    if (range && issue.range && !touches(issue.range, range)) continue;
    const fix = fixFor(text, issue);
    const key = fix && `${fix.edit.offset}:${fix.edit.length}:${fix.edit.content}`;
    if (fix && key && !seen.has(key)) {
      seen.add(key);
      fixes.push(fix);
    }
  }
  return fixes;
}

/** The fix for one issue of `text`, if its fix is obvious. */
export function fixFor(text: string, issue: ConfigIssue): QuickFix | undefined {
  const layer = layerIndex(issue.path);
  if (layer === undefined) return undefined;
  const make = (kind: FixKind, title: string, after: string | undefined, preferred = true): QuickFix | undefined =>
    after === undefined || after === text ? undefined : { kind, title, issue, edit: editBetween(text, after), preferred };

  switch (issue.code) {
    case 'output-units':
    case 'output-activation': {
      const node = nodeAt(text, ['model', 'layers', layer]);
      if (node?.type !== 'object') return undefined;
      const unitsWrong = findNodeAtLocation(node, ['units'])?.value !== NUM_CLASSES;
      const activationWrong = findNodeAtLocation(node, ['activation'])?.value !== 'softmax';
      let after = text;
      if (unitsWrong) after = setProperty(after, ['model', 'layers', layer, 'units'], NUM_CLASSES);
      if (activationWrong) after = setProperty(after, ['model', 'layers', layer, 'activation'], 'softmax');
      const title =
        unitsWrong && activationWrong
          ? `Set the last layer to ${NUM_CLASSES} units with softmax`
          : unitsWrong
            ? `Set the last layer's units to ${NUM_CLASSES}`
            : 'Set the last layer\'s activation to "softmax"';
      return make('output-layer', title, after);
    }
    case 'output-not-dense':
      return make('append-output-layer', `Add ${compactJson(OUTPUT_LAYER)} at the end`, insertLayer(text, layer + 1, OUTPUT_LAYER));
    case 'dense-on-image':
      return make('insert-flatten', `Insert ${compactJson(FLATTEN)} before this layer`, insertLayer(text, layer, FLATTEN));
    case 'flatten-twice':
      return make('remove-flatten', 'Remove this flatten', removeLayer(text, layer));
    default: {
      // A rate out of range is the schema's to report (any code); the fix is the same.
      if (issue.path.length !== 4 || issue.path[3] !== 'rate') return undefined;
      const node = nodeAt(text, issue.path);
      const rate: unknown = node?.value;
      if (node?.type !== 'number' || typeof rate !== 'number' || (rate >= 0 && rate < 1)) return undefined;
      const to = rate < 0 ? 0 : DROPOUT_FIX_RATE;
      return make('dropout-rate', `Set the dropout rate to ${to}`, setProperty(text, issue.path, to));
    }
  }
}

function layerIndex(path: JsonPath): number | undefined {
  return path[0] === 'model' && path[1] === 'layers' && typeof path[2] === 'number' ? path[2] : undefined;
}

function touches(a: TextRange, b: TextRange): boolean {
  return a.offset <= b.offset + b.length && b.offset <= a.offset + a.length;
}

function nodeAt(text: string, path: JsonPath): JsonNode | undefined {
  const tree = parseJsonc(text);
  return tree && findNodeAtLocation(tree, path);
}

// ---------------------------------------------------------------- edits that keep the file's style

/** The one edit that turns `before` into `after`: their common start and end are kept. */
export function editBetween(before: string, after: string): Edit {
  let start = 0;
  const max = Math.min(before.length, after.length);
  while (start < max && before[start] === after[start]) start++;
  let end = 0;
  while (end < max - start && before[before.length - 1 - end] === after[after.length - 1 - end]) end++;
  return { offset: start, length: before.length - start - end, content: after.slice(start, after.length - end) };
}

/** Indentation and line ends as the file has them; 2 spaces for a file without indented lines. */
export function formattingOf(text: string): FormattingOptions {
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const indent = /^([ \t]+)\S/m.exec(text)?.[1];
  if (indent?.startsWith('\t')) return { insertSpaces: false, tabSize: 4, eol };
  return { insertSpaces: true, tabSize: indent?.length ?? 2, eol };
}

/** `{ "type": "dense", "units": 10 }`: the one-line form the docs use for layers. */
export function compactJson(value: object): string {
  const entries = Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}: ${JSON.stringify(v)}`);
  return entries.length === 0 ? '{}' : `{ ${entries.join(', ')} }`;
}

function isOneLine(text: string, node: JsonNode): boolean {
  return !/[\r\n]/.test(text.slice(node.offset, node.offset + node.length));
}

/** What precedes `node` on its line when only whitespace does; otherwise undefined. */
function indentBefore(text: string, node: JsonNode): string | undefined {
  const lineStart = Math.max(text.lastIndexOf('\n', node.offset - 1) + 1, 0);
  const prefix = text.slice(lineStart, node.offset);
  return /^[ \t]*$/.test(prefix) ? prefix : undefined;
}

function splice(text: string, offset: number, length: number, content: string): string {
  return text.slice(0, offset) + content + text.slice(offset + length);
}

/** Sets a property's value; a new property in a one-line object stays on that line. */
function setProperty(text: string, path: JsonPath, value: unknown): string {
  const existing = nodeAt(text, path);
  if (existing) return splice(text, existing.offset, existing.length, JSON.stringify(value));
  const owner = nodeAt(text, path.slice(0, -1));
  const last = owner?.children?.[owner.children.length - 1];
  if (owner?.type === 'object' && last && isOneLine(text, owner)) {
    return splice(text, last.offset + last.length, 0, `, ${JSON.stringify(path[path.length - 1])}: ${JSON.stringify(value)}`);
  }
  return applyEdits(text, modify(text, path, value, { formattingOptions: formattingOf(text) }));
}

/** Inserts a layer at `index` of model.layers, one-line when its neighbour is. */
function insertLayer(text: string, index: number, layer: LayerConfig): string | undefined {
  const items = nodeAt(text, ['model', 'layers'])?.children;
  if (!items) return undefined;
  const neighbour = items[index] ?? items[index - 1];
  if (neighbour && isOneLine(text, neighbour)) {
    const eol = formattingOf(text).eol;
    const indent = indentBefore(text, neighbour);
    if (index < items.length) {
      const at = items[index].offset;
      return splice(text, at, 0, indent === undefined ? `${compactJson(layer)}, ` : `${compactJson(layer)},${eol}${indent}`);
    }
    const at = neighbour.offset + neighbour.length;
    return splice(text, at, 0, indent === undefined ? `, ${compactJson(layer)}` : `,${eol}${indent}${compactJson(layer)}`);
  }
  return applyEdits(text, modify(text, ['model', 'layers', index], layer, { isArrayInsertion: true, formattingOptions: formattingOf(text) }));
}

/** Removes layer `index` with its comma. */
function removeLayer(text: string, index: number): string | undefined {
  const items = nodeAt(text, ['model', 'layers'])?.children;
  const item = items?.[index];
  if (!items || !item) return undefined;
  const next = items[index + 1];
  if (next) return splice(text, item.offset, next.offset - item.offset, '');
  const previous = items[index - 1];
  const start = previous ? previous.offset + previous.length : item.offset;
  return splice(text, start, item.offset + item.length - start, '');
}
