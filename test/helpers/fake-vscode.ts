// A small stand-in for the `vscode` module, enough to run host classes in Node's test runner.
// It records what the user would see (notifications, progress, status text) so tests can assert on it.
import Module from 'node:module';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';

type Listener<T> = (e: T) => void;

export class EventEmitter<T> {
  private listeners: Listener<T>[] = [];
  event = (l: Listener<T>) => {
    this.listeners.push(l);
    return { dispose: () => (this.listeners = this.listeners.filter((x) => x !== l)) };
  };
  fire(e: T): void {
    for (const l of [...this.listeners]) l(e);
  }
  dispose(): void {
    this.listeners = [];
  }
}

export class Uri {
  private constructor(readonly fsPath: string, readonly scheme = 'file') {}
  static file(p: string): Uri {
    return new Uri(path.resolve(p));
  }
  static joinPath(base: Uri, ...parts: string[]): Uri {
    return new Uri(path.join(base.fsPath, ...parts));
  }
  toString(): string {
    return `file://${this.fsPath}`;
  }
}

export interface Shown { kind: 'info' | 'warning' | 'error'; message: string; items: string[] }

/** What the fake user sees and answers. */
export const ui = {
  messages: [] as Shown[],
  progressReports: [] as { message?: string; increment?: number }[],
  logLines: [] as string[],
  contexts: new Map<string, unknown>(),
  /** The button the user presses on the next notification that offers it; undefined closes it. */
  answer: undefined as string | undefined,
  trusted: true,
  workspaceRoot: '',
  settings: {} as Record<string, unknown>,
  cancelProgress: undefined as (() => void) | undefined,
  reset(root: string): void {
    this.messages = [];
    this.progressReports = [];
    this.logLines = [];
    this.contexts.clear();
    this.answer = undefined;
    this.trusted = true;
    this.workspaceRoot = root;
    this.settings = {};
  },
};

function show(kind: Shown['kind']) {
  return async (message: string, ...items: unknown[]) => {
    const labels = items.filter((i): i is string => typeof i === 'string');
    ui.messages.push({ kind, message, items: labels });
    return ui.answer !== undefined && labels.includes(ui.answer) ? ui.answer : undefined;
  };
}

const log = (level: string) => (m: string) => ui.logLines.push(`${level} ${m}`);

export const fakeVscode = {
  EventEmitter,
  Uri,
  ProgressLocation: { Notification: 15, Window: 10 },
  StatusBarAlignment: { Left: 1, Right: 2 },
  ViewColumn: { Beside: -2 },
  TextEditorRevealType: { InCenterIfOutsideViewport: 2 },
  Selection: class { constructor(readonly anchor: unknown, readonly active: unknown) {} },
  Range: class { constructor(readonly start: unknown, readonly end: unknown) {} },
  Disposable: { from: (...d: { dispose(): void }[]) => ({ dispose: () => d.forEach((x) => x.dispose()) }) },
  window: {
    showInformationMessage: show('info'),
    showWarningMessage: show('warning'),
    showErrorMessage: show('error'),
    createOutputChannel: () => ({ info: log('info'), warn: log('warn'), error: log('error'), show: () => undefined, dispose: () => undefined }),
    withProgress: async <R>(_o: unknown, task: (p: { report(v: { message?: string; increment?: number }): void }, t: unknown) => Promise<R>) => {
      const cancel = new EventEmitter<void>();
      ui.cancelProgress = () => cancel.fire();
      return task({ report: (v) => ui.progressReports.push(v) }, { onCancellationRequested: cancel.event });
    },
    showTextDocument: async () => ({ selection: undefined, revealRange: () => undefined }),
  },
  workspace: {
    get isTrusted() {
      return ui.trusted;
    },
    getWorkspaceFolder: (uri: Uri) =>
      uri.fsPath.startsWith(ui.workspaceRoot) ? { uri: Uri.file(ui.workspaceRoot), name: 'ws', index: 0 } : undefined,
    getConfiguration: () => ({ get: (key: string) => ui.settings[key] }),
    openTextDocument: async (uri: Uri) => {
      const text = readFileSync(uri.fsPath, 'utf8');
      return { uri, getText: () => text, positionAt: (o: number) => ({ offset: o }) };
    },
  },
  commands: {
    executeCommand: async (cmd: string, key?: string, value?: unknown) => {
      if (cmd === 'setContext' && key) ui.contexts.set(key, value);
    },
  },
};

/** Makes `require('vscode')` (and `import … from 'vscode'`) return the fake, for this process. */
export function installFakeVscode(): void {
  const m = Module as unknown as { _load: (request: string, ...rest: unknown[]) => unknown };
  const original = m._load;
  m._load = function (request: string, ...rest: unknown[]) {
    if (request === 'vscode') return fakeVscode;
    return original.call(this, request, ...rest);
  };
}
