/**
 * Cross-checks the batch analyzer against the generator's labels: the generator derives the windows
 * each labelled IP must produce from its own schedule, independently of libs/detection.
 */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';

import { NONE_MODEL } from '@trail-insight/detection';
import { fileBytes, generateTrail, labelsOf } from '@trail-insight/generator';

import type { GeneratorOptions } from '@trail-insight/generator';

import { analyzeTrailPaths } from './batch-analyzer';

describe('analyzeTrailPaths on generated trails', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'generated-trail-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it.each([
    ['actiontrail', 1, true],
    ['cloudtrail', 2, true],
    ['actiontrail', 3, false],
  ] as const)(
    'finds exactly the labelled insights (%s, seed %d, home region %s)',
    async (format, seed, withHome) => {
      const options: GeneratorOptions = { format, seed, days: 14, eventsPerDay: 8000 };
      for (const file of generateTrail(options)) {
        const path = join(dir, file.path);
        mkdirSync(dirname(path), { recursive: true });
        writeFileSync(path, path.endsWith('.gz') ? gzipSync(fileBytes(file)) : fileBytes(file));
      }
      const labels = labelsOf(options);
      const { insights, summary } = await analyzeTrailPaths([dir], {
        config: {
          minBaseline: labels.minBaseline,
          homeRegion: withHome ? labels.homeRegion : null,
          allowList: [],
          model: NONE_MODEL,
        },
      });
      const expected = labels.ips
        .flatMap((label) =>
          (withHome ? label.expected : label.expectedWithoutHomeRegion)
            .filter((window) => window.outcome === 'insight')
            .map(
              (window) =>
                `${label.accountId} ${label.region} ${label.ip} ${window.startTime} ${window.endTime} ${window.eventCount}`,
            ),
        )
        .sort();
      const actual = insights
        .map(
          (i) =>
            `${i.accountId} ${i.region} ${i.sourceIpAddress} ${i.startTime} ${i.endTime} ${i.eventCount}`,
        )
        .sort();
      expect(actual).toEqual(expected);
      expect(expected.length).toBeGreaterThan(5);
      expect(summary.counted).toBe(labels.totals.counted);
      expect(summary.duplicates).toBe(labels.totals.duplicates);
      expect(summary.invalid).toBe(labels.totals.invalid);
    },
    60_000,
  );
});
