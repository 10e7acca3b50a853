import { defineConfig } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// Browser tests of the dashboard against the real server: `roas demo` on a free port with a throwaway
// ROAS_HOME, started by Playwright, driving Debian's chromium (never a downloaded browser).
// Set ROAS_E2E_BASE_URL (plus ROAS_E2E_ADMIN_PASSWORD) to test a server that is already running instead;
// the viewer test then needs a `viewer` user with ROAS_E2E_VIEWER_PASSWORD.

function freePort(): string {
  // Synchronous on purpose: the config is evaluated before anything async can run.
  return execFileSync(process.execPath, [
    '-e',
    "const s=require('node:net').createServer();s.listen(0,'127.0.0.1',()=>{process.stdout.write(String(s.address().port));s.close()})",
  ])
    .toString()
    .trim();
}

// Chosen once by the runner; its workers inherit them through the environment and reuse them.
const externalUrl = process.env.ROAS_E2E_BASE_URL;
if (!externalUrl) {
  process.env.ROAS_E2E_PORT ??= freePort();
  process.env.ROAS_E2E_HOME ??= mkdtempSync(join(tmpdir(), 'roas-e2e-'));
}
const baseURL = externalUrl ?? `http://127.0.0.1:${process.env.ROAS_E2E_PORT}`;
const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export default defineConfig({
  testDir: './e2e',
  outputDir: './test-results',
  // The tests share one server and its data (an approval shows up in History), so they run in order.
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 90_000,
  expect: { timeout: 15_000 },
  reporter: [['list']],
  use: {
    baseURL,
    browserName: 'chromium',
    viewport: { width: 1280, height: 800 },
    locale: 'en-US',
    timezoneId: 'UTC',
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: chromium,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-dev-shm-usage',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    },
  },
  webServer: externalUrl
    ? undefined
    : {
        command: 'node e2e/demo-server.mjs',
        // The server listens at once but creates the demo account (60 simulated days synced, the engine
        // run) before it prints that it is running: wait for that line, not for the port.
        wait: { stdout: /is running at http/ },
        timeout: 300_000,
        reuseExistingServer: false,
        stdout: 'pipe',
        stderr: 'pipe',
        gracefulShutdown: { signal: 'SIGTERM', timeout: 15_000 },
      },
});
