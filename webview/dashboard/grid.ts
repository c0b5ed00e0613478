// The prediction grid: fixed test digits drawn from their bytes, with the model's latest guess.
import type { Rgb } from '../common/color';
import { drawDigit } from '../common/digit-view';
import type { SampleCell, SampleGrid } from './state';

const SIZE = 28;

export interface CellText {
  /** "✓ 7" or "✗ 9"; the mark is text, so wrong ones do not rely on colour. */
  mark: string;
  predicted: string;
  confidence: string;
  /** For wrong ones: "true 7". */
  truth: string;
  /** A sentence for screen readers and the hover title. */
  description: string;
}

export function cellText(cell: SampleCell, classNames: readonly string[] = []): CellText {
  const name = (c: number): string => classNames[c] ?? String(c);
  if (cell.predicted === null || cell.confidence === null) {
    return { mark: '', predicted: '–', confidence: '', truth: '', description: `Test digit #${cell.index}, label ${name(cell.label)}, no prediction yet` };
  }
  const pct = `${Math.round(cell.confidence * 100)}%`;
  const right = cell.correct === true;
  return {
    mark: right ? '✓' : '✗',
    predicted: name(cell.predicted),
    confidence: pct,
    truth: right ? '' : `true ${name(cell.label)}`,
    description:
      `Test digit #${cell.index}, label ${name(cell.label)}: predicted ${name(cell.predicted)} ` +
      `with ${(cell.confidence * 100).toFixed(1)}% confidence${right ? '' : ' (wrong)'}`,
  };
}

interface CellView {
  root: HTMLElement;
  canvas: HTMLCanvasElement;
  mark: HTMLElement;
  predicted: HTMLElement;
  confidence: HTMLElement;
  truth: HTMLElement;
  drawn: { pixels: Uint8Array | null; ink: string } | null;
}

/** Keeps the DOM of one grid container in step with the state; redraws a canvas only when its pixels or ink change. */
export class PredictionGrid {
  private cells: CellView[] = [];

  constructor(private readonly container: HTMLElement) {}

  render(grid: SampleGrid | null, ink: Rgb, classNames: readonly string[] = []): void {
    const cells = grid?.cells ?? [];
    while (this.cells.length > cells.length) this.cells.pop()!.root.remove();
    while (this.cells.length < cells.length) this.cells.push(this.createCell());
    const inkKey = ink.join(',');
    cells.forEach((cell, i) => this.update(this.cells[i], cell, ink, inkKey, classNames));
  }

  private createCell(): CellView {
    const root = document.createElement('figure');
    root.className = 'sample';
    root.dataset.testid = 'sample';
    const canvas = document.createElement('canvas');
    canvas.width = SIZE;
    canvas.height = SIZE;
    canvas.setAttribute('role', 'img');
    const caption = document.createElement('figcaption');
    const line = document.createElement('span');
    line.className = 'sample-line';
    const mark = span('sample-mark');
    const predicted = span('sample-predicted');
    predicted.dataset.testid = 'sample-predicted';
    const confidence = span('sample-confidence');
    const truth = span('sample-truth');
    line.append(mark, predicted, confidence);
    caption.append(line, truth);
    root.append(canvas, caption);
    this.container.append(root);
    return { root, canvas, mark, predicted, confidence, truth, drawn: null };
  }

  private update(v: CellView, cell: SampleCell, ink: Rgb, inkKey: string, classNames: readonly string[]): void {
    const t = cellText(cell, classNames);
    const d = v.root.dataset;
    d.index = String(cell.index);
    d.label = String(cell.label);
    d.predicted = cell.predicted === null ? '' : String(cell.predicted);
    d.confidence = cell.confidence === null ? '' : cell.confidence.toFixed(4);
    d.correct = cell.correct === null ? '' : String(cell.correct);
    v.root.classList.toggle('wrong', cell.correct === false);
    v.root.classList.toggle('right', cell.correct === true);
    v.root.title = t.description;
    v.canvas.setAttribute('aria-label', t.description);
    v.mark.textContent = t.mark;
    v.predicted.textContent = t.predicted;
    v.confidence.textContent = t.confidence;
    v.truth.textContent = t.truth;
    if (!v.drawn || v.drawn.pixels !== cell.pixels || v.drawn.ink !== inkKey) {
      drawDigit(v.canvas, cell.pixels, ink);
      v.drawn = { pixels: cell.pixels, ink: inkKey };
    }
  }
}

function span(className: string): HTMLElement {
  const s = document.createElement('span');
  s.className = className;
  return s;
}
