#!/usr/bin/env node
// Builds the dashboard into packages/web/dist when it is missing or older than its sources, so that
// `npm install && npm start` on a fresh clone serves a dashboard. A current build is left alone (~10 ms).
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const webDir = dirname(dirname(fileURLToPath(import.meta.url)));
const builtIndex = join(webDir, 'dist', 'index.html');
const sources = ['src', 'public', 'index.html', 'vite.config.ts', 'package.json'];

function newestMtime(path) {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = 0;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

const builtAt = existsSync(builtIndex) ? statSync(builtIndex).mtimeMs : 0;
const sourcesAt = Math.max(...sources.map((source) => newestMtime(join(webDir, source))));

if (builtAt === 0 || sourcesAt > builtAt) {
  console.error(
    builtAt === 0 ? 'Building the dashboard (first run)…' : 'Rebuilding the dashboard (its sources changed)…',
  );
  const started = Date.now();
  const { build } = await import('vite');
  await build({ root: webDir, configFile: join(webDir, 'vite.config.ts'), logLevel: 'warn' });
  console.error(`Dashboard built in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
}
