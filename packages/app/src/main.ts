import pino, { type Logger } from 'pino';
import { loadConfig, type Config } from './config.ts';
import { databaseOptionsFor, openDatabase, type Database } from './adapters/db/database.ts';
import { SecretBox } from './adapters/crypto/secret-box.ts';
import { deriveStateKey, resolveSecretKey } from './adapters/crypto/secret-key.ts';
import { GraphClient, type GraphClientOptions } from './adapters/meta/graph-client.ts';
import type { MetaConnectDeps } from './services/meta-connect.service.ts';
import type { NotifyContext } from './services/notifications.service.ts';
import { advisoryLocks, memoryLocks, type JobLocks } from './jobs/locks.ts';

/** Everything a command, route or job needs, built in one place from the configuration. */
export type AppContext = {
  config: Config;
  logger: Logger;
  database: Database;
  secrets: SecretBox;
  /** Everything the Meta connect, sync and apply services need, built from the configuration. */
  meta: MetaConnectDeps & { notify?: NotifyContext | undefined };
  /**
   * The accounts' job locks: the in-process scheduler's on PGlite, PostgreSQL advisory locks otherwise.
   * Work a person starts (roas sync, roas apply, the dashboard's approve) takes them so it never
   * overlaps a scheduled job of the same account.
   */
  accountLocks: JobLocks;
  close(): Promise<void>;
};

/** How long person-started work waits for an account a scheduled job holds before saying it is busy. */
const ACCOUNT_LOCK_WAIT_MS = 10_000;

/** A Graph client for one token, with the configured host and version; options override for tests. */
export function graphClientFactory(
  config: Config,
  logger: Logger,
  overrides: Partial<GraphClientOptions> = {},
) {
  return (token: string) =>
    new GraphClient({
      baseUrl: config.metaGraphUrl,
      apiVersion: config.metaApiVersion,
      accessToken: token,
      appSecret: token.includes('|') ? undefined : config.metaAppSecret,
      onEvent: (event) => {
        if (event.type !== 'response') logger.debug(event, 'graph api');
      },
      ...overrides,
    });
}

export function createLogger(config: Config): Logger {
  // Logs go to stderr so `--json` output on stdout stays machine-readable.
  return pino(
    {
      level: config.logLevel,
      redact: { paths: ['*.token', '*.accessToken', '*.password', '*.secret', 'databaseUrl'], censor: '***' },
    },
    pino.destination({ fd: 2, sync: true }),
  );
}

/** The composition root: opens the configured database, applies migrations, and hands back the context. */
export async function createContext(config: Config = loadConfig()): Promise<AppContext> {
  const logger = createLogger(config);
  const database = await openDatabase(databaseOptionsFor(config));
  try {
    await database.migrate();
  } catch (error) {
    await database.close();
    throw error;
  }
  logger.debug({ engine: database.engine, location: database.location }, 'database ready');
  return contextFor(config, database, logger);
}

/** The context around an open, migrated database (benchmarks and tools bring their own). */
export function contextFor(
  config: Config,
  database: Database,
  logger: Logger = createLogger(config),
): AppContext {
  const secretKey = resolveSecretKey(config);
  const secrets = new SecretBox(secretKey);
  const { metaAppId, metaAppSecret, metaRedirectUri } = config;
  const meta: AppContext['meta'] = {
    db: database.db,
    secrets,
    stateKey: deriveStateKey(secretKey),
    app:
      metaAppId && metaAppSecret && metaRedirectUri
        ? {
            id: metaAppId,
            secret: metaAppSecret,
            redirectUri: metaRedirectUri,
            dialogUrl: config.metaDialogUrl,
            apiVersion: config.metaApiVersion,
          }
        : null,
    graphFor: graphClientFactory(config, logger),
    now: () => new Date(),
    // Applies queue what they sent to Meta for Slack (only when a webhook is configured).
    notify: { config, logger, database },
  };
  const accountLocks = config.databaseUrl
    ? advisoryLocks({
        url: config.databaseUrl,
        waitMs: ACCOUNT_LOCK_WAIT_MS,
        onLost: (key, error) => logger.warn({ key, err: error }, 'account lock connection lost'),
      })
    : memoryLocks();
  return { config, logger, database, secrets, meta, accountLocks, close: () => database.close() };
}
