import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type DatabaseOptions } from '../src/adapters/db/database.ts';
import { listAuditEvents } from '../src/services/audit.service.ts';
import { login, LoginRateLimiter } from '../src/services/auth.service.ts';
import { testEngines } from './test-databases.ts';

const ROAS = fileURLToPath(new URL('../bin/roas.mjs', import.meta.url));

type Run = { code: number; stdout: string; stderr: string };

function roas(args: string[], env: Record<string, string>, input = ''): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [ROAS, ...args], {
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
      cwd: env.ROAS_HOME,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
    child.stdin.end(input);
  });
}

/** Where each engine's CLI runs keep their data: a PGlite home, or a PostgreSQL database of this suite's own. */
async function cliDatabase(engine: 'pglite' | 'postgres', home: string) {
  if (engine === 'pglite') {
    return {
      env: {} as Record<string, string>,
      options: { engine: 'pglite', dataDir: path.join(home, 'pgdata') } satisfies DatabaseOptions,
      drop: async () => {},
    };
  }
  const adminUrl = process.env.TEST_DATABASE_URL ?? '';
  const name = `${new URL(adminUrl).pathname.slice(1) || 'test'}_cli_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create database "${name}"`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    env: { DATABASE_URL: url.toString() },
    options: { engine: 'postgres', url: url.toString(), max: 2 } satisfies DatabaseOptions,
    drop: async () => {
      const dropper = new pg.Client({ connectionString: adminUrl });
      await dropper.connect();
      await dropper.query(`drop database if exists "${name}" with (force)`);
      await dropper.end();
    },
  };
}

for (const engine of testEngines()) {
  describe(`roas users (child processes) [${engine}]`, () => {
    const home = mkdtempSync(path.join(tmpdir(), 'roas-users-cli-'));
    let env: Record<string, string> = { ROAS_HOME: home };
    let database: Awaited<ReturnType<typeof cliDatabase>> | undefined;

    beforeAll(async () => {
      database = await cliDatabase(engine, home);
      env = { ROAS_HOME: home, ...database.env };
    });
    afterAll(async () => {
      await database?.drop();
    });

    /** Opens the CLI's database in this process once the commands are done (PGlite allows one owner). */
    async function inspect<T>(
      work: (db: Awaited<ReturnType<typeof openDatabase>>['db']) => Promise<T>,
    ): Promise<T> {
      if (!database) throw new Error('database not ready');
      const opened = await openDatabase(database.options);
      try {
        return await work(opened.db);
      } finally {
        await opened.close();
      }
    }

    it('adds, lists and removes users, and refuses to remove the last admin', async () => {
      const empty = await roas(['users', 'list', '--json'], env);
      expect(empty).toMatchObject({ code: 0 });
      expect(JSON.parse(empty.stdout)).toEqual({ users: [] });

      const passwordFile = path.join(home, 'alice.password');
      writeFileSync(passwordFile, 'alice has a long password\n');
      const alice = await roas(
        ['users', 'add', 'Alice', '--role', 'admin', '--password-file', passwordFile],
        env,
      );
      expect(alice.stderr).toBe('');
      expect(alice).toMatchObject({ code: 0, stdout: 'Added alice (admin).\n' });

      const bob = await roas(
        ['users', 'add', 'bob', '--role', 'viewer', '--json'],
        env,
        'bob types a password\n',
      );
      expect(bob.code).toBe(0);
      expect(JSON.parse(bob.stdout)).toMatchObject({
        user: { username: 'bob', role: 'viewer' },
        reactivated: false,
      });
      expect(bob.stdout).not.toContain('bob types a password');

      const short = await roas(['users', 'add', 'carol', '--role', 'approver'], env, 'too short\n');
      expect(short.code).toBe(1);
      expect(short.stderr).toBe('Error: the password must be at least 12 characters\n');

      const duplicate = await roas(
        ['users', 'add', 'ALICE', '--role', 'viewer'],
        env,
        'another long password\n',
      );
      expect(duplicate.code).toBe(1);
      expect(duplicate.stderr).toBe('Error: there is already a user named alice\n');

      const badRole = await roas(['users', 'add', 'dave', '--role', 'owner'], env, 'another long password\n');
      expect(badRole.code).toBe(2);
      expect(badRole.stderr).toMatch(/owner/);

      const listed = await roas(['users', 'list', '--json'], env);
      expect(listed.code).toBe(0);
      const { users } = JSON.parse(listed.stdout) as { users: { username: string; role: string }[] };
      expect(users.map((u) => [u.username, u.role])).toEqual([
        ['alice', 'admin'],
        ['bob', 'viewer'],
      ]);
      expect(listed.stdout).not.toMatch(/scrypt|hash/i);
      const table = await roas(['users', 'list'], env);
      expect(table.stdout).toMatch(/Username\W+Role\W+Created/);
      expect(table.stdout).toMatch(/alice\W+admin/);

      const lastAdmin = await roas(['users', 'remove', 'alice'], env);
      expect(lastAdmin.code).toBe(1);
      expect(lastAdmin.stderr).toBe(
        'Error: alice is the last admin and cannot be removed; add another admin first ' +
          '(roas users add <name> --role admin), then remove alice\n',
      );

      const removed = await roas(['users', 'remove', 'bob'], env);
      expect(removed).toMatchObject({
        code: 0,
        stdout: 'Removed bob (viewer); their sessions have ended.\n',
      });
      const after = JSON.parse((await roas(['users', 'list', '--json'], env)).stdout) as { users: unknown[] };
      expect(after.users).toEqual([expect.objectContaining({ username: 'alice' })]);

      await inspect(async (db) => {
        const deps = { db, limiter: new LoginRateLimiter(), now: () => new Date() };
        const ip = '127.0.0.1';
        expect(
          (await login(deps, { username: 'alice', password: 'alice has a long password', ip })).outcome,
        ).toBe('ok');
        expect((await login(deps, { username: 'bob', password: 'bob types a password', ip })).outcome).toBe(
          'bad_credentials',
        );
        const events = await listAuditEvents(db);
        expect(events.map((e) => [e.action, e.target])).toEqual(
          expect.arrayContaining([
            ['user.create', 'user:alice'],
            ['user.create', 'user:bob'],
            ['user.remove', 'user:bob'],
          ]),
        );
        for (const event of events.filter((e) => e.action.startsWith('user.')))
          expect(event.who).toMatch(/^cli:/);
      });
    }, 180_000);
  });
}
