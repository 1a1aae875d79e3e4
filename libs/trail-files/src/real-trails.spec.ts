/**
 * Reads the real CloudTrail/ActionTrail samples of ../shared/real-trails (see its SOURCES.md) and
 * checks that every odd value in them is handled as SPEC §1 says. No data is copied into the repo.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

import { NONE_MODEL } from '@trail-insight/detection';
import { InvalidReason, normalizeRecord, readTrailContent } from '@trail-insight/events';

import { analyzeTrailPaths } from './batch-analyzer';
import { readTrailFile } from './trail-file-reader';

const REAL_TRAILS = resolve(__dirname, '../../../../shared/real-trails');
const config = { minBaseline: 0, homeRegion: null, allowList: [], model: NONE_MODEL };

async function normalizedOf(file: string) {
  const content = await readTrailFile(join(REAL_TRAILS, file), false);
  return [...readTrailContent(content)].map((item) =>
    item.kind === 'record' ? normalizeRecord(item.value) : null,
  );
}

describe('real trails', () => {
  it('are present beside the repository', () => {
    expect(existsSync(join(REAL_TRAILS, 'SOURCES.md'))).toBe(true);
  });

  it('reads every invictus CloudTrail delivery file as valid events of one account', async () => {
    const { summary } = await analyzeTrailPaths([join(REAL_TRAILS, 'invictus-aws-dataset')], {
      config,
    });
    expect(summary.filesRead).toBe(55);
    expect(summary.records).toBe(2900);
    expect(summary.invalid).toBe(0);
    expect(summary.filesSkipped).toEqual([]);
  });

  it('treats stratus leading-zero dotted quads as non-IP sources', async () => {
    const results = await normalizedOf(
      'stratus-red-team-detonation-logs/aws.defense-evasion.cloudtrail-stop.json',
    );
    const sources = results.flatMap((r) => (r?.ok ? [r.event.sourceIp] : []));
    expect(sources.length).toBeGreaterThan(0);
    for (const ip of sources) {
      expect(ip === null || !/(^|\.)0\d/.test(ip)).toBe(true);
    }
  });

  it('rejects panther fixtures with redacted or missing times and keeps the rest', async () => {
    const { summary } = await analyzeTrailPaths(
      [join(REAL_TRAILS, 'panther-analysis-test-fixtures/cloudtrail_rule_tests.jsonl')],
      { config },
    );
    expect(summary.records).toBe(440);
    expect(summary.invalidByReason['invalid-time']).toBeGreaterThanOrEqual(2);
    expect(summary.counted + summary.duplicates + summary.invalid).toBe(440);
    expect(summary.invalidExamples[0]?.path).toContain('cloudtrail_rule_tests.jsonl');
  });

  it('rejects Logstash-shipped records without eventTime', async () => {
    const results = await normalizedOf(
      'otrf-security-datasets/ec2_proxy_s3_exfiltration_2020-09-14011940.json',
    );
    expect(results).toHaveLength(103);
    expect(
      results.every((r) => r !== null && !r.ok && r.reason === InvalidReason.InvalidTime),
    ).toBe(true);
  });

  it('reads ActionTrail SLS samples, drops the re-delivered duplicate and ignores service principals', async () => {
    const { summary } = await analyzeTrailPaths(
      [join(REAL_TRAILS, 'alibaba-actiontrail-sentinel-samples')],
      {
        config,
      },
    );
    expect(summary.records).toBe(21);
    expect(summary.invalid).toBe(0);
    expect(summary.duplicates).toBe(1);
    expect(summary.openWindows).toBe(1);
  });

  it('reads a CSV file as malformed lines without stopping', async () => {
    const { summary } = await analyzeTrailPaths(
      [join(REAL_TRAILS, 'otrf-security-datasets/AWS_S3_HoneyBucketLogs.csv')],
      {
        config,
      },
    );
    expect(summary.filesRead).toBe(1);
    expect(summary.invalid).toBe(summary.records);
    expect(summary.invalidByReason['malformed']).toBeGreaterThan(300);
  });
});
