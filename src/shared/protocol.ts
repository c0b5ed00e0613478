// Every message that crosses a process boundary, one file per channel in protocol/. A message not
// defined there does not exist. Importers take them from here.
export * from './protocol/trainer';
export * from './protocol/predictor';
export * from './protocol/dashboard';
export * from './protocol/run-files';
export * from './protocol/compare';
export * from './protocol/augment';
export * from './protocol/guard';
