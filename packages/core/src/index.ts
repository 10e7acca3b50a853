export * from './money/money.ts';
export * from './metrics/totals.ts';
export * from './metrics/derive.ts';
export * from './metrics/window.ts';
