// MNIST: Preview Augmentation's webview: each real digit, then its augmented versions. Everything
// it shows comes in one `augmentPreview` message; it keeps no other state.
import { type AugmentPreviewMessage, isToAugmentView } from '../../src/shared/protocol';
import { augmentRows } from '../common/augment-view';
import { el } from '../common/dom';
import { inkOf, readChartTheme } from '../common/theme';
import { startView } from '../common/vscode';

let shown: AugmentPreviewMessage | null = null;

function render(m: AugmentPreviewMessage): void {
  const p = m.preview;
  const app = document.getElementById('app') ?? document.body;
  app.replaceChildren(
    el('h1', {}, 'Augmentation preview'),
    el('p', { class: 'what', 'data-testid': 'augment-description', 'data-enabled': String(p.enabled) },
      el('b', {}, p.enabled ? 'Training batches get: ' : 'Would apply: '), p.description,
      el('span', { class: 'muted' }, ` (validation and test images never change). Seed ${p.seed}: the same config shows the same versions.`)),
    el('p', { class: 'muted', 'data-testid': 'augment-source' },
      `${m.configFile ? `Config ${m.configFile}` : 'No config'} · digits from ${p.source} · the first of each class, then ${p.digits[0]?.versions.length ?? 0} augmented versions`),
    ...p.notes.map((n) => el('p', { class: 'note', 'data-testid': 'augment-note', role: 'status' }, n)),
    augmentRows(p, inkOf(readChartTheme())),
  );
}

startView({
  accept: isToAugmentView,
  onMessage: (m) => {
    shown = m;
    render(m);
  },
  // A theme change recolours the ink.
  onThemeChange: () => shown && render(shown),
});
