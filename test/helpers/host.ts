// What the host tests share: the extension context VS Code would pass, a poll for state held in
// another process, and the wait for a TrainingSession to go idle.
import { join } from 'node:path';
import { Uri } from './fake-vscode';
import { repoRoot } from './paths';

/** The ExtensionContext fields the extension uses: global storage under `storageRoot`, the repository as the extension. */
export function fakeContext(storageRoot: string, globalStorage = join(storageRoot, '.global')) {
  return {
    globalStorageUri: Uri.file(globalStorage),
    extensionUri: Uri.file(repoRoot),
    asAbsolutePath: (p: string) => join(repoRoot, p),
    subscriptions: [] as { dispose(): unknown }[],
  };
}

/** Resolves when `check` holds, looking every 20 ms; rejects after `ms`. For state another process changes. */
export async function until(check: () => boolean, what: string, ms = 120_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

interface SessionLike {
  readonly state: string;
  onDidChange(listener: () => void): { dispose(): void };
}

/** Resolves the next time the session goes idle (its trainer has exited). Call it before starting the run. */
export function sessionIdle(session: SessionLike): Promise<void> {
  return new Promise((resolve) => {
    const sub = session.onDidChange(() => {
      if (session.state === 'idle') {
        sub.dispose();
        resolve();
      }
    });
  });
}
