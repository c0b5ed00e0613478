// The Look Inside Model panel's whole guard: its own messages (inspect.ts) and the Dashboard's
// export request, which it shares. Apart from inspect.ts, which dashboard.ts and predictor.ts import.
import { type ExportRequest, isFromWebview } from './dashboard';
import { type FromInsideView, isFromInsideView } from './inspect';

/** Messages from a webview are untrusted: only these shapes are acted on. */
export function isFromInsidePanel(m: unknown): m is FromInsideView | ExportRequest {
  return isFromInsideView(m) || (isFromWebview(m) && m.type === 'export');
}
