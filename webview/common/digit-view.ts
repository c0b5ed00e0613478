// 28×28 digits on canvases, in the theme's ink: cards in galleries and the large view a click opens.
import { el } from './dom';
import type { Rgb } from './color';

const SIZE = 28;

/** RGBA for a 28×28 digit: ink in the given colour, its coverage as alpha, transparent paper. */
export function inkImage(pixels: Uint8Array, ink: Rgb): Uint8ClampedArray {
  const out = new Uint8ClampedArray(pixels.length * 4);
  for (let i = 0; i < pixels.length; i++) {
    out[i * 4] = ink[0];
    out[i * 4 + 1] = ink[1];
    out[i * 4 + 2] = ink[2];
    out[i * 4 + 3] = pixels[i];
  }
  return out;
}

// The canvas stays 28×28; CSS scales it with `image-rendering: pixelated`, so pixels stay crisp at any size.
export function drawDigit(canvas: HTMLCanvasElement, pixels: Uint8Array | null, ink: Rgb): void {
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  ctx.clearRect(0, 0, SIZE, SIZE);
  if (!pixels) return;
  const image = ctx.createImageData(SIZE, SIZE);
  image.data.set(inkImage(pixels, ink));
  ctx.putImageData(image, 0, 0);
}

export function digitCanvas(pixels: Uint8Array | null, ink: Rgb, label: string): HTMLCanvasElement {
  const canvas = el('canvas', { width: String(SIZE), height: String(SIZE), role: 'img', 'aria-label': label });
  drawDigit(canvas, pixels, ink);
  return canvas;
}

export interface CardOptions {
  testid: string;
  pixels: Uint8Array | null;
  ink: Rgb;
  /** Caption lines; the first is emphasised. */
  lines: string[];
  /** Sentence for screen readers and the hover title. */
  description: string;
  data: Record<string, string>;
  wrong?: boolean;
}

/** A clickable digit with a caption; `data-*` attributes carry the numbers for tests and the click handler. */
export function digitCard(o: CardOptions): HTMLButtonElement {
  const card = el('button', { type: 'button', class: `digit-card${o.wrong ? ' wrong' : ''}${o.pixels ? '' : ' no-image'}`, 'data-testid': o.testid, title: o.description });
  for (const [k, v] of Object.entries(o.data)) card.dataset[k] = v;
  // An old log without the image: the caption alone, not an empty square.
  if (o.pixels) card.append(digitCanvas(o.pixels, o.ink, o.description));
  card.append(el('span', { class: 'digit-caption' }, ...o.lines.map((line, i) => el('span', { class: i === 0 ? 'digit-line main' : 'digit-line' }, line))));
  return card;
}

/** The large view of one digit, with lines of facts beside it; one per section. */
export class DigitZoom {
  readonly root: HTMLElement;
  private readonly canvas: HTMLCanvasElement;
  private readonly text: HTMLElement;
  key = '';

  constructor(testid: string, onClose: () => void) {
    this.canvas = el('canvas', { width: String(SIZE), height: String(SIZE), role: 'img', 'data-testid': `${testid}-image` });
    this.text = el('div', { class: 'zoom-text', 'data-testid': `${testid}-text` });
    const close = el('button', { type: 'button', class: 'link zoom-close', 'aria-label': 'Close', 'data-testid': `${testid}-close` }, '×');
    close.addEventListener('click', onClose);
    this.root = el('div', { class: 'zoom', 'data-testid': testid, hidden: '' }, this.canvas, this.text, close);
  }

  show(key: string, pixels: Uint8Array | null, ink: Rgb, title: string, lines: string[]): void {
    this.root.hidden = false;
    this.key = key;
    this.root.dataset.key = key;
    drawDigit(this.canvas, pixels, ink);
    this.canvas.setAttribute('aria-label', title);
    this.text.replaceChildren(el('div', { class: 'zoom-title' }, title), ...lines.map((l) => el('div', {}, l)));
  }

  hide(): void {
    this.root.hidden = true;
    this.key = '';
    delete this.root.dataset.key;
  }
}
