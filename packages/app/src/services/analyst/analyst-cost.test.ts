import { describe, expect, it } from 'vitest';
import { CostCap, costNano, formatUsd, priceOf, usdToNano } from './analyst-cost.ts';

describe('analyst cost', () => {
  it('reads dollars exactly and prices tokens without rounding', () => {
    expect(usdToNano('1.00')).toBe(1_000_000_000n);
    expect(usdToNano('0.000000001')).toBe(1n);
    expect(usdToNano('12.5')).toBe(12_500_000_000n);
    expect(() => usdToNano('1,50')).toThrow(/"1,50" is not an amount of dollars/);
    expect(() => usdToNano('-1')).toThrow(/not an amount/);
    const sonnet = priceOf('claude-sonnet-5-5');
    expect(sonnet.known).toBe(true);
    // $2 and $10 per million tokens.
    expect(costNano(sonnet.price, { inputTokens: 1_000_000, outputTokens: 1_000_000 })).toBe(12_000_000_000n);
    expect(costNano(priceOf('claude-haiku-5-5').price, { inputTokens: 3, outputTokens: 1 })).toBe(800n);
    expect(priceOf('claude-sonnet-4-5-20250929')).toEqual(priceOf('claude-sonnet-4-5'));
    expect(formatUsd(12_345_000_000n)).toBe('$12.35');
  });

  it('charges an unknown model as the dearest known one, so the cap still holds', () => {
    const unknown = priceOf('claude-next-9');
    expect(unknown.known).toBe(false);
    expect(unknown.price).toEqual(priceOf('claude-fable-5-1').price);
  });

  it('never lets spent plus reserved pass the cap, and stops for good once a call is refused', () => {
    const cap = new CostCap(usdToNano('0.08'), priceOf('claude-sonnet-5-5').price);
    // First call: one token per prompt byte at most, plus framing, plus the whole output allowance.
    expect(cap.worstCase(10_000, 1_000)).toBe(BigInt(10_100 * 2_000 + 1_000 * 10_000));
    const a = cap.reserve(10_000, 1_000);
    const b = cap.reserve(10_000, 1_000);
    expect(a).not.toBeNull();
    expect(b).not.toBeNull();
    // 2 x $0.0302 reserved; a third would pass $0.08.
    expect(cap.reserve(10_000, 1_000)).toBeNull();
    if (!a || !b) return;
    // Settled to the usage billed; the estimate learns the tokens per byte (here 1 in 4).
    expect(cap.settle(a, { inputTokens: 2_500, outputTokens: 100 })).toBe(2_500n * 2_000n + 100n * 10_000n);
    expect(cap.worstCase(10_000, 1_000)).toBe(BigInt((3_125 + 100) * 2_000 + 1_000 * 10_000));
    // No usage (a timeout): the reservation counts in full.
    expect(cap.settle(b, null)).toBe(b.amount);
    expect(cap.spentNano).toBe(6_000_000n + b.amount);
    // Room is left now, but the run has stopped asking.
    expect(cap.reserve(10, 10)).toBeNull();
  });
});
