import pino, { type Logger } from 'pino';
import { loadConfig, type Config } from './config.ts';
import { databaseOptionsFor, openDatabase, type Database } from './adapters/db/database.ts';

/** Everything a command, route or job needs, built in one place from the configuration. */
export type AppContext = {
  config: Config;
  logger: Logger;
  database: Database;
  close(): Promise<void>;
};

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
  return { config, logger, database, close: () => database.close() };
}
