import pg from 'pg';

export type HeldLock = { release(): Promise<void> };

/** Mutual exclusion per key (an account, or a global job); `acquire` resolves to null when it stays busy. */
export type JobLocks = { acquire(key: string): Promise<HeldLock | null> };

/** Locks within one process: enough where one process owns the database (PGlite). */
export function memoryLocks(): JobLocks {
  const held = new Set<string>();
  return {
    acquire: (key) => {
      if (held.has(key)) return Promise.resolve(null);
      held.add(key);
      return Promise.resolve({
        release: () => {
          held.delete(key);
          return Promise.resolve();
        },
      });
    },
  };
}

// First key of PostgreSQL's two-int advisory lock space: ours ("ROAS"), so other users of locks never clash.
export const LOCK_NAMESPACE = 0x524f4153;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * PostgreSQL session advisory locks on one dedicated connection. The server drops a session's locks when
 * its connection ends, so a worker killed with SIGKILL frees its account at once. One session holds one
 * key at a time (session locks are re-entrant, so two jobs sharing a session would not exclude each
 * other): give each concurrent job slot its own.
 */
export class AdvisoryLockSession implements JobLocks {
  private client: pg.Client | null = null;
  private heldKey: string | null = null;

  constructor(
    private readonly options: {
      url: string;
      /** How long to keep trying a busy key before giving up (the job is then deferred). */
      waitMs: number;
      /** The connection failed while a lock was held: the job runs on unprotected and must be stopped. */
      onLost(key: string, error: unknown): void;
      applicationName?: string;
    },
  ) {}

  private async connection(): Promise<pg.Client> {
    if (this.client) return this.client;
    const client = new pg.Client({
      connectionString: this.options.url,
      keepAlive: true,
      application_name: this.options.applicationName ?? 'roas-job-lock',
    });
    const lost = (error: unknown) => {
      if (this.client === client) this.client = null;
      if (this.heldKey !== null) this.options.onLost(this.heldKey, error);
    };
    client.on('error', lost);
    client.on('end', () => lost(new Error('the lock connection closed')));
    await client.connect();
    this.client = client;
    return client;
  }

  async acquire(key: string): Promise<HeldLock | null> {
    if (this.heldKey !== null) throw new Error(`lock session already holds ${this.heldKey}`);
    const deadline = Date.now() + this.options.waitMs;
    for (;;) {
      const client = await this.connection();
      const { rows } = await client.query<{ ok: boolean }>(
        'select pg_try_advisory_lock($1, hashtext($2)) as ok',
        [LOCK_NAMESPACE, key],
      );
      if (rows[0]?.ok) break;
      if (Date.now() >= deadline) return null;
      await sleep(100);
    }
    this.heldKey = key;
    return {
      release: async () => {
        this.heldKey = null;
        const client = this.client;
        // A lost connection has released the lock already; a failed unlock ends the session, which releases it.
        if (!client) return;
        try {
          await client.query('select pg_advisory_unlock($1, hashtext($2))', [LOCK_NAMESPACE, key]);
        } catch {
          await this.close();
        }
      },
    };
  }

  async close(): Promise<void> {
    const client = this.client;
    this.client = null;
    this.heldKey = null;
    await client?.end().catch(() => undefined);
  }
}

/**
 * Advisory locks for work a person starts (`roas sync`, `roas apply`, the dashboard's approve) against
 * the workers' jobs on PostgreSQL: each acquisition opens a session of its own and closes it on release.
 */
export function advisoryLocks(options: {
  url: string;
  waitMs: number;
  onLost(key: string, error: unknown): void;
  applicationName?: string;
}): JobLocks {
  return {
    acquire: async (key) => {
      const session = new AdvisoryLockSession({
        ...options,
        applicationName: options.applicationName ?? 'roas-account-lock',
      });
      const held = await session.acquire(key).catch(async (error: unknown) => {
        await session.close();
        throw error;
      });
      if (held === null) {
        await session.close();
        return null;
      }
      return {
        release: async () => {
          await held.release();
          await session.close();
        },
      };
    },
  };
}

/** The lock key of one account's jobs (`lockKeyOf` for account jobs): shared by person-started work. */
export const accountLockKey = (accountId: string) => `account:${accountId}`;
