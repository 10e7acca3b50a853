import { describe, expect, it } from 'vitest';
import { formatMicros, microsToNumber, minorUnitsToMicros, MoneyParseError, parseMicros } from './money.ts';

describe('parseMicros', () => {
  it.each([
    ['14.35', 14_350_000n],
    ['0', 0n],
    ['-3', -3_000_000n],
    ['.5', 500_000n],
    ['7.', 7_000_000n],
    ['0.000001', 1n],
    ['1.2300000000', 1_230_000n],
    ['  42.1 ', 42_100_000n],
    ['123456789012.123456', 123_456_789_012_123_456n],
  ])('reads %s exactly', (input, expected) => {
    expect(parseMicros(input)).toBe(expected);
  });

  it.each(['', 'abc', '1,234.5', '1e5', '1.2.3', '--1'])('refuses %j', (input) => {
    expect(() => parseMicros(input)).toThrow(MoneyParseError);
  });

  it('refuses precision it would have to round', () => {
    expect(() => parseMicros('0.0000001')).toThrow(/rounded/);
  });

  it('keeps sums exact where floats drift', () => {
    const tenCents = parseMicros('0.1');
    expect(formatMicros(tenCents + parseMicros('0.2'))).toBe('0.30');
    expect(0.1 + 0.2).not.toBe(0.3);
  });
});

describe('formatMicros and conversions', () => {
  it('formats with a minimum number of decimals', () => {
    expect(formatMicros(14_350_000n)).toBe('14.35');
    expect(formatMicros(-1n, 2)).toBe('-0.000001');
    expect(formatMicros(5_000_000n, 0)).toBe('5');
  });
  it('converts to numbers and from minor units', () => {
    expect(microsToNumber(3_272_500_000n)).toBe(3272.5);
    expect(minorUnitsToMicros(2000n, 2)).toBe(20_000_000n);
    expect(minorUnitsToMicros(500n, 0)).toBe(500_000_000n);
  });
});
