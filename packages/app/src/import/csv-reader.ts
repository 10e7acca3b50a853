const QUOTE = 0x22;
const COMMA = 0x2c;
const LF = 0x0a;
const CR = 0x0d;
const BOM = 0xfeff;

/** One CSV record: its cells, raw (not trimmed), and where it came from. */
export type CsvRecord = {
  /** 1-based line on which the record starts. */
  line: number;
  cells: string[];
  /** 1-based line on which each cell starts (differs from `line` only after a quoted newline). */
  cellLines: number[];
};

/** Malformed CSV; `column` is the 1-based cell position within the record, null when no one cell is to blame. */
export class CsvSyntaxError extends Error {
  constructor(
    readonly line: number,
    readonly column: number | null,
    readonly reason: string,
  ) {
    super(column === null ? `line ${line}: ${reason}` : `line ${line}, column ${column}: ${reason}`);
    this.name = 'CsvSyntaxError';
  }
}

/**
 * RFC 4180 reader over a decoded string: optional BOM, CRLF, LF or lone CR line ends (mixed is fine),
 * quoted cells holding commas, `""` quotes and newlines. Blank lines are skipped. Every record must have
 * as many cells as the first (the header).
 *
 * It is a cursor: `advance()` moves to the next record and `cell(i)` builds only the strings asked for,
 * because an export has dozens of columns and the importer reads a handful (this keeps 100k rows fast).
 */
export class CsvReader {
  private pos: number;
  private nextLine = 1;
  private width: number | null = null;
  private count = 0;
  private starts = new Int32Array(64);
  private ends = new Int32Array(64);
  private lines = new Int32Array(64);
  // 0 = unquoted, 1 = quoted, 2 = quoted with doubled quotes to unescape.
  private kinds = new Uint8Array(64);

  /** 1-based line on which the current record starts. */
  line = 0;

  constructor(private readonly text: string) {
    this.pos = text.charCodeAt(0) === BOM ? 1 : 0;
  }

  /** Number of cells in the current record. */
  get cellCount(): number {
    return this.count;
  }

  /** The raw text of cell `index` (0-based) in the current record; '' past the end. */
  cell(index: number): string {
    if (index < 0 || index >= this.count) return '';
    const value = this.text.slice(this.starts[index], this.ends[index]);
    return this.kinds[index] === 2 ? value.replaceAll('""', '"') : value;
  }

  /** The 1-based line on which cell `index` starts. */
  cellLine(index: number): number {
    return index >= 0 && index < this.count ? (this.lines[index] ?? this.line) : this.line;
  }

  /** True when every cell of the current record is empty or whitespace. */
  isBlank(): boolean {
    for (let i = 0; i < this.count; i++) {
      const start = this.starts[i] ?? 0;
      const end = this.ends[i] ?? 0;
      if (end > start && this.text.slice(start, end).trim() !== '') return false;
    }
    return true;
  }

  /** The current record as plain strings. */
  record(): CsvRecord {
    const cells: string[] = [];
    const cellLines: number[] = [];
    for (let i = 0; i < this.count; i++) {
      cells.push(this.cell(i));
      cellLines.push(this.cellLine(i));
    }
    return { line: this.line, cells, cellLines };
  }

  /** Moves to the next record; false at the end of the text. Throws CsvSyntaxError on malformed input. */
  advance(): boolean {
    const text = this.text;
    const end = text.length;
    let pos = this.pos;
    let line = this.nextLine;

    // Blank lines carry no cells; spreadsheets sometimes leave them at the end.
    while (pos < end) {
      const c = text.charCodeAt(pos);
      if (c === LF) {
        pos++;
        line++;
      } else if (c === CR) {
        pos += text.charCodeAt(pos + 1) === LF ? 2 : 1;
        line++;
      } else break;
    }
    this.count = 0;
    if (pos >= end) {
      this.pos = pos;
      this.nextLine = line;
      return false;
    }

    const startLine = line;
    this.line = startLine;
    for (;;) {
      const cellStartLine = line;
      const column = this.count + 1;
      let cellStart: number;
      let cellEnd: number;
      let kind = 0;
      if (text.charCodeAt(pos) === QUOTE) {
        kind = 1;
        cellStart = pos + 1;
        let from = cellStart;
        for (;;) {
          const close = text.indexOf('"', from);
          if (close === -1) {
            throw new CsvSyntaxError(cellStartLine, column, 'unterminated quoted field (no closing quote)');
          }
          line += countLineBreaks(text, from, close);
          if (text.charCodeAt(close + 1) === QUOTE) {
            kind = 2;
            from = close + 2;
          } else {
            cellEnd = close;
            pos = close + 1;
            break;
          }
        }
        if (pos < end) {
          const c = text.charCodeAt(pos);
          if (c !== COMMA && c !== LF && c !== CR) {
            throw new CsvSyntaxError(
              line,
              column,
              `unexpected ${JSON.stringify(text[pos])} after a closing quote (a quote inside a quoted field must be doubled)`,
            );
          }
        }
      } else {
        cellStart = pos;
        while (pos < end) {
          const c = text.charCodeAt(pos);
          if (c === COMMA || c === LF || c === CR) break;
          if (c === QUOTE) {
            throw new CsvSyntaxError(
              line,
              column,
              'stray quote in an unquoted field (quote the whole field)',
            );
          }
          pos++;
        }
        cellEnd = pos;
      }
      this.push(cellStart, cellEnd, kind, cellStartLine);

      if (pos >= end) break;
      const c = text.charCodeAt(pos);
      if (c === COMMA) {
        pos++;
        // A trailing comma at the very end of the text still opens one last, empty cell.
        if (pos >= end) {
          this.push(pos, pos, 0, line);
          break;
        }
        continue;
      }
      pos += c === CR && text.charCodeAt(pos + 1) === LF ? 2 : 1;
      line++;
      break;
    }

    this.pos = pos;
    this.nextLine = line;
    if (this.width === null) {
      this.width = this.count;
    } else if (this.count !== this.width) {
      throw new CsvSyntaxError(
        startLine,
        null,
        `row has ${this.count} cells but the header has ${this.width} (a ragged row, or an unquoted comma)`,
      );
    }
    return true;
  }

  private push(start: number, end: number, kind: number, line: number): void {
    if (this.count === this.starts.length) {
      const grow = <T extends Int32Array | Uint8Array>(array: T, make: (n: number) => T): T => {
        const next = make(array.length * 2);
        next.set(array);
        return next;
      };
      this.starts = grow(this.starts, (n) => new Int32Array(n));
      this.ends = grow(this.ends, (n) => new Int32Array(n));
      this.lines = grow(this.lines, (n) => new Int32Array(n));
      this.kinds = grow(this.kinds, (n) => new Uint8Array(n));
    }
    this.starts[this.count] = start;
    this.ends[this.count] = end;
    this.kinds[this.count] = kind;
    this.lines[this.count] = line;
    this.count++;
  }
}

/** Reads every record as strings; convenient for tests and small inputs. */
export function readCsv(text: string): CsvRecord[] {
  const reader = new CsvReader(text);
  const records: CsvRecord[] = [];
  while (reader.advance()) records.push(reader.record());
  return records;
}

/** Counts CRLF, LF and lone CR inside a quoted cell so later line numbers stay right. */
function countLineBreaks(text: string, from: number, to: number): number {
  let count = 0;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c === LF) count++;
    else if (c === CR && text.charCodeAt(i + 1) !== LF) count++;
  }
  return count;
}
