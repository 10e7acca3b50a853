import { eq } from 'drizzle-orm';
import { beforeEach, expect, it } from 'vitest';
import { sessions, users } from '../src/adapters/db/schema.ts';
import { listAuditEvents, recordAudit } from '../src/services/audit.service.ts';
import { login, LoginRateLimiter } from '../src/services/auth.service.ts';
import {
  addUser,
  describeFirstRunAdmin,
  ensureAdmin,
  listUsers,
  removeUser,
  UsersError,
} from '../src/services/users.service.ts';
import { describeEachEngine } from './test-databases.ts';

const operator = { kind: 'system', name: 'cli:tester' } as const;

describeEachEngine('users, first-run admin and audit', (getDatabase) => {
  const db = () => getDatabase().db;
  const signIn = (username: string, password: string) =>
    login(
      { db: db(), limiter: new LoginRateLimiter(), now: () => new Date() },
      { username, password, ip: '127.0.0.1' },
    );

  beforeEach(async () => {
    await db().delete(users);
  });

  it('creates the first admin from ROAS_ADMIN_PASSWORD, once', async () => {
    const first = await ensureAdmin({
      config: { adminPassword: 'from the environment' },
      database: getDatabase(),
    });
    expect(first).toEqual({ created: true, username: 'admin', passwordSource: 'config' });
    expect(describeFirstRunAdmin(first)).toMatch(/ROAS_ADMIN_PASSWORD/);
    expect(await listUsers(db())).toEqual([expect.objectContaining({ username: 'admin', role: 'admin' })]);
    expect((await signIn('admin', 'from the environment')).outcome).toBe('ok');
    const [row] = await db().select().from(users).where(eq(users.username, 'admin'));
    expect(row?.passwordHash).not.toContain('from the environment');

    const again = await ensureAdmin({
      config: { adminPassword: 'another password!' },
      database: getDatabase(),
    });
    expect(again).toEqual({ created: false });
    expect(describeFirstRunAdmin(again)).toBeNull();
    expect((await signIn('admin', 'another password!')).outcome).toBe('bad_credentials');
    const created = await listAuditEvents(db(), { action: 'user.create' });
    expect(created).toEqual([
      expect.objectContaining({
        who: 'first-run',
        target: 'user:admin',
        details: { role: 'admin', passwordFrom: 'ROAS_ADMIN_PASSWORD' },
      }),
    ]);
  });

  it('generates a strong password for the first admin when none is configured, shown once', async () => {
    const result = await ensureAdmin({ config: {}, database: getDatabase() });
    if (!result.created || result.passwordSource !== 'generated')
      throw new Error('expected a generated admin');
    expect(result.generatedPassword).toMatch(/^[A-Za-z0-9_-]{24}$/);
    expect(describeFirstRunAdmin(result)).toContain(result.generatedPassword);
    expect((await signIn('admin', result.generatedPassword)).outcome).toBe('ok');
    const [event] = await listAuditEvents(db(), { action: 'user.create', target: 'user:admin' });
    expect(JSON.stringify(event)).not.toContain(result.generatedPassword);
    expect(await ensureAdmin({ config: {}, database: getDatabase() })).toEqual({ created: false });
  });

  it('creates no admin once any user exists', async () => {
    await addUser(
      db(),
      { username: 'vera', password: 'viewer password', role: 'viewer' },
      { actor: operator },
    );
    expect(await ensureAdmin({ config: {}, database: getDatabase() })).toEqual({ created: false });
    expect((await listUsers(db())).map((u) => u.username)).toEqual(['vera']);
  });

  it('adds users with normalised names, refuses duplicates, bad names and short passwords', async () => {
    const { user } = await addUser(
      db(),
      { username: '  Alice@Example.com ', password: 'long enough pw', role: 'approver' },
      { actor: operator },
    );
    expect(user).toMatchObject({ username: 'alice@example.com', role: 'approver' });
    const attempt = (username: string, password: string) =>
      addUser(db(), { username, password, role: 'viewer' }, { actor: operator });
    await expect(attempt('ALICE@example.com', 'long enough pw')).rejects.toMatchObject({ code: 'exists' });
    await expect(attempt('bob', 'short')).rejects.toMatchObject({
      code: 'weak_password',
      message: expect.stringMatching(/at least 12/) as string,
    });
    await expect(attempt('has space', 'long enough pw')).rejects.toBeInstanceOf(UsersError);
    await expect(attempt('', 'long enough pw')).rejects.toMatchObject({ code: 'invalid_username' });
    expect((await listUsers(db())).map((u) => u.username)).toEqual(['alice@example.com']);
  });

  it('refuses to remove the last admin, and removes others with their sessions', async () => {
    await addUser(db(), { username: 'root', password: 'admin password', role: 'admin' }, { actor: operator });
    await addUser(
      db(),
      { username: 'vera', password: 'viewer password', role: 'viewer' },
      { actor: operator },
    );
    await expect(removeUser(db(), 'root', { actor: operator })).rejects.toMatchObject({
      code: 'last_admin',
      message: expect.stringMatching(/root is the last admin.*add another admin first/) as string,
    });
    const signedIn = await signIn('vera', 'viewer password');
    expect(signedIn.outcome).toBe('ok');
    expect(await db().select().from(sessions)).toHaveLength(1);
    await removeUser(db(), 'Vera', { actor: operator });
    expect(await db().select().from(sessions)).toHaveLength(0);
    expect((await signIn('vera', 'viewer password')).outcome).toBe('bad_credentials');
    expect((await listUsers(db())).map((u) => u.username)).toEqual(['root']);
    await expect(removeUser(db(), 'vera', { actor: operator })).rejects.toMatchObject({ code: 'not_found' });

    // With a second admin, the first can go.
    await addUser(
      db(),
      { username: 'second', password: 'admin password', role: 'admin' },
      { actor: operator },
    );
    await removeUser(db(), 'root', { actor: operator });
    await expect(removeUser(db(), 'second', { actor: operator })).rejects.toMatchObject({
      code: 'last_admin',
    });
  });

  it('never removes both of the last two admins when removed at the same time', async () => {
    await addUser(db(), { username: 'ann', password: 'admin password', role: 'admin' }, { actor: operator });
    await addUser(db(), { username: 'ben', password: 'admin password', role: 'admin' }, { actor: operator });
    const results = await Promise.allSettled([
      removeUser(db(), 'ann', { actor: operator }),
      removeUser(db(), 'ben', { actor: operator }),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(await listUsers(db())).toHaveLength(1);
  });

  it('gives a removed name back to its user with a new password and role', async () => {
    await addUser(db(), { username: 'root', password: 'admin password', role: 'admin' }, { actor: operator });
    await addUser(
      db(),
      { username: 'vera', password: 'viewer password', role: 'viewer' },
      { actor: operator },
    );
    const [before] = await db().select().from(users).where(eq(users.username, 'vera'));
    await removeUser(db(), 'vera', { actor: operator });
    const again = await addUser(
      db(),
      { username: 'vera', password: 'a new password', role: 'approver' },
      { actor: operator },
    );
    expect(again).toMatchObject({ reactivated: true, user: { id: before?.id, role: 'approver' } });
    expect((await signIn('vera', 'viewer password')).outcome).toBe('bad_credentials');
    expect((await signIn('vera', 'a new password')).outcome).toBe('ok');
  });

  it('audits user changes with who, what, when and on what; the name survives the user', async () => {
    const before = Date.now();
    await addUser(db(), { username: 'root', password: 'admin password', role: 'admin' }, { actor: operator });
    await addUser(
      db(),
      { username: 'vera', password: 'viewer password', role: 'viewer' },
      { actor: operator },
    );
    const [root] = await db().select().from(users).where(eq(users.username, 'root'));
    if (!root) throw new Error('root missing');
    await removeUser(db(), 'vera', { actor: { kind: 'user', id: root.id, username: 'root' } });
    await recordAudit(db(), {
      actor: { kind: 'user', id: root.id, username: 'root' },
      action: 'settings.update',
      target: 'settings:global',
      details: { version: 2 },
    });
    const events = await listAuditEvents(db(), { limit: 10 });
    const removed = events.find((e) => e.action === 'user.remove');
    expect(removed).toMatchObject({
      who: 'root',
      userId: root.id,
      target: 'user:vera',
      details: { role: 'viewer' },
    });
    expect(Date.parse(removed?.at ?? '')).toBeGreaterThanOrEqual(before - 1000);
    expect(events.filter((e) => e.action === 'user.create').map((e) => [e.who, e.target])).toEqual(
      expect.arrayContaining([
        ['cli:tester', 'user:root'],
        ['cli:tester', 'user:vera'],
      ]),
    );
    expect(events.find((e) => e.action === 'settings.update')).toMatchObject({
      who: 'root',
      details: { version: 2 },
    });
    // Removing the user row entirely keeps the actor's name on their events.
    await db().delete(users).where(eq(users.id, root.id));
    const kept = await listAuditEvents(db(), { action: 'settings.update' });
    expect(kept[0]).toMatchObject({ who: 'root', userId: null });
  });
});
