/**
 * What analyst calls cost, in nano-dollars (10^-9 USD) as bigint so nothing is rounded: a price of
 * $2 per million tokens is 2,000 nano-dollars a token.
 */
export type ModelPrice = { inputNanoPerToken: bigint; outputNanoPerToken: bigint };

const perMillion = (inputUsd: number, outputUsd: number): ModelPrice => ({
  inputNanoPerToken: BigInt(Math.round(inputUsd * 1000)),
  outputNanoPerToken: BigInt(Math.round(outputUsd * 1000)),
});

/** Published list prices (USD per million tokens, input / output) of the models we expect to be used. */
const PRICES: Record<string, ModelPrice> = {
  'claude-fable-5-1': perMillion(10, 50),
  'claude-opus-5-5': perMillion(4, 20),
  'claude-opus-5': perMillion(5, 25),
  'claude-sonnet-5-5': perMillion(2, 10),
  'claude-sonnet-5': perMillion(2, 10),
  // The lower of Haiku 5.5's two bands: prompts over 100,000 tokens cost more; a batch is far smaller.
  'claude-haiku-5-5': perMillion(0.1, 0.5),
  'claude-opus-4-6': perMillion(5, 25),
  'claude-opus-4-5': perMillion(5, 25),
  'claude-sonnet-4-6': perMillion(3, 15),
  'claude-sonnet-4-5': perMillion(3, 15),
  'claude-haiku-4-5': perMillion(1, 5),
};

// A model we have no price for is charged as the dearest one we know: the cap then still holds.
const UNKNOWN_MODEL = perMillion(10, 50);

/** The price of a model; a dated snapshot (`claude-sonnet-4-5-20250929`) is priced as its alias. */
export function priceOf(model: string): { price: ModelPrice; known: boolean } {
  const alias = model.replace(/-\d{8}$/, '');
  const price = PRICES[alias];
  return price ? { price, known: true } : { price: UNKNOWN_MODEL, known: false };
}

export type TokenUsage = { inputTokens: number; outputTokens: number };
export type Reservation = { amount: bigint; promptBytes: number };

const FRAMING_TOKENS = 100;

export function costNano(price: ModelPrice, usage: TokenUsage): bigint {
  return (
    BigInt(usage.inputTokens) * price.inputNanoPerToken +
    BigInt(usage.outputTokens) * price.outputNanoPerToken
  );
}

/** Dollars as written in the configuration ("1.50") to nano-dollars, exactly. */
export function usdToNano(text: string): bigint {
  const match = /^(\d{1,9})(?:\.(\d{1,9}))?$/.exec(text);
  if (!match) throw new Error(`"${text}" is not an amount of dollars like 1.50`);
  return BigInt(match[1] ?? '0') * 1_000_000_000n + BigInt((match[2] ?? '').padEnd(9, '0'));
}

export function formatUsd(nano: bigint): string {
  const cents = (nano + 5_000_000n) / 10_000_000n;
  return `$${cents / 100n}.${String(cents % 100n).padStart(2, '0')}`;
}

/**
 * The per-run spending cap. A call first reserves its worst case (its input estimated from its size,
 * its full output allowance); it goes ahead only if everything spent and reserved stays within the
 * cap, and settles to what the answer's usage says it cost. A call that ended without usage (a
 * timeout, a dropped connection) may still have been billed, so it keeps its reservation. Once a
 * call is refused, every later one is too: the run stops asking, rather than slipping smaller calls in.
 */
export class CostCap {
  private spent = 0n;
  private reserved = 0n;
  private reached = false;
  // The highest input tokens per prompt byte seen this run; until an answer, one token per byte.
  private observedTokensPerByte: number | null = null;

  constructor(
    readonly capNano: bigint,
    readonly price: ModelPrice,
  ) {}

  /** The most a call with this prompt size and output allowance can cost. */
  worstCase(promptBytes: number, maxOutputTokens: number): bigint {
    const perByte = this.observedTokensPerByte === null ? 1 : Math.min(1, this.observedTokensPerByte * 1.25);
    // Message framing adds a few tokens of its own.
    const inputTokens = Math.ceil(promptBytes * perByte) + FRAMING_TOKENS;
    return costNano(this.price, { inputTokens, outputTokens: maxOutputTokens });
  }

  /** Reserves the worst case, or returns null when it would break the cap. */
  reserve(promptBytes: number, maxOutputTokens: number): Reservation | null {
    const amount = this.worstCase(promptBytes, maxOutputTokens);
    if (this.reached || this.spent + this.reserved + amount > this.capNano) {
      this.reached = true;
      return null;
    }
    this.reserved += amount;
    return { amount, promptBytes };
  }

  /** Settles a reservation: to the billed usage, or (no usage known) to the reservation itself. */
  settle(reservation: Reservation, usage: TokenUsage | null): bigint {
    this.reserved -= reservation.amount;
    const cost = usage === null ? reservation.amount : costNano(this.price, usage);
    this.spent += cost;
    if (usage !== null && reservation.promptBytes > 0) {
      const ratio = usage.inputTokens / reservation.promptBytes;
      this.observedTokensPerByte = Math.max(this.observedTokensPerByte ?? 0, ratio);
    }
    return cost;
  }

  get spentNano(): bigint {
    return this.spent;
  }
}
