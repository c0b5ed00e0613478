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
