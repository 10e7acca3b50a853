import { formatMicros, minorUnitsToMicros } from '@roas/core';
import { metaMinorDigits } from './currency.ts';

/**
 * An amount of money as the API returns it: exact minor units (as Meta counts them) and an exact
 * decimal in major units, both strings, plus a display form in the currency.
 */
export type MoneyView = {
  /** Integer minor units as Meta counts them ("24000" = 240.00 USD; JPY has none). */
  minor: string;
  /** Exact decimal in major units ("240.00"). */
  amount: string;
  /** For display: "$240.00", "€240.00", "¥2,500". */
  formatted: string;
  currency: string;
};

const formatters = new Map<string, Intl.NumberFormat>();

function formatterFor(currency: string, digits: number): Intl.NumberFormat | null {
  const key = `${currency}:${digits}`;
  let formatter = formatters.get(key);
  if (formatter === undefined) {
    try {
      formatter = new Intl.NumberFormat('en-US', {
        style: 'currency',
        currency,
        minimumFractionDigits: digits,
        maximumFractionDigits: digits,
      });
    } catch {
      return null;
    }
    formatters.set(key, formatter);
  }
  return formatter;
}

/** Formats an exact decimal amount in a currency for display ("1234.5" EUR → "€1,234.50"). */
export function formatCurrency(amount: string, currency: string): string {
  const digits = metaMinorDigits(currency);
  const formatter = formatterFor(currency, digits);
  // Intl rounds through a double; amounts shown here are budgets and sums far below 2^53 cents.
  return formatter ? formatter.format(Number(amount)) : `${amount} ${currency}`;
}

/** A budget or balance held in Meta's minor units, for the API. */
export function moneyFromMinor(minor: bigint, currency: string): MoneyView {
  const digits = metaMinorDigits(currency);
  const amount = formatMicros(minorUnitsToMicros(minor, digits), digits);
  return { minor: minor.toString(), amount, formatted: formatCurrency(amount, currency), currency };
}

export function moneyFromMinorOrNull(minor: bigint | null, currency: string): MoneyView | null {
  return minor === null ? null : moneyFromMinor(minor, currency);
}
