/**
 * Money as an exact count of micro-units (1/1,000,000 of the currency's major unit), held in a bigint.
 * Six decimals cover every ISO currency's minor unit and Meta's decimal strings, so nothing is rounded.
 */
export type Micros = bigint;

export const MICROS_PER_UNIT = 1_000_000n;
const MAX_DECIMALS = 6;

/** Why a decimal string could not be read as money; the caller names the cell. */
export class MoneyParseError extends Error {
  constructor(
    readonly input: string,
    readonly reason: string,
  ) {
    super(`"${input}" is not an amount of money: ${reason}`);
    this.name = 'MoneyParseError';
  }
}

const DECIMAL = /^([+-]?)(\d+)(?:\.(\d*))?$/;

/**
 * Parses a plain decimal string ("14.35", "-3", "0.000001") into micros.
 * Refuses more than six decimals rather than rounding them away.
 */
export function parseMicros(input: string): Micros {
  const text = input.trim();
  const match = DECIMAL.exec(text) ?? /^([+-]?)()\.(\d+)$/.exec(text);
  if (!match) throw new MoneyParseError(input, 'expected digits with an optional decimal point');
  const [, sign = '', whole = '', fraction = ''] = match;
  if (fraction.length > MAX_DECIMALS) {
    const significant = fraction.slice(MAX_DECIMALS).replace(/0+$/, '');
    if (significant.length > 0) {
      throw new MoneyParseError(input, `more than ${MAX_DECIMALS} decimal places would be rounded`);
    }
  }
  const micros =
    BigInt(whole === '' ? '0' : whole) * MICROS_PER_UNIT +
    BigInt(fraction.slice(0, MAX_DECIMALS).padEnd(MAX_DECIMALS, '0'));
  return sign === '-' ? -micros : micros;
}

/** Formats micros as a decimal string with no trailing zeros beyond `minDecimals`. */
export function formatMicros(micros: Micros, minDecimals = 2): string {
  const negative = micros < 0n;
  const abs = negative ? -micros : micros;
  const whole = abs / MICROS_PER_UNIT;
  let fraction = (abs % MICROS_PER_UNIT).toString().padStart(MAX_DECIMALS, '0').replace(/0+$/, '');
  if (fraction.length < minDecimals) fraction = fraction.padEnd(minDecimals, '0');
  return `${negative ? '-' : ''}${whole.toString()}${fraction ? `.${fraction}` : ''}`;
}

/** Major units as a JS number, for ratios and JSON output; exact for any realistic amount. */
export function microsToNumber(micros: Micros): number {
  return Number(formatMicros(micros, 0));
}

/** Converts an integer count of minor units (Meta budgets: "2000" = 20.00) to micros. */
export function minorUnitsToMicros(minor: bigint, minorDigits: number): Micros {
  if (minorDigits < 0 || minorDigits > MAX_DECIMALS) throw new RangeError(`minorDigits ${minorDigits}`);
  return minor * 10n ** BigInt(MAX_DECIMALS - minorDigits);
}

export function sumMicros(values: Iterable<Micros>): Micros {
  let total = 0n;
  for (const value of values) total += value;
  return total;
}
