// The Evaluation and Misclassified sections: test loss and accuracy, the confusion matrix (click a
// cell for its digits with their top-3 probabilities), per-class accuracy, and the worst mistakes.
import type { ChartTheme } from '../../src/shared/chart-theme';
import { Chart, chartFigure } from '../common/chart-host';
import { digitCard, DigitZoom } from '../common/digit-view';
import { $, el, setText } from '../common/dom';
import { confusionChartOption, type ConfusionMode, perClassChartOption } from './eval-charts';
import { formatCount, formatPercent } from '../common/format';
import type { Rgb } from '../common/color';
import { type CellSelection, cellDetail, pixelStats, topConfusions, worstMistakes } from './insights';
import type { Evaluation, TestExample, ViewState } from './state';

const pct = (p: number): string => `${(p * 100).toFixed(1)}%`;

/** Caption lines and facts for a test example: top-3 classes with their probabilities. */
function topLines(x: TestExample, names: readonly string[]): string[] {
  return x.top.map((c, i) => `${names[c] ?? c} ${pct(x.topProbabilities[i] ?? 0)}`);
}

function zoomLines(x: TestExample, names: readonly string[]): string[] {
  const name = (c: number) => names[c] ?? String(c);
  const lines = [
    x.label === x.predicted ? `true ${name(x.label)}, predicted right` : `true ${name(x.label)}, predicted ${name(x.predicted)}`,
    `top 3: ${x.top.map((c, i) => `${name(c)} ${pct(x.topProbabilities[i] ?? 0)}`).join(' · ')}`,
  ];
  if (x.pixels) {
    const p = pixelStats(x.pixels);
    lines.push(`pixel range ${p.min}–${p.max}`);
  }
  return lines;
}

function exampleCard(x: TestExample, ink: Rgb, names: readonly string[], testid: string): HTMLButtonElement {
  const name = (c: number) => names[c] ?? String(c);
  const wrong = x.label !== x.predicted;
  return digitCard({
    testid,
    pixels: x.pixels,
    ink,
    wrong,
    lines: topLines(x, names),
    description: `Test digit #${x.index}, true ${name(x.label)}: ${topLines(x, names).join(', ')}`,
    data: {
      index: String(x.index),
      label: String(x.label),
      predicted: String(x.predicted),
      top: x.top.join(','),
      probabilities: x.topProbabilities.join(','),
    },
  });
}

export class EvaluationView {
  readonly confusionChart: Chart;
  readonly perClassChart: Chart;
  private mode: ConfusionMode = 'counts';
  private selected: CellSelection | null = null;
  private runKey = '';
  private panelKey = '';
  private evaluation: Evaluation | null = null;
  private version = 0;
  private names: string[] = [];
  private ink: Rgb = [204, 204, 204];
  private readonly zoom: DigitZoom;

  constructor(private readonly body: HTMLElement, private readonly onChange: () => void) {
    const confusion = chartFigure('confusion', 'Confusion matrix', 'confusion-matrix', 'Confusion matrix of the test set: rows are the true class, columns the predicted class');
    confusion.canvas.classList.add('square');
    const mode = (m: ConfusionMode, text: string) =>
      el('button', { type: 'button', class: 'toggle', 'data-mode': m, 'data-testid': `confusion-mode-${m}`, 'aria-pressed': String(m === this.mode) }, text);
    confusion.tools.prepend(el('span', { class: 'toggles', role: 'group', 'aria-label': 'Show counts or rates' }, mode('counts', 'Counts'), mode('rates', 'Rates')));
    const perClass = chartFigure('per-class', 'Accuracy per class', 'per-class-accuracy', 'Test accuracy of each class');
    this.zoom = new DigitZoom('cell-zoom', () => this.zoom.hide());
    body.append(
      el('p', { class: 'evaluation-line', 'data-testid': 'evaluation-summary' }),
      el('p', { class: 'confusions', 'data-testid': 'top-confusions' }),
      confusion.figure,
      el('p', { class: 'caption' }, 'Rows: the true class; columns: what the model said. The diagonal (green) is right answers. Click a cell to see its digits.'),
      el('table', { class: 'sr-only', 'data-testid': 'confusion-table' }),
      el('section', { class: 'cell-panel', 'data-testid': 'confusion-cell', hidden: '' },
        el('h4', { 'data-testid': 'confusion-cell-title' }),
        el('p', { class: 'note', 'data-testid': 'confusion-cell-note' }),
        el('div', { class: 'digit-grid', 'data-testid': 'confusion-cell-examples' }),
        this.zoom.root),
      perClass.figure,
    );
    this.confusionChart = new Chart(confusion.canvas, onChange);
    this.perClassChart = new Chart(perClass.canvas, onChange);
    this.confusionChart.onClick((p) => {
      const v = p.value as [number, number, number] | undefined;
      if (Array.isArray(v)) this.select({ label: v[1], predicted: v[0] });
    });
    body.addEventListener('click', (ev) => {
      const t = ev.target as HTMLElement;
      const toggle = t.closest<HTMLElement>('[data-mode]');
      if (toggle) {
        this.mode = toggle.dataset.mode as ConfusionMode;
        for (const b of body.querySelectorAll<HTMLElement>('[data-mode]')) b.setAttribute('aria-pressed', String(b.dataset.mode === this.mode));
        this.onChange();
        return;
      }
      const cell = t.closest<HTMLElement>('[data-cell]');
      if (cell) {
        const [label, predicted] = cell.dataset.cell!.split(',').map(Number);
        this.select({ label, predicted });
        return;
      }
      const card = t.closest<HTMLElement>('[data-testid="cell-example"]');
      if (card) this.openExample(Number(card.dataset.index));
    });
  }

  /** Selects a confusion cell, as a click on the heatmap does; exposed for the table and the summary links. */
  select(sel: CellSelection | null): void {
    const same = sel && this.selected && sel.label === this.selected.label && sel.predicted === this.selected.predicted;
    this.selected = same ? null : sel;
    this.zoom.hide();
    this.onChange();
  }

  render(s: ViewState, theme: ChartTheme, ink: Rgb, styleKey: string): void {
    const ev = s.evaluation;
    if (!ev) return;
    const names = ev.confusionMatrix.map((_, c) => s.dataset?.classNames[c] ?? String(c));
    const runKey = `${s.run?.id}`;
    if (runKey !== this.runKey || this.evaluation !== ev) {
      if (runKey !== this.runKey) this.selected = null;
      this.runKey = runKey;
      this.evaluation = ev;
      this.version++;
      this.names = names;
      this.renderSummary(ev, names);
      this.renderTable(ev, names);
    }
    this.ink = ink;
    const matrix = $('confusion-matrix', this.body);
    matrix.dataset.mode = this.mode;
    matrix.dataset.selected = this.selected ? `${this.selected.label},${this.selected.predicted}` : '';
    const sel = this.selected;
    this.confusionChart.update(`${this.mode}|${this.version}|${matrix.dataset.selected}`, styleKey, () => confusionChartOption(ev, this.mode, theme, names, sel));
    this.perClassChart.update(`${this.version}`, styleKey, () => perClassChartOption(ev, theme, names));
    this.renderCell(ev, names, ink);
  }

  private renderSummary(ev: Evaluation, names: string[]): void {
    const total = ev.confusionMatrix.reduce((s, row) => s + row.reduce((a, v) => a + v, 0), 0);
    const wrong = total - ev.confusionMatrix.reduce((s, row, c) => s + (row[c] ?? 0), 0);
    const line = $('evaluation-summary', this.body);
    line.dataset.accuracy = String(ev.testAccuracy);
    line.dataset.loss = String(ev.testLoss);
    setText(line, `Test accuracy ${formatPercent(ev.testAccuracy)}, loss ${ev.testLoss.toFixed(4)}, on ${formatCount(total)} test digits: ${formatCount(wrong)} wrong.`);
    const top = topConfusions(ev, 3);
    const p = $('top-confusions', this.body);
    p.replaceChildren();
    if (top.length) {
      p.append('Most confused: ');
      top.forEach((c, i) => {
        if (i) p.append(', ');
        p.append(el('button', { type: 'button', class: 'link', 'data-cell': `${c.label},${c.predicted}`, title: `Show the ${names[c.label]}s taken for ${names[c.predicted]}` },
          `${names[c.label]} → ${names[c.predicted]} (${c.count})`));
      });
    }
  }

  /** The matrix as a table for screen readers (and tests): every cell a button that selects it. */
  private renderTable(ev: Evaluation, names: string[]): void {
    $('confusion-table', this.body).replaceChildren(
      el('caption', {}, 'Confusion matrix: rows true class, columns predicted class'),
      el('thead', {}, el('tr', {}, el('th', {}, 'true \\ predicted'), ...names.map((n) => el('th', { scope: 'col' }, n)))),
      el('tbody', {}, ...ev.confusionMatrix.map((row, t) =>
        el('tr', {}, el('th', { scope: 'row' }, names[t]), ...row.map((count, p) =>
          el('td', {}, el('button', { type: 'button', 'data-cell': `${t},${p}`, 'data-count': String(count), 'data-testid': 'confusion-table-cell' }, String(count))))))),
    );
  }

  private renderCell(ev: Evaluation, names: string[], ink: Rgb): void {
    const panel = $('confusion-cell', this.body);
    const key = this.selected ? `${this.version}|${this.selected.label},${this.selected.predicted}|${ink.join(',')}` : '';
    if (key === this.panelKey) return;
    this.panelKey = key;
    panel.hidden = !this.selected;
    if (!this.selected) return;
    const d = cellDetail(ev, this.selected);
    const right = d.label === d.predicted;
    panel.dataset.label = String(d.label);
    panel.dataset.predicted = String(d.predicted);
    panel.dataset.count = String(d.count);
    setText($('confusion-cell-title', this.body), right
      ? `True ${names[d.label]}, predicted right: ${formatCount(d.count)} of ${formatCount(d.rowTotal)} (${pct(d.rate)})`
      : `True ${names[d.label]}, predicted ${names[d.predicted]}: ${formatCount(d.count)} of ${formatCount(d.rowTotal)} (${pct(d.rate)})`);
    let note: string;
    if (d.count === 0) note = 'No test digits here.';
    else if (ev.examples.length === 0) note = 'This run\u2019s log has no test images (it was recorded before they were added); train again to see them.';
    else if (right) note = `The ${d.examples.length} least confident right answers, with the model\u2019s top 3 classes.`;
    else if (d.examples.length < d.count) note = `The ${d.examples.length} most confident of ${d.count}, with the model\u2019s top 3 classes.`;
    else note = `All ${d.count}, most confident first, with the model\u2019s top 3 classes.`;
    setText($('confusion-cell-note', this.body), note);
    $('confusion-cell-examples', this.body).replaceChildren(...d.examples.map((x) => exampleCard(x, ink, names, 'cell-example')));
  }

  private openExample(index: number): void {
    const x = this.evaluation?.examples.find((e) => e.index === index);
    if (!x) return;
    const key = `test-${index}`;
    if (this.zoom.key === key) return this.zoom.hide();
    this.zoom.show(key, x.pixels, this.ink, `Test digit #${x.index}`, zoomLines(x, this.names));
  }
}

const GALLERY_FIRST = 24;

export class MisclassifiedView {
  private key = '';
  private all = false;
  private evaluation: Evaluation | null = null;
  private names: string[] = [];
  private ink: Rgb = [204, 204, 204];
  private readonly zoom: DigitZoom;

  constructor(private readonly body: HTMLElement) {
    this.zoom = new DigitZoom('misclassified-zoom', () => this.zoom.hide());
    body.append(
      el('p', { class: 'note', 'data-testid': 'misclassified-note' }),
      el('div', { class: 'digit-grid', 'data-testid': 'misclassified-gallery' }),
      this.zoom.root,
      el('button', { type: 'button', class: 'link', 'data-testid': 'misclassified-more' }),
    );
    body.addEventListener('click', (ev) => {
      const t = ev.target as HTMLElement;
      if (t.closest('[data-testid="misclassified-more"]')) {
        this.all = !this.all;
        this.key = '';
        this.draw();
        return;
      }
      const card = t.closest<HTMLElement>('[data-testid="misclassified"]');
      if (card) this.open(Number(card.dataset.index));
    });
  }

  render(s: ViewState, ink: Rgb): void {
    const ev = s.evaluation;
    if (!ev) return;
    if (this.evaluation !== ev) this.all = false;
    this.evaluation = ev;
    this.names = ev.confusionMatrix.map((_, c) => s.dataset?.classNames[c] ?? String(c));
    this.ink = ink;
    this.draw();
  }

  private draw(): void {
    const ev = this.evaluation;
    if (!ev) return;
    const key = `${ev.misclassified.length}|${ev.examples.length}|${this.all}|${this.ink.join(',')}|${this.names.join(',')}`;
    if (key === this.key) return;
    this.key = key;
    this.zoom.hide();
    const names = this.names;
    const mistakes = worstMistakes(ev);
    const shown = this.all ? mistakes : mistakes.slice(0, GALLERY_FIRST);
    const totalWrong = ev.confusionMatrix.reduce((s, row, t) => s + row.reduce((a, v, p) => a + (p === t ? 0 : v), 0), 0);
    const missing = mistakes.some((m) => !m.example);
    setText($('misclassified-note', this.body),
      `The ${formatCount(mistakes.length)} most confident mistakes of ${formatCount(totalWrong)}, most confident first: true → predicted, confidence.` +
      (missing ? ' This run\u2019s log has no images for them (recorded before they were added).' : ''));
    $('misclassified-gallery', this.body).replaceChildren(
      ...shown.map((m) =>
        digitCard({
          testid: 'misclassified',
          pixels: m.example?.pixels ?? null,
          ink: this.ink,
          wrong: true,
          lines: [`${names[m.label]} → ${names[m.predicted]}`, pct(m.confidence)],
          description: `Test digit #${m.index}: true ${names[m.label]}, predicted ${names[m.predicted]} with ${pct(m.confidence)} confidence`,
          data: { index: String(m.index), label: String(m.label), predicted: String(m.predicted), confidence: m.confidence.toFixed(4) },
        }),
      ),
    );
    const more = $('misclassified-more', this.body);
    more.hidden = mistakes.length <= GALLERY_FIRST;
    setText(more, this.all ? `Show the first ${GALLERY_FIRST}` : `Show all ${mistakes.length}`);
  }

  private open(index: number): void {
    const ev = this.evaluation;
    const m = ev?.misclassified.find((x) => x.index === index);
    if (!ev || !m) return;
    const key = `test-${index}`;
    if (this.zoom.key === key) return this.zoom.hide();
    const x = ev.examples.find((e) => e.index === index);
    const lines = x ? zoomLines(x, this.names) : [`true ${this.names[m.label]}, predicted ${this.names[m.predicted]} (${pct(m.confidence)})`];
    this.zoom.show(key, x?.pixels ?? null, this.ink, `Test digit #${index}`, lines);
  }
}
