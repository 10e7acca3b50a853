import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { demoAccountId } from '../src/services/demo.service.ts';

const ROAS = fileURLToPath(new URL('../bin/roas.mjs', import.meta.url));
const PASSWORD = 'demo admin password';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

type Started = { child: ChildProcess; output: () => string; url: string; ms: number };
const children = new Set<ChildProcess>();

/** Starts `roas <command>` and waits for the line saying it is running (or for it to exit). */
async function start(command: 'serve' | 'demo', env: Record<string, string>): Promise<Started> {
  const began = performance.now();
  const child = spawn(process.execPath, [ROAS, command], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    cwd: env.ROAS_HOME,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const check = setInterval(() => {
      const match = /listening on ([\d.]+):(\d+)/.exec(output);
      if (match) {
        clearInterval(check);
        resolve(`http://${match[1]}:${match[2]}`);
      }
    }, 50);
    child.once('exit', (code) => {
      clearInterval(check);
      reject(new Error(`roas ${command} exited with ${code}:\n${output}`));
    });
  });
  return { child, output: () => output, url, ms: performance.now() - began };
}

function stop(child: ChildProcess, signal: NodeJS.Signals): Promise<number | null> {
  return new Promise((resolve) => {
    child.once('exit', (code) => {
      children.delete(child);
      resolve(code);
    });
    child.kill(signal);
  });
}

async function signIn(url: string): Promise<string> {
  const response = await fetch(`${url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password: PASSWORD }),
  });
  expect(response.status).toBe(200);
  return (response.headers.getSetCookie()[0] ?? '').split(';')[0] ?? '';
}

afterAll(() => {
  for (const child of children) child.kill('SIGKILL');
});

describe('roas demo and roas serve (child processes)', () => {
  it('creates the demo account on the first start and reuses it on the second', async () => {
    const home = mkdtempSync(path.join(tmpdir(), 'roas-demo-'));
    const env = { ROAS_HOME: home, PORT: String(await freePort()), ROAS_ADMIN_PASSWORD: PASSWORD };

    const first = await start('demo', env);
    expect(first.output()).toMatch(
      /Created the first user: admin \(admin\), with the password from ROAS_ADMIN_PASSWORD/,
    );
    expect(first.output()).toMatch(/Syncing 60 simulated days through the Meta connector/);
    expect(first.output()).toMatch(/Created the demo account ".*" \(act_\d+\)/);
    expect(first.output()).toMatch(new RegExp(`ROAS Pilot is running at http://localhost:${env.PORT}`));
    const cookie = await signIn(first.url);
    const accounts = (await (await fetch(`${first.url}/api/accounts`, { headers: { cookie } })).json()) as {
      accounts: { id: string; source: string; lastSyncedAt: string | null }[];
    };
    expect(accounts.accounts).toEqual([
      expect.objectContaining({
        id: demoAccountId(),
        source: 'demo',
        lastSyncedAt: expect.any(String) as string,
      }),
    ]);
    const listUrl = `${first.url}/api/recommendations?account=${demoAccountId()}&limit=200`;
    const before = (await (await fetch(listUrl, { headers: { cookie } })).json()) as {
      total: number;
      items: { runId: string; status: string; stage: string | null }[];
    };
    // Two runs (as of yesterday and today): the older one's recommendations are superseded.
    expect(new Set(before.items.map((i) => i.runId)).size).toBe(2);
    expect(before.items.filter((i) => i.status === 'pending').length).toBe(before.total / 2);
    expect(before.items.some((i) => i.stage === 'testing')).toBe(true);
    expect(await stop(first.child, 'SIGTERM')).toBe(0);

    const second = await start('demo', env);
    expect(second.output()).toMatch(/Reusing the demo account/);
    expect(second.output()).not.toMatch(/Created the first user|Syncing/);
    const again = (await (
      await fetch(listUrl, { headers: { cookie: await signIn(second.url) } })
    ).json()) as {
      total: number;
    };
    expect(again.total).toBe(before.total);
    // The fake Graph API runs in the server again, with a fresh token stored for later syncs.
    expect(second.output()).not.toMatch(/Error/);
    expect(await stop(second.child, 'SIGINT')).toBe(0);
    console.log(
      `roas demo: first start ${(first.ms / 1000).toFixed(1)} s (create, sync, run), second ${(second.ms / 1000).toFixed(1)} s (reuse)`,
    );
    expect(second.ms).toBeLessThan(first.ms);
  }, 240_000);

  it('serves real accounts without demo data, and a busy port is a one-line error naming it', async () => {
    const home = mkdtempSync(path.join(tmpdir(), 'roas-serve-'));
    const port = await freePort();
    const served = await start('serve', { ROAS_HOME: home, PORT: String(port) });
    expect(served.output()).toMatch(/Created the first user: admin \(admin\), password: \S{12,}/);
    expect(served.output()).toMatch(/shown once/);
    expect(served.output()).not.toMatch(/demo/i);
    const health = await fetch(`${served.url}/api/health`);
    expect(await health.json()).toEqual({ ok: true, database: 'pglite' });
    const page = await fetch(`${served.url}/`, { headers: { accept: 'text/html' } });
    expect(page.headers.get('content-type')).toMatch(/text\/html/);

    const busy = await new Promise<{ code: number | null; stderr: string; stdout: string }>((resolve) => {
      const child = spawn(process.execPath, [ROAS, 'serve'], {
        env: {
          PATH: process.env.PATH ?? '',
          HOME: process.env.HOME ?? '',
          ROAS_HOME: mkdtempSync(path.join(tmpdir(), 'roas-busy-')),
          PORT: String(port),
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      child.once('exit', (code) => resolve({ code, stderr, stdout }));
    });
    expect(busy.code).toBe(1);
    expect(busy.stderr.trim().split('\n')).toEqual([
      `Error: port ${port} on 127.0.0.1 is already in use: stop what is using it or set PORT to a free port`,
    ]);
    // Nothing was created or printed before the port was found busy.
    expect(busy.stdout).toBe('');
    expect(await stop(served.child, 'SIGTERM')).toBe(0);
  }, 120_000);
});
