import { z } from 'zod';
import { graphErrors } from './graph-error.ts';

/** Operators of meta-graph-api.md 3.2 that the fake evaluates. */
export const FILTER_OPERATORS = [
  'EQUAL',
  'NOT_EQUAL',
  'GREATER_THAN',
  'GREATER_THAN_OR_EQUAL',
  'LESS_THAN',
  'LESS_THAN_OR_EQUAL',
  'IN_RANGE',
  'NOT_IN_RANGE',
  'CONTAIN',
  'NOT_CONTAIN',
  'IN',
  'NOT_IN',
  'STARTS_WITH',
  'ENDS_WITH',
] as const;
export type FilterOperator = (typeof FILTER_OPERATORS)[number];

// Documented by Meta but not evaluated here (they need semantics the document does not give).
const UNSUPPORTED_OPERATORS = ['ANY', 'ALL', 'AFTER', 'BEFORE', 'ON_OR_AFTER', 'ON_OR_BEFORE', 'NONE', 'TOP'];

export type FilterRule = { field: string; operator: FilterOperator; value: unknown };

const rawRuleSchema = z.object({ field: z.string().min(1), operator: z.string().min(1), value: z.unknown() });

function parseJson(raw: string, name: string): unknown {
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    throw graphErrors.invalidParameter(`Param ${name} must be a JSON array`);
  }
}

/** `filtering=[{"field":"adset.id","operator":"IN","value":["1"]}]`. */
export function parseFiltering(raw: string | undefined): FilterRule[] {
  if (raw === undefined || raw.trim() === '') return [];
  const parsed = z.array(rawRuleSchema).safeParse(parseJson(raw, 'filtering'));
  if (!parsed.success)
    throw graphErrors.invalidParameter('Param filtering must be an array of {field, operator, value}');
  return parsed.data.map((rule) => {
    const operator = rule.operator.toUpperCase();
    if (UNSUPPORTED_OPERATORS.includes(operator)) {
      throw graphErrors.invalidParameter(
        `Filtering operator ${operator} is not supported by the fake Graph API`,
      );
    }
    if (!(FILTER_OPERATORS as readonly string[]).includes(operator)) {
      throw graphErrors.invalidParameter(`Filtering operator ${rule.operator} is invalid`);
    }
    return { field: rule.field, operator: operator as FilterOperator, value: rule.value };
  });
}

/** A list parameter given as a JSON array (`["A","B"]`, what the SDKs send) or a comma list (`A,B`). */
export function parseListParam(raw: string | undefined, name: string): string[] | null {
  if (raw === undefined || raw.trim() === '') return null;
  const text = raw.trim();
  if (text.startsWith('[')) {
    const parsed = z.array(z.union([z.string(), z.number()])).safeParse(parseJson(text, name));
    if (!parsed.success) throw graphErrors.invalidParameter(`Param ${name} must be an array of strings`);
    return parsed.data.map(String);
  }
  return text
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '');
}

function asList(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [value];
}

const INTEGER = /^-?\d+$/;
const DECIMAL = /^-?\d+(\.\d+)?$/;

/** Orders two values: 18-digit ids as BigInt (a double would merge neighbours), decimals as numbers, else text. */
function compare(actual: string | number, expected: unknown): number {
  const a = String(actual).trim();
  const b = String(expected).trim();
  if (INTEGER.test(a) && INTEGER.test(b)) {
    const diff = BigInt(a) - BigInt(b);
    return diff === 0n ? 0 : diff > 0n ? 1 : -1;
  }
  if (DECIMAL.test(a) && DECIMAL.test(b)) return Number(a) - Number(b);
  return a.localeCompare(b);
}

/** Whether a value passes one rule; a missing value passes only the negative operators. */
export function matchesRule(actual: string | number | undefined, rule: FilterRule): boolean {
  const { operator, value } = rule;
  if (actual === undefined) return operator.startsWith('NOT_');
  const text = String(actual);
  switch (operator) {
    case 'EQUAL':
      return compare(actual, value) === 0;
    case 'NOT_EQUAL':
      return compare(actual, value) !== 0;
    case 'GREATER_THAN':
      return compare(actual, value) > 0;
    case 'GREATER_THAN_OR_EQUAL':
      return compare(actual, value) >= 0;
    case 'LESS_THAN':
      return compare(actual, value) < 0;
    case 'LESS_THAN_OR_EQUAL':
      return compare(actual, value) <= 0;
    case 'IN_RANGE':
    case 'NOT_IN_RANGE': {
      const [lo, hi] = asList(value);
      const inside = compare(actual, lo) >= 0 && compare(actual, hi) <= 0;
      return operator === 'IN_RANGE' ? inside : !inside;
    }
    case 'CONTAIN':
      return text.toLowerCase().includes(String(value).toLowerCase());
    case 'NOT_CONTAIN':
      return !text.toLowerCase().includes(String(value).toLowerCase());
    case 'IN':
      return asList(value).some((v) => compare(actual, v) === 0);
    case 'NOT_IN':
      return !asList(value).some((v) => compare(actual, v) === 0);
    case 'STARTS_WITH':
      return text.startsWith(String(value));
    case 'ENDS_WITH':
      return text.endsWith(String(value));
  }
}
