// Finding mnist.config.json files in the workspace's folders without leaving them: symbolic links
// are not followed, the runs folder, node_modules and .git are not searched, and the walk is bounded.
import { type Dirent, readdirSync } from 'node:fs';
import { join } from 'node:path';

export const CONFIG_FILE = 'mnist.config.json';

export function isConfigFileName(name: string): boolean {
  return name === CONFIG_FILE || (name.endsWith(`.${CONFIG_FILE}`) && name.length > CONFIG_FILE.length + 1);
}

/** Folders a config is never looked for in, whatever their depth. */
const SKIPPED_NAMES = new Set(['node_modules', '.git', '.mnist', '.hg', '.svn']);

export interface ConfigSearchLimits {
  /** Folder levels below each workspace folder. */
  maxDepth: number;
  /** Directory entries looked at in all, so a huge tree costs a bounded time. */
  maxEntries: number;
  maxResults: number;
}

export const CONFIG_SEARCH_LIMITS: ConfigSearchLimits = { maxDepth: 8, maxEntries: 50_000, maxResults: 50 };

/** Config files under `folders`, breadth first (shallow ones first), skipping `skipDirs` (absolute paths). */
export function findConfigFiles(folders: readonly string[], skipDirs: readonly string[] = [], limits = CONFIG_SEARCH_LIMITS): string[] {
  const skip = new Set(skipDirs);
  const found: string[] = [];
  let entries = 0;
  let level: string[] = [...folders];
  for (let depth = 0; depth <= limits.maxDepth && level.length > 0; depth++) {
    const next: string[] = [];
    for (const dir of level) {
      let list: Dirent[];
      try {
        list = readdirSync(dir, { withFileTypes: true });
      } catch {
        continue;
      }
      list.sort((a, b) => a.name.localeCompare(b.name));
      for (const entry of list) {
        if (++entries > limits.maxEntries) return found;
        // Dirent types come from lstat: a link is neither a file nor a directory here, so it is never followed.
        const full = join(dir, entry.name);
        if (entry.isFile() && isConfigFileName(entry.name)) {
          found.push(full);
          if (found.length >= limits.maxResults) return found;
        } else if (entry.isDirectory() && !SKIPPED_NAMES.has(entry.name) && !skip.has(full)) next.push(full);
      }
    }
    level = next;
  }
  return found;
}
