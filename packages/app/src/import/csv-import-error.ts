/** Where an import failed: 1-based line, 1-based CSV column (when one cell is to blame) and its header. */
export type CsvErrorLocation = {
  line: number;
  column?: number | null;
  columnName?: string | null;
  fileName?: string | null;
};

/** The one error a CSV import throws; the message names the file position so a person can fix the file. */
export class CsvImportError extends Error {
  readonly line: number;
  readonly column: number | null;
  readonly columnName: string | null;
  readonly fileName: string | null;
  readonly reason: string;

  constructor(reason: string, location: CsvErrorLocation) {
    const column = location.column ?? null;
    const columnName = location.columnName ?? null;
    const fileName = location.fileName ?? null;
    let where = `line ${location.line}`;
    if (column !== null) where += `, column ${column}`;
    if (columnName !== null) where += ` (${JSON.stringify(columnName)})`;
    super(`${fileName === null ? '' : `${fileName}: `}${where}: ${reason}`);
    this.name = 'CsvImportError';
    this.line = location.line;
    this.column = column;
    this.columnName = columnName;
    this.fileName = fileName;
    this.reason = reason;
  }
}
