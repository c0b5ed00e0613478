// host ↔ the Dashboard webview (sidebar view and editor panel).
import type { AugmentConfig } from '../config';
import { isObject, isString, plainMessage } from './guard';
import type { LookInsideRequest } from './inspect';
import type { TrainerEvent } from './trainer';

/** What the view shows about a run besides its events. */
export interface RunInfo {
  /** The run folder's name, e.g. "2026-11-26_12-30-05_cnn". */
  id: string;
  /** Plain words for the model: "cnn", "mlp-dropout", "Flatten → Dense 128 → Dense 10". */
  model: string;
  dataset: string;
  epochs: number;
  batchSize: number;
  /** True while the trainer is writing this run. */
  live: boolean;
  /** The run's data.augment (null: off) and seed, for the dataset explorer's augmentation preview; absent when unknown. */
  augment?: AugmentConfig | null;
  seed?: number;
}

/** host → webview: show this run from the start; `events` follow in `events` messages. */
export interface ShowRunMessage { type: 'showRun'; run: RunInfo | null }
/** host → webview: events of the shown run, in order (a replay or live ones). */
export interface EventsMessage { type: 'events'; runId: string; events: TrainerEvent[] }
/** host → webview: whether Train or Stop makes sense right now. */
export interface SessionMessage { type: 'session'; state: 'idle' | 'training' | 'stopping' }
/** host → webview: the answer to a PredictRequest; `error` (and no probabilities) when the run's model cannot answer. */
export interface PredictionMessage { type: 'prediction'; id: number; probabilities: number[]; error?: string }

export type ToWebview = ShowRunMessage | EventsMessage | SessionMessage | PredictionMessage;

/** webview → host: the view is loaded; answer with the current run and its events so far. */
export interface ViewReadyMessage { type: 'ready' }
/** webview → host: the user pressed Train. */
export interface TrainRequest { type: 'train' }
/** webview → host: the user pressed Stop. */
export interface StopRequest { type: 'stop' }
/** webview → host: the user wants to pick an old run (MNIST: Open Run…). */
export interface OpenRunRequest { type: 'openRun' }

/** webview → host: the user wants mnist.config.json created (MNIST: Create Config). */
export interface CreateConfigRequest { type: 'createConfig' }

/** webview → host: classify this drawn digit (784 values in 0..1, row-major 28×28) with the shown run's model. */
export interface PredictRequest { type: 'predict'; id: number; pixels: number[] }

export type ExportFormat = 'png' | 'svg' | 'csv';

/**
 * webview → host: save a chart (png: a data:image/png;base64 URL, svg: the markup) or its data
 * (csv: the text). The host asks where with a save dialog and writes only there.
 */
export interface ExportRequest { type: 'export'; format: ExportFormat; fileName: string; data: string }

export type FromWebview = ViewReadyMessage | TrainRequest | StopRequest | OpenRunRequest | CreateConfigRequest | PredictRequest | ExportRequest | LookInsideRequest;

/** Largest export the host accepts: a full-HD PNG at twice the pixel ratio stays well under it. */
export const MAX_EXPORT_CHARS = 16 * 1024 * 1024;

/** Messages from a webview are untrusted: only these shapes are acted on. */
export function isFromWebview(m: unknown): m is FromWebview {
  if (plainMessage(m) === null) return false;
  const keys = Object.keys(m as object);
  const t = (m as { type?: unknown }).type;
  if (t === 'predict') return isPredictRequest(m as Record<string, unknown>, keys);
  if (t === 'export') return isExportRequest(m as Record<string, unknown>, keys);
  return keys.length === 1 && (t === 'ready' || t === 'train' || t === 'stop' || t === 'openRun' || t === 'createConfig' || t === 'lookInside');
}

function isPredictRequest(o: Record<string, unknown>, keys: string[]): boolean {
  if (keys.length !== 3 || !Number.isSafeInteger(o.id) || (o.id as number) < 0) return false;
  const p = o.pixels;
  if (!Array.isArray(p) || p.length !== 784) return false;
  for (const v of p) if (typeof v !== 'number' || !(v >= 0 && v <= 1)) return false;
  return true;
}

function isExportRequest(o: Record<string, unknown>, keys: string[]): boolean {
  if (keys.length !== 4 || typeof o.data !== 'string' || typeof o.fileName !== 'string') return false;
  const { format, fileName, data } = o as { format: unknown; fileName: string; data: string };
  if (format !== 'png' && format !== 'svg' && format !== 'csv') return false;
  // A suggested name only (the user picks the folder and may rename): no path, no dot files.
  if (!/^[A-Za-z0-9][A-Za-z0-9 ._-]{0,99}$/.test(fileName) || !fileName.toLowerCase().endsWith(`.${format}`)) return false;
  if (data.length === 0 || data.length > MAX_EXPORT_CHARS) return false;
  if (format === 'png') return /^data:image\/png;base64,[A-Za-z0-9+/]+={0,2}$/.test(data);
  if (format === 'svg') return /^(<\?xml[^>]*>\s*)?<svg[\s>]/.test(data);
  return !data.includes('\u0000');
}

/** summary.json in a run folder. */

/** A webview acts only on the host's shapes: anyone who can post to its `window` can send it anything. */
export function isToWebview(m: unknown): m is ToWebview {
  if (!isObject(m)) return false;
  switch (m.type) {
    case 'showRun':
      return m.run === null || (isObject(m.run) && isString(m.run.id));
    case 'events':
      return isString(m.runId) && Array.isArray(m.events);
    case 'session':
      return m.state === 'idle' || m.state === 'training' || m.state === 'stopping';
    case 'prediction':
      return typeof m.id === 'number' && Array.isArray(m.probabilities) && (m.error === undefined || isString(m.error));
    default:
      return false;
  }
}
