// The Model section: Keras' model.summary() as a table, from the `model` event.
import { el } from '../common/dom';
import { formatCount } from '../common/format';
import { formatShape } from './insights';
import type { ViewState } from './state';

let renderedKey = '';

export function renderModelDetails(body: HTMLElement, s: ViewState): void {
  const key = `${s.run?.id}|${s.model !== null}|${s.backend !== null}`;
  if (key === renderedKey) return;
  renderedKey = key;
  body.replaceChildren();
  if (s.model) {
    const m = s.model;
    const rows = m.layers.map((l) =>
      el('tr', { 'data-testid': 'model-layer', 'data-name': l.name, 'data-type': l.type, 'data-params': String(l.params) },
        el('td', { class: 'layer-name' }, l.name, el('span', { class: 'layer-type' }, ` (${l.type})`)),
        el('td', { class: 'shape' }, formatShape(l.outputShape)),
        el('td', { class: 'num' }, formatCount(l.params))));
    const total = (label: string, n: number, testid: string) =>
      el('tr', { 'data-testid': testid, 'data-value': String(n) }, el('td', { colspan: '2' }, label), el('td', { class: 'num' }, formatCount(n)));
    body.append(
      el('table', { class: 'layers', 'data-testid': 'model-summary' },
        el('thead', {}, el('tr', {}, el('th', {}, 'Layer (type)'), el('th', {}, 'Output shape'), el('th', { class: 'num' }, 'Param #'))),
        el('tbody', {}, ...rows),
        el('tfoot', {},
          total('Total params', m.totalParams, 'model-total-params'),
          total('Trainable params', m.trainableParams, 'model-trainable-params'),
          total('Non-trainable params', m.nonTrainableParams, 'model-non-trainable-params'))),
    );
  }
  if (s.backend) body.append(el('p', {}, el('b', {}, `Backend ${s.backend.name}`), `: ${s.backend.reason} (tfjs ${s.backend.tfjs})`));
  if (s.run) body.append(el('p', {}, `Batch size ${s.run.batchSize}, ${s.run.epochs} epochs`));
}
