export * from './money/money.ts';
export * from './metrics/totals.ts';
export * from './metrics/derive.ts';
export * from './metrics/window.ts';
export * from './stats/special-functions.ts';
export * from './stats/gamma-poisson.ts';
export * from './stats/lag.ts';
export * from './stats/roas-posterior.ts';
