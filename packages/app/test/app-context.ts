import pino from 'pino';
import { SecretBox } from '../src/adapters/crypto/secret-box.ts';
import { deriveStateKey } from '../src/adapters/crypto/secret-key.ts';
import type { Database } from '../src/adapters/db/database.ts';
import { loadConfig } from '../src/config.ts';
import { memoryLocks, type JobLocks } from '../src/jobs/locks.ts';
import { graphClientFactory, type AppContext } from '../src/main.ts';

/** An application context on a test database, talking to a fake Graph API, with fast retries. */
export function testContext(
  database: Database,
  fake: { url: string; appId: string; appSecret: string; apiVersion: string },
  options: { now?: () => Date; redirectUri?: string; accountLocks?: JobLocks } = {},
): AppContext {
  const config = loadConfig(
    {
      META_GRAPH_URL: fake.url,
      META_DIALOG_URL: fake.url,
      META_APP_ID: fake.appId,
      META_APP_SECRET: fake.appSecret,
      META_REDIRECT_URI: options.redirectUri ?? 'http://127.0.0.1:9/api/auth/meta/callback',
      META_API_VERSION: fake.apiVersion,
      SECRET_KEY: 'test secret key, not for production',
      ROAS_HOME: '/nonexistent',
    },
    '/',
  );
  const logger = pino({ level: 'silent' });
  const secretKey = config.secretKey ?? '';
  const secrets = new SecretBox(secretKey);
  return {
    config,
    logger,
    database,
    secrets,
    meta: {
      db: database.db,
      secrets,
      stateKey: deriveStateKey(secretKey),
      app: {
        id: fake.appId,
        secret: fake.appSecret,
        redirectUri: config.metaRedirectUri ?? '',
        dialogUrl: fake.url,
        apiVersion: fake.apiVersion,
      },
      graphFor: graphClientFactory(config, logger, {
        backoffBaseMs: 1,
        throttleBaseMs: 5,
        backoffMaxMs: 50,
        timeoutMs: 5_000,
      }),
      now: options.now ?? (() => new Date()),
    },
    accountLocks: options.accountLocks ?? memoryLocks(),
    close: () => database.close(),
  };
}
