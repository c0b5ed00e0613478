// What every webview the extension makes shares, in one place: scripts on and nothing loadable
// but dist/, the nonce-CSP page around one bundle, messages acted on only when the view's guard
// from src/shared/protocol accepts them (the rest logged, at most 100 lines a minute), and an
// editor panel that is created once, revealed after, and forgotten when the user closes it.
// The views' own work (what to send, what a message does) stays in their files.
import * as vscode from 'vscode';
import { makeNonce, renderWebviewHtml } from './webview-html';
import { LogLimiter, handleWebviewMessage } from './webview-messages';
import { postToWebview } from './post';

/** A webview's page: the bundle's base name in dist/ (`compare` → compare.js and compare.css) and the page title. */
export interface WebviewPage {
  bundle: string;
  title: string;
}

function distOf(extensionUri: vscode.Uri): vscode.Uri {
  return vscode.Uri.joinPath(extensionUri, 'dist');
}

/** The options of every webview: scripts on (the page is its script), nothing loadable but dist/. */
export function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions {
  return { enableScripts: true, localResourceRoots: [distOf(extensionUri)] };
}

/** Sets the webview's options and its page, with a new nonce. */
export function loadPage(webview: vscode.Webview, extensionUri: vscode.Uri, page: WebviewPage): void {
  const dist = distOf(extensionUri);
  webview.options = webviewOptions(extensionUri);
  webview.html = renderWebviewHtml({
    cspSource: webview.cspSource,
    scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(dist, `${page.bundle}.js`)).toString(),
    styleUri: webview.asWebviewUri(vscode.Uri.joinPath(dist, `${page.bundle}.css`)).toString(),
    nonce: makeNonce(),
    title: page.title,
  });
}

/** Logs a line about one webview's messages, unless that webview has had its 100 lines this minute. */
export type Warn = (line: string) => void;

/**
 * Calls `act` with each message from the webview that `accept` takes; logs the others as a warning
 * naming `view` ("compare view"), through a limiter of its own so one webview cannot flood the log.
 * `act` gets the same limited `warn` for a well-shaped message that asks for too much.
 */
export function receiveMessages<T>(
  webview: vscode.Webview,
  accept: (m: unknown) => m is T,
  act: (m: T, warn: Warn) => void,
  log: vscode.LogOutputChannel,
  view: string,
): vscode.Disposable {
  const limiter = new LogLimiter();
  const warn: Warn = (line) => {
    const pass = limiter.pass(line);
    if (pass) log.warn(pass);
  };
  return webview.onDidReceiveMessage((m: unknown) => handleWebviewMessage(m, accept, (msg) => act(msg, warn), warn, view));
}

export interface PanelSpec<T> {
  viewType: string;
  page: WebviewPage;
  column: vscode.ViewColumn;
  /** The guard of the messages this panel's webview sends, from src/shared/protocol. */
  accept: (m: unknown) => m is T;
  /** Acts on a message the guard took; `webview` is the panel's, to answer on. */
  onMessage: (m: T, webview: vscode.Webview, warn: Warn) => void;
  /** The view's name in log lines ("compare view"). */
  view: string;
}

/**
 * An editor panel of one webview: opened on first use, revealed after, undefined again once the
 * user closes it. Its webview starts over whenever it is shown again (no retained context) and
 * says `ready`, which `onMessage` answers.
 */
export class SinglePanel<T> implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly spec: PanelSpec<T>,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  get current(): vscode.WebviewPanel | undefined {
    return this.panel;
  }

  /** The panel with this title, created (and its page loaded) or revealed. */
  open(title: string): vscode.WebviewPanel {
    if (this.panel) {
      this.panel.title = title;
      this.panel.reveal(this.spec.column);
      return this.panel;
    }
    const panel = openWebviewPanel(this.extensionUri, this.spec.viewType, title, this.spec.column);
    this.panel = panel;
    loadPage(panel.webview, this.extensionUri, this.spec.page);
    const sub = receiveMessages(panel.webview, this.spec.accept, (m, warn) => this.spec.onMessage(m, panel.webview, warn), this.log, this.spec.view);
    panel.onDidDispose(() => {
      sub.dispose();
      if (this.panel === panel) this.panel = undefined;
    });
    return panel;
  }

  post(message: unknown): void {
    if (this.panel) postToWebview(this.panel.webview, message);
  }

  dispose(): void {
    this.panel?.dispose();
  }
}

/** A new editor panel with the extension's options and icon; its page is loaded by loadPage. */
export function openWebviewPanel(extensionUri: vscode.Uri, viewType: string, title: string, column: vscode.ViewColumn): vscode.WebviewPanel {
  const panel = vscode.window.createWebviewPanel(viewType, title, column, { ...webviewOptions(extensionUri), retainContextWhenHidden: false });
  panel.iconPath = vscode.Uri.joinPath(extensionUri, 'media', 'mnist.svg');
  return panel;
}
