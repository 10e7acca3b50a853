import type { z } from 'zod';
import { HttpError } from './http-error.ts';

/** Parses request input with a zod schema, or answers 400 `invalid_input` naming each problem. */
export function parseInput<T>(schema: z.ZodType<T>, value: unknown): T {
  const result = schema.safeParse(value);
  if (!result.success) {
    const problems = result.error.issues.map((issue) =>
      issue.path.length > 0 ? `${issue.path.join('.')}: ${issue.message}` : issue.message,
    );
    throw new HttpError(400, 'invalid_input', problems.join('; '));
  }
  return result.data;
}
