import { z } from 'zod';
import { hashName, rngFor, type Rng } from '../random/prng.ts';
import { isThrottleCode } from './graph-error.ts';

const rate = z.number().min(0).max(1);

/** Faults the fake injects; every `rate` is the chance per Graph API call (0..1). */
export const faultSpecSchema = z
  .object({
    /** Throttle errors with usage at 100%; `code` omitted = 80000 on insights calls, 80004 on the others. */
    throttle: z
      .array(
        z
          .object({
            rate,
            code: z.number().int().refine(isThrottleCode, 'one of 4, 17, 613, 80000..80014').optional(),
            /** Reported `estimated_time_to_regain_access`, in minutes. */
            etaMinutes: z.number().int().min(0).optional(),
          })
          .strict(),
      )
      .optional(),
    /** Code 1, HTTP 500. */
    transient: rate.optional(),
    /** Code 2, HTTP 503, is_transient. */
    unavailable: rate.optional(),
    /** Hold the response for `delayMs` (default 60 s) before answering; a batch item gets `null`. */
    timeout: z
      .object({ rate, delayMs: z.number().int().min(0).optional() })
      .strict()
      .optional(),
    /** Close the connection without answering; a batch item gets `null`. */
    drop: rate.optional(),
    /** Code 190 / 463 on calls that carry a token. */
    expiredToken: rate.optional(),
    /** Code 190 / 467 on calls that carry a token. */
    invalidToken: rate.optional(),
    /** The N-th page (1-based) of every paged list fails once with code 1 / HTTP 500; the retry succeeds. */
    pageFail: z.number().int().min(1).optional(),
    /** Async report runs end in "Job Failed". */
    jobFail: rate.optional(),
    /** A whole batch fails with code 960. */
    batchTimeout: rate.optional(),
    /**
     * The next `count` writes (POST or DELETE on an object or edge) get no answer: the connection closes
     * after the write ran (`applied`: a lost response) or instead of running it. Counted down, then
     * writes answer again; setting faults restarts the count.
     */
    dropWrites: z
      .object({ count: z.number().int().min(1), applied: z.boolean() })
      .strict()
      .optional(),
  })
  .strict();

export type FaultSpec = z.infer<typeof faultSpecSchema>;

/** A `--faults` string that does not parse. */
export class FaultSpecError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FaultSpecError';
  }
}

const DEFAULT_ETA_MINUTES = 5;
const DEFAULT_TIMEOUT_MS = 60_000;
const DEFAULT_FAIL_PAGE = 2;

/**
 * Parses the compact `--faults` format: comma-separated `kind[:a[:b]]` items, a rate defaulting to 1.
 *
 * - `throttle[:rate[:etaMinutes]]`, `throttle-<code>[:rate[:etaMinutes]]` (code 4, 17, 613, 80000..80014)
 * - `transient[:rate]` (code 1, HTTP 500), `unavailable[:rate]` (code 2, HTTP 503)
 * - `timeout[:rate[:delayMs]]`, `drop[:rate]`
 * - `expired-token[:rate]` (190/463), `invalid-token[:rate]` (190/467)
 * - `page-fail[:page]` (that page of every list fails once), `job-fail[:rate]`, `batch-timeout[:rate]` (960)
 * - `drop-write-response[:count]` (the next writes run, then lose their answer),
 *   `drop-write-request[:count]` (the next writes are dropped unrun); count defaults to 1
 *
 * Example: `throttle:0.1,transient:0.05,timeout:0.02:5000,expired-token,page-fail:3`.
 */
export function parseFaults(text: string): FaultSpec {
  const spec: FaultSpec = {};
  for (const raw of text.split(',')) {
    const item = raw.trim();
    if (item === '') continue;
    const [kind = '', ...args] = item.split(':');
    const numbers = args.map((arg) => {
      const value = Number(arg);
      if (arg.trim() === '' || !Number.isFinite(value))
        throw new FaultSpecError(`"${item}": "${arg}" is not a number`);
      return value;
    });
    const [first, second] = numbers;
    const expect = (max: number): void => {
      if (numbers.length > max)
        throw new FaultSpecError(`"${item}": at most ${max} value(s) after "${kind}"`);
    };
    const rateOf = (value: number | undefined): number => {
      const r = value ?? 1;
      if (r < 0 || r > 1) throw new FaultSpecError(`"${item}": the rate must be between 0 and 1`);
      return r;
    };
    const throttleMatch = /^throttle(?:-(\d+))?$/.exec(kind);
    if (throttleMatch) {
      expect(2);
      const code = throttleMatch[1] === undefined ? undefined : Number(throttleMatch[1]);
      if (code !== undefined && !isThrottleCode(code)) {
        throw new FaultSpecError(`"${item}": throttle codes are 4, 17, 613 and 80000..80014`);
      }
      const entry: NonNullable<FaultSpec['throttle']>[number] = { rate: rateOf(first) };
      if (code !== undefined) entry.code = code;
      if (second !== undefined) entry.etaMinutes = Math.max(0, Math.round(second));
      spec.throttle = [...(spec.throttle ?? []), entry];
      continue;
    }
    switch (kind) {
      case 'transient':
      case 'unavailable':
      case 'drop':
      case 'job-fail':
      case 'batch-timeout':
      case 'expired-token':
      case 'invalid-token': {
        expect(1);
        const key = (
          {
            transient: 'transient',
            unavailable: 'unavailable',
            drop: 'drop',
            'job-fail': 'jobFail',
            'batch-timeout': 'batchTimeout',
            'expired-token': 'expiredToken',
            'invalid-token': 'invalidToken',
          } as const
        )[kind];
        spec[key] = rateOf(first);
        break;
      }
      case 'timeout': {
        expect(2);
        spec.timeout = { rate: rateOf(first) };
        if (second !== undefined) spec.timeout.delayMs = Math.max(0, Math.round(second));
        break;
      }
      case 'drop-write-response':
      case 'drop-write-request': {
        expect(1);
        const count = first ?? 1;
        if (!Number.isInteger(count) || count < 1)
          throw new FaultSpecError(`"${item}": the count must be an integer >= 1`);
        spec.dropWrites = { count, applied: kind === 'drop-write-response' };
        break;
      }
      case 'page-fail': {
        expect(1);
        const page = first ?? DEFAULT_FAIL_PAGE;
        if (!Number.isInteger(page) || page < 1)
          throw new FaultSpecError(`"${item}": the page must be an integer >= 1`);
        spec.pageFail = page;
        break;
      }
      default:
        throw new FaultSpecError(
          `"${item}": unknown fault (throttle, throttle-<code>, transient, unavailable, timeout, drop, expired-token, invalid-token, page-fail, job-fail, batch-timeout, drop-write-response, drop-write-request)`,
        );
    }
  }
  return spec;
}

/** Accepts a spec object (validated) or the compact string. */
export function toFaultSpec(input: FaultSpec | string | undefined): FaultSpec {
  if (input === undefined) return {};
  if (typeof input === 'string') return parseFaults(input);
  const parsed = faultSpecSchema.safeParse(input);
  if (!parsed.success) {
    throw new FaultSpecError(
      parsed.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`).join('; '),
    );
  }
  return parsed.data;
}

export type NetworkFault = { kind: 'drop' } | { kind: 'delay'; ms: number };
export type ThrottleFault = { code: number | null; etaMinutes: number };

/** Rolls the configured faults call by call from a seeded stream, so a run with the same calls is reproducible. */
export class FaultInjector {
  private spec: FaultSpec;
  private readonly rng: Rng;
  private readonly failedPages = new Set<string>();
  private droppedWrites = 0;

  constructor(seed: number, spec: FaultSpec) {
    this.spec = spec;
    this.rng = rngFor(seed, hashName('fake-graph-faults'));
  }

  get current(): FaultSpec {
    return this.spec;
  }

  set(spec: FaultSpec): void {
    this.spec = spec;
    this.failedPages.clear();
    this.droppedWrites = 0;
  }

  private roll(chance: number | undefined): boolean {
    if (chance === undefined || chance <= 0) return false;
    return chance >= 1 || this.rng.next() < chance;
  }

  network(): NetworkFault | null {
    if (this.roll(this.spec.drop)) return { kind: 'drop' };
    const timeout = this.spec.timeout;
    if (timeout && this.roll(timeout.rate))
      return { kind: 'delay', ms: timeout.delayMs ?? DEFAULT_TIMEOUT_MS };
    return null;
  }

  token(): 'expired' | 'invalid' | null {
    if (this.roll(this.spec.expiredToken)) return 'expired';
    if (this.roll(this.spec.invalidToken)) return 'invalid';
    return null;
  }

  throttle(): ThrottleFault | null {
    for (const entry of this.spec.throttle ?? []) {
      if (this.roll(entry.rate))
        return { code: entry.code ?? null, etaMinutes: entry.etaMinutes ?? DEFAULT_ETA_MINUTES };
    }
    return null;
  }

  server(): 'transient' | 'unavailable' | null {
    if (this.roll(this.spec.transient)) return 'transient';
    if (this.roll(this.spec.unavailable)) return 'unavailable';
    return null;
  }

  /** True once per list request (`key`) whose page number is the configured failing page. */
  pageFails(key: string, pageNumber: number): boolean {
    if (this.spec.pageFail !== pageNumber || this.failedPages.has(key)) return false;
    this.failedPages.add(key);
    return true;
  }

  /** Whether this write loses its answer, `after` it ran or `before`; counts `dropWrites` down. */
  writeDrop(): 'before' | 'after' | null {
    const drop = this.spec.dropWrites;
    if (drop === undefined || this.droppedWrites >= drop.count) return null;
    this.droppedWrites++;
    return drop.applied ? 'after' : 'before';
  }

  jobFails(): boolean {
    return this.roll(this.spec.jobFail);
  }

  batchTimesOut(): boolean {
    return this.roll(this.spec.batchTimeout);
  }
}
