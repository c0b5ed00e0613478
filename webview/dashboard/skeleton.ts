// The Dashboard's page, built once: header, empty state, message, download, result, progress,
// charts, the prediction grid and the collapsible sections. Rendering fills it from the state.
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-progress-bar/index.js';
import { chartFigure } from '../common/chart-host';
import { el } from '../common/dom';

/** UI preferences only; everything the view shows comes from the event log. */
export interface UiPrefs {
  /** Which collapsible sections are open, by data-testid; missing means the section's default. */
  open: Record<string, boolean>;
}

/** Preferences as saved by this or an older version (which kept only `modelOpen`). */
export function readPrefs(saved: unknown): UiPrefs {
  const s = (typeof saved === 'object' && saved !== null ? saved : {}) as Partial<UiPrefs> & { modelOpen?: boolean };
  return { open: { ...(s.modelOpen !== undefined ? { 'model-details': s.modelOpen } : {}), ...s.open } };
}

/** A collapsible section; open unless the user closed it (remembered per section). */
function section(prefs: UiPrefs, save: () => void, testid: string, title: string, bodyTestid: string, extraClass = ''): HTMLDetailsElement {
  const d = el('details', { class: `section ${extraClass}`.trim(), 'data-testid': testid },
    el('summary', { 'data-testid': `${testid}-title` }, title),
    el('div', { class: 'section-body', 'data-testid': bodyTestid }));
  d.open = prefs.open[testid] ?? true;
  d.addEventListener('toggle', () => {
    prefs.open[testid] = d.open;
    save();
  });
  return d;
}

export function buildSkeleton(root: HTMLElement, prefs: UiPrefs, savePrefs: () => void): void {
  const collapsible = (testid: string, title: string, bodyTestid: string, extraClass = '') => section(prefs, savePrefs, testid, title, bodyTestid, extraClass);
  const trainButton = el('vscode-button', { 'data-testid': 'train-button', 'data-action': 'train', 'data-session-button': '' }, 'Train');
  const openRun = el('a', { href: '#', role: 'button', 'data-testid': 'open-run', 'data-action': 'openRun' }, 'Open Run…');
  root.append(
    el('header', { class: 'header', 'data-testid': 'header' },
      el('div', { class: 'title-line' },
        el('span', { class: 'run-name', 'data-testid': 'run-name' }),
        el('span', { class: 'status', 'data-testid': 'status' })),
      el('div', { class: 'meta', 'data-testid': 'run-meta' }),
      el('div', { class: 'actions' }, trainButton, openRun)),
    el('section', { class: 'empty', 'data-testid': 'empty-state' },
      el('h2', {}, 'No training run yet'),
      el('p', {}, 'Create a config, then Train. ', el('b', {}, 'MNIST: Create Config'),
        ' writes mnist.config.json with the Keras tutorial\u2019s model (Train offers to create it too). ',
        el('b', {}, 'Train'), ' runs it in the background and the curves and predictions appear here.'),
      el('p', {}, 'Set "dataset": "mnist-sample" to train offline on the bundled digits in under a minute.'),
      el('div', { class: 'actions' },
        el('vscode-button', { 'data-action': 'createConfig', 'data-testid': 'empty-create-config' }, 'Create Config'),
        el('vscode-button', { secondary: '', 'data-action': 'train', 'data-testid': 'empty-train', 'data-session-button': '' }, 'Train'),
        el('vscode-button', { secondary: '', 'data-action': 'openRun', 'data-testid': 'empty-open-run' }, 'Open Run…'))),
    el('section', { class: 'message', 'data-testid': 'run-message', role: 'status' },
      el('p', { class: 'message-text', 'data-testid': 'run-message-text' }),
      el('p', { class: 'message-hint', 'data-testid': 'run-hint' })),
    el('section', { class: 'download', 'data-testid': 'download' },
      el('div', { class: 'download-text', 'data-testid': 'download-text' }),
      el('vscode-progress-bar', { 'data-testid': 'download-progress', 'aria-label': 'Download' })),
    el('section', { class: 'result', 'data-testid': 'result' },
      el('div', { class: 'result-item' }, el('span', { class: 'result-label' }, 'Test accuracy'),
        el('span', { class: 'result-value', 'data-testid': 'test-accuracy' })),
      el('div', { class: 'result-item' }, el('span', { class: 'result-label' }, 'Test loss'),
        el('span', { class: 'result-value small', 'data-testid': 'test-loss' })),
      el('vscode-button', { secondary: '', 'data-action': 'lookInside', 'data-testid': 'look-inside', title: 'Every layer\u2019s output for a digit, the filters, and where the model looked' }, 'Look Inside Model')),
    el('section', { class: 'progress', 'data-testid': 'progress' },
      el('div', { class: 'progress-line' },
        el('span', { 'data-testid': 'epoch-progress' }),
        el('span', { 'data-testid': 'batch-progress-text' }),
        el('span', { 'data-testid': 'samples-per-second' }),
        el('span', { 'data-testid': 'eta' })),
      el('vscode-progress-bar', { 'data-testid': 'batch-progress', 'aria-label': 'Batches in this epoch' })),
    el('section', { class: 'charts', 'data-testid': 'charts' },
      chartFigure('accuracy', 'Accuracy', 'accuracy-chart', 'Accuracy per epoch').figure,
      chartFigure('loss', 'Loss', 'loss-chart', 'Loss per epoch').figure,
      chartFigure('learning-rate', 'Learning rate', 'learning-rate-chart', 'Learning rate per epoch').figure,
      el('p', { class: 'note curve-notes', 'data-testid': 'curve-notes' })),
    el('section', { class: 'samples', 'data-testid': 'samples' },
      el('h3', { 'data-testid': 'samples-title' }),
      el('div', { class: 'sample-grid', 'data-testid': 'sample-grid' })),
    collapsible('draw-section', 'Draw a digit', 'draw-body'),
    collapsible('evaluation-section', 'Evaluation on the test set', 'evaluation-body'),
    collapsible('misclassified-section', 'Misclassified', 'misclassified-body'),
    collapsible('dataset-section', 'Dataset', 'dataset-body'),
    collapsible('model-details', 'Model', 'details-body', 'model'),
  );
}
