import { graphErrors, GraphError } from './graph-error.ts';
import { newSecret } from './ids.ts';

export const SCOPES = [
  'ads_read',
  'ads_management',
  'business_management',
  'public_profile',
  'email',
] as const;
export type Scope = (typeof SCOPES)[number];

export type TokenType = 'USER' | 'SYSTEM_USER';

export type TokenRecord = {
  token: string;
  type: TokenType;
  userId: string;
  scopes: Scope[];
  issuedAtMs: number;
  /** Null: never expires (a non-expiring system-user token, `expires_at: 0`). */
  expiresAtMs: number | null;
  dataAccessExpiresAtMs: number | null;
  revoked: boolean;
};

type CodeRecord = { code: string; redirectUri: string; scopes: Scope[]; expiresAtMs: number; used: boolean };

export const USER_ID = '10223344556677';
export const SYSTEM_USER_ID = '61550000000001';
export const BUSINESS_ID = '998877665544332';

/** 5,183,944 s: the "about 60 days" of a long-lived token (meta-graph-api.md 1.4). */
export const LONG_LIVED_SECONDS = 5_183_944;
/** Web-login tokens are short-lived, "1-2 hours" (1.3); the fake picks 2 hours. */
export const SHORT_LIVED_SECONDS = 7_200;
/** OAuth codes are single-use and short-lived, "about 10 minutes" [MEM]. */
const CODE_LIFETIME_MS = 10 * 60_000;
const DATA_ACCESS_MS = 90 * 86_400_000;

/** Formats an instant like Meta's token messages ("Friday, 18-Aug-23 09:00:00 PDT"). */
function formatTokenTime(epochMs: number, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    weekday: 'long',
    day: '2-digit',
    month: 'short',
    year: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hour12: false,
    timeZoneName: 'short',
  }).formatToParts(new Date(epochMs));
  const get = (type: Intl.DateTimeFormatPartTypes): string => parts.find((p) => p.type === type)?.value ?? '';
  return `${get('weekday')}, ${get('day')}-${get('month')}-${get('year')} ${get('hour')}:${get('minute')}:${get('second')} ${get('timeZoneName')}`;
}

/** Every token and OAuth code the fake has issued; time is the simulated clock. */
export class TokenRegistry {
  private readonly tokens = new Map<string, TokenRecord>();
  private readonly codes = new Map<string, CodeRecord>();

  constructor(
    readonly appId: string,
    readonly appSecret: string,
    private readonly now: () => number,
    private readonly timeZone: string,
  ) {}

  get appToken(): string {
    return `${this.appId}|${this.appSecret}`;
  }

  issue(options: {
    type: TokenType;
    scopes: readonly Scope[];
    expiresInSeconds: number | null;
  }): TokenRecord {
    const now = this.now();
    const record: TokenRecord = {
      token: newSecret('EAAB'),
      type: options.type,
      userId: options.type === 'SYSTEM_USER' ? SYSTEM_USER_ID : USER_ID,
      scopes: [...new Set<Scope>([...options.scopes, 'public_profile'])],
      issuedAtMs: now,
      expiresAtMs: options.expiresInSeconds === null ? null : now + options.expiresInSeconds * 1000,
      dataAccessExpiresAtMs: options.type === 'USER' ? now + DATA_ACCESS_MS : null,
      revoked: false,
    };
    this.tokens.set(record.token, record);
    return record;
  }

  get(token: string): TokenRecord | undefined {
    return this.tokens.get(token);
  }

  isExpired(record: TokenRecord): boolean {
    return record.expiresAtMs !== null && record.expiresAtMs <= this.now();
  }

  /** The record of a usable token, or the 190-family error Meta returns for it. */
  check(token: string): TokenRecord {
    const record = this.tokens.get(token);
    if (!record) throw graphErrors.tokenMalformed();
    if (record.revoked) throw graphErrors.tokenInvalid();
    if (this.isExpired(record)) throw this.expiredError(record);
    return record;
  }

  expiredError(record: TokenRecord | undefined): GraphError {
    const now = this.now();
    const at = record?.expiresAtMs ?? now - 60_000;
    return graphErrors.tokenExpired(formatTokenTime(at, this.timeZone), formatTokenTime(now, this.timeZone));
  }

  /** Makes a token expire now (control endpoint). */
  expire(token: string): boolean {
    const record = this.tokens.get(token);
    if (!record) return false;
    record.expiresAtMs = this.now() - 1000;
    return true;
  }

  revoke(token: string): boolean {
    const record = this.tokens.get(token);
    if (!record) return false;
    record.revoked = true;
    return true;
  }

  issueCode(redirectUri: string, scopes: readonly Scope[]): string {
    const code = newSecret('AQ', 32);
    this.codes.set(code, {
      code,
      redirectUri,
      scopes: [...scopes],
      expiresAtMs: this.now() + CODE_LIFETIME_MS,
      used: false,
    });
    return code;
  }

  /** Redeems a code once; reuse (36009), expiry (36007) and redirect mismatch fail as in 1.3, which marks them [MEM]. */
  redeemCode(code: string, redirectUri: string): Scope[] {
    const record = this.codes.get(code);
    // The message for an unknown code is [MEM].
    if (!record) throw graphErrors.invalidParameter('Invalid verification code format.');
    if (record.used) {
      throw new GraphError(400, 100, 'This authorization code has been used.', { subcode: 36009 });
    }
    if (record.expiresAtMs <= this.now()) {
      throw new GraphError(400, 100, 'This authorization code has expired.', { subcode: 36007 });
    }
    if (record.redirectUri !== redirectUri) {
      throw new GraphError(
        400,
        100,
        'Error validating verification code. Please make sure your redirect_uri is identical to the one you used in the OAuth dialog request',
      );
    }
    record.used = true;
    return record.scopes;
  }
}
