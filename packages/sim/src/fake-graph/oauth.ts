import { GraphError, graphErrors } from './graph-error.ts';
import {
  BUSINESS_ID,
  LONG_LIVED_SECONDS,
  SCOPES,
  SHORT_LIVED_SECONDS,
  type Scope,
  type TokenRecord,
  type TokenRegistry,
} from './tokens.ts';

const DEFAULT_SCOPES: readonly Scope[] = ['ads_read', 'ads_management', 'business_management'];

function parseScopes(raw: string | undefined): Scope[] {
  if (raw === undefined || raw.trim() === '') return [...DEFAULT_SCOPES];
  return raw.split(/[\s,]+/).filter((scope): scope is Scope => (SCOPES as readonly string[]).includes(scope));
}

function withQuery(uri: string, query: Record<string, string>): string {
  const url = new URL(uri);
  for (const [key, value] of Object.entries(query)) url.searchParams.set(key, value);
  return url.toString();
}

/**
 * The login dialog (meta-graph-api.md 1.2): consent is automatic, so it redirects straight to
 * `redirect_uri?code=..&state=..`. `fake_consent=deny` (not a Meta parameter) simulates a refusal.
 */
export function oauthDialog(tokens: TokenRegistry, params: Record<string, string>): { location: string } {
  // The dialog's own error pages are HTML on Meta; the fake answers JSON errors instead.
  if (params.client_id !== tokens.appId)
    throw graphErrors.invalidParameter('Invalid App ID: client_id is not this app');
  const redirectUri = params.redirect_uri;
  if (redirectUri === undefined || !URL.canParse(redirectUri)) {
    throw graphErrors.invalidParameter('redirect_uri must be an absolute URL');
  }
  const responseType = params.response_type ?? 'code';
  if (responseType !== 'code')
    throw graphErrors.invalidParameter('Only response_type=code is supported by the fake');
  const state: Record<string, string> = params.state === undefined ? {} : { state: params.state };
  if (params.fake_consent === 'deny') {
    return {
      location: withQuery(redirectUri, {
        error: 'access_denied',
        error_code: '200',
        error_description: 'Permissions error',
        error_reason: 'user_denied',
        ...state,
      }),
    };
  }
  const code = tokens.issueCode(redirectUri, parseScopes(params.scope));
  return { location: withQuery(redirectUri, { code, ...state }) };
}

function checkClient(tokens: TokenRegistry, params: Record<string, string>): void {
  // Codes 101 and 1 for a wrong app id / secret are [MEM]; the document only covers the code errors.
  if (params.client_id !== tokens.appId) {
    throw new GraphError(400, 101, 'Error validating application. Invalid application ID.');
  }
  if (params.client_secret !== tokens.appSecret)
    throw new GraphError(400, 1, 'Error validating client secret.');
}

type TokenResponse = { access_token: string; token_type: 'bearer'; expires_in?: number };

/**
 * `GET /oauth/access_token`: the code exchange (single-use codes, 1.3), `fb_exchange_token` for a
 * 60-day token (1.4) and `client_credentials` for the app token.
 */
export function oauthAccessToken(tokens: TokenRegistry, params: Record<string, string>): TokenResponse {
  checkClient(tokens, params);
  if (params.grant_type === 'client_credentials')
    return { access_token: tokens.appToken, token_type: 'bearer' };
  if (params.grant_type === 'fb_exchange_token') {
    const short = params.fb_exchange_token;
    if (short === undefined || short === '')
      throw graphErrors.invalidParameter('Missing fb_exchange_token parameter');
    const record = tokens.check(short);
    if (record.type !== 'USER')
      throw graphErrors.invalidParameter('Only user access tokens can be exchanged');
    const long = tokens.issue({ type: 'USER', scopes: record.scopes, expiresInSeconds: LONG_LIVED_SECONDS });
    return { access_token: long.token, token_type: 'bearer', expires_in: LONG_LIVED_SECONDS };
  }
  const code = params.code;
  if (code === undefined || code === '') throw graphErrors.invalidParameter('Missing code parameter');
  const scopes = tokens.redeemCode(code, params.redirect_uri ?? '');
  const record = tokens.issue({ type: 'USER', scopes, expiresInSeconds: SHORT_LIVED_SECONDS });
  return { access_token: record.token, token_type: 'bearer', expires_in: SHORT_LIVED_SECONDS };
}

function describe(tokens: TokenRegistry, record: TokenRecord, accountId: string): Record<string, unknown> {
  const seconds = (ms: number | null): number => (ms === null ? 0 : Math.floor(ms / 1000));
  const granular = record.scopes
    .filter((scope) => scope === 'ads_read' || scope === 'ads_management' || scope === 'business_management')
    .map((scope) => ({ scope, target_ids: [scope === 'business_management' ? BUSINESS_ID : accountId] }));
  return {
    app_id: tokens.appId,
    type: record.type,
    application: 'ROAS Pilot (fake)',
    data_access_expires_at: seconds(record.dataAccessExpiresAtMs),
    expires_at: seconds(record.expiresAtMs),
    is_valid: !record.revoked && !tokens.isExpired(record),
    issued_at: seconds(record.issuedAtMs),
    scopes: record.scopes,
    granular_scopes: granular,
    user_id: record.userId,
  };
}

/** `GET /debug_token?input_token=..` with an app token or any valid token (1.5; the response shape is [MEM]). */
export function debugToken(
  tokens: TokenRegistry,
  params: Record<string, string>,
  callerToken: string | null,
  accountId: string,
): { data: Record<string, unknown> } {
  if (callerToken === null) throw graphErrors.tokenRequired(false);
  if (callerToken !== tokens.appToken) tokens.check(callerToken);
  const input = params.input_token;
  if (input === undefined || input === '')
    throw graphErrors.invalidParameter('The parameter input_token is required');
  const record = tokens.get(input);
  if (!record) {
    return {
      data: {
        error: { code: 190, message: 'Invalid OAuth access token - Cannot parse access token' },
        is_valid: false,
        scopes: [],
      },
    };
  }
  const data = describe(tokens, record, accountId);
  if (record.revoked) {
    data.error = { code: 190, message: graphErrors.tokenInvalid().message, subcode: 467 };
  } else if (tokens.isExpired(record)) {
    data.error = { code: 190, message: tokens.expiredError(record).message, subcode: 463 };
  }
  return { data };
}
