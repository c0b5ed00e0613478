// What the editor shows for a config file: validate.ts's checks (the trainer's and the CLI's), plus
// data.dir on disk through an injected probe. Pure: no vscode, no file system.
import { findNodeAtLocation, parseTree, type Node as JsonNode } from 'jsonc-parser';
import { checkDataDir, type ConfigIssue, type DataDirProbe, validateConfigText } from '../../shared/validate';

export const CONFIG_FILE_NAME = 'mnist.config.json';

/** mnist.config.json, or an experiment's *.mnist.config.json (as jsonValidation's fileMatch). */
export function isConfigFileName(path: string): boolean {
  const base = (path.split(/[\\/]/).pop() ?? '').toLowerCase();
  return base === CONFIG_FILE_NAME || (base.length > CONFIG_FILE_NAME.length + 1 && base.endsWith(`.${CONFIG_FILE_NAME}`));
}

export interface Analysis {
  /** Every issue with its range, as the CLI would report them. */
  issues: ConfigIssue[];
  /**
   * What to publish: all but syntax and schema issues, which VS Code's JSON language service
   * already shows from the same schema (jsonValidation); publishing them too would list each twice.
   */
  diagnostics: ConfigIssue[];
  /** The model has a dropout layer (written out or through the mlp-dropout/cnn preset). */
  usesDropout: boolean;
}

export function shownByJsonLanguageService(issue: ConfigIssue): boolean {
  return issue.code === 'syntax' || issue.code === 'schema';
}

/** The synchronous part: everything but data.dir on disk. */
export function analyzeConfigText(text: string, fileName: string): Analysis {
  const { issues } = validateConfigText(text, fileName);
  // Too large or too deep to parse again (slow, or a stack overflow): nothing more to find.
  if (issues.some(unreadable)) return finish(issues, false);
  return finish(issues, usesDropout(parseJsonc(text)));
}

/** analyzeConfigText plus the data.dir folder check, when there is a data.dir the schema accepts. */
export async function analyzeConfigFile(text: string, fileName: string, probe: DataDirProbe | undefined): Promise<Analysis> {
  const sync = analyzeConfigText(text, fileName);
  if (!probe || sync.issues.some((i) => i.code === 'syntax' || unreadable(i) || (i.code === 'schema' && onDataDir(i.path)))) return sync;
  const tree = parseJsonc(text);
  const dirNode = tree && findNodeAtLocation(tree, ['data', 'dir']);
  if (!dirNode || dirNode.type !== 'string') return sync;
  const found = await checkDataDir(dirNode.value, probe);
  if (found.length === 0) return sync;
  const located = found.map((i) => ({ ...i, range: { offset: dirNode.offset, length: dirNode.length } }));
  const issues = [...sync.issues, ...located].sort((a, b) => (a.range?.offset ?? 0) - (b.range?.offset ?? 0));
  return finish(issues, sync.usesDropout);
}

function unreadable(issue: ConfigIssue): boolean {
  return issue.code === 'too-large' || issue.code === 'too-deep';
}

/** The issue is at data.dir, inside it, or at a section holding it. */
function onDataDir(path: readonly (string | number)[]): boolean {
  const dir = ['data', 'dir'];
  return path.every((p, i) => i >= dir.length || p === dir[i]);
}

/** JSONC with positions; a BOM becomes a space so offsets match validate.ts's. */
export function parseJsonc(text: string): JsonNode | undefined {
  const source = text.charCodeAt(0) === 0xfeff ? ' ' + text.slice(1) : text;
  return parseTree(source, undefined, { allowTrailingComma: true, disallowComments: false });
}

function finish(issues: ConfigIssue[], dropout: boolean): Analysis {
  return { issues, diagnostics: issues.filter((i) => !shownByJsonLanguageService(i)), usesDropout: dropout };
}

function usesDropout(tree: JsonNode | undefined): boolean {
  if (!tree) return false;
  const layers = findNodeAtLocation(tree, ['model', 'layers']);
  if (layers?.type === 'array') {
    return (layers.children ?? []).some((l) => l.type === 'object' && findNodeAtLocation(l, ['type'])?.value === 'dropout');
  }
  const preset = findNodeAtLocation(tree, ['model', 'preset'])?.value;
  return preset === 'mlp-dropout' || preset === 'cnn';
}
