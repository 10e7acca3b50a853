import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

export const PASSWORD_MIN_LENGTH = 12;
export const PASSWORD_MAX_LENGTH = 1024;

// N = 2^15, r = 8, p = 1: 32 MiB and tens of milliseconds per hash, the interactive-login setting.
// The parameters travel with each hash, so raising them later leaves old hashes verifiable.
const DEFAULT_COST = { log2N: 15, r: 8, p: 1 } as const;
const SALT_BYTES = 16;
const KEY_BYTES = 32;
// Bounds for parameters read back from a stored hash, so a corrupt row cannot ask for gigabytes.
const MAX_LOG2N = 20;
const MAX_R = 32;
const MAX_P = 16;

type Cost = { log2N: number; r: number; p: number };

function deriveKey(password: string, salt: Buffer, keyLength: number, cost: Cost): Promise<Buffer> {
  const options: ScryptOptions = {
    N: 2 ** cost.log2N,
    r: cost.r,
    p: cost.p,
    maxmem: 2 * 128 * 2 ** cost.log2N * cost.r + 1024 * 1024,
  };
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFC'), salt, keyLength, options, (error, key) =>
      error ? reject(error) : resolve(key),
    );
  });
}

/** What is wrong with a new password (too short or absurdly long), in words; null when it will do. */
export function findPasswordProblem(password: string): string | null {
  if (password.length < PASSWORD_MIN_LENGTH)
    return `the password must be at least ${PASSWORD_MIN_LENGTH} characters`;
  if (password.length > PASSWORD_MAX_LENGTH)
    return `the password must be at most ${PASSWORD_MAX_LENGTH} characters`;
  return null;
}

/** A PHC-style string: `$scrypt$ln=15,r=8,p=1$<salt>$<hash>`, salt and hash in unpadded base64. */
export async function hashPassword(password: string, cost: Cost = DEFAULT_COST): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await deriveKey(password, salt, KEY_BYTES, cost);
  return `$scrypt$ln=${cost.log2N},r=${cost.r},p=${cost.p}$${salt.toString('base64').replace(/=+$/, '')}$${key.toString('base64').replace(/=+$/, '')}`;
}

function parseHash(stored: string): { cost: Cost; salt: Buffer; key: Buffer } | null {
  const match = /^\$scrypt\$ln=(\d{1,2}),r=(\d{1,3}),p=(\d{1,3})\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/.exec(
    stored,
  );
  if (!match) return null;
  const [, ln, r, p, salt, key] = match;
  const cost = { log2N: Number(ln), r: Number(r), p: Number(p) };
  if (cost.log2N < 1 || cost.log2N > MAX_LOG2N || cost.r < 1 || cost.r > MAX_R) return null;
  if (cost.p < 1 || cost.p > MAX_P) return null;
  const keyBytes = Buffer.from(key ?? '', 'base64');
  if (keyBytes.length < 16) return null;
  return { cost, salt: Buffer.from(salt ?? '', 'base64'), key: keyBytes };
}

/** True when the password matches the stored hash; false for a wrong password or an unreadable hash. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parsed = parseHash(stored);
  if (!parsed) return false;
  const candidate = await deriveKey(password, parsed.salt, parsed.key.length, parsed.cost);
  return timingSafeEqual(candidate, parsed.key);
}

/** 18 random bytes as 24 URL-safe characters (144 bits): for the first admin when no password is given. */
export function generatePassword(): string {
  return randomBytes(18).toString('base64url');
}

// Verified against when the username is unknown, so a miss costs as much time as a wrong password.
let dummyHash: Promise<string> | undefined;

/** Spends one password verification's time and answers false. */
export async function verifyAgainstNothing(password: string): Promise<false> {
  dummyHash ??= hashPassword(generatePassword());
  await verifyPassword(password, await dummyHash);
  return false;
}
