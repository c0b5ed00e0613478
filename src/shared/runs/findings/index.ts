// The findings engine's public face: findings of a run, their quick fixes and their thresholds.
export { type FindingsOptions, findingsOfFacts, runFindings } from './engine';
export { type EpochPoint, type RunFacts, runFacts } from './facts';
export { applyJsonEdits, formattingOf, quickFix, quickFixes } from './fixes';
export * as thresholds from './thresholds';
export * from './types';
