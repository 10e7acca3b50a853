import { describe, expect, it } from 'vitest';
import { binMatrix, binOf, fitBinEdges, MISSING_BIN } from './binning.ts';
import { seededRandom } from './random.ts';

describe('fitBinEdges', () => {
  it('gives each of a few distinct values its own bin, cut halfway between them', () => {
    const x = Float64Array.of(3, 1, 2, 1, 3, 3);
    const [edges] = fitBinEdges(x, 6, 1, 255);
    expect([...(edges ?? [])]).toEqual([1.5, 2.5, Infinity]);
  });

  it('cuts many distinct values into bins of about equal count', () => {
    const random = seededRandom(3);
    const n = 10_000;
    const x = Float64Array.from({ length: n }, () => random() * 100);
    const [edges] = fitBinEdges(x, n, 1, 10);
    expect(edges?.length).toBe(10);
    const counts = new Array<number>(11).fill(0);
    for (const value of x) counts[binOf(edges as Float64Array, value)]!++;
    expect(counts[MISSING_BIN]).toBe(0);
    for (const count of counts.slice(1)) expect(Math.abs(count - n / 10)).toBeLessThan(n / 100);
  });

  it('keeps a heavy repeated value in one bin', () => {
    const x = Float64Array.from({ length: 1000 }, (_, i) => (i < 900 ? 0 : i));
    const [edges] = fitBinEdges(x, 1000, 1, 8);
    const bins = [...x].map((v) => binOf(edges as Float64Array, v));
    expect(new Set(bins.slice(0, 900)).size).toBe(1);
    expect(bins[950]).toBeGreaterThan(bins[0] ?? 0);
  });

  it('puts NaN in the missing bin and ignores it when cutting', () => {
    const x = Float64Array.of(Number.NaN, 1, Number.NaN, 2);
    const [edges] = fitBinEdges(x, 4, 1);
    expect([...(edges ?? [])]).toEqual([1.5, Infinity]);
    expect(binOf(edges as Float64Array, Number.NaN)).toBe(MISSING_BIN);
  });

  it('gives an all-missing column a single value bin', () => {
    const [edges] = fitBinEdges(Float64Array.of(Number.NaN, Number.NaN), 2, 1);
    expect([...(edges ?? [])]).toEqual([Infinity]);
  });

  it('refuses infinite values and bad bin counts', () => {
    expect(() => fitBinEdges(Float64Array.of(1, Infinity), 2, 1)).toThrow(/feature 0, row 1: Infinity/);
    expect(() => fitBinEdges(Float64Array.of(1), 1, 1, 1)).toThrow(/maxBins/);
    expect(() => fitBinEdges(Float64Array.of(1), 1, 1, 256)).toThrow(/maxBins/);
  });
});

describe('binOf and binMatrix', () => {
  it('sends a value equal to an edge into the bin the edge closes', () => {
    const edges = Float64Array.of(1.5, 2.5, Infinity);
    expect(binOf(edges, 1.5)).toBe(1);
    expect(binOf(edges, 1.500001)).toBe(2);
    expect(binOf(edges, -1e9)).toBe(1);
    expect(binOf(edges, 1e9)).toBe(3);
  });

  it('bins a row-major matrix column by column', () => {
    const x = Float64Array.of(1, 10, 2, Number.NaN, 3, 30);
    const edges = fitBinEdges(x, 3, 2);
    expect([...binMatrix(x, 3, 2, edges)]).toEqual([1, 1, 2, MISSING_BIN, 3, 2]);
    expect(() => binMatrix(x, 3, 2, edges.slice(0, 1))).toThrow(/1 bin edge sets for 2 columns/);
  });
});
