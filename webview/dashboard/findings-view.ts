// The Dashboard's Findings, under the curves: the findings engine (src/shared/runs/findings) run on
// the view's folded state, live during training (overfitting and no learning, the latter with
// Stop), all of them once the run has ended; and the epochs they name, marked on the charts.
import { formatPath } from '../../src/shared/config';
import { type RunFacts, type RunFinding, findingsOfFacts } from '../../src/shared/runs/findings';
import type { EpochMarker } from './charts';
import { el, setText } from '../common/dom';
import type { ViewState } from './state';

/** The engine's input from the view state: the same numbers the curves and the evaluation show. */
export function factsOfState(s: ViewState): RunFacts {
  const h = s.history;
  const lr = h.learningRate;
  return {
    epochs: h.epoch.map((epoch, i) => ({ epoch, loss: h.loss[i], acc: h.acc[i], valLoss: h.valLoss[i], valAcc: h.valAcc[i], ...(typeof lr[i] === 'number' ? { learningRate: lr[i] } : {}) })),
    plannedEpochs: s.progress.epochs,
    earlyStop: s.earlyStop ? { restoredBestWeights: s.earlyStop.restoredBestWeights } : null,
    evaluation: s.evaluation,
    classNames: s.dataset?.classNames ?? null,
    status: !s.ended ? 'running' : s.status.kind === 'completed' || s.status.kind === 'cancelled' || s.status.kind === 'failed' ? s.status.kind : 'running',
  };
}

/** What the Findings section shows: while the run goes on, only what the curves so far already say. */
export function findingsOfState(s: ViewState): RunFinding[] {
  if (!s.run || s.history.epoch.length === 0) return [];
  return findingsOfFacts(null, factsOfState(s), { live: !s.ended });
}

/** The epoch a finding is about, on the loss and accuracy charts: where validation loss was lowest. */
export function findingMarkers(s: ViewState): EpochMarker[] {
  const over = findingsOfState(s).find((f) => f.id === 'overfitting');
  const epoch = over?.marks?.epochs?.[0];
  return epoch === undefined ? [] : [{ kind: 'finding', epoch, label: `lowest val loss (${epoch})`, detail: over!.message }];
}

const SEVERITY_TEXT: Record<RunFinding['severity'], string> = { error: 'Error', warning: 'Warning', info: 'Info', hint: 'Hint' };

/** For the weakest-digits finding: each weak digit and what it is most often read as (a confusion-matrix cell). */
export function weakCells(s: ViewState, f: RunFinding): { label: number; predicted: number }[] {
  const matrix = s.evaluation?.confusionMatrix;
  if (!matrix || f.id !== 'weakDigits') return [];
  return (f.marks?.classes ?? []).flatMap((label) => {
    const row = matrix[label] ?? [];
    let predicted = -1;
    row.forEach((n, p) => {
      if (p !== label && n > 0 && (predicted < 0 || n > row[predicted])) predicted = p;
    });
    return predicted < 0 ? [] : [{ label, predicted }];
  });
}

export class FindingsView {
  readonly section: HTMLElement;
  private readonly list: HTMLElement;
  private key = '';

  /** Builds the section and puts it right after `after` (the charts); `showCell` opens a confusion-matrix cell. */
  constructor(after: HTMLElement, private readonly showCell: (cell: { label: number; predicted: number }) => void = () => undefined) {
    this.list = el('ul', { class: 'findings-list', 'data-testid': 'findings-list' });
    this.section = el('section', { class: 'findings', 'data-testid': 'findings' }, el('h3', { 'data-testid': 'findings-title' }, 'Findings'), this.list);
    this.section.hidden = true;
    after.after(this.section);
  }

  render(s: ViewState): void {
    const findings = findingsOfState(s);
    const stoppable = s.run?.live === true && !s.ended && s.session === 'training';
    const key = JSON.stringify([findings.map((f) => f.message), stoppable]);
    this.section.hidden = findings.length === 0;
    if (key === this.key) return;
    this.key = key;
    setText(this.section.querySelector('h3')!, s.ended ? 'Findings' : 'Findings so far');
    this.list.replaceChildren(
      ...findings.map((f) => {
        const item = el('li', { class: 'finding', 'data-testid': 'finding', 'data-finding': f.id, 'data-severity': f.severity },
          el('span', { class: 'finding-severity' }, SEVERITY_TEXT[f.severity]),
          el('span', { class: 'finding-message', 'data-testid': 'finding-message' }, f.message),
          el('span', { class: 'finding-field', title: 'The config field this is about' }, formatPath(f.path)));
        // The root's click handler posts { type: 'stop' } for data-action="stop".
        if (f.id === 'noLearning' && stoppable) item.append(el('vscode-button', { 'data-action': 'stop', 'data-testid': 'finding-stop' }, 'Stop'));
        const names = s.dataset?.classNames ?? [];
        for (const cell of weakCells(s, f)) {
          const link = el('a', { href: '#', class: 'finding-cell', 'data-testid': 'finding-cell', 'data-cell': `${cell.label},${cell.predicted}` },
            `${names[cell.label] ?? cell.label} read as ${names[cell.predicted] ?? cell.predicted}`);
          link.addEventListener('click', (ev) => {
            ev.preventDefault();
            this.showCell(cell);
          });
          item.append(link);
        }
        return item;
      }),
    );
  }
}
