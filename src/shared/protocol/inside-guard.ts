// The Look Inside Model panel's whole guard: its own messages (src/shared/protocol/inspect.ts) and
// the Dashboard's export request, which it shares. Apart from inspect.ts so that protocol.ts, which
// imports inspect.ts, is not imported back.
import { type ExportRequest, isFromWebview } from '../protocol';
import { type FromInsideView, isFromInsideView } from './inspect';

/** Messages from a webview are untrusted: only these shapes are acted on. */
export function isFromInsidePanel(m: unknown): m is FromInsideView | ExportRequest {
  return isFromInsideView(m) || (isFromWebview(m) && m.type === 'export');
}
