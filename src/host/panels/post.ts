// Posting to a webview the user may have closed a moment ago: VS Code rejects postMessage on a
// disposed webview (and may throw at once), which would surface as an unhandled rejection.
import type * as vscode from 'vscode';

/** Sends `message` and drops it when the webview is gone; nothing to await, nothing thrown. */
export function postToWebview(webview: Pick<vscode.Webview, 'postMessage'>, message: unknown): void {
  try {
    webview.postMessage(message).then(undefined, () => undefined);
  } catch {
    // disposed: nobody is there to read it
  }
}
