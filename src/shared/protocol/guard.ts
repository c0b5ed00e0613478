// The first check every incoming message gets, whatever its channel.

/**
 * A message's own fields when it is a plain object (what postMessage's structured clone makes),
 * else null: a field inherited through a prototype never counts as sent.
 */
export function plainMessage(m: unknown): Record<string, unknown> | null {
  if (typeof m !== 'object' || m === null || Array.isArray(m)) return null;
  const proto = Object.getPrototypeOf(m) as unknown;
  if (proto !== Object.prototype && proto !== null) return null;
  return Object.hasOwn(m, 'type') ? (m as Record<string, unknown>) : null;
}

// Field checks for the guards of what the host posts a webview: cheap, since a replay posts whole
// event logs, and enough that a view's render never throws on a malformed message.

/** An object with fields (not an array); what the host posts a webview, after the structured clone. */
export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export const isString = (v: unknown): v is string => typeof v === 'string';
// NaN and Infinity pass: a diverged run's loss is NaN and still drawn (as a gap).
export const isNumber = (v: unknown): v is number => typeof v === 'number';
export const isNumberOrNull = (v: unknown): boolean => v === null || isNumber(v);
export const isArrayOf = (v: unknown, item: (x: unknown) => boolean): boolean => Array.isArray(v) && v.every(item);
