#!/usr/bin/env node
// Playwright's webServer: prepares a throwaway ROAS_HOME, creates the test users with the real CLI
// (`roas users add`, before the server opens the database: the embedded database has one owner at a
// time), then runs `roas demo` on ROAS_E2E_PORT until Playwright stops it, and removes the home after
// (ROAS_E2E_KEEP=1 keeps it for a look at the database).
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = join(here, '..', '..', '..');
const roas = join(repoRoot, 'packages', 'app', 'bin', 'roas.mjs');
const home = process.env.ROAS_E2E_HOME;
const port = process.env.ROAS_E2E_PORT;
if (!home || !port) {
  console.error('demo-server: ROAS_E2E_HOME and ROAS_E2E_PORT are set by playwright.config.ts');
  process.exit(2);
}

const users = [
  {
    username: 'admin',
    role: 'admin',
    password: process.env.ROAS_E2E_ADMIN_PASSWORD ?? 'e2e-admin-Passw0rd!',
  },
  {
    username: 'viewer',
    role: 'viewer',
    password: process.env.ROAS_E2E_VIEWER_PASSWORD ?? 'e2e-viewer-Passw0rd!',
  },
];
const env = {
  ...process.env,
  ROAS_HOME: home,
  PORT: port,
  HOST: '127.0.0.1',
  ROAS_ADMIN_PASSWORD: users[0].password,
  LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
};

// Never a developer's real database: the throwaway home's embedded one.
delete env.DATABASE_URL;

const built = spawnSync(process.execPath, [join(here, '..', 'scripts', 'ensure-built.mjs')], {
  stdio: ['ignore', 'inherit', 'inherit'],
});
if (built.status !== 0) process.exit(1);

mkdirSync(home, { recursive: true });
for (const user of users) {
  const passwordFile = join(home, `${user.username}.password`);
  writeFileSync(passwordFile, `${user.password}\n`, { mode: 0o600 });
  const result = spawnSync(
    process.execPath,
    [roas, 'users', 'add', user.username, '--role', user.role, '--password-file', passwordFile],
    { cwd: repoRoot, env, stdio: ['ignore', 'inherit', 'inherit'] },
  );
  if (result.status !== 0) {
    console.error(`demo-server: roas users add ${user.username} failed (exit ${result.status})`);
    process.exit(1);
  }
}

console.error(`demo-server: roas demo on port ${port}, ROAS_HOME=${home}`);
const server = spawn(process.execPath, [roas, 'demo'], { cwd: repoRoot, env, stdio: 'inherit' });
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => server.kill(signal));
}
server.on('exit', (code, signal) => {
  if (process.env.ROAS_E2E_KEEP !== '1' && home.startsWith(tmpdir()))
    rmSync(home, { recursive: true, force: true });
  process.exit(code ?? (signal ? 1 : 0));
});
