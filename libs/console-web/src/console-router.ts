import { ConsoleApiErrorCode, ConsoleApiException } from './console-api.exception';
import { CONSOLE_ASSETS, CONSOLE_SECURITY_HEADERS } from './console-static.constants';

import type { ConsoleApi, RawQuery } from './console-api';

/** A response of {@link routeConsoleRequest}, for any HTTP server to write. */
export interface ConsoleResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

const JSON_TYPE = 'application/json; charset=utf-8';

function json(status: number, value: unknown): ConsoleResponse {
  return {
    status,
    headers: { ...CONSOLE_SECURITY_HEADERS, 'content-type': JSON_TYPE },
    body: JSON.stringify(value),
  };
}

/** Query parameters as an object; a repeated parameter becomes an array (and fails validation). */
export function queryObject(search: URLSearchParams): RawQuery {
  const query: Record<string, string | string[]> = {};
  for (const key of new Set(search.keys())) {
    const values = search.getAll(key);
    const [only] = values;
    query[key] = values.length === 1 && only !== undefined ? only : values;
  }
  return query;
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new ConsoleApiException(
      ConsoleApiErrorCode.InvalidRequest,
      'malformed URL escape in path',
    );
  }
}

async function routeApi(api: ConsoleApi, segments: string[], query: RawQuery): Promise<unknown> {
  const [resource, id, sub, ...rest] = segments;
  if (rest.length === 0) {
    if (resource === 'info' && id === undefined) {
      return api.info();
    }
    if (resource === 'insights' && id === undefined) {
      return api.listInsights(query);
    }
    if (resource === 'insights' && id !== undefined && sub === undefined) {
      return api.getInsight(decodeSegment(id));
    }
    if (resource === 'insights' && id !== undefined && sub === 'events') {
      return api.insightEvents(decodeSegment(id), query);
    }
    if (resource === 'ips' && id !== undefined && sub === 'insights') {
      return api.ipInsights(decodeSegment(id), query);
    }
  }
  throw new ConsoleApiException(ConsoleApiErrorCode.NotFound, 'no such API route');
}

/**
 * Routes one request of the console (page, assets, `/api/*`, `/health`) without any framework.
 * Used by {@link startConsoleServer}; the Nest service maps the same API with controllers.
 */
export async function routeConsoleRequest(
  api: ConsoleApi,
  method: string,
  rawUrl: string,
): Promise<ConsoleResponse> {
  const url = new URL(rawUrl, 'http://console.invalid');
  if (method !== 'GET' && method !== 'HEAD') {
    return { ...json(405, { error: 'method-not-allowed', message: `${method} is not supported` }) };
  }
  const asset = CONSOLE_ASSETS[url.pathname];
  if (asset !== undefined) {
    return {
      status: 200,
      headers: { ...CONSOLE_SECURITY_HEADERS, 'content-type': asset.contentType },
      body: asset.body,
    };
  }
  if (url.pathname === '/health' || url.pathname === '/ready') {
    return json(200, { status: 'ok' });
  }
  const segments = url.pathname.split('/').filter((segment) => segment !== '');
  if (segments[0] !== 'api') {
    return json(404, {
      error: ConsoleApiErrorCode.NotFound,
      message: `no such page: ${url.pathname}`,
    });
  }
  try {
    return json(200, await routeApi(api, segments.slice(1), queryObject(url.searchParams)));
  } catch (error) {
    if (error instanceof ConsoleApiException) {
      return json(error.status, error.toJSON());
    }
    throw error;
  }
}
