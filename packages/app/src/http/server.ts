import { createServer, type AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../main.ts';
import { UserError } from '../shared/errors.ts';
import { buildHttpApp, type HttpAppOptions } from './app.ts';

export type RunningServer = {
  app: FastifyInstance;
  /** Where a browser on this machine reaches it (`http://localhost:8000`). */
  url: string;
  host: string;
  port: number;
  close(): Promise<void>;
};

function listenError(error: unknown, host: string, port: number): unknown {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE')
    return new UserError(
      `port ${port} on ${host} is already in use: stop what is using it or set PORT to a free port`,
    );
  if (code === 'EACCES')
    return new UserError(`not allowed to listen on port ${port}: choose a port above 1023 with PORT`);
  if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND')
    return new UserError(`cannot listen on host ${host}: set HOST to an address of this machine`);
  return error;
}

/**
 * Fails at once when host:port cannot be listened on, before the slower start-up work (opening the
 * database, the demo) is done for nothing. The real listen still reports a port taken meanwhile.
 */
export async function checkPortFree(host: string, port: number): Promise<void> {
  if (port === 0) return;
  const probe = createServer();
  try {
    await new Promise<void>((resolve, reject) => {
      probe.once('error', reject);
      probe.listen({ host, port, exclusive: true }, resolve);
    });
  } catch (error) {
    throw listenError(error, host, port);
  } finally {
    await new Promise((resolve) => probe.close(resolve));
  }
}

const LOOPBACK_OR_ANY = new Set(['127.0.0.1', 'localhost', '::1', '0.0.0.0', '::']);

/** Builds the HTTP app and listens on host:port; a port in use is a UserError naming it. */
export async function startHttpServer(
  context: AppContext,
  options: HttpAppOptions & { host: string; port: number },
): Promise<RunningServer> {
  const app = buildHttpApp(context, options);
  try {
    await app.listen({ host: options.host, port: options.port });
  } catch (error) {
    await app.close();
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE')
      throw new UserError(
        `port ${options.port} on ${options.host} is already in use: stop what is using it or set PORT to a free port`,
      );
    if (code === 'EACCES')
      throw new UserError(
        `not allowed to listen on port ${options.port}: choose a port above 1023 with PORT`,
      );
    if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND')
      throw new UserError(`cannot listen on host ${options.host}: set HOST to an address of this machine`);
    throw error;
  }
  const port = (app.server.address() as AddressInfo).port;
  const shown = LOOPBACK_OR_ANY.has(options.host)
    ? 'localhost'
    : options.host.includes(':')
      ? `[${options.host}]`
      : options.host;
  return { app, url: `http://${shown}:${port}`, host: options.host, port, close: () => app.close() };
}
