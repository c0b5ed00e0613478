// What a config check reports, and how an issue is written for a terminal or a log. Pure.
import { formatPath } from '../config';

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
  | 'too-much-memory'
  | 'too-large'
  | 'too-deep'
  | 'data-dir';

/** A tensor's shape without the batch dimension: [height, width, channels] for images, [n] when flat. */
export type Shape = number[];

export type JsonPath = (string | number)[];

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

export function locationSuffix(line: number, column: number): string {
  return `(line ${line}, column ${column})`;
}
