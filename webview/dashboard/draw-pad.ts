// Draw a digit: a pad for mouse, pen or finger; on lifting the pen the drawing becomes the MNIST
// 28×28 input (shown), the host asks the shown run's model, and 10 probability bars answer.
import type { PredictionMessage, PredictRequest } from '../../src/shared/protocol';
import { drawDigit } from '../common/digit-view';
import { $, el, setText } from '../common/dom';
import type { Rgb } from '../common/color';
import { rankClasses } from './insights';
import { inputForRequest, PAD_RESOLUTION, PEN_WIDTH, type Point, rasterizeStrokes, toMnistInput } from './preprocess';

const HINT = 'Draw a digit 0–9, large, in one or more strokes; the model answers when you lift the pen.';

export class DrawPad {
  private readonly pad: HTMLCanvasElement;
  private readonly preview: HTMLCanvasElement;
  private strokes: Point[][] = [];
  private drawing: Point[] | null = null;
  private nextId = 1;
  private pending: { id: number; sentAt: number } | null = null;
  private ink: Rgb = [204, 204, 204];
  private names: string[] = [];
  private status = HINT;

  constructor(private readonly body: HTMLElement, private readonly post: (req: PredictRequest) => void) {
    this.pad = el('canvas', { class: 'pad', 'data-testid': 'draw-pad', role: 'img', 'aria-label': 'Drawing pad: draw a digit with the mouse, a pen or a finger' });
    this.preview = el('canvas', { class: 'draw-input', width: '28', height: '28', 'data-testid': 'draw-input', role: 'img', 'aria-label': 'The 28×28 input the model is given' });
    const bars = el('div', { class: 'prob-bars', 'data-testid': 'prediction-bars', role: 'list', 'aria-label': 'Probability of each class' });
    for (let c = 0; c < 10; c++) {
      const fill = el('span', { class: 'prob-fill' });
      bars.append(
        el('div', { class: 'prob-row', role: 'listitem', 'data-testid': 'prediction-bar', 'data-class': String(c), 'data-probability': '' },
          el('span', { class: 'prob-label' }, String(c)),
          el('span', { class: 'prob-track' }, fill),
          el('span', { class: 'prob-value' })),
      );
    }
    body.append(
      el('div', { class: 'draw' },
        el('div', { class: 'pad-column' },
          this.pad,
          el('div', { class: 'pad-actions' },
            el('vscode-button', { secondary: '', 'data-testid': 'draw-clear' }, 'Clear'))),
        el('div', { class: 'draw-result' },
          el('figure', { class: 'input-figure' }, this.preview, el('figcaption', {}, 'model input, 28×28')),
          el('div', { class: 'prediction-top', 'data-testid': 'prediction-top', 'data-class': '', 'aria-live': 'polite' },
            el('span', { class: 'prediction-class' }),
            el('span', { class: 'prediction-confidence' }),
            el('span', { class: 'prediction-ms', 'data-testid': 'prediction-ms' }))),
        el('p', { class: 'draw-status', 'data-testid': 'draw-status', role: 'status' }, HINT),
        bars),
    );
    $('draw-clear', body).addEventListener('click', () => this.clear());
    this.pad.addEventListener('pointerdown', (ev) => this.down(ev));
    this.pad.addEventListener('pointermove', (ev) => this.move(ev));
    this.pad.addEventListener('pointerup', (ev) => this.up(ev));
    this.pad.addEventListener('pointercancel', (ev) => this.up(ev));
    new ResizeObserver(() => this.redraw()).observe(this.pad);
    // The first preprocessing pays for compiling it; pay that now, not when the pen first lifts.
    setTimeout(() => toMnistInput(rasterizeStrokes([[{ x: 0.5, y: 0.2 }, { x: 0.5, y: 0.8 }]]), PAD_RESOLUTION, PAD_RESOLUTION), 0);
  }

  /** The run or the theme changed. */
  setContext(runKey: string, ink: Rgb, names: readonly string[], status: string | null): void {
    const inkChanged = ink.join(',') !== this.ink.join(',');
    this.ink = ink;
    this.names = [...names];
    const key = `${runKey}`;
    if (this.body.dataset.run !== key) {
      this.body.dataset.run = key;
      this.clear();
    } else if (inkChanged) this.redraw();
    this.status = status ?? HINT;
    if (this.strokes.length === 0) this.setStatus(this.status);
  }

  onPrediction(msg: PredictionMessage): void {
    if (!this.pending || msg.id !== this.pending.id) return; // an answer to an older drawing
    const ms = performance.now() - this.pending.sentAt;
    this.pending = null;
    if (msg.error !== undefined || msg.probabilities.length !== 10) {
      this.setStatus(msg.error ?? 'The model gave no answer.');
      this.body.dataset.state = 'error';
      return;
    }
    this.body.dataset.state = 'predicted';
    this.showProbabilities(msg.probabilities, ms);
    this.setStatus(HINT);
  }

  private down(ev: PointerEvent): void {
    if (ev.button !== 0 && ev.pointerType === 'mouse') return;
    ev.preventDefault();
    this.pad.setPointerCapture(ev.pointerId);
    this.drawing = [this.point(ev)];
    this.strokes.push(this.drawing);
    this.redraw();
  }

  private move(ev: PointerEvent): void {
    if (!this.drawing) return;
    const events = typeof ev.getCoalescedEvents === 'function' ? ev.getCoalescedEvents() : [];
    for (const e of events.length ? events : [ev]) this.drawing.push(this.point(e));
    this.redraw();
  }

  private up(ev: PointerEvent): void {
    if (!this.drawing) return;
    if (this.pad.hasPointerCapture(ev.pointerId)) this.pad.releasePointerCapture(ev.pointerId);
    this.drawing = null;
    this.predict(performance.now());
  }

  private point(ev: PointerEvent): Point {
    const r = this.pad.getBoundingClientRect();
    const clamp = (v: number) => Math.min(1, Math.max(0, v));
    return { x: clamp((ev.clientX - r.left) / r.width), y: clamp((ev.clientY - r.top) / r.height) };
  }

  /** Preprocesses the drawing and asks the host; the answer's time is counted from `penUp`. */
  private predict(penUp: number): void {
    const input = toMnistInput(rasterizeStrokes(this.strokes), PAD_RESOLUTION, PAD_RESOLUTION);
    drawDigit(this.preview, input?.bytes ?? null, this.ink);
    if (!input) return;
    const id = this.nextId++;
    this.pending = { id, sentAt: penUp };
    // How much of the answer's time was this side's preprocessing (for the e2e suite and bug reports).
    $('prediction-top', this.body).dataset.prepMs = (performance.now() - penUp).toFixed(1);
    this.body.dataset.state = 'waiting';
    this.post({ type: 'predict', id, pixels: inputForRequest(input) });
  }

  private clear(): void {
    this.strokes = [];
    this.drawing = null;
    this.pending = null;
    delete this.body.dataset.state;
    drawDigit(this.preview, null, this.ink);
    this.showProbabilities(null, null);
    this.setStatus(this.status);
    this.redraw();
  }

  private showProbabilities(probabilities: readonly number[] | null, ms: number | null): void {
    const top = probabilities ? rankClasses(probabilities)[0] : null;
    for (const row of this.body.querySelectorAll<HTMLElement>('[data-testid="prediction-bar"]')) {
      const c = Number(row.dataset.class);
      const p = probabilities?.[c] ?? null;
      row.dataset.probability = p === null ? '' : p.toFixed(4);
      row.classList.toggle('top', c === top);
      (row.querySelector('.prob-fill') as HTMLElement).style.width = `${p === null ? 0 : Math.max(0, Math.min(1, p)) * 100}%`;
      setText(row.querySelector('.prob-label') as HTMLElement, this.names[c] ?? String(c));
      setText(row.querySelector('.prob-value') as HTMLElement, p === null ? '' : `${(p * 100).toFixed(1)}%`);
    }
    const t = $('prediction-top', this.body);
    t.dataset.class = top === null ? '' : String(top);
    t.dataset.ms = ms === null ? '' : ms.toFixed(1);
    setText(t.querySelector('.prediction-class') as HTMLElement, top === null ? '' : (this.names[top] ?? String(top)));
    setText(t.querySelector('.prediction-confidence') as HTMLElement, top === null || !probabilities ? '' : `${(probabilities[top] * 100).toFixed(1)}%`);
    setText(t.querySelector('.prediction-ms') as HTMLElement, ms === null ? '' : `answered in ${Math.round(ms)} ms`);
  }

  private setStatus(text: string): void {
    setText($('draw-status', this.body), text);
  }

  /** Redraws the strokes at the pad's on-screen size (× device pixels), in the theme's ink. */
  private redraw(): void {
    const ratio = window.devicePixelRatio || 1;
    const side = Math.round(this.pad.clientWidth * ratio);
    if (side === 0) return;
    if (this.pad.width !== side || this.pad.height !== side) {
      this.pad.width = side;
      this.pad.height = side;
    }
    const ctx = this.pad.getContext('2d');
    if (!ctx) return;
    ctx.clearRect(0, 0, side, side);
    ctx.strokeStyle = ctx.fillStyle = `rgb(${this.ink.join(',')})`;
    ctx.lineWidth = PEN_WIDTH * side;
    ctx.lineCap = 'round';
    ctx.lineJoin = 'round';
    for (const stroke of this.strokes) {
      ctx.beginPath();
      ctx.moveTo(stroke[0].x * side, stroke[0].y * side);
      for (const p of stroke.length === 1 ? [stroke[0], stroke[0]] : stroke.slice(1)) ctx.lineTo(p.x * side, p.y * side);
      ctx.stroke();
    }
    this.pad.dataset.strokes = String(this.strokes.length);
  }
}
