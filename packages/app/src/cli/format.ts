import Table from 'cli-table3';

export type Column<T> = { header: string; value: (row: T) => string; align?: 'left' | 'right' };

/** A plain table for people: no colours, right-aligned numbers, one line per row. */
export function renderTable<T>(columns: Column<T>[], rows: readonly T[], footer?: T): string {
  const table = new Table({
    head: columns.map((c) => c.header),
    colAligns: columns.map((c) => c.align ?? 'right'),
    style: { head: [], border: [], compact: true },
    chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
  });
  for (const row of rows) table.push(columns.map((c) => c.value(row)));
  if (footer) table.push(columns.map((c) => c.value(footer)));
  return table.toString();
}

const numberFormats = new Map<string, Intl.NumberFormat>();

function numberFormat(decimals: number): Intl.NumberFormat {
  const key = String(decimals);
  let format = numberFormats.get(key);
  if (!format) {
    format = new Intl.NumberFormat('en-US', {
      minimumFractionDigits: decimals,
      maximumFractionDigits: decimals,
    });
    numberFormats.set(key, format);
  }
  return format;
}

export const fmt = {
  money: (value: number) => numberFormat(2).format(value),
  count: (value: number) => numberFormat(0).format(value),
  ratio: (value: number | null, decimals = 2) =>
    value === null ? '-' : numberFormat(decimals).format(value),
  percent: (value: number | null, decimals = 2) =>
    value === null ? '-' : `${numberFormat(decimals).format(value * 100)}%`,
  truncate: (text: string, width: number) => (text.length > width ? `${text.slice(0, width - 1)}…` : text),
};
