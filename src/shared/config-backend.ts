// Whether a config file chooses its own backend, read as JSONC: a regex on the text also matched
// `"backend"` inside a comment or an experiment, so mnist.defaultBackend was silently ignored.
import { parseTree } from 'jsonc-parser';

/**
 * True when the config's top level has a "backend" key (then the mnist.defaultBackend setting does
 * not apply). Comments, strings and experiments' overrides do not count; text that does not parse
 * as an object chooses nothing.
 */
export function configSetsBackend(text: string): boolean {
  const root = parseTree(text.replace(/^\uFEFF/, ''), [], { allowTrailingComma: true, disallowComments: false });
  if (root?.type !== 'object') return false;
  return (root.children ?? []).some((p) => p.type === 'property' && p.children?.[0]?.value === 'backend');
}
