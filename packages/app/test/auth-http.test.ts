import type { AddressInfo } from 'node:net';
import Fastify from 'fastify';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { users } from '../src/adapters/db/schema.ts';
import { buildHttpApp } from '../src/http/app.ts';
import { requireRole } from '../src/http/auth-guard.ts';
import { installAuthGuard } from '../src/http/auth-guard.ts';
import type { AppContext } from '../src/main.ts';
import { listAuditEvents } from '../src/services/audit.service.ts';
import { SESSION_TTL_MS } from '../src/services/auth.service.ts';
import { addUser, ensureAdmin, type Role } from '../src/services/users.service.ts';
import { testContext } from './app-context.ts';
import { describeEachEngine } from './test-databases.ts';

const NO_GRAPH = { url: 'http://127.0.0.1:9', appId: '4242', appSecret: 'unused', apiVersion: 'v26.0' };
const operator = { kind: 'system', name: 'cli:tester' } as const;
const PASSWORD = 'a long password';

type Signed = { cookie: string; csrf: string };

describeEachEngine('sign-in, sessions, CSRF and roles over HTTP', (getDatabase) => {
  let context: AppContext;
  let server: ReturnType<typeof buildHttpApp>;
  let base: string;
  let clock = Date.now();

  beforeAll(async () => {
    context = testContext(getDatabase(), NO_GRAPH);
    server = buildHttpApp(context, { now: () => new Date(clock) });
    // One route of each class besides the real ones: read (any role) and approve-class.
    server.get('/api/test/read', () => ({ read: true }));
    server.post('/api/test/approve', { preHandler: requireRole('approver') }, () => ({ approved: true }));
    await server.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(server.server.address() as AddressInfo).port}`;
    for (const role of ['viewer', 'approver', 'admin'] as const) {
      await addUser(getDatabase().db, { username: role, password: PASSWORD, role }, { actor: operator });
    }
  });
  afterAll(async () => {
    await server.close();
  });
  beforeEach(() => {
    clock = Date.now();
  });

  const call = (path: string, init: RequestInit & { json?: unknown } = {}) => {
    const headers = new Headers(init.headers);
    if (init.json !== undefined) headers.set('content-type', 'application/json');
    return fetch(`${base}${path}`, {
      ...init,
      headers,
      redirect: 'manual',
      ...(init.json === undefined ? {} : { body: JSON.stringify(init.json) }),
    });
  };
  const login = (username: string, password: string, headers: Record<string, string> = {}) =>
    call('/api/auth/login', { method: 'POST', json: { username, password }, headers });

  async function signIn(username: string, password = PASSWORD): Promise<Signed> {
    const response = await login(username, password);
    expect(response.status).toBe(200);
    const body = (await response.json()) as { csrfToken: string };
    const [setCookie] = response.headers.getSetCookie();
    return { cookie: (setCookie ?? '').split(';')[0] ?? '', csrf: body.csrfToken };
  }
  const as = (signed: Signed, withCsrf = true) => ({
    cookie: signed.cookie,
    ...(withCsrf ? { 'x-csrf-token': signed.csrf } : {}),
  });
  const errorOf = async (response: Response) =>
    ((await response.json()) as { error: { code: string } }).error;

  describe('login', () => {
    it('signs in with an HttpOnly, SameSite=Lax session cookie and reports who is signed in', async () => {
      const response = await login('Viewer', PASSWORD);
      expect(response.status).toBe(200);
      expect(response.headers.get('cache-control')).toBe('no-store');
      const body = (await response.json()) as { user: { username: string; role: Role }; csrfToken: string };
      expect(body.user).toMatchObject({ username: 'viewer', role: 'viewer' });
      expect(body.csrfToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
      const cookies = response.headers.getSetCookie();
      expect(cookies).toHaveLength(1);
      const attributes = (cookies[0] ?? '').split('; ');
      expect(attributes[0]).toMatch(/^roas_session=[A-Za-z0-9_-]{43}$/);
      expect(attributes).toEqual(
        expect.arrayContaining(['HttpOnly', 'SameSite=Lax', 'Path=/', `Max-Age=${SESSION_TTL_MS / 1000}`]),
      );
      expect(attributes).not.toContain('Secure');

      const me = await call('/api/auth/me', { headers: { cookie: attributes[0] ?? '' } });
      expect(me.status).toBe(200);
      expect(await me.json()).toMatchObject({
        user: { username: 'viewer', role: 'viewer' },
        csrfToken: body.csrfToken,
      });
    });

    it('marks the cookie Secure when the request came over HTTPS through a proxy', async () => {
      const response = await login('viewer', PASSWORD, { 'x-forwarded-proto': 'https' });
      expect(response.status).toBe(200);
      expect((response.headers.getSetCookie()[0] ?? '').split('; ')).toContain('Secure');
    });

    it('stores only a hash of the session token', async () => {
      const { cookie } = await signIn('viewer');
      const token = cookie.split('=')[1] ?? '';
      const rows = await getDatabase().db.query.sessions.findMany();
      expect(rows.length).toBeGreaterThan(0);
      for (const row of rows) expect(row.id).not.toBe(token);
    });

    it('refuses a wrong password or unknown user with one message, and audits both', async () => {
      const wrong = await login('approver', 'not the password');
      expect(wrong.status).toBe(401);
      expect(wrong.headers.getSetCookie()).toEqual([]);
      expect(await errorOf(wrong)).toEqual({
        code: 'bad_credentials',
        message: 'wrong username or password',
      });
      const unknown = await login('nobody', 'not the password');
      expect(unknown.status).toBe(401);
      expect(await errorOf(unknown)).toEqual({
        code: 'bad_credentials',
        message: 'wrong username or password',
      });

      const failed = await listAuditEvents(getDatabase().db, { action: 'auth.login_failed' });
      expect(failed).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            who: null,
            target: 'user:approver',
            details: expect.objectContaining({ reason: 'wrong_password', ip: '127.0.0.1' }) as unknown,
          }),
          expect.objectContaining({
            who: null,
            userId: null,
            target: 'user:nobody',
            details: expect.objectContaining({ reason: 'unknown_user' }) as unknown,
          }),
        ]),
      );
      await signIn('approver');
      const succeeded = await listAuditEvents(getDatabase().db, {
        action: 'auth.login',
        target: 'user:approver',
      });
      expect(succeeded[0]).toMatchObject({ who: 'approver', details: { ip: '127.0.0.1' } });
    });

    it('refuses malformed or non-JSON bodies with 400', async () => {
      const missing = await call('/api/auth/login', { method: 'POST', json: { username: 'viewer' } });
      expect(missing.status).toBe(400);
      expect(await errorOf(missing)).toMatchObject({ code: 'invalid_input' });
      const broken = await call('/api/auth/login', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"username":',
      });
      expect(broken.status).toBe(400);
      // A cross-site HTML form can only send form or text bodies: neither signs anyone in.
      const form = await call('/api/auth/login', {
        method: 'POST',
        headers: { 'content-type': 'text/plain' },
        body: JSON.stringify({ username: 'viewer', password: PASSWORD }),
      });
      expect(form.status).toBe(400);
      const urlencoded = await call('/api/auth/login', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: `username=viewer&password=${encodeURIComponent(PASSWORD)}`,
      });
      expect(urlencoded.status).toBe(415);
    });

    it('locks a username out from an address after 5 failures in 15 minutes, with Retry-After', async () => {
      await addUser(
        getDatabase().db,
        { username: 'target', password: PASSWORD, role: 'viewer' },
        { actor: operator },
      );
      const from = { 'x-forwarded-for': '203.0.113.7' };
      for (let attempt = 1; attempt <= 5; attempt += 1) {
        clock += 1000;
        expect((await login('target', `guess number ${attempt}`, from)).status).toBe(401);
      }
      clock += 60_000;
      const blocked = await login('target', PASSWORD, from);
      expect(blocked.status).toBe(429);
      expect(await errorOf(blocked)).toMatchObject({ code: 'rate_limited' });
      // 15 minutes from the first failure, which was 64 seconds ago.
      expect(blocked.headers.get('retry-after')).toBe(String(15 * 60 - 64));
      expect(blocked.headers.getSetCookie()).toEqual([]);

      // Another address, or another username from the same address, is not held up.
      expect((await login('target', PASSWORD, { 'x-forwarded-for': '198.51.100.2' })).status).toBe(200);
      expect((await login('viewer', PASSWORD, from)).status).toBe(200);

      const locked = await listAuditEvents(getDatabase().db, {
        action: 'auth.login_locked',
        target: 'user:target',
      });
      expect(locked).toHaveLength(1);
      expect(locked[0]?.details).toMatchObject({ ip: '203.0.113.7' });

      clock += 15 * 60_000;
      expect((await login('target', PASSWORD, from)).status).toBe(200);
    });

    it('caps failures for one username across addresses, since addresses can be forged', async () => {
      await addUser(
        getDatabase().db,
        { username: 'sprayed', password: PASSWORD, role: 'viewer' },
        { actor: operator },
      );
      const local = buildHttpApp(context, {
        now: () => new Date(clock),
        loginLimits: {
          perUserAndIp: { max: 5, windowMs: 15 * 60_000 },
          perUser: { max: 3, windowMs: 15 * 60_000 },
        },
      });
      try {
        for (const ip of ['192.0.2.1', '192.0.2.2', '192.0.2.3']) {
          const response = await local.inject({
            method: 'POST',
            url: '/api/auth/login',
            headers: { 'x-forwarded-for': ip },
            payload: { username: 'sprayed', password: 'wrong password' },
          });
          expect(response.statusCode).toBe(401);
        }
        const blocked = await local.inject({
          method: 'POST',
          url: '/api/auth/login',
          headers: { 'x-forwarded-for': '192.0.2.4' },
          payload: { username: 'sprayed', password: PASSWORD },
        });
        expect(blocked.statusCode).toBe(429);
      } finally {
        await local.close();
      }
    });
  });

  describe('sessions', () => {
    it('logs out: the same cookie no longer works, and the cookie is cleared', async () => {
      const signed = await signIn('viewer');
      const out = await call('/api/auth/logout', { method: 'POST', headers: as(signed) });
      expect(out.status).toBe(204);
      const cleared = out.headers.getSetCookie()[0] ?? '';
      expect(cleared).toMatch(/^roas_session=; /);
      expect(cleared).toContain('Max-Age=0');
      const me = await call('/api/auth/me', { headers: as(signed) });
      expect(me.status).toBe(401);
      expect(await errorOf(me)).toMatchObject({ code: 'unauthenticated' });
      const events = await listAuditEvents(getDatabase().db, { action: 'auth.logout' });
      expect(events[0]).toMatchObject({ who: 'viewer', target: 'user:viewer' });
    });

    it('expires a session after its lifetime', async () => {
      const signed = await signIn('viewer');
      clock += SESSION_TTL_MS - 60_000;
      expect((await call('/api/auth/me', { headers: as(signed) })).status).toBe(200);
      clock += 2 * 60_000;
      const late = await call('/api/auth/me', { headers: as(signed) });
      expect(late.status).toBe(401);
      expect(late.headers.getSetCookie()[0]).toMatch(/^roas_session=;.*Max-Age=0/);
    });

    it("ends a removed user's sessions at once", async () => {
      await addUser(
        getDatabase().db,
        { username: 'leaver', password: PASSWORD, role: 'approver' },
        { actor: operator },
      );
      const leaver = await signIn('leaver');
      const admin = await signIn('admin');
      const removed = await call('/api/users/leaver', { method: 'DELETE', headers: as(admin) });
      expect(removed.status).toBe(204);
      expect((await call('/api/test/read', { headers: as(leaver) })).status).toBe(401);
      expect((await login('leaver', PASSWORD)).status).toBe(401);
    });

    it('refuses forged cookies', async () => {
      const forged = await call('/api/auth/me', { headers: { cookie: `roas_session=${'A'.repeat(43)}` } });
      expect(forged.status).toBe(401);
      const junk = await call('/api/auth/me', { headers: { cookie: 'roas_session=../../etc; other=1' } });
      expect(junk.status).toBe(401);
    });
  });

  describe('what needs a session', () => {
    it('answers 401 on /api without a session, except health, login and the OAuth callback', async () => {
      for (const [method, path] of [
        ['GET', '/api/auth/me'],
        ['GET', '/api/test/read'],
        ['POST', '/api/test/approve'],
        ['GET', '/api/users'],
        ['DELETE', '/api/users/viewer'],
        ['GET', '/api/auth/meta/start'],
        ['GET', '/api/no/such/route'],
        // Percent-encoded paths reach the same routes, so they need the same session.
        ['GET', '/%61pi/users'],
        ['GET', '/api/%75sers'],
        ['GET', '/%61pi/test/read'],
        ['POST', '/%61pi/test/approve'],
      ] as const) {
        const response = await call(path, { method });
        expect([method, path, response.status]).toEqual([method, path, 401]);
        expect(await errorOf(response)).toEqual({
          code: 'unauthenticated',
          message: 'sign in first (POST /api/auth/login)',
        });
      }
      expect((await call('/api/health')).status).toBe(200);
      const callback = await call('/api/auth/meta/callback?state=x&code=y', {
        headers: { accept: 'application/json' },
      });
      expect(callback.status).toBe(400);
      expect(await errorOf(callback)).toMatchObject({ code: 'bad_state' });
    });

    it('refuses to start when a state-changing /api route declares no role', () => {
      const app = Fastify();
      installAuthGuard(app, { db: getDatabase().db, now: () => new Date() });
      expect(() => app.post('/api/unguarded', () => ({}))).toThrow(
        /changes state: give it preHandler: requireRole/,
      );
      expect(() => app.get('/api/read-only', () => ({}))).not.toThrow();
      expect(() => app.post('/not-api', () => ({}))).not.toThrow();
    });
  });

  describe('CSRF', () => {
    it('refuses state-changing requests with a missing or wrong token, and accepts the right one', async () => {
      const signed = await signIn('approver');
      const missing = await call('/api/test/approve', { method: 'POST', headers: as(signed, false) });
      expect(missing.status).toBe(403);
      expect(await errorOf(missing)).toMatchObject({ code: 'csrf' });
      const wrong = await call('/api/test/approve', {
        method: 'POST',
        headers: { ...as(signed, false), 'x-csrf-token': `${signed.csrf.slice(0, -1)}x` },
      });
      expect(wrong.status).toBe(403);
      expect(await errorOf(wrong)).toMatchObject({ code: 'csrf' });
      const right = await call('/api/test/approve', { method: 'POST', headers: as(signed) });
      expect(right.status).toBe(200);
      expect(await right.json()).toEqual({ approved: true });
    });

    it("ties the token to its session: another session's token is refused", async () => {
      const mine = await signIn('approver');
      const theirs = await signIn('approver');
      const crossed = await call('/api/test/approve', {
        method: 'POST',
        headers: { cookie: mine.cookie, 'x-csrf-token': theirs.csrf },
      });
      expect(crossed.status).toBe(403);
    });

    it('guards logout, user changes and deletes as well', async () => {
      const admin = await signIn('admin');
      expect((await call('/api/auth/logout', { method: 'POST', headers: as(admin, false) })).status).toBe(
        403,
      );
      const add = await call('/api/users', {
        method: 'POST',
        headers: as(admin, false),
        json: { username: 'csrf-victim', role: 'admin', password: PASSWORD },
      });
      expect(add.status).toBe(403);
      expect((await call('/api/users/viewer', { method: 'DELETE', headers: as(admin, false) })).status).toBe(
        403,
      );
      expect((await call('/api/users', { method: 'PUT', headers: as(admin, false) })).status).toBe(403);
      expect((await call('/api/auth/me', { headers: as(admin) })).status).toBe(200);
    });
  });

  describe('roles', () => {
    const expectations = {
      viewer: { read: 200, approve: 403, admin: 403 },
      approver: { read: 200, approve: 200, admin: 403 },
      admin: { read: 200, approve: 200, admin: 200 },
    } as const;

    for (const role of ['viewer', 'approver', 'admin'] as const) {
      it(`${role}: read ${expectations[role].read}, approve ${expectations[role].approve}, admin ${expectations[role].admin}`, async () => {
        const signed = await signIn(role);
        const read = await call('/api/test/read', { headers: as(signed) });
        expect(read.status).toBe(expectations[role].read);
        const approve = await call('/api/test/approve', { method: 'POST', headers: as(signed) });
        expect(approve.status).toBe(expectations[role].approve);
        const listUsers = await call('/api/users', { headers: as(signed) });
        expect(listUsers.status).toBe(expectations[role].admin);
        const metaStart = await call('/api/auth/meta/start', { headers: as(signed) });
        expect(metaStart.status).toBe(expectations[role].admin === 200 ? 302 : 403);
        if (expectations[role].admin === 403) {
          expect(await errorOf(listUsers)).toEqual({
            code: 'forbidden',
            message: `this needs the admin role or higher; ${role} is a ${role}`,
          });
          const add = await call('/api/users', {
            method: 'POST',
            headers: as(signed),
            json: { username: `made-by-${role}`, role: 'admin', password: PASSWORD },
          });
          expect(add.status).toBe(403);
        }
      });
    }
  });

  describe('users administration', () => {
    it('lets an admin add, list and remove users, audited, but never the last admin', async () => {
      const admin = await signIn('admin');
      const added = await call('/api/users', {
        method: 'POST',
        headers: as(admin),
        json: { username: 'New.Person', role: 'approver', password: PASSWORD },
      });
      expect(added.status).toBe(201);
      expect(await added.json()).toMatchObject({
        user: { username: 'new.person', role: 'approver' },
        reactivated: false,
      });
      expect((await signIn('new.person')).csrf).toBeTruthy();

      const duplicate = await call('/api/users', {
        method: 'POST',
        headers: as(admin),
        json: { username: 'new.person', role: 'viewer', password: PASSWORD },
      });
      expect(duplicate.status).toBe(409);
      expect(await errorOf(duplicate)).toMatchObject({ code: 'exists' });
      const weak = await call('/api/users', {
        method: 'POST',
        headers: as(admin),
        json: { username: 'weakling', role: 'viewer', password: 'short' },
      });
      expect(weak.status).toBe(400);
      expect(await errorOf(weak)).toMatchObject({ code: 'weak_password' });
      const badRole = await call('/api/users', {
        method: 'POST',
        headers: as(admin),
        json: { username: 'someone', role: 'owner', password: PASSWORD },
      });
      expect(badRole.status).toBe(400);
      expect(await errorOf(badRole)).toMatchObject({ code: 'invalid_input' });

      const list = (await (await call('/api/users', { headers: as(admin) })).json()) as {
        users: { username: string; role: Role }[];
      };
      expect(list.users).toEqual(
        expect.arrayContaining([expect.objectContaining({ username: 'new.person', role: 'approver' })]),
      );
      expect(JSON.stringify(list)).not.toMatch(/hash|scrypt/i);

      expect((await call('/api/users/new.person', { method: 'DELETE', headers: as(admin) })).status).toBe(
        204,
      );
      const gone = await call('/api/users/new.person', { method: 'DELETE', headers: as(admin) });
      expect(gone.status).toBe(404);

      const last = await call('/api/users/admin', { method: 'DELETE', headers: as(admin) });
      expect(last.status).toBe(409);
      expect(await errorOf(last)).toMatchObject({
        code: 'last_admin',
        message: expect.stringMatching(/admin is the last admin/) as string,
      });

      const events = await listAuditEvents(getDatabase().db, { target: 'user:new.person' });
      expect(events.map((e) => [e.action, e.who])).toEqual(
        expect.arrayContaining([
          ['user.create', 'admin'],
          ['user.remove', 'admin'],
        ]),
      );
    });
  });
});

describeEachEngine('first run over HTTP', (getDatabase) => {
  let context: AppContext;
  let server: ReturnType<typeof buildHttpApp>;
  let base: string;

  beforeAll(async () => {
    context = testContext(getDatabase(), NO_GRAPH);
    server = buildHttpApp(context);
    await server.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(server.server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await server.close();
  });
  beforeEach(async () => {
    await getDatabase().db.delete(users);
  });

  const login = (password: string) =>
    fetch(`${base}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password }),
    });

  it('creates an admin from ROAS_ADMIN_PASSWORD who can sign in and manage users', async () => {
    const result = await ensureAdmin({
      config: { adminPassword: 'configured admin password' },
      database: getDatabase(),
    });
    expect(result).toEqual({ created: true, username: 'admin', passwordSource: 'config' });
    const response = await login('configured admin password');
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ user: { username: 'admin', role: 'admin' } });
  });

  it('creates an admin with a generated password when none is configured', async () => {
    const result = await ensureAdmin({ config: {}, database: getDatabase() });
    if (!result.created || result.passwordSource !== 'generated')
      throw new Error('expected a generated password');
    expect((await login(result.generatedPassword)).status).toBe(200);
    expect((await login('configured admin password')).status).toBe(401);
  });
});
