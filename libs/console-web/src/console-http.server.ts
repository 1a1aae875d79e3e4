import { createServer } from 'node:http';

import { ConsoleApi } from './console-api';
import { routeConsoleRequest } from './console-router';

import type { AddressInfo } from 'node:net';

import type { InsightQueryRepository } from './insight-query.repository';

export interface ConsoleServerOptions {
  /** 0 picks a free port. */
  port: number;
  /** Default 127.0.0.1: the embedded console is for the local user. */
  host?: string;
  source: InsightQueryRepository;
  /** Called for requests that failed unexpectedly (the client gets a 500). */
  onError?: (error: unknown) => void;
}

export interface ConsoleServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

/**
 * Serves the console over plain `node:http` (no Nest): the CLI's embedded `demo` mode, where
 * insights live in memory. Resolves once listening.
 */
export async function startConsoleServer(options: ConsoleServerOptions): Promise<ConsoleServer> {
  const api = new ConsoleApi(options.source);
  const host = options.host ?? '127.0.0.1';
  const server = createServer((request, response) => {
    const method = request.method ?? 'GET';
    routeConsoleRequest(api, method, request.url ?? '/').then(
      (result) => {
        response.writeHead(result.status, {
          ...result.headers,
          'content-length': Buffer.byteLength(result.body),
        });
        response.end(method === 'HEAD' ? undefined : result.body);
      },
      (error: unknown) => {
        options.onError?.(error);
        response.writeHead(500, { 'content-type': 'application/json; charset=utf-8' });
        response.end(JSON.stringify({ error: 'internal', message: 'internal error' }));
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shownHost}:${port}/`,
    port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
