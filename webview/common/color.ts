// CSS colours as RGB, for drawing digits in the theme's ink on a canvas.

export type Rgb = readonly [number, number, number];

/** "#abc", "#aabbcc", "#aabbccdd", "rgb(1, 2, 3)", "rgba(1,2,3,0.5)" → [r, g, b]; null otherwise. */
export function parseColor(css: string): Rgb | null {
  const c = css.trim();
  const hex = (h: string): number => parseInt(h, 16);
  const short = /^#([0-9a-f])([0-9a-f])([0-9a-f])[0-9a-f]?$/i.exec(c);
  if (short) return [hex(short[1] + short[1]), hex(short[2] + short[2]), hex(short[3] + short[3])];
  const long = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})(?:[0-9a-f]{2})?$/i.exec(c);
  if (long) return [hex(long[1]), hex(long[2]), hex(long[3])];
  const fn = /^rgba?\(\s*(\d+)[\s,]+(\d+)[\s,]+(\d+)/i.exec(c);
  if (fn) return [Number(fn[1]), Number(fn[2]), Number(fn[3])];
  return null;
}

/** Any CSS colour → rgb, through a canvas when it is not a plain hex/rgb() string. */
export function cssColorToRgb(css: string, fallback: Rgb): Rgb {
  const direct = parseColor(css);
  if (direct) return direct;
  const ctx = document.createElement('canvas').getContext('2d');
  if (!ctx) return fallback;
  ctx.fillStyle = '#000';
  ctx.fillStyle = css;
  return parseColor(String(ctx.fillStyle)) ?? fallback;
}
