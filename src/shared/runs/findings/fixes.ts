// The findings' quick fixes as JSON edits on a config as written (a file may leave fields to their
// defaults or name a preset), and those edits applied to the file's text with jsonc-parser, so
// comments and formatting outside the edited values stay. Pure: tests apply them to real files.
import { type FormattingOptions, applyEdits, modify } from 'jsonc-parser';
import { AUGMENT_DEFAULTS, DEFAULT_CONFIG } from '../../config';
import { SUGGESTED_DROPOUT, SUGGESTED_PATIENCE } from './thresholds';
import type { FixKind, JsonEdit, QuickFix } from './types';

/** The tutorial's optimizer and rate, the switch-to-adam fix's target. */
const ADAM_RATE = 0.001;
/** The schema's largest epochs. */
const MAX_EPOCHS = 10000;

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj | undefined => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : undefined);
/** 20 / 10 is 2, 0.001 / 10 is 0.0001: no 0.00009999999 in the file. */
const tidy = (x: number): number => Number(x.toPrecision(6));

/**
 * The fix `kind` for a config as written (the parsed file, or a run's resolved config), or null
 * when it does not apply (dropout already after every hidden layer, augmentation already on, …).
 */
export function quickFix(kind: FixKind, config: unknown): QuickFix | null {
  const c = obj(config) ?? {};
  const training = obj(c.training) ?? {};
  const rate = typeof training.learningRate === 'number' ? training.learningRate : DEFAULT_CONFIG.training.learningRate;
  const optimizer = typeof training.optimizer === 'string' ? training.optimizer : DEFAULT_CONFIG.training.optimizer;
  const make = (title: string, edits: JsonEdit[]): QuickFix => ({ kind, title, edits });
  switch (kind) {
    case 'addEarlyStopping': {
      const es = { monitor: 'valLoss', patience: SUGGESTED_PATIENCE, restoreBestWeights: true };
      return make(`Add early stopping (validation loss, patience ${SUGGESTED_PATIENCE}, keep the best weights)`, [{ path: ['training', 'earlyStopping'], value: es }]);
    }
    case 'addDropout':
      return dropoutFix(c, make);
    case 'turnOnAugment': {
      if (obj(c.data)?.augment) return null;
      const a = AUGMENT_DEFAULTS;
      return make(`Turn on data augmentation (rotation ${a.rotation}°, shift ${a.shift} px, zoom ${a.zoom * 100} %)`, [{ path: ['data', 'augment'], value: { ...a } }]);
    }
    case 'learningRateDiv10':
    case 'learningRateDiv100': {
      const to = tidy(rate / (kind === 'learningRateDiv10' ? 10 : 100));
      return make(`Set the learning rate to ${to} (${rate} ÷ ${kind === 'learningRateDiv10' ? 10 : 100})`, [{ path: ['training', 'learningRate'], value: to }]);
    }
    case 'useAdam':
      if (optimizer === 'adam' && rate === ADAM_RATE) return null;
      return make(`Use adam at ${ADAM_RATE}, as the tutorial does`, [
        { path: ['training', 'optimizer'], value: 'adam' },
        { path: ['training', 'learningRate'], value: ADAM_RATE },
      ]);
    case 'doubleEpochs': {
      const epochs = typeof training.epochs === 'number' ? training.epochs : DEFAULT_CONFIG.training.epochs;
      const to = Math.min(epochs * 2, MAX_EPOCHS);
      if (to === epochs) return null;
      return make(`Train ${to} epochs instead of ${epochs}`, [{ path: ['training', 'epochs'], value: to }]);
    }
  }
}

/** Dropout after each hidden Dense layer that has none: inserted into written layers, or the mlp-dropout preset for the mlp. */
function dropoutFix(c: Obj, make: (title: string, edits: JsonEdit[]) => QuickFix): QuickFix | null {
  const model = obj(c.model);
  const layers = model?.layers;
  if (Array.isArray(layers)) {
    const edits: JsonEdit[] = [];
    // Last to first, so each insertion's index is still right when the edits are applied in order.
    for (let i = layers.length - 2; i >= 0; i--) {
      const here = obj(layers[i]);
      if (here?.type === 'dense' && obj(layers[i + 1])?.type !== 'dropout') {
        edits.push({ path: ['model', 'layers', i + 1], value: { type: 'dropout', rate: SUGGESTED_DROPOUT }, insert: true });
      }
    }
    return edits.length > 0 ? make(`Add Dropout(${SUGGESTED_DROPOUT}) after each hidden Dense layer`, edits) : null;
  }
  const preset = model?.preset ?? 'mlp';
  return preset === 'mlp' ? make(`Use the mlp-dropout preset: Dropout(${SUGGESTED_DROPOUT}) after each hidden Dense layer`, [{ path: ['model', 'preset'], value: 'mlp-dropout' }]) : null;
}

/** The fixes of these kinds that apply to `config`, in order. */
export function quickFixes(kinds: readonly FixKind[], config: unknown): QuickFix[] {
  return kinds.map((k) => quickFix(k, config)).filter((f): f is QuickFix => f !== null);
}

/** Indentation and line ends as the file has them; 2 spaces for a file without indented lines. */
export function formattingOf(text: string): FormattingOptions {
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const indent = /^([ \t]+)\S/m.exec(text)?.[1];
  if (indent?.startsWith('\t')) return { insertSpaces: false, tabSize: 4, eol };
  return { insertSpaces: true, tabSize: indent?.length ?? 2, eol };
}

/** `text` with the edits applied one after another by jsonc-parser: comments and the rest of the layout are kept. */
export function applyJsonEdits(text: string, edits: readonly JsonEdit[]): string {
  let out = text;
  for (const e of edits) {
    out = applyEdits(out, modify(out, e.path, e.value, { formattingOptions: formattingOf(out), ...(e.insert ? { isArrayInsertion: true } : {}) }));
  }
  return out;
}
