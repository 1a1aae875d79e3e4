import { Script } from 'node:vm';

import { CONSOLE_SCRIPT } from './assets';
import { ConsoleApi } from './console-api';
import { ConsoleApiErrorCode, ConsoleApiException } from './console-api.exception';
import { routeConsoleRequest } from './console-router';
import { MemoryInsightRepository } from './memory-insight.repository';
import { insightFixture } from './testing/insight-fixture';

import type { InsightQueryRepository } from './insight-query.repository';

const DAY = 86_400_000;
const T0 = Date.parse('2026-03-10T02:03:04.000Z');

type Entry = ReturnType<typeof insightFixture>;

function fixtures(): [Entry, Entry, Entry, Entry, Entry] {
  return [
    insightFixture({ ip: '203.0.113.7', start: T0, offsets: [0, 60_000, 400_000] }),
    insightFixture({
      ip: '203.0.113.7',
      start: T0 + 10 * DAY,
      region: 'ap-southeast-1',
      state: 'provisional',
    }),
    insightFixture({ ip: '198.51.100.20', start: T0 + DAY, state: 'dismissed' }),
    insightFixture({ ip: '2001:db8::1', start: T0 + 2 * DAY, accountId: '42' }),
    insightFixture({ ip: '192.0.2.1', start: T0 - 200 * DAY }),
  ];
}

async function rejection(promise: Promise<unknown>): Promise<ConsoleApiException> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ConsoleApiException) {
      return error;
    }
    throw error;
  }
  throw new Error('expected a ConsoleApiException');
}

describe(ConsoleApi.name, () => {
  const entries = fixtures();
  const repository = new MemoryInsightRepository(entries);
  const sut = new ConsoleApi(repository);

  it('lists the last 90 days before the reference time, newest first', async () => {
    const listing = await sut.listInsights({});
    expect(repository.referenceTime()).toBe(Date.parse(entries[1].insight.verdictTime));
    expect(listing.items.map((item) => item.sourceIpAddress)).toEqual([
      '203.0.113.7',
      '2001:db8::1',
      '198.51.100.20',
      '203.0.113.7',
    ]);
    expect(listing.total).toBe(4);
    expect(listing.items[3]).toMatchObject({
      insightType: 'IPInsight',
      state: 'confirmed',
      eventCount: 3,
      durationSeconds: 400,
      heterogeneity: 100,
      predictedValue: 0,
      threshold: 0.5,
    });
  });

  it('filters by region, state, account, time range and IP or CIDR (canonical forms)', async () => {
    const ids = async (query: Record<string, string>) =>
      (await sut.listInsights(query)).items.map((item) => item.insightId);
    expect(await ids({ region: 'ap-southeast-1' })).toEqual([entries[1].insight.insightId]);
    expect(await ids({ state: 'dismissed,provisional' })).toHaveLength(2);
    expect(await ids({ account: '42' })).toEqual([entries[3].insight.insightId]);
    expect(await ids({ ip: '203.0.113.0/24' })).toHaveLength(2);
    expect(await ids({ ip: '2001:DB8:0:0::1' })).toEqual([entries[3].insight.insightId]);
    expect(await ids({ ip: '::ffff:198.51.100.20' })).toEqual([entries[2].insight.insightId]);
    expect(await ids({ from: '2026-03-11', to: '2026-03-12T12:00:00Z' })).toEqual([
      entries[3].insight.insightId,
      entries[2].insight.insightId,
    ]);
    expect(await ids({ limit: '1', offset: '1' })).toEqual([entries[3].insight.insightId]);
  });

  it('lists every insight of one IP, whatever its state or region', async () => {
    const listing = await sut.ipInsights('203.0.113.7', {});
    expect(listing.items.map((item) => item.region).sort()).toEqual([
      'ap-southeast-1',
      'cn-hangzhou',
    ]);
  });

  it('answers an insight with its IPInsight record, insight events and stored event count', async () => {
    const entry = entries[0];
    const detail = await sut.getInsight(entry.insight.insightId);
    expect(detail.insight).toEqual(entry.insight);
    expect(detail.insightEvents).toHaveLength(2);
    expect(detail.storedEventCount).toBe(3);
    const page = await sut.insightEvents(entry.insight.insightId, { offset: '1', limit: '1' });
    expect(page).toMatchObject({ total: 3, eventCount: 3, offset: 1, limit: 1 });
    expect(page.events).toEqual([entry.managementEvents![1]]);
  });

  it.each([
    [{ from: 'yesterday' }, 'from: not a time: "yesterday"'],
    [{ ip: '253.252.51.07' }, 'ip: not an IP address or CIDR'],
    [{ state: 'open' }, 'state: unknown state "open"'],
    [{ limit: '5000' }, 'limit: must be at most 1000'],
    [{ from: '2026-03-12', to: '2026-03-11' }, 'from: `from` must be before `to`'],
    [{ frm: '2026-03-12' }, 'Unrecognized key: "frm"'],
    [{ region: ['a', 'b'] }, 'region: Invalid input: expected string, received array'],
  ])('rejects %j with a 400 naming the parameter', async (query, message) => {
    const error = await rejection(sut.listInsights(query));
    expect(error.status).toBe(400);
    expect(error.code).toBe(ConsoleApiErrorCode.InvalidRequest);
    expect(error.message).toContain(message);
  });

  it('answers 404 for an unknown insight and 400 for a malformed id or IP', async () => {
    expect((await rejection(sut.getInsight('a'.repeat(64)))).status).toBe(404);
    expect((await rejection(sut.getInsight('not-an-id'))).status).toBe(400);
    expect((await rejection(sut.ipInsights('10.0.0.0/8', {}))).status).toBe(400);
  });

  it('answers 503 when the store fails', async () => {
    const failing: InsightQueryRepository = {
      description: 'failing',
      referenceTime: () => T0,
      find: () => Promise.reject(new Error('ECONNREFUSED')),
      get: () => Promise.reject(new Error('ECONNREFUSED')),
      managementEvents: () => Promise.reject(new Error('ECONNREFUSED')),
    };
    const error = await rejection(new ConsoleApi(failing).listInsights({}));
    expect(error.status).toBe(503);
    expect(error.retriable).toBe(true);
  });
});

describe(routeConsoleRequest.name, () => {
  const entries = fixtures();
  const api = new ConsoleApi(new MemoryInsightRepository(entries));

  it('serves the page and its assets with a strict CSP', async () => {
    const page = await routeConsoleRequest(api, 'GET', '/');
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    expect(page.body).toContain('src="console.js"');
    expect((await routeConsoleRequest(api, 'GET', '/console.css')).status).toBe(200);
  });

  it('routes every API endpoint and decodes path segments', async () => {
    const id = entries[3].insight.insightId;
    const ip = encodeURIComponent('2001:db8::1');
    expect((await routeConsoleRequest(api, 'GET', '/api/insights?state=confirmed')).status).toBe(
      200,
    );
    expect(
      JSON.parse((await routeConsoleRequest(api, 'GET', `/api/insights/${id}`)).body),
    ).toMatchObject({ insightId: id });
    expect(
      JSON.parse((await routeConsoleRequest(api, 'GET', `/api/insights/${id}/events`)).body).total,
    ).toBe(3);
    expect(
      JSON.parse((await routeConsoleRequest(api, 'GET', `/api/ips/${ip}/insights`)).body).total,
    ).toBe(1);
    expect(JSON.parse((await routeConsoleRequest(api, 'GET', '/api/info')).body).horizonDays).toBe(
      90,
    );
  });

  it('answers JSON errors: 400 with issues, 404, 405', async () => {
    const bad = await routeConsoleRequest(api, 'GET', '/api/insights?from=x&state=open');
    expect(bad.status).toBe(400);
    const body = JSON.parse(bad.body) as { error: string; issues: Array<{ path: string }> };
    expect(body.error).toBe('invalid-request');
    expect(body.issues.map((issue) => issue.path).sort()).toEqual(['from', 'state']);
    expect((await routeConsoleRequest(api, 'GET', '/api/nope')).status).toBe(404);
    expect((await routeConsoleRequest(api, 'GET', '/api/ips/%E0%A4%A/insights')).status).toBe(400);
    expect((await routeConsoleRequest(api, 'POST', '/api/insights')).status).toBe(405);
  });

  it('ships a browser script that parses and never uses innerHTML', () => {
    expect(() => new Script(CONSOLE_SCRIPT)).not.toThrow();
    expect(CONSOLE_SCRIPT).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|eval\(/);
  });
});
