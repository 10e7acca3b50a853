import { createReadStream, existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyReply, FastifyRequest } from 'fastify';

/** Where the dashboard's Vite build lands (`npm run build -w packages/web`). */
export const WEB_DIST = fileURLToPath(new URL('../../../web/dist', import.meta.url));

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
};

const NOT_BUILT = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>ROAS Pilot</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem;color:#222}
code{background:#f3f3f3;padding:.1em .3em;border-radius:3px}</style></head>
<body>
<h1>ROAS Pilot</h1>
<p>The server is running, but the dashboard has not been built yet.</p>
<p>Build it with <code>npm run build -w packages/web</code> and reload this page.
The HTTP API is available now under <a href="/api/openapi.json"><code>/api</code></a>
(its OpenAPI document lists every route).</p>
</body>
</html>
`;

const isFile = (file: string) => {
  try {
    return statSync(file).isFile();
  } catch {
    return false;
  }
};

const wantsHtml = (request: FastifyRequest) => {
  const accept = request.headers.accept ?? '';
  return accept === '' || accept.includes('text/html') || accept.includes('*/*');
};

function sendFile(reply: FastifyReply, file: string, cacheForever: boolean): FastifyReply {
  const type = TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
  return reply
    .status(200)
    .header('content-type', type)
    .header('x-content-type-options', 'nosniff')
    .header('cache-control', cacheForever ? 'public, max-age=31536000, immutable' : 'no-cache')
    .send(createReadStream(file));
}

/**
 * Serves the dashboard for a GET outside /api: a file of the build when one matches, else its
 * index.html so the single-page app can route (only for requests that accept HTML). Without a build,
 * a short page says how to make one. Returns null when the request is not the dashboard's.
 */
export function serveWebApp(
  request: FastifyRequest,
  reply: FastifyReply,
  distDir: string | null,
): FastifyReply | null {
  if (request.method !== 'GET' && request.method !== 'HEAD') return null;
  const pathname = request.url.split('?')[0] ?? '/';
  if (pathname === '/api' || pathname.startsWith('/api/')) return null;
  const index = distDir === null ? null : path.join(distDir, 'index.html');
  if (distDir === null || index === null || !existsSync(index)) {
    if (!wantsHtml(request)) return null;
    return reply
      .status(pathname === '/' ? 200 : 404)
      .header('content-type', 'text/html; charset=utf-8')
      .header('cache-control', 'no-cache')
      .send(NOT_BUILT);
  }
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return null;
  }
  const root = path.resolve(distDir);
  const file = path.resolve(root, `.${path.posix.normalize(decoded)}`);
  if ((file === root || file.startsWith(`${root}${path.sep}`)) && isFile(file)) {
    // Vite fingerprints everything under assets/: those names change whenever their content does.
    return sendFile(reply, file, decoded.startsWith('/assets/'));
  }
  if (path.extname(decoded) !== '' || !wantsHtml(request)) return null;
  return sendFile(reply, index, false);
}
