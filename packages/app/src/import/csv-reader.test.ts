import { describe, expect, it } from 'vitest';
import { CsvReader, CsvSyntaxError, readCsv } from './csv-reader.ts';

function cells(text: string): string[][] {
  return readCsv(text).map((record) => record.cells);
}

function syntaxError(text: string): CsvSyntaxError {
  try {
    readCsv(text);
  } catch (error) {
    if (error instanceof CsvSyntaxError) return error;
    throw error;
  }
  throw new Error('expected a CsvSyntaxError');
}

describe('readCsv', () => {
  it('reads plain LF records', () => {
    expect(cells('a,b,c\n1,2,3\n')).toEqual([
      ['a', 'b', 'c'],
      ['1', '2', '3'],
    ]);
  });

  it('reads CRLF, LF and lone CR line ends, mixed in one file', () => {
    const records = readCsv('a,b\r\n1,2\n3,4\r5,6');
    expect(records.map((r) => r.cells)).toEqual([
      ['a', 'b'],
      ['1', '2'],
      ['3', '4'],
      ['5', '6'],
    ]);
    expect(records.map((r) => r.line)).toEqual([1, 2, 3, 4]);
  });

  it('strips a UTF-8 BOM and only a leading one', () => {
    expect(cells('\uFEFFa,b\n1,\uFEFF2\n')).toEqual([
      ['a', 'b'],
      ['1', '\uFEFF2'],
    ]);
  });

  it('reads quoted cells with commas, doubled quotes and newlines', () => {
    const text = 'name,n\n"Sale, 50% off",1\n"The ""Big"" one",2\n"two\r\nlines\nthree",3\n"",4\n';
    expect(cells(text)).toEqual([
      ['name', 'n'],
      ['Sale, 50% off', '1'],
      ['The "Big" one', '2'],
      ['two\r\nlines\nthree', '3'],
      ['', '4'],
    ]);
  });

  it('counts lines inside quoted cells so later records keep their real line numbers', () => {
    const records = readCsv('a,b\n"x\ny\r\nz",1\n2,"p\rq"\n3,4\n');
    expect(records.map((r) => r.line)).toEqual([1, 2, 5, 7]);
    expect(records[2]?.cellLines).toEqual([5, 5]);
    expect(records[1]?.cellLines).toEqual([2, 4]);
  });

  it('keeps empty cells, including a trailing one at the end of the text', () => {
    expect(cells('a,b,c\n,,\n1,2,')).toEqual([
      ['a', 'b', 'c'],
      ['', '', ''],
      ['1', '2', ''],
    ]);
  });

  it('skips blank lines anywhere, including trailing ones', () => {
    const records = readCsv('a,b\n\n1,2\r\n\r\n\n3,4\n\n\n');
    expect(records.map((r) => [r.line, ...r.cells])).toEqual([
      [1, 'a', 'b'],
      [3, '1', '2'],
      [6, '3', '4'],
    ]);
  });

  it('returns nothing for an empty text or a lone BOM', () => {
    expect(readCsv('')).toEqual([]);
    expect(readCsv('\uFEFF')).toEqual([]);
    expect(readCsv('\n\r\n')).toEqual([]);
  });

  it('keeps emoji and non-Latin text byte for byte', () => {
    const name = '春季セール 🌸 — تخفيضات — Распродажа 👨‍👩‍👧 e\u0301';
    expect(cells(`n\n"${name}"\n${name}\n`)).toEqual([['n'], [name], [name]]);
  });

  it('does not trim cells (that is the caller’s choice)', () => {
    expect(cells('a\n  x  \n" y "\n')).toEqual([['a'], ['  x  '], [' y ']]);
  });
});

describe('readCsv errors', () => {
  it('names the line and column where an unterminated quote opened', () => {
    const error = syntaxError('a,b,c\n1,2,3\n4,"never closed,5\n6,7,8\n');
    expect(error.line).toBe(3);
    expect(error.column).toBe(2);
    expect(error.message).toMatch(/^line 3, column 2: unterminated quoted field/);
  });

  it('names the line and column of a stray quote in an unquoted cell', () => {
    const error = syntaxError('a,b,c\n1,2,3\n4,5,6 "inch"\n');
    expect([error.line, error.column]).toEqual([3, 3]);
    expect(error.reason).toMatch(/stray quote/);
  });

  it('rejects text after a closing quote', () => {
    const error = syntaxError('a,b\n"x"y,2\n');
    expect([error.line, error.column]).toEqual([2, 1]);
    expect(error.reason).toMatch(/after a closing quote/);
  });

  it('reports the line after a multi-line cell correctly', () => {
    const error = syntaxError('a,b\n"multi\nline",1\n2,x"y\n');
    expect([error.line, error.column]).toEqual([4, 2]);
  });

  it.each([
    ['fewer', 'a,b,c\n1,2,3\n4,5\n', 3, /2 cells but the header has 3/],
    ['more', 'a,b,c\n1,2,3\n4,5,6\n7,8,9,10\n', 4, /4 cells but the header has 3/],
  ])('rejects a ragged row with %s cells, naming its line', (_kind, text, line, reason) => {
    const error = syntaxError(text);
    expect(error.line).toBe(line);
    expect(error.column).toBeNull();
    expect(error.reason).toMatch(reason);
  });
});

describe('CsvReader', () => {
  it('builds only the cells asked for, unescaping quotes', () => {
    const reader = new CsvReader('a,b\n"say ""hi""",2\n');
    expect(reader.advance()).toBe(true);
    expect(reader.advance()).toBe(true);
    expect(reader.cell(0)).toBe('say "hi"');
    expect(reader.cell(1)).toBe('2');
    expect(reader.cell(5)).toBe('');
    expect(reader.cellCount).toBe(2);
    expect(reader.advance()).toBe(false);
  });

  it('tells a record of empty or whitespace cells apart', () => {
    const reader = new CsvReader('a,b\n , \n1,\n');
    reader.advance();
    reader.advance();
    expect(reader.isBlank()).toBe(true);
    reader.advance();
    expect(reader.isBlank()).toBe(false);
  });

  it('grows past 64 cells per record', () => {
    const row = Array.from({ length: 150 }, (_, i) => `c${i}`).join(',');
    const [header] = readCsv(`${row}\n`);
    expect(header?.cells).toHaveLength(150);
    expect(header?.cells[149]).toBe('c149');
  });
});
