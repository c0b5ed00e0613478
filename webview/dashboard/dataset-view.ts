// The Dataset section (the tutorial's step 1): shapes and counts, a class histogram per split, and
// training digits with their labels; a click shows one large with its index and pixel range.
import type { ChartTheme } from '../../src/shared/chart-theme';
import { Chart, chartFigure } from '../common/chart-host';
import { digitCard, DigitZoom } from '../common/digit-view';
import { $, el, setText } from '../common/dom';
import { classCountsChartOption } from './eval-charts';
import { formatCount } from '../common/format';
import type { Rgb } from '../common/color';
import { augmentRows } from '../common/augment-view';
import { datasetShapes, pixelStats, runAugmentPreview } from './insights';
import type { DatasetExample, ViewState } from './state';

export class DatasetView {
  readonly chart: Chart;
  private readonly zoom: DigitZoom;
  private gridKey = '';
  private augmentKey = '';
  private examples: DatasetExample[] = [];
  private classNames: string[] = [];
  private ink: Rgb = [204, 204, 204];

  constructor(private readonly body: HTMLElement, onShown: () => void) {
    const fig = chartFigure('class-counts', 'Images per class', 'class-histogram', 'Images per class in the train, validation and test splits');
    this.zoom = new DigitZoom('digit-zoom', () => this.zoom.hide());
    body.append(
      el('p', { class: 'dataset-line', 'data-testid': 'dataset-summary' }),
      el('table', { class: 'shapes', 'data-testid': 'dataset-shapes' }),
      fig.figure,
      el('p', { class: 'note', 'data-testid': 'dataset-no-counts', hidden: '' }, 'This run\u2019s log has no per-class counts or sample digits: it was recorded before they were added. Train again to see them.'),
      el('h4', { 'data-testid': 'dataset-samples-title' }),
      el('div', { class: 'digit-grid dataset-grid', 'data-testid': 'dataset-samples' }),
      this.zoom.root,
      el('h4', { 'data-testid': 'dataset-augment-title', hidden: '' }),
      el('p', { class: 'note', 'data-testid': 'dataset-augment-note', hidden: '' }),
      el('div', { 'data-testid': 'dataset-augment' }),
    );
    this.chart = new Chart(fig.canvas, onShown);
    $('dataset-samples', body).addEventListener('click', (ev) => {
      const card = (ev.target as HTMLElement).closest<HTMLElement>('[data-testid="dataset-sample"]');
      if (card) this.open(Number(card.dataset.position));
    });
  }

  render(s: ViewState, theme: ChartTheme, ink: Rgb, styleKey: string): void {
    const d = s.dataset;
    if (!d) return;
    const [h, w, c] = d.imageShape;
    setText($('dataset-summary', this.body),
      `${d.name} from ${d.source}: ${formatCount(d.train)} training, ${formatCount(d.validation)} validation and ${formatCount(d.test)} test images, ` +
      `${h}×${w} ${c === 1 ? 'greyscale' : `${c} channels`}, ${d.classNames.length} classes.`);
    const key = `${s.run?.id}|${ink.join(',')}`;
    if (key !== this.gridKey) {
      this.gridKey = key;
      this.examples = d.examples;
      this.classNames = d.classNames;
      this.ink = ink;
      this.zoom.hide();
      $('dataset-shapes', this.body).replaceChildren(
        el('thead', {}, el('tr', {}, el('th', {}, 'Split'), el('th', { class: 'num' }, 'Images'), el('th', {}, 'x shape'), el('th', {}, 'y shape (one-hot)'))),
        el('tbody', {}, ...datasetShapes(d).map((r) =>
          el('tr', { 'data-split': r.split, 'data-count': String(r.count) }, el('td', {}, r.split), el('td', { class: 'num' }, formatCount(r.count)), el('td', { class: 'shape' }, r.x), el('td', { class: 'shape' }, r.y)))),
      );
      const perClass = d.examples.length && d.classNames.length ? Math.round(d.examples.length / d.classNames.length) : 0;
      setText($('dataset-samples-title', this.body), d.examples.length ? `Training digits: the first ${perClass} of each class` : '');
      $('dataset-samples', this.body).replaceChildren(
        ...d.examples.map((x, i) =>
          digitCard({
            testid: 'dataset-sample',
            pixels: x.pixels,
            ink,
            lines: [d.classNames[x.label] ?? String(x.label)],
            description: `Training image #${x.index}, label ${d.classNames[x.label] ?? x.label}`,
            data: { position: String(i), index: String(x.index), label: String(x.label) },
          }),
        ),
      );
    }
    if (key !== this.augmentKey) {
      this.augmentKey = key;
      this.renderAugment(s, ink);
    }
    $('dataset-no-counts', this.body).hidden = d.classCounts !== null;
    $('dataset-samples-title', this.body).hidden = d.examples.length === 0;
    this.chart.container.closest('figure')!.hidden = d.classCounts === null;
    if (d.classCounts) this.chart.update(`${s.run?.id}`, styleKey, () => classCountsChartOption(d, theme));
  }

  /** Training batches as the run augmented them, or a line saying it did not. */
  private renderAugment(s: ViewState, ink: Rgb): void {
    const title = $('dataset-augment-title', this.body);
    const note = $('dataset-augment-note', this.body);
    const rows = $('dataset-augment', this.body);
    const preview = runAugmentPreview(s);
    title.hidden = preview === null;
    setText(title, preview ? `Augmentation: ${preview.description}` : '');
    const off = s.run?.augment === null;
    note.hidden = !preview && !off;
    setText(note, preview
      ? `Each digit, then ${preview.digits[0]?.versions.length ?? 0} versions as training batches may see it (seed ${preview.seed}); validation and test images are never changed.`
      : off ? 'This run trained without augmentation (data.augment is not set). MNIST: Preview Augmentation shows what it would do.' : '');
    rows.replaceChildren(...(preview ? [augmentRows(preview, ink)] : []));
  }

  private open(position: number): void {
    const x = this.examples[position];
    if (!x) return;
    const key = `train-${x.index}`;
    if (this.zoom.key === key) return this.zoom.hide();
    const name = this.classNames[x.label] ?? String(x.label);
    const lines = [`label ${name}`, '28×28 pixels'];
    if (x.pixels) {
      const p = pixelStats(x.pixels);
      lines.push(
        `pixel range ${p.min}–${p.max} (bytes); ${(p.min / 255).toFixed(2)}–${(p.max / 255).toFixed(2)} as the model sees them`,
        `${p.inked} of 784 pixels inked, mean ${p.mean.toFixed(1)}`,
      );
    }
    this.zoom.show(key, x.pixels, this.ink, `Training image #${x.index}`, lines);
  }
}
