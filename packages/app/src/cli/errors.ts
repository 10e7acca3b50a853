import { ConfigError } from '../config.ts';
import { DataDirLockedError } from '../adapters/db/data-dir-lock.ts';
import { UserError } from '../shared/errors.ts';
import { CsvImportError } from '../import/csv-import-error.ts';

/** One line for the person at the terminal; a stack trace only for bugs, and only with ROAS_DEBUG. */
export function describeCliError(error: unknown): string {
  if (
    error instanceof UserError ||
    error instanceof CsvImportError ||
    error instanceof DataDirLockedError ||
    error instanceof ConfigError
  ) {
    return error.message;
  }
  if (error instanceof Error) {
    const detail = process.env.ROAS_DEBUG ? `\n${error.stack ?? ''}` : ' (set ROAS_DEBUG=1 for details)';
    return `${error.message}${detail}`;
  }
  return String(error);
}
