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
    expect(found.get(entry.insight.insightId)).toEqual([
      first,
      { event: JSON.stringify(second) },
      third,
    ]);

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
});
