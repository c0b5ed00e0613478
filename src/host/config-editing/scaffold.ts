// What `MNIST: Create Config` writes, and what it does when a config is already there. Pure.
import { tutorialConfig } from '../../shared/config';

/**
 * The tutorial's config as JSON: no comments, no $schema (jsonValidation applies the schema), 2-space
 * indent, each layer on one line as the docs write them.
 */
export function configFileText(): string {
  return printConfig(tutorialConfig());
}

/** A config value in configFileText's layout, with its final newline. */
export function printConfig(value: unknown): string {
  return printJson(value, '', false) + '\n';
}

function printJson(value: unknown, indent: string, inArray: boolean): string {
  const inner = indent + '  ';
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    return `[\n${value.map((v) => inner + printJson(v, inner, true)).join(',\n')}\n${indent}]`;
  }
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined);
    if (entries.length === 0) return '{}';
    const flat = entries.every(([, v]) => typeof v !== 'object' || v === null);
    if (inArray && flat) return `{ ${entries.map(([k, v]) => `${JSON.stringify(k)}: ${JSON.stringify(v)}`).join(', ')} }`;
    return `{\n${entries.map(([k, v]) => `${inner}${JSON.stringify(k)}: ${printJson(v, inner, false)}`).join(',\n')}\n${indent}}`;
  }
  return JSON.stringify(value);
}

export const OVERWRITE = 'Overwrite';
export const OPEN_EXISTING = 'Open Existing';

/** Write only when there is no file, or the user said Overwrite in the modal; never silently. */
export function createPlan(exists: boolean, answer: string | undefined): 'write' | 'open' | 'cancel' {
  if (!exists) return 'write';
  if (answer === OVERWRITE) return 'write';
  if (answer === OPEN_EXISTING) return 'open';
  return 'cancel';
}

export function overwriteQuestion(fileName: string, folderLabel: string): { message: string; detail: string } {
  return {
    message: `${fileName} already exists in ${folderLabel}.`,
    detail: `Overwrite it with the tutorial's config (your current ${fileName} is replaced), or open the existing one?`,
  };
}
