import { randomBytes } from 'node:crypto';

/** An 18-digit Graph-style id: a 6-digit family prefix and a zero-padded counter (always a string). */
export function graphId(prefix: string, n: number): string {
  return `${prefix}${String(n).padStart(18 - prefix.length, '0')}`;
}

/** Prefixes of the ids the fake mints; market ad sets (238500...) and ads (238600...) come from the market. */
export const ID_PREFIX = {
  campaign: '238400',
  adSetCopy: '238510',
  adCopy: '238610',
  creative: '238800',
  audience: '238900',
} as const;

/** Opaque cursors like Meta's: base64url of the row offset, unpadded. */
export function encodeCursor(offset: number): string {
  return Buffer.from(`o:${offset}`).toString('base64url');
}

export function decodeCursor(cursor: string): number | null {
  const match = /^o:(\d+)$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  return match ? Number(match[1]) : null;
}

/** An `fbtrace_id` / `x-fb-trace-id` look-alike. */
export function newTraceId(): string {
  return randomBytes(8).toString('base64url').slice(0, 11);
}

/** An opaque secret (token or OAuth code) with a recognisable prefix. */
export function newSecret(prefix: string, bytes = 24): string {
  return `${prefix}${randomBytes(bytes).toString('base64url').replace(/[-_]/g, 'Z')}`;
}
