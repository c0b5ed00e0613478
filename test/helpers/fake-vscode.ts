// A small stand-in for the `vscode` module, enough to run host classes in Node's test runner.
// It records what the user would see (notifications, progress, status text) so tests can assert on it.
import Module from 'node:module';
import { mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
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

export class ThemeIcon {
  constructor(readonly id: string, readonly color?: ThemeColor) {}
}
export class ThemeColor {
  constructor(readonly id: string) {}
}
export class MarkdownString {
  supportThemeIcons = false;
  isTrusted = false;
  constructor(public value = '') {}
}
export class TreeItem {
  id?: string;
  description?: string;
  tooltip?: unknown;
  iconPath?: unknown;
  contextValue?: string;
  command?: unknown;
  accessibilityInformation?: unknown;
  constructor(readonly label: string, readonly collapsibleState = 0) {}
}
export class RelativePattern {
  constructor(readonly base: unknown, readonly pattern: string) {}
}

export interface FakeTreeView {
  id: string;
  provider: { getChildren(e?: unknown): unknown; getTreeItem(e: unknown): TreeItem; onDidChangeTreeData?: (l: (e: unknown) => void) => unknown };
  selection: unknown[];
  message?: string;
  description?: string;
  badge?: unknown;
  canSelectMany: boolean;
  dispose(): void;
}

export interface FakePanel {
  viewType: string;
  title: string;
  html: string;
  posted: unknown[];
  /** Sends a message as the panel's script would. */
  receive(m: unknown): void;
  disposed: boolean;
  dispose(): void;
  /** An editor panel (createWebviewPanel) or a sidebar view (registerWebviewViewProvider, resolved by resolveWebviewView). */
  kind: 'panel' | 'view';
  /** The webview's options as last set (enableScripts, localResourceRoots). */
  readonly options: { enableScripts?: boolean; localResourceRoots?: Uri[]; [k: string]: unknown };
  /** Every value html was set to, in order: one per render. */
  renders: string[];
}

export interface FakeWatcher {
  pattern: unknown;
  fire(kind: 'create' | 'change' | 'delete', uri: Uri): void;
  dispose(): void;
}

function createTreeView(id: string, o: { treeDataProvider: FakeTreeView['provider']; canSelectMany?: boolean }): FakeTreeView {
  const view: FakeTreeView = { id, provider: o.treeDataProvider, selection: [], canSelectMany: o.canSelectMany ?? false, dispose: () => ui.treeViews.delete(id) };
  ui.treeViews.set(id, view);
  return view;
}

function fakeWebview(viewType: string, title: string, kind: FakePanel['kind'], options: Record<string, unknown>) {
  const received = new EventEmitter<unknown>();
  const disposed = new EventEmitter<void>();
  const webview = {
    options: { ...options } as FakePanel['options'],
    cspSource: 'vscode-webview://fake',
    get html() {
      return panel.html;
    },
    set html(v: string) {
      panel.html = v;
      panel.renders.push(v);
    },
    asWebviewUri: (u: Uri) => u,
    postMessage: async (m: unknown) => {
      // VS Code serialises a message when it is posted: later changes to its arrays are not sent.
      panel.posted.push(structuredClone(m));
      return true;
    },
    onDidReceiveMessage: received.event,
  };
  const panel: FakePanel = {
    viewType,
    title,
    html: '',
    posted: [],
    receive: (m) => received.fire(m),
    disposed: false,
    dispose: () => {
      if (panel.disposed) return;
      panel.disposed = true;
      disposed.fire();
    },
    kind,
    get options() {
      return webview.options;
    },
    renders: [],
  };
  ui.panels.push(panel);
  return { panel, webview, onDidDispose: disposed.event };
}

function createWebviewPanel(viewType: string, title: string, _column?: unknown, options: Record<string, unknown> = {}): unknown {
  const { panel, webview, onDidDispose } = fakeWebview(viewType, title, 'panel', options);
  return {
    webview,
    title,
    iconPath: undefined,
    reveal: () => undefined,
    onDidDispose,
    dispose: panel.dispose,
  };
}

/** Opens a registered webview view, as VS Code does when the user shows it; returns its recording. */
export function resolveWebviewView(viewId: string): FakePanel {
  const provider = ui.viewProviders.get(viewId);
  if (!provider) throw new Error(`no webview view provider registered for ${viewId}`);
  const { panel, webview, onDidDispose } = fakeWebview(viewId, viewId, 'view', {});
  const view = { webview, viewType: viewId, visible: true, onDidDispose, onDidChangeVisibility: new EventEmitter<void>().event, show: () => undefined };
  void provider.resolveWebviewView(view, { state: undefined }, { isCancellationRequested: false, onCancellationRequested: new EventEmitter<void>().event });
  return panel;
}

function createFileSystemWatcher(pattern: unknown): FakeWatcher & Record<string, unknown> {
  const emitters = { create: new EventEmitter<Uri>(), change: new EventEmitter<Uri>(), delete: new EventEmitter<Uri>() };
  const w = {
    pattern,
    fire: (kind: 'create' | 'change' | 'delete', uri: Uri) => emitters[kind].fire(uri),
    onDidCreate: emitters.create.event,
    onDidChange: emitters.change.event,
    onDidDelete: emitters.delete.event,
    dispose: () => (ui.watchers = ui.watchers.filter((x) => x !== w)),
  };
  ui.watchers.push(w);
  return w;
}

export class Position {
  constructor(readonly line: number, readonly character: number) {}
}
export class Location {
  constructor(readonly uri: Uri, readonly range: unknown) {}
}
export class DiagnosticRelatedInformation {
  constructor(readonly location: Location, readonly message: string) {}
}
/** Records its replacements, so a test can apply a code action's edit. */
export class WorkspaceEdit {
  readonly replacements: { uri: Uri; range: unknown; text: string }[] = [];
  replace(uri: Uri, range: unknown, text: string): void {
    this.replacements.push({ uri, range, text });
  }
}

export class Diagnostic {
  source?: string;
  code?: unknown;
  relatedInformation?: DiagnosticRelatedInformation[];
  constructor(readonly range: unknown, readonly message: string, readonly severity: number) {}
}

/** Text documents as the workspace reports them: open, change, save, close. */
const documentEvents = {
  open: new EventEmitter<unknown>(),
  change: new EventEmitter<unknown>(),
  save: new EventEmitter<unknown>(),
  close: new EventEmitter<unknown>(),
};

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
  /** What the user types into the next input box; undefined cancels it. */
  inputAnswer: undefined as string | undefined,
  /** Picks from a quick pick's items; undefined cancels it. */
  pick: undefined as ((items: { label: string }[]) => unknown) | undefined,
  /** Every executeCommand call but setContext, in order. */
  commandsRun: [] as { command: string; args: unknown[] }[],
  /** Handlers from commands.registerCommand, by id. */
  registered: new Map<string, (...args: unknown[]) => unknown>(),
  treeViews: new Map<string, FakeTreeView>(),
  panels: [] as FakePanel[],
  watchers: [] as FakeWatcher[],
  /** Makes workspace.fs.delete with useTrash fail, as on a remote without a trash. */
  trashFails: false,
  /** Paths passed to workspace.fs.delete, with whether the trash was asked for. */
  deleted: [] as { path: string; useTrash: boolean }[],
  workspaceFolders: undefined as { uri: Uri; name: string; index: number }[] | undefined,
  /** Settings from the workspace's .vscode/settings.json (`settings` are the user's); get() prefers these. */
  workspaceSettings: {} as Record<string, unknown>,
  /** Providers from window.registerWebviewViewProvider, by view id. */
  viewProviders: new Map<string, { resolveWebviewView(view: unknown, context: unknown, token: unknown): unknown }>(),
  /** What the save dialog answers (a path), or undefined: cancelled. */
  saveAnswer: undefined as string | undefined,
  /** Every save dialog shown, with its options. */
  saveDialogs: [] as { defaultUri?: Uri; title?: string }[],
  /** Paths written through workspace.fs.writeFile. */
  written: [] as string[],
  /** The output channels created, by name. */
  channels: [] as string[],
  /** Grants trust as the user would in the Workspace Trust editor: isTrusted turns true, then onDidGrantWorkspaceTrust fires. */
  grantTrust(): void {
    this.trusted = true;
    trustGranted.fire();
  },
  /** What diagnostic collections hold, by collection name, then by document uri (toString()). */
  diagnostics: new Map<string, Map<string, Diagnostic[]>>(),
  /** workspace.textDocuments. */
  textDocuments: [] as unknown[],
  documentEvents,
  reset(root: string): void {
    this.workspaceSettings = {};
    this.viewProviders.clear();
    this.saveAnswer = undefined;
    this.saveDialogs = [];
    this.written = [];
    this.channels = [];
    this.diagnostics.clear();
    this.textDocuments = [];
    this.inputAnswer = undefined;
    this.pick = undefined;
    this.commandsRun = [];
    this.registered.clear();
    this.treeViews.clear();
    this.panels = [];
    this.watchers = [];
    this.trashFails = false;
    this.deleted = [];
    this.workspaceFolders = [{ uri: Uri.file(root), name: 'ws', index: 0 }];
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

const trustGranted = new EventEmitter<void>();
/** Fire with { affectsConfiguration: (section) => boolean } after changing ui.settings. */
export const configurationChanged = new EventEmitter<{ affectsConfiguration(section: string): boolean }>();

/** `get` as VS Code answers it: workspace over user settings (restricted settings are VS Code's business, see settings.ts). */
function configuration(section?: string) {
  return {
    get: (k: string, fallback?: unknown) => ui.workspaceSettings[k] ?? ui.settings[k] ?? fallback,
    inspect: (k: string) => ({ key: `${section ?? ''}.${k}`, globalValue: ui.settings[k], workspaceValue: ui.workspaceSettings[k] }),
  };
}

/** The config files under the workspace root (the only glob the extension asks for), node_modules left out. */
function findConfigFiles(): Uri[] {
  const found: Uri[] = [];
  const walk = (dir: string, depth: number) => {
    if (depth > 4) return;
    for (const name of readdirSync(dir)) {
      if (name === 'node_modules' || name.startsWith('.')) continue;
      const full = path.join(dir, name);
      if (statSync(full).isDirectory()) walk(full, depth + 1);
      else if (name === 'mnist.config.json' || name.endsWith('.mnist.config.json')) found.push(Uri.file(full));
    }
  };
  if (ui.workspaceRoot) walk(ui.workspaceRoot, 0);
  return found;
}

function show(kind: Shown['kind']) {
  return async (message: string, ...items: unknown[]) => {
    const labels = items.filter((i): i is string => typeof i === 'string');
    ui.messages.push({ kind, message, items: labels });
    return ui.answer !== undefined && labels.includes(ui.answer) ? ui.answer : undefined;
  };
}

const log = (level: string) => (m: string) => ui.logLines.push(`${level} ${m}`);

function createDiagnosticCollection(name: string): unknown {
  const held = new Map<string, Diagnostic[]>();
  ui.diagnostics.set(name, held);
  return {
    name,
    set: (uri: { toString(): string }, diagnostics: Diagnostic[]) => void held.set(uri.toString(), diagnostics),
    delete: (uri: { toString(): string }) => void held.delete(uri.toString()),
    clear: () => held.clear(),
    dispose: () => held.clear(),
  };
}

export const fakeVscode = {
  EventEmitter,
  Uri,
  ProgressLocation: { Notification: 15, Window: 10 },
  StatusBarAlignment: { Left: 1, Right: 2 },
  ViewColumn: { Beside: -2, Active: -1, One: 1 },
  TextEditorRevealType: { InCenterIfOutsideViewport: 2 },
  Selection: class { constructor(readonly anchor: unknown, readonly active: unknown) {} },
  Range: class {
    constructor(readonly start: unknown, readonly end: unknown) {}
    isEqual(other: unknown): boolean {
      return JSON.stringify(this) === JSON.stringify(other);
    }
  },
  Position,
  Location,
  DiagnosticRelatedInformation,
  Disposable: { from: (...d: { dispose(): void }[]) => ({ dispose: () => d.forEach((x) => x.dispose()) }) },
  ThemeIcon,
  ThemeColor,
  MarkdownString,
  TreeItem,
  TreeItemCollapsibleState: { None: 0, Collapsed: 1, Expanded: 2 },
  RelativePattern,
  FileType: { File: 1, Directory: 2 },
  DiagnosticSeverity: { Error: 0, Warning: 1, Information: 2, Hint: 3 },
  Diagnostic,
  CodeLens: class { constructor(readonly range: unknown, readonly command?: unknown) {} },
  CodeAction: class { constructor(readonly title: string, readonly kind?: unknown) {} },
  CodeActionKind: { QuickFix: 'quickfix' },
  WorkspaceEdit,
  languages: {
    createDiagnosticCollection,
    registerCodeActionsProvider: () => ({ dispose: () => undefined }),
    registerCodeLensProvider: () => ({ dispose: () => undefined }),
  },
  window: {
    showInformationMessage: show('info'),
    showWarningMessage: show('warning'),
    showErrorMessage: show('error'),
    createOutputChannel: (name = 'MNIST') => {
      ui.channels.push(name);
      return { name, info: log('info'), warn: log('warn'), error: log('error'), show: () => undefined, dispose: () => undefined };
    },
    registerWebviewViewProvider: (id: string, provider: { resolveWebviewView(view: unknown, context: unknown, token: unknown): unknown }) => {
      ui.viewProviders.set(id, provider);
      return { dispose: () => ui.viewProviders.delete(id) };
    },
    showSaveDialog: async (o: { defaultUri?: Uri; title?: string } = {}) => {
      ui.saveDialogs.push(o);
      return ui.saveAnswer === undefined ? undefined : Uri.file(ui.saveAnswer);
    },
    setStatusBarMessage: (text: string) => {
      ui.logLines.push(`status ${text}`);
      return { dispose: () => undefined };
    },
    createStatusBarItem: () => ({ text: '', tooltip: '', command: undefined, name: '', show: () => undefined, hide: () => undefined, dispose: () => undefined }),
    withProgress: async <R>(_o: unknown, task: (p: { report(v: { message?: string; increment?: number }): void }, t: unknown) => Promise<R>) => {
      const cancel = new EventEmitter<void>();
      ui.cancelProgress = () => cancel.fire();
      return task({ report: (v) => ui.progressReports.push(v) }, { onCancellationRequested: cancel.event });
    },
    showTextDocument: async () => ({ selection: undefined, revealRange: () => undefined }),
    showInputBox: async (o: { validateInput?: (v: string) => unknown }) => {
      const v = ui.inputAnswer;
      if (v !== undefined && o?.validateInput && (await o.validateInput(v))) return undefined;
      return v;
    },
    showQuickPick: async (items: { label: string }[] | Promise<{ label: string }[]>) => ui.pick?.(await items),
    createTreeView,
    createWebviewPanel,
    activeColorTheme: { kind: 2 },
  },
  workspace: {
    get isTrusted() {
      return ui.trusted;
    },
    getWorkspaceFolder: (uri: Uri) =>
      uri.fsPath.startsWith(ui.workspaceRoot) ? { uri: Uri.file(ui.workspaceRoot), name: 'ws', index: 0 } : undefined,
    getConfiguration: configuration,
    onDidGrantWorkspaceTrust: trustGranted.event,
    findFiles: async () => findConfigFiles(),
    get workspaceFolders() {
      return ui.workspaceFolders;
    },
    createFileSystemWatcher,
    get textDocuments() {
      return ui.textDocuments;
    },
    onDidOpenTextDocument: documentEvents.open.event,
    onDidChangeTextDocument: documentEvents.change.event,
    onDidSaveTextDocument: documentEvents.save.event,
    onDidCloseTextDocument: documentEvents.close.event,
    onDidChangeConfiguration: configurationChanged.event,
    onDidChangeWorkspaceFolders: new EventEmitter<unknown>().event,
    asRelativePath: (p: Uri | string) => path.relative(ui.workspaceRoot, typeof p === 'string' ? p : p.fsPath),
    fs: {
      delete: async (uri: Uri, o: { recursive?: boolean; useTrash?: boolean } = {}) => {
        if (o.useTrash && ui.trashFails) throw new Error('trash is not supported');
        ui.deleted.push({ path: uri.fsPath, useTrash: o.useTrash ?? false });
        rmSync(uri.fsPath, { recursive: o.recursive ?? false, force: false });
      },
      writeFile: async (uri: Uri, bytes: Uint8Array) => {
        ui.written.push(uri.fsPath);
        mkdirSync(path.dirname(uri.fsPath), { recursive: true });
        writeFileSync(uri.fsPath, bytes);
      },
      stat: async (uri: Uri) => {
        const st = statSync(uri.fsPath);
        return { type: st.isDirectory() ? 2 : 1, size: st.size };
      },
    },
    openTextDocument: async (uri: Uri) => {
      const text = readFileSync(uri.fsPath, 'utf8');
      return { uri, getText: () => text, positionAt: (o: number) => ({ offset: o }) };
    },
  },
  commands: {
    executeCommand: async (cmd: string, ...args: unknown[]) => {
      const [key, value] = args;
      if (cmd === 'setContext' && typeof key === 'string') {
        ui.contexts.set(key, value);
        return undefined;
      }
      ui.commandsRun.push({ command: cmd, args });
      return ui.registered.get(cmd)?.(...args);
    },
    registerCommand: (id: string, handler: (...args: unknown[]) => unknown) => {
      ui.registered.set(id, handler);
      return { dispose: () => ui.registered.delete(id) };
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
