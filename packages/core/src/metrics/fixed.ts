const SCALES = [1, 10, 100, 1000] as const;
// Beyond this the scaled value's rounding error nears a unit: the built-in handles those.
const LARGEST = 1e9;

/**
 * `value.toFixed(digits)`, the same string, cheaper: reasons and explanations format a few dozen
 * numbers per decision. Scales and rounds in floating point, and leaves to the built-in (exact
 * decimal arithmetic) every value within rounding error of a tie, and every large or odd input.
 */
export function toFixed(value: number, digits: number): string {
  const scale = SCALES[digits];
  const magnitude = Math.abs(value);
  if (scale === undefined || !(magnitude < LARGEST)) return value.toFixed(digits);
  const scaled = magnitude * scale;
  // The product is off by at most half an ulp; a fraction that far from 1/2 rounds as the exact one.
  if (Math.abs(scaled - Math.floor(scaled) - 0.5) <= scaled * 1e-15 + 1e-300) return value.toFixed(digits);
  const units = Math.round(scaled);
  const sign = value < 0 ? '-' : '';
  if (digits === 0) return `${sign}${units}`;
  const fraction = units % scale;
  return `${sign}${(units - fraction) / scale}.${String(fraction).padStart(digits, '0')}`;
}
