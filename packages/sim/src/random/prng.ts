/**
 * Seeded, splittable pseudo-random numbers. Every draw in the simulator comes from a stream keyed by
 * (seed, component, indices...), so the numbers one part of the market sees never depend on how many
 * numbers another part consumed: the basis of common random numbers across policies.
 */

const GOLDEN = 0x9e3779b9;
const TWO_POW_32 = 4_294_967_296;

/** Murmur3's 32-bit finaliser: a cheap bijective avalanche. */
function fmix32(input: number): number {
  let h = input >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Folds one more 32-bit word into a running key (order matters, so (1, 2) and (2, 1) differ). */
function foldKey(key: number, word: number): number {
  return fmix32((Math.imul(key ^ (word >>> 0), 0x01000193) + GOLDEN) >>> 0);
}

/** FNV-1a of a component name, so streams are named in code and numbered in the hot loop. */
export function hashName(name: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) {
    h ^= name.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return fmix32(h);
}

/**
 * One stream of uniforms: Chris Doty-Humphrey's sfc32 (passes PractRand to 2^40+ bytes, 128-bit state),
 * seeded through a SplitMix32-style expansion of the stream key.
 */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(key: number) {
    // Expanding the key through distinct odd offsets keeps the four state words decorrelated.
    this.a = fmix32(key + 0x6a09e667);
    this.b = fmix32(key + 0xbb67ae85);
    this.c = fmix32(key + 0x3c6ef372);
    this.d = 1;
    for (let i = 0; i < 6; i++) this.nextUint32();
  }

  /** The next raw 32-bit output. */
  nextUint32(): number {
    const t = (((this.a + this.b) >>> 0) + this.d) >>> 0;
    this.d = (this.d + 1) >>> 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) >>> 0;
    this.c = ((this.c << 21) | (this.c >>> 11)) >>> 0;
    this.c = (this.c + t) >>> 0;
    return t;
  }

  /** A uniform in the open interval (0, 1): never 0 or 1, so logs and inverse CDFs are always finite. */
  next(): number {
    return (this.nextUint32() + 0.5) / TWO_POW_32;
  }
}

/**
 * The stream for (seed, component, a, b, c), e.g. (seed, 'clicks', adSet, ad, day). Pure: the same
 * arguments always give the same numbers, whatever else has been drawn. Unused indices are 0.
 */
export function rngFor(seed: number, component: number, a = 0, b = 0, c = 0): Rng {
  // Fixed arity keeps this allocation-free: it runs several times per ad per simulated day.
  let key = foldKey(fmix32(seed >>> 0), Math.floor(seed / TWO_POW_32));
  key = foldKey(key, component);
  key = foldKey(key, a);
  key = foldKey(key, b);
  key = foldKey(key, c);
  return new Rng(key);
}

/** Named stream components used by the market, hashed once. */
export const STREAMS = {
  latent: hashName('latent'),
  adLatent: hashName('ad-latent'),
  drift: hashName('drift'),
  pacing: hashName('pacing'),
  cpm: hashName('cpm'),
  ctr: hashName('ctr'),
  clicks: hashName('clicks'),
  overdispersion: hashName('overdispersion'),
  purchases: hashName('purchases'),
  orders: hashName('orders'),
  funnel: hashName('funnel'),
  walk: hashName('walk'),
} as const;
