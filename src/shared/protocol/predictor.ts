// host ↔ predictor (dist/predictor.js): load a run's model, classify a digit.
import { type InspectCommand, type InspectionEvent, isInspectCommand } from './inspect';
import type { EventBase, LogEvent, PredictionEvent } from './trainer';

/** host → predictor: load the model saved in this folder (model.json + weights), replacing any other. */
export interface LoadModelCommand { type: 'loadModel'; modelDir: string }
/** host → predictor: classify one 28×28 image (784 values in 0..1) with the loaded model. */
export interface PredictCommand { type: 'predict'; id: number; pixels: number[] }

export type PredictorCommand = LoadModelCommand | PredictCommand | InspectCommand;

/** predictor → host: the model in modelDir is loaded and warmed up, or `error` says why not. */
export interface ModelLoadedEvent extends EventBase {
  type: 'modelLoaded';
  modelDir: string;
  backend?: string;
  error?: string;
}

export type PredictorEvent = ModelLoadedEvent | PredictionEvent | LogEvent | InspectionEvent;

export function isPredictorCommand(m: unknown): m is PredictorCommand {
  if (typeof m !== 'object' || m === null) return false;
  const o = m as Record<string, unknown>;
  if (o.type === 'loadModel') return typeof o.modelDir === 'string';
  if (o.type === 'inspect') return isInspectCommand(o);
  return o.type === 'predict' && typeof o.id === 'number' && Array.isArray(o.pixels);
}
