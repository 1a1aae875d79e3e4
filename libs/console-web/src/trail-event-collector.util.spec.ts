import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

import { insightFixture } from './testing/insight-fixture';
import { collectManagementEvents, memoryEntriesFromTrail } from './trail-event-collector.util';

describe(collectManagementEvents.name, () => {
  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'console-trail-'));
  });

  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('finds each insight event record once, in the insight order, across files and shapes', async () => {
    const entry = insightFixture({ ip: '203.0.113.7', start: Date.parse('2026-03-10T02:00:00Z') });
    const [first, second, third] = entry.managementEvents as Array<Record<string, unknown>>;
    const other = { ...first, eventId: 'unrelated' };
    writeFileSync(join(dir, 'a.json.gz'), gzipSync(JSON.stringify([third, other])));
    writeFileSync(
      join(dir, 'b.jsonl'),
      `${JSON.stringify({ event: JSON.stringify(second) })}\nnot json\n${JSON.stringify(first)}\n`,
    );
    writeFileSync(join(dir, 'c.json'), JSON.stringify([first]));
    const found = await collectManagementEvents([dir], [entry.insight]);
    expect(found.get(entry.insight.insightId)?.records).toEqual([
      first,
      { event: JSON.stringify(second) },
      third,
    ]);

    const [provisional] = await memoryEntriesFromTrail([dir], [], [entry.insight]);
    expect(provisional).toMatchObject({ state: 'provisional', insightEvents: [] });
    expect(provisional?.managementEvents).toHaveLength(3);

    const [memory] = await memoryEntriesFromTrail([dir], [entry.insight]);
    expect(memory).toMatchObject({ state: 'confirmed', insight: entry.insight });
    expect(memory?.managementEvents).toHaveLength(3);
    expect(memory?.insightEvents).toHaveLength(entry.insight.buckets.length);
    expect(memory?.insightEvents?.[0]).toMatchObject({
      sharedEventId: entry.insight.insightId,
      insightDetails: {
        state: 'Start',
        insightContext: {
          attributions: [
            {
              attribute: 'userAgent',
              insight: [{ value: 'aliyun-cli/3.0.200 <script>alert(1)</script>' }],
            },
            { attribute: 'principalId', insight: [{ value: '2001' }] },
            {
              attribute: 'apiRelated',
              insight: [{ value: 'DescribeInstances' }, { value: 'StopInstance' }],
            },
            { attribute: 'errorCode', insight: [] },
          ],
        },
      },
    });
  });

  it('counts the attributions of every operation, beyond the 100 stored records', async () => {
    const trail = mkdtempSync(join(tmpdir(), 'console-trail-long-'));
    try {
      const start = Date.parse('2026-03-10T02:00:00Z');
      const record = (index: number, agent: string): Record<string, unknown> => ({
        eventId: `op-${index}`,
        eventTime: new Date(start + index * 1_000).toISOString(),
        acsRegion: 'cn-hangzhou',
        sourceIpAddress: '203.0.113.8',
        userAgent: agent,
        eventName: 'DescribeInstances',
        userIdentity: { accountId: '1234', principalId: '2001' },
      });
      // 120 operations in one bucket; the last 20 come from an agent the first 100 never use
      const records = Array.from({ length: 120 }, (_, index) =>
        record(index, index < 100 ? 'aliyun-cli' : 'late-agent'),
      );
      // a duplicate (same account and event id) and another IP's operation are not counted
      records.push(record(5, 'duplicate-agent'), {
        ...record(200, 'other-ip-agent'),
        sourceIpAddress: '203.0.113.9',
      });
      writeFileSync(join(trail, 'a.json'), JSON.stringify(records));
      const insight = insightFixture({ ip: '203.0.113.8', start }).insight;
      const long = {
        ...insight,
        accountId: '1234',
        region: 'cn-hangzhou',
        insightId: 'long',
        endTime: new Date(start + 119_000).toISOString(),
        eventCount: 120,
        eventIds: records.slice(0, 100).map((item) => String(item['eventId'])),
      };

      const found = (await collectManagementEvents([trail], [long])).get('long');

      expect(found?.records).toHaveLength(100);
      expect(found?.attributions.userAgent).toEqual({ 'aliyun-cli': 100, 'late-agent': 20 });
      expect(found?.attributions.apiRelated).toEqual({ DescribeInstances: 120 });
    } finally {
      rmSync(trail, { recursive: true, force: true });
    }
  });
});
