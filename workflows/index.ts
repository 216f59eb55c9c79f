// The workflow types the worker registers: one line per process (its folder's index exports only workflow functions).
export * from './appointment-recovery';
export * from './replenishment';
export * from './price-change';
export * from './campaign';
export * from './model-retraining';
