// Numbers as the view shows them. Pure, so tests pin the wording.

/** 65 → "1:05", 3723 → "1:02:03"; null for unknown. */
export function formatDuration(seconds: number | null): string | null {
  if (seconds === null || !Number.isFinite(seconds) || seconds < 0) return null;
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/** 0.9025 → "90.25%". */
export function formatPercent(fraction: number, digits = 2): string {
  return `${(fraction * 100).toFixed(digits)}%`;
}

/** 2391.87 → "2,392". */
export function formatCount(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** 2765529 → "2.8 MB". */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(0)} KB`;
  return `${(n / (1024 * 1024)).toFixed(1)} MB`;
}

/**
 * A failed run's message and hint. The trainer sometimes ends the message with the hint itself;
 * show it once.
 */
export function splitMessage(message: string | undefined, hint: string | undefined): { message: string; hint: string } {
  let m = (message ?? '').trim();
  const h = (hint ?? '').trim();
  if (h && m.endsWith(h)) m = m.slice(0, m.length - h.length).trim();
  return { message: m, hint: h };
}
