import { setTimeout as delay } from 'node:timers/promises';

export type RateLimiterOptions = {
  /** Calls started per minute at most: starts are spaced 60,000 / perMinute ms apart. */
  perMinute: number;
  /** Calls in flight at once at most. */
  concurrency: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
};

/** Spaces call starts evenly and bounds how many run at once, so a run never bursts at the API. */
export class RateLimiter {
  private readonly intervalMs: number;
  private nextStart = Number.NEGATIVE_INFINITY;
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly options: RateLimiterOptions) {
    if (!(options.perMinute > 0))
      throw new Error(`rate limit: perMinute must be positive (got ${options.perMinute})`);
    if (!(options.concurrency >= 1))
      throw new Error(`rate limit: concurrency must be at least 1 (got ${options.concurrency})`);
    this.intervalMs = 60_000 / options.perMinute;
    this.now = options.now ?? (() => performance.now());
    this.sleep = options.sleep ?? ((ms) => delay(ms));
  }

  async run<T>(work: () => Promise<T>): Promise<T> {
    while (this.active >= this.options.concurrency)
      await new Promise<void>((wake) => this.waiting.push(wake));
    this.active++;
    try {
      const now = this.now();
      const start = Math.max(now, this.nextStart);
      this.nextStart = start + this.intervalMs;
      if (start > now) await this.sleep(start - now);
      return await work();
    } finally {
      this.active--;
      this.waiting.shift()?.();
    }
  }
}
