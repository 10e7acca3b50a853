/**
 * Quantile binning for the booster: each feature's values are cut into at most `maxBins` ranges of
 * about equal count, so a split is searched over bins instead of every distinct value. Bin 0 holds
 * missing values (NaN); bin k >= 1 holds values in (edges[k - 2], edges[k - 1]].
 */
export const MISSING_BIN = 0;

/** The most value bins a feature may have (codes are bytes, bin 0 is "missing"). */
export const MAX_VALUE_BINS = 255;

/** Per feature, ascending upper edges of its value bins; the last is +Infinity. */
export type BinEdges = readonly Float64Array[];

/** Halfway between two adjacent distinct values, without overflowing near the float limit. */
function midpoint(a: number, b: number): number {
  const mid = a / 2 + b / 2;
  return mid > a && mid < b ? mid : a;
}

/** Upper edges for one feature's sorted, non-missing values. */
function edgesOf(sorted: Float64Array, maxBins: number): Float64Array {
  const n = sorted.length;
  const edges: number[] = [];
  if (n === 0) return Float64Array.of(Infinity);
  let distinct = 1;
  for (let i = 1; i < n; i++) if ((sorted[i] ?? 0) !== (sorted[i - 1] ?? 0)) distinct++;
  const step = n / maxBins;
  let boundary = step;
  for (let i = 0; i < n - 1 && edges.length < maxBins - 1; i++) {
    const value = sorted[i] ?? 0;
    const next = sorted[i + 1] ?? 0;
    if (value === next) continue;
    // Few distinct values: a bin each. Many: cut where the running count passes the next quantile.
    if (distinct <= maxBins || i + 1 >= boundary) {
      edges.push(midpoint(value, next));
      while (boundary <= i + 1) boundary += step;
    }
  }
  edges.push(Infinity);
  return Float64Array.from(edges);
}

/**
 * Fits quantile bin edges to each column of a row-major matrix (`rows` x `cols`). NaN counts as
 * missing; infinite values are refused, since they usually mean a feature divided by zero.
 */
export function fitBinEdges(x: Float64Array, rows: number, cols: number, maxBins = MAX_VALUE_BINS): BinEdges {
  if (!Number.isInteger(maxBins) || maxBins < 2 || maxBins > MAX_VALUE_BINS)
    throw new RangeError(`maxBins must be an integer from 2 to ${MAX_VALUE_BINS} (${maxBins})`);
  const edges: Float64Array[] = [];
  const column = new Float64Array(rows);
  for (let f = 0; f < cols; f++) {
    let count = 0;
    for (let r = 0; r < rows; r++) {
      const value = x[r * cols + f] ?? Number.NaN;
      if (Number.isNaN(value)) continue;
      if (!Number.isFinite(value)) throw new RangeError(`feature ${f}, row ${r}: ${value} is not finite`);
      column[count++] = value;
    }
    edges.push(edgesOf(column.subarray(0, count).sort(), maxBins));
  }
  return edges;
}

/** The bin of one value: 0 when missing, else 1 + the first edge at or above it. */
export function binOf(edges: Float64Array, value: number): number {
  if (Number.isNaN(value)) return MISSING_BIN;
  let lo = 0;
  let hi = edges.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (value <= (edges[mid] ?? Infinity)) hi = mid;
    else lo = mid + 1;
  }
  return lo + 1;
}

/** Bins a row-major matrix with fitted edges: one byte per cell, same layout. */
export function binMatrix(x: Float64Array, rows: number, cols: number, edges: BinEdges): Uint8Array {
  if (edges.length !== cols) throw new RangeError(`${edges.length} bin edge sets for ${cols} columns`);
  const codes = new Uint8Array(rows * cols);
  for (let f = 0; f < cols; f++) {
    const featureEdges = edges[f] as Float64Array;
    for (let r = 0; r < rows; r++) codes[r * cols + f] = binOf(featureEdges, x[r * cols + f] ?? Number.NaN);
  }
  return codes;
}
