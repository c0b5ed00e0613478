// Where a run's findings go in a config file, and whether that file is the one the run trained.
// Pure (text in, offsets out): the Problems panel module maps them to VS Code ranges.
import * as path from 'node:path';
import { type Node as JsonNode, findNodeAtLocation, getNodeValue } from 'jsonc-parser';
import type { MnistConfig } from '../../shared/config';
import type { ConfigPath, RunFinding } from '../../shared/runs/findings';
import { validateConfigText } from '../../shared/validate';
import { parseJsonc } from './analyze';

export interface TextRange {
  offset: number;
  length: number;
}

/**
 * The text a finding about `p` is shown at: a number or string value itself; for an object or array
 * its property name (a squiggle over the whole model would cover the file); for a field the file
 * leaves out, the nearest enclosing property that is there; else the start of the file.
 */
export function anchorRange(text: string, p: ConfigPath): TextRange {
  const tree = parseJsonc(text);
  for (let n = p.length; tree && n > 0; n--) {
    const node = findNodeAtLocation(tree, p.slice(0, n));
    if (!node) continue;
    const key = node.parent?.type === 'property' ? node.parent.children?.[0] : undefined;
    const shown: JsonNode = node.type === 'object' || node.type === 'array' ? (key ?? node) : n === p.length ? node : (key ?? node);
    return { offset: shown.offset, length: shown.length };
  }
  return { offset: 0, length: 0 };
}

/** The fields a finding is about: its anchor and what its quick fixes change (an insertion's array). */
export function findingFields(f: RunFinding): ConfigPath[] {
  const fields: ConfigPath[] = [f.path];
  for (const fix of f.fixes) for (const e of fix.edits) fields.push(e.insert ? e.path.slice(0, -1) : e.path);
  const seen = new Set<string>();
  return fields.filter((x) => {
    const k = JSON.stringify(x);
    return seen.has(k) ? false : (seen.add(k), true);
  });
}

/** What the file says at each field, as JSON text ("" when absent): a change to any of them makes the finding stale. */
export function fieldValues(text: string, fields: readonly ConfigPath[]): string[] {
  const tree = parseJsonc(text);
  return fields.map((p) => {
    const node = tree && findNodeAtLocation(tree, p);
    return node ? JSON.stringify(getNodeValue(node)) : '';
  });
}

/** The config file's settings resolved as a run records them (data.dir absolute), or null when it has errors. */
export function resolvedFileConfig(text: string, fsPath: string): MnistConfig | null {
  const { config, issues } = validateConfigText(text, path.basename(fsPath));
  if (!config || issues.some((i) => i.severity === 'error')) return null;
  if (config.data.dir !== null) config.data.dir = path.resolve(path.dirname(fsPath), config.data.dir);
  return config;
}

function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (typeof v === 'object' && v !== null) {
    return Object.fromEntries(Object.keys(v).sort().map((k) => [k, canonical((v as Record<string, unknown>)[k])]));
  }
  return v;
}

/**
 * Whether a run trained this file's settings. The backend is left out: Train fills it from the
 * mnist.defaultBackend setting when the file has none, and it does not change what the curves say.
 */
export function sameSettings(file: MnistConfig, run: MnistConfig): boolean {
  const strip = (c: MnistConfig) => canonical({ ...c, backend: null });
  return JSON.stringify(strip(file)) === JSON.stringify(strip(run));
}
