/**
 * Infrastructure: real Redis (REDIS_URL); `TRAIL_INSIGHT_STACK="redis"`. Runs the bundled
 * `services/console/dist/main.js` as a child process.
 *
 * Property: the console's query API serves, for the last 90 days, provisional insights straight
 * from the detector's persisted open windows (written here by the real DetectionEngine and
 * AccountStateRepository) with running counts that update within seconds, and confirmed and
 * dismissed insights with their management events from the insight store; filters, the per-IP
 * listing and the detail work over HTTP; bad parameters get a 400 naming them, and a Redis outage
 * a 503 and a failing /ready, never a crash.
 */
import { randomUUID } from 'node:crypto';

import { Redis } from 'ioredis';

import {
  DetectionEngine,
  NONE_MODEL,
  StateChanges,
  createAccountState,
} from '@trail-insight/detection';
import { insightIdOf, toInsightEvents, toIpInsight } from '@trail-insight/insights';
import { AccountStateRepository, InsightStoreKeys } from '@trail-insight/state-redis';
import {
  ServiceProcess,
  bundleServices,
  freePort,
  requireTestEnv,
  uniqueName,
  waitFor,
} from '@trail-insight/testing';

import type {
  InsightDetail,
  InsightListing,
  ManagementEventPage,
} from '@trail-insight/console-web';
import type { AccountState, ObservationWindow } from '@trail-insight/detection';
import type { NormalizedEvent } from '@trail-insight/events';
import type { IpInsight } from '@trail-insight/insights';

jest.setTimeout(120_000);

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

function event(accountId: string, ip: string, time: number): NormalizedEvent {
  return {
    time,
    eventId: randomUUID(),
    accountId,
    region: 'cn-hangzhou',
    isGlobal: false,
    sourceIp: ip,
    provider: 'actiontrail',
    userAgent: 'aliyun-cli',
    principalId: '2001',
    eventName: 'DescribeInstances',
    errorCode: null,
  };
}

function storedInsight(accountId: string, ip: string, start: number, count: number): IpInsight {
  const window: ObservationWindow = {
    ip,
    start,
    lastTime: start + (count - 1) * 60_000,
    eventCount: count,
    slots: 1,
    buckets: [{ start: Math.floor(start / 300_000) * 300_000, count }],
    eventIds: Array.from({ length: count }, () => randomUUID()),
    predictedValue: 0,
    threshold: 0.5,
    heterogeneity: 100,
    signals: [],
  };
  return toIpInsight({ accountId, region: 'ap-southeast-1', window });
}

describe('console (bundled, real Redis)', () => {
  const prefix = `${uniqueName('console')}:`;
  const redis = new Redis(requireTestEnv('REDIS_URL'));
  const states = new AccountStateRepository(redis, { prefix });
  const engine = new DetectionEngine(
    { minBaseline: 0, homeRegion: null, allowList: [], model: NONE_MODEL },
    { windowClosed: () => undefined },
  );
  const storeKeys = new InsightStoreKeys(prefix);
  const services: ServiceProcess[] = [];
  let service: ServiceProcess;
  let base: string;
  let offset = 0;
  const now = Date.now();
  const state: AccountState = createAccountState('111');
  const confirmed = storedInsight('222', '198.51.100.20', now - 20 * DAY, 4);
  const dismissed = storedInsight('222', '203.0.113.9', now - 3 * DAY, 2);
  const tooOld = storedInsight('222', '203.0.113.9', now - 120 * DAY, 1);
  const managementEvents = confirmed.eventIds.map((eventId) => ({
    eventId,
    eventName: 'StopInstance',
    sourceIpAddress: '198.51.100.20',
  }));

  async function applyAndPersist(events: NormalizedEvent[]): Promise<void> {
    const changes = new StateChanges();
    for (const item of events) {
      engine.apply(state, item, changes);
    }
    offset += events.length;
    await states.persist(state, changes, {
      topic: 'normalized-events',
      partition: 0,
      offset: String(offset),
    });
  }

  async function storeInsight(
    insight: IpInsight,
    status: 'confirmed' | 'dismissed',
    events: unknown[],
  ): Promise<void> {
    // The aggregator's document (services/aggregator/README.md "Redis keys"), extra fields included.
    const attributions = {
      userAgent: { 'aliyun-cli': 2 },
      principalId: {},
      apiRelated: {},
      errorCode: {},
    };
    await redis.set(
      storeKeys.record(insight.insightId),
      JSON.stringify({
        v: 1,
        state: status,
        provider: 'actiontrail',
        insight,
        attributions,
        insightEvents:
          status === 'confirmed' ? toInsightEvents(insight, attributions, 'actiontrail') : [],
      }),
    );
    if (events.length > 0) {
      await redis.rpush(
        storeKeys.events(insight.insightId),
        ...events.map((item) => JSON.stringify(item)),
      );
    }
    await redis.zadd(storeKeys.byStart(), Date.parse(insight.startTime), insight.insightId);
  }

  interface ErrorBody {
    error: string;
    issues?: Array<{ path: string }>;
  }

  async function get<T = InsightListing>(path: string): Promise<{ status: number; body: T }> {
    const response = await fetch(`${base}${path}`);
    return { status: response.status, body: (await response.json()) as T };
  }

  beforeAll(async () => {
    bundleServices('console');
    // The detector's view: 111 works from 10.0.0.1 (usual after 3 days), then 203.0.113.50 appears.
    await applyAndPersist([0, 1, 2].map((day) => event('111', '10.0.0.1', now - (5 - day) * DAY)));
    await applyAndPersist([
      event('111', '203.0.113.50', now - HOUR),
      event('111', '203.0.113.50', now - HOUR + 60_000),
    ]);
    await storeInsight(confirmed, 'confirmed', managementEvents);
    await storeInsight(dismissed, 'dismissed', []);
    await storeInsight(tooOld, 'confirmed', []);
    const port = await freePort();
    service = ServiceProcess.start('console', port, {
      REDIS_URL: requireTestEnv('REDIS_URL'),
      REDIS_PREFIX: prefix,
      INSIGHT_STORE_PREFIX: prefix,
      PROVISIONAL_CACHE_MS: '0',
    });
    services.push(service);
    base = `http://127.0.0.1:${port}`;
    await service.waitReady();
  });

  afterAll(async () => {
    await Promise.all(services.map((service) => service.kill('SIGKILL')));
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) {
      await redis.del(...keys);
    }
    await redis.quit();
  });

  it('lists provisional, confirmed and dismissed insights of the last 90 days, newest first', async () => {
    const { status, body } = await get('/api/insights');
    expect(status).toBe(200);
    expect(body.items.map((item) => [item.state, item.sourceIpAddress])).toEqual([
      ['provisional', '203.0.113.50'],
      ['dismissed', '203.0.113.9'],
      ['confirmed', '198.51.100.20'],
    ]);
    const provisional = body.items[0];
    expect(provisional).toMatchObject({
      insightId: insightIdOf('111', 'cn-hangzhou', '203.0.113.50', now - HOUR),
      accountId: '111',
      eventCount: 2,
      heterogeneity: 100,
      durationSeconds: 60,
    });
  });

  it('filters by state, region, IP and time range, and lists all insights of one IP', async () => {
    expect((await get('/api/insights?state=provisional')).body.total).toBe(1);
    expect(
      (await get('/api/insights?state=confirmed,dismissed&region=ap-southeast-1')).body.total,
    ).toBe(2);
    expect((await get('/api/insights?ip=203.0.113.0/24')).body.total).toBe(2);
    const from = new Date(now - 10 * DAY).toISOString();
    expect((await get(`/api/insights?from=${from}`)).body.total).toBe(2);
    const ip = await get('/api/ips/203.0.113.9/insights');
    expect(ip.body.items.map((item) => item.state)).toEqual(['dismissed']);
  });

  it('shows running counts of a provisional insight within seconds of a new operation', async () => {
    const id = insightIdOf('111', 'cn-hangzhou', '203.0.113.50', now - HOUR);
    expect((await get<InsightDetail>(`/api/insights/${id}`)).body.eventCount).toBe(2);
    const started = Date.now();
    await applyAndPersist([event('111', '203.0.113.50', now - 10 * 60_000)]);
    await waitFor(
      async () => (await get<InsightDetail>(`/api/insights/${id}`)).body.eventCount === 3,
      10_000,
      'running count 3',
    );
    expect(Date.now() - started).toBeLessThan(5_000);
    const detail = (await get<InsightDetail>(`/api/insights/${id}`)).body;
    expect(detail).toMatchObject({ state: 'provisional', insightEvents: [], storedEventCount: 0 });
    expect(detail.insight.eventIds).toHaveLength(3);
  });

  it("shows the detector's preview of operations still in its reorder buffer", async () => {
    const start = now - 5 * 60_000;
    const id = insightIdOf('222', 'cn-beijing', '198.51.100.7', start);
    const preview = {
      ...toIpInsight({
        accountId: '222',
        region: 'cn-beijing',
        window: {
          ip: '198.51.100.7',
          start,
          lastTime: start,
          eventCount: 1,
          slots: 1,
          buckets: [{ start: Math.floor(start / 300_000) * 300_000, count: 1 }],
          eventIds: ['buffered-1'],
          predictedValue: 0,
          threshold: 0.5,
          heterogeneity: 100,
          signals: [],
        },
      }),
      state: 'provisional',
    };
    await redis.hset(
      `${prefix}{acct:222}:preview`,
      'cn-beijing\u0000198.51.100.7',
      JSON.stringify(preview),
    );
    await waitFor(
      async () => (await get<InsightDetail>(`/api/insights/${id}`)).status === 200,
      10_000,
      'preview visible',
    );
    const detail = (await get<InsightDetail>(`/api/insights/${id}`)).body;
    expect(detail).toMatchObject({ state: 'provisional' });
    expect(detail.insight.eventIds).toEqual(['buffered-1']);
  });

  it('serves a stored insight with its management events, paged', async () => {
    const detail = await get<InsightDetail>(`/api/insights/${confirmed.insightId}`);
    expect(detail.body).toMatchObject({
      state: 'confirmed',
      storedEventCount: 4,
      insight: confirmed,
    });
    expect(detail.body.insightEvents).toEqual(
      toInsightEvents(
        confirmed,
        { userAgent: { 'aliyun-cli': 2 }, principalId: {}, apiRelated: {}, errorCode: {} },
        'actiontrail',
      ),
    );
    const page = await get<ManagementEventPage>(
      `/api/insights/${confirmed.insightId}/events?offset=1&limit=2`,
    );
    expect(page.body).toMatchObject({ total: 4, eventCount: 4, offset: 1, limit: 2 });
    expect(page.body.events).toEqual(managementEvents.slice(1, 3));
  });

  it('answers 400 naming bad parameters and 404 for unknown insights', async () => {
    const bad = await get<ErrorBody>('/api/insights?from=yesterday&state=open&limit=-1');
    expect(bad.status).toBe(400);
    expect((bad.body.issues ?? []).map((issue) => issue.path).sort()).toEqual([
      'from',
      'limit',
      'state',
    ]);
    expect((await get('/api/ips/not-an-ip/insights')).status).toBe(400);
    expect((await get(`/api/insights/${'f'.repeat(64)}`)).status).toBe(404);
    expect((await get('/api/insights/abc')).status).toBe(400);
  });

  it('serves the page with a strict CSP', async () => {
    const response = await fetch(`${base}/`);
    expect(response.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(await response.text()).toContain('<script src="console.js" defer></script>');
    expect((await fetch(`${base}/console.js`)).headers.get('content-type')).toContain('javascript');
  });

  it('answers 503 and is not ready while Redis is unreachable, without crashing', async () => {
    const port = await freePort();
    const unreachable = ServiceProcess.start('console', port, {
      REDIS_URL: `redis://127.0.0.1:${await freePort()}`,
      // the deprecated name of REDIS_PREFIX still boots, with a warning
      STATE_PREFIX: `${randomUUID()}:`,
    });
    services.push(unreachable);
    await waitFor(
      async () => (await fetch(`http://127.0.0.1:${port}/health`)).ok,
      30_000,
      'health',
    );
    expect(unreachable.logs).toMatch(/"level":"warn".*STATE_PREFIX is deprecated.*REDIS_PREFIX/);
    expect((await fetch(`http://127.0.0.1:${port}/ready`)).status).toBe(503);
    const response = await fetch(`http://127.0.0.1:${port}/api/insights`);
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({ error: 'source-unavailable' });
    expect(unreachable.exited).toBe(false);
    const exit = await unreachable.stop();
    expect(exit.signal === 'SIGTERM' || exit.code === 0).toBe(true);
  });
});
