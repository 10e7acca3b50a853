// Meta counts these currencies in whole units ("offset 1"): a budget of 2500 JPY is sent as 2500.
const WHOLE_UNIT_CURRENCIES = new Set([
  'CLP',
  'COP',
  'CRC',
  'HUF',
  'IDR',
  'ISK',
  'JPY',
  'KRW',
  'PYG',
  'TWD',
  'VND',
]);

/** Digits of the minor unit Meta uses for budgets in this currency (2 for USD and EUR, 0 for JPY). */
export function metaMinorDigits(currency: string): number {
  return WHOLE_UNIT_CURRENCIES.has(currency.toUpperCase()) ? 0 : 2;
}
