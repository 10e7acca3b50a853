import { describe, expect, it } from 'vitest';
import { RateLimiter } from './rate-limiter.ts';

describe('RateLimiter', () => {
  it('spaces starts 60,000 / perMinute ms apart and keeps at most `concurrency` in flight', async () => {
    let clock = 0;
    const starts: number[] = [];
    let inFlight = 0;
    let most = 0;
    const limiter = new RateLimiter({
      perMinute: 120,
      concurrency: 2,
      now: () => clock,
      sleep: async (ms) => {
        clock += ms;
        await Promise.resolve();
      },
    });
    const work = async () => {
      starts.push(clock);
      inFlight++;
      most = Math.max(most, inFlight);
      await new Promise((resolve) => setTimeout(resolve, 5));
      inFlight--;
    };
    await Promise.all(Array.from({ length: 6 }, () => limiter.run(work)));
    expect(most).toBe(2);
    expect(starts).toHaveLength(6);
    for (let i = 1; i < starts.length; i++)
      expect((starts[i] ?? 0) - (starts[i - 1] ?? 0)).toBeGreaterThanOrEqual(500);
  });

  it('passes a failure through and frees the slot', async () => {
    const limiter = new RateLimiter({ perMinute: 60_000, concurrency: 1 });
    await expect(limiter.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(limiter.run(() => Promise.resolve(7))).resolves.toBe(7);
  });

  it('refuses settings that would never let a call through', () => {
    expect(() => new RateLimiter({ perMinute: 0, concurrency: 1 })).toThrow(/perMinute must be positive/);
    expect(() => new RateLimiter({ perMinute: 10, concurrency: 0 })).toThrow(
      /concurrency must be at least 1/,
    );
  });
});
