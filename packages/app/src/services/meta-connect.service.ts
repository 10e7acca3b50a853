import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { and, eq, gt, sql } from 'drizzle-orm';
import type { Db } from '../adapters/db/database.ts';
import { accounts, oauthStates } from '../adapters/db/schema.ts';
import type { SecretBox } from '../adapters/crypto/secret-box.ts';
import type { GraphClient } from '../adapters/meta/graph-client.ts';
import { GraphApiError } from '../adapters/meta/graph-errors.ts';
import { accountSettingsFromGraph, AD_ACCOUNT_FIELDS } from '../adapters/meta/graph-mappers.ts';
import {
  adAccountSchema,
  debugTokenSchema,
  tokenResponseSchema,
  type GraphAdAccount,
} from '../adapters/meta/graph-schemas.ts';
import { UserError } from '../shared/errors.ts';

/** The permissions ROAS Pilot asks for: read insights, change budgets and statuses, see business accounts. */
export const META_SCOPES = ['ads_read', 'ads_management', 'business_management'] as const;
const STATE_TTL_MS = 10 * 60_000;

export type MetaConnectDeps = {
  db: Db;
  secrets: SecretBox;
  /** Signs OAuth state; derived from SECRET_KEY, never the token key itself. */
  stateKey: Buffer;
  app: { id: string; secret: string; redirectUri: string; dialogUrl: string; apiVersion: string } | null;
  /** A Graph client authenticated with the given token. */
  graphFor(token: string): GraphClient;
  now(): Date;
};

/** Why a connect attempt failed, in words for the person who tried; `code` is for the HTTP layer. */
export class MetaConnectError extends Error {
  constructor(
    readonly code: 'not_configured' | 'bad_state' | 'consent_denied' | 'token_invalid' | 'no_accounts',
    message: string,
  ) {
    super(message);
    this.name = 'MetaConnectError';
  }
}

export type ConnectedAccount = { id: string; name: string; currency: string };

function requireApp(deps: MetaConnectDeps) {
  if (!deps.app) {
    throw new MetaConnectError(
      'not_configured',
      'Meta login is not configured: set META_APP_ID, META_APP_SECRET and META_REDIRECT_URI',
    );
  }
  return deps.app;
}

function sign(key: Buffer, payload: string): string {
  return createHmac('sha256', key).update(payload).digest('base64url');
}

const hashNonce = (nonce: string) => createHash('sha256').update(nonce).digest('hex');

/** The login dialog URL with a signed, single-use `state` that expires in ten minutes. */
export async function startMetaLogin(
  deps: MetaConnectDeps,
  options: { returnTo?: string } = {},
): Promise<{ url: string }> {
  const app = requireApp(deps);
  const nonce = randomBytes(24).toString('base64url');
  const expiresAt = new Date(deps.now().getTime() + STATE_TTL_MS);
  const payload = `${nonce}.${expiresAt.getTime()}`;
  await deps.db.insert(oauthStates).values({
    nonceHash: hashNonce(nonce),
    returnTo: options.returnTo ?? null,
    createdAt: deps.now(),
    expiresAt,
  });
  const url = new URL(`${app.dialogUrl.replace(/\/+$/, '')}/${app.apiVersion}/dialog/oauth`);
  url.searchParams.set('client_id', app.id);
  url.searchParams.set('redirect_uri', app.redirectUri);
  url.searchParams.set('state', `${payload}.${sign(deps.stateKey, payload)}`);
  url.searchParams.set('scope', META_SCOPES.join(','));
  url.searchParams.set('response_type', 'code');
  return { url: url.toString() };
}

/** Checks the signature and expiry, then consumes the state row so the same state never works twice. */
async function consumeState(
  deps: MetaConnectDeps,
  state: string | undefined,
): Promise<{ returnTo: string | null }> {
  const parts = (state ?? '').split('.');
  const [nonce, expiry, signature] = parts;
  if (parts.length !== 3 || !nonce || !expiry || !signature) {
    throw new MetaConnectError(
      'bad_state',
      'the login response has no valid state; start the connection again',
    );
  }
  const expected = Buffer.from(sign(deps.stateKey, `${nonce}.${expiry}`));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
    throw new MetaConnectError(
      'bad_state',
      'the login response was not started here (state signature mismatch)',
    );
  }
  if (Number(expiry) < deps.now().getTime()) {
    throw new MetaConnectError(
      'bad_state',
      'the login took longer than ten minutes; start the connection again',
    );
  }
  const [row] = await deps.db
    .delete(oauthStates)
    .where(and(eq(oauthStates.nonceHash, hashNonce(nonce)), gt(oauthStates.expiresAt, deps.now())))
    .returning({ returnTo: oauthStates.returnTo });
  if (!row)
    throw new MetaConnectError(
      'bad_state',
      'this login response was already used; start the connection again',
    );
  return { returnTo: row.returnTo };
}

export type CallbackParams = {
  code?: string;
  state?: string;
  error?: string;
  error_reason?: string;
  error_description?: string;
};

/** Finishes the OAuth flow: state, code exchange, long-lived token, debug_token, then the ad accounts. */
export async function completeMetaLogin(
  deps: MetaConnectDeps,
  params: CallbackParams,
): Promise<{ accounts: ConnectedAccount[]; returnTo: string | null }> {
  const app = requireApp(deps);
  const { returnTo } = await consumeState(deps, params.state);
  if (params.error) {
    const why = params.error_description ?? params.error_reason ?? params.error;
    throw new MetaConnectError(
      'consent_denied',
      `Meta login was cancelled or refused (${why}); nothing was connected`,
    );
  }
  if (!params.code) throw new MetaConnectError('bad_state', 'the login response has no code');
  const appGraph = deps.graphFor(`${app.id}|${app.secret}`);
  const short = await appGraph.get(
    'oauth/access_token',
    { client_id: app.id, client_secret: app.secret, redirect_uri: app.redirectUri, code: params.code },
    tokenResponseSchema,
    'code exchange',
  );
  const long = await appGraph.get(
    'oauth/access_token',
    {
      grant_type: 'fb_exchange_token',
      client_id: app.id,
      client_secret: app.secret,
      fb_exchange_token: short.access_token,
    },
    tokenResponseSchema,
    'long-lived token exchange',
  );
  const connected = await connectWithToken(deps, long.access_token, { debugWith: `${app.id}|${app.secret}` });
  return { accounts: connected, returnTo };
}

/**
 * Stores every ad account a token can see (or only `onlyAccount`), with the token encrypted per
 * account and its scopes and expiry from debug_token. Used by OAuth and by `roas accounts add --token`.
 */
export async function connectWithToken(
  deps: MetaConnectDeps,
  token: string,
  options: { onlyAccount?: string; debugWith?: string } = {},
): Promise<ConnectedAccount[]> {
  const graph = deps.graphFor(token);
  // The app token can inspect any token, expired ones included; without an app the token inspects itself.
  const inspector = options.debugWith ?? (deps.app ? `${deps.app.id}|${deps.app.secret}` : token);
  const debug = await deps
    .graphFor(inspector)
    .get('debug_token', { input_token: token }, debugTokenSchema, 'token')
    .catch((error: unknown) => {
      if (error instanceof GraphApiError && error.kind === 'token') {
        throw new MetaConnectError('token_invalid', `Meta refused the token: ${error.message}`);
      }
      throw error;
    });
  if (!debug.data.is_valid) {
    throw new MetaConnectError(
      'token_invalid',
      `Meta says this token is not valid${debug.data.error?.message ? `: ${debug.data.error.message}` : ''}`,
    );
  }
  const missing = ['ads_read'].filter((scope) => !debug.data.scopes.includes(scope));
  if (missing.length > 0)
    throw new MetaConnectError('token_invalid', `the token lacks the ${missing.join(', ')} permission`);
  const expiresAt = debug.data.expires_at ? new Date(debug.data.expires_at * 1000) : null;

  const found: GraphAdAccount[] = [];
  for await (const account of graph.paginate(
    'me/adaccounts',
    {
      fields: AD_ACCOUNT_FIELDS,
      limit: 100,
    },
    adAccountSchema,
    'ad account',
  )) {
    found.push(account);
  }
  const wanted = options.onlyAccount ? `act_${options.onlyAccount.replace(/^act_/, '')}` : null;
  const chosen = wanted ? found.filter((a) => a.id === wanted) : found;
  if (chosen.length === 0) {
    throw new MetaConnectError(
      'no_accounts',
      wanted
        ? `the token cannot see ${wanted} (it sees: ${found.map((a) => a.id).join(', ') || 'no ad accounts'})`
        : 'the token sees no ad accounts',
    );
  }
  const now = deps.now();
  for (const account of chosen) {
    const row = {
      source: 'meta' as const,
      externalId: account.account_id ?? account.id.slice(4),
      ...accountSettingsFromGraph(account),
      tokenCiphertext: deps.secrets.encrypt(token, account.id),
      tokenExpiresAt: expiresAt,
      tokenScopes: debug.data.scopes,
      syncBlockedReason: null,
      updatedAt: now,
    };
    await deps.db
      .insert(accounts)
      .values({ id: account.id, ...row, createdAt: now })
      .onConflictDoUpdate({ target: accounts.id, set: row });
  }
  return chosen.map((a) => ({ id: a.id, name: a.name, currency: a.currency }));
}

/** The decrypted token of an account, or a clear error when it has none. */
export async function accountToken(
  deps: Pick<MetaConnectDeps, 'db' | 'secrets'>,
  accountId: string,
): Promise<string> {
  const [row] = await deps.db
    .select({ ciphertext: accounts.tokenCiphertext })
    .from(accounts)
    .where(eq(accounts.id, accountId));
  if (!row) throw new UserError(`no account ${accountId}`);
  if (!row.ciphertext)
    throw new UserError(
      `account ${accountId} has no Meta token: connect it first (roas accounts add --token ...)`,
    );
  return deps.secrets.decrypt(row.ciphertext, accountId);
}

/** Forgets expired states; run from the scheduler. */
export async function pruneOauthStates(db: Db, now: Date): Promise<void> {
  await db.delete(oauthStates).where(sql`${oauthStates.expiresAt} < ${now}`);
}
