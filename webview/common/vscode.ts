// The one way a webview talks to the extension: VS Code's API, acquired once per page (VS Code
// allows only one call), typed by the view's messages; and the start every view shares: act only
// on messages the view's guard from src/shared/protocol accepts, redraw on a theme change, then
// say `ready` so the host answers with what to show (hidden and shown again, a view starts over).
import { onThemeChange } from './theme';

interface RawApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): RawApi;

/** What a view may send (`Out`, its From… union) and keep across reloads (`S`, UI preferences only). */
export interface VsCodeApi<Out, S = never> {
  postMessage(message: Out): void;
  getState(): unknown;
  setState(state: S): void;
}

let raw: RawApi | undefined;

export function vscodeApi<Out, S = never>(): VsCodeApi<Out, S> {
  raw ??= acquireVsCodeApi();
  return raw;
}

export interface ViewStart<In> {
  /** The view's guard: a message it rejects is dropped. */
  accept: (m: unknown) => m is In;
  onMessage: (m: In) => void;
  /** Redraws with the new theme's colours. */
  onThemeChange?: () => void;
}

/** Listens, then says `ready`: call once the page's skeleton is built. */
export function startView<In>(view: ViewStart<In>): void {
  window.addEventListener('message', (ev: MessageEvent<unknown>) => {
    if (view.accept(ev.data)) view.onMessage(ev.data);
  });
  if (view.onThemeChange) onThemeChange(view.onThemeChange);
  vscodeApi<{ type: 'ready' }>().postMessage({ type: 'ready' });
}
