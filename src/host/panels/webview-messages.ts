// What every webview's message handler shares: a message is acted on only when its guard from
// src/shared/protocol.ts accepts it; anything else is logged, in a line that stays short and never
// throws (a webview can post a 100 MB string, a 10⁷-element array, or a cyclic object).
// No vscode import, so the rules are tested with plain functions.

const MAX_KEYS = 6;
const MAX_TEXT = 40;

/** A short description of an untrusted value for the log: its kind, size and first keys, never its bulk. */
export function describeMessage(m: unknown): string {
  try {
    if (m === null) return 'null';
    if (typeof m === 'string') return `a string of ${m.length} characters (${clip(m)})`;
    if (typeof m !== 'object') return `${typeof m} ${clip(String(m))}`;
    if (Array.isArray(m)) return `an array of ${m.length} items`;
    const keys = Object.keys(m);
    const type = Object.hasOwn(m, 'type') ? (m as { type: unknown }).type : undefined;
    const parts = keys.slice(0, MAX_KEYS).map((k) => clip(k) + sizeOf((m as Record<string, unknown>)[k]));
    if (keys.length > MAX_KEYS) parts.push(`… ${keys.length - MAX_KEYS} more`);
    const proto = Object.getPrototypeOf(m) as unknown;
    const plain = proto === Object.prototype || proto === null ? '' : ' (not a plain object)';
    return `${typeof type === 'string' ? `type "${clip(type)}"` : 'no string type'}${plain}; fields: ${parts.join(', ') || 'none'}`;
  } catch {
    return 'a value that cannot be described';
  }
}

function sizeOf(v: unknown): string {
  if (typeof v === 'string') return v.length > MAX_TEXT ? ` (${v.length} characters)` : '';
  if (Array.isArray(v)) return ` (${v.length} items)`;
  return '';
}

function clip(s: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are what this strips from log lines
  const flat = s.replace(/[\u0000-\u001f\u007f]/g, '?');
  return flat.length > MAX_TEXT ? `${flat.slice(0, MAX_TEXT)}…` : flat;
}

/**
 * Calls `act` with the message when `accept` says it has one of the view's shapes; otherwise logs
 * a warning naming the view. Returns whether the message was acted on.
 */
export function handleWebviewMessage<T>(
  m: unknown,
  accept: (m: unknown) => m is T,
  act: (m: T) => void,
  warn: (line: string) => void,
  view: string,
): boolean {
  let ok: boolean;
  try {
    ok = accept(m);
  } catch {
    ok = false; // a getter or proxy that throws is as malformed as anything else
  }
  if (!ok) {
    warn(`Ignored a malformed message from the ${view}: ${describeMessage(m)}`);
    return false;
  }
  act(m as T);
  return true;
}

const LOG_WINDOW_MS = 60_000;

/**
 * Keeps one webview's rejected messages from flooding the output channel: at most `max` lines a
 * minute, the last of them saying so; the next minute's first line says how many were left out.
 */
export class LogLimiter {
  private windowStart = -Infinity;
  private count = 0;
  private dropped = 0;

  constructor(
    private readonly max = 100,
    private readonly now: () => number = Date.now,
  ) {}

  /** The line to log, or undefined when this minute's lines are used up. */
  pass(line: string): string | undefined {
    const t = this.now();
    let note = '';
    if (t - this.windowStart >= LOG_WINDOW_MS) {
      if (this.dropped > 0) note = ` (${this.dropped} more were not logged in the minute before)`;
      this.windowStart = t;
      this.count = 0;
      this.dropped = 0;
    }
    this.count++;
    if (this.count < this.max) return line + note;
    if (this.count === this.max) return `${line}${note}; further ones from this view are not logged for a minute`;
    this.dropped++;
    return undefined;
  }
}
