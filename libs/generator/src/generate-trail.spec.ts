import { createHash } from 'node:crypto';

import { normalizeRecord, readTrailContent } from '@trail-insight/events';

import { fileBytes, fileContent, generateTrail } from './generate-trail';

import type { GeneratedFile, GenerationSummary } from './generate-trail';
import type { GeneratorOptions } from './generator-options';

const HOUR = 3_600_000;

function run(options: GeneratorOptions): { files: GeneratedFile[]; summary: GenerationSummary } {
  const files: GeneratedFile[] = [];
  const iterator = generateTrail(options);
  for (let step = iterator.next(); ; step = iterator.next()) {
    if (step.done === true) {
      return { files, summary: step.value };
    }
    files.push(step.value);
  }
}

function digest(files: readonly GeneratedFile[]): string {
  const hash = createHash('sha256');
  for (const file of files) {
    hash.update(file.path).update(fileContent(file));
  }
  return hash.digest('hex');
}

interface ReadBack {
  valid: Array<{
    file: GeneratedFile;
    accountId: string;
    region: string;
    eventId: string;
    time: number;
  }>;
  invalid: number;
  malformedLines: number;
}

function readBack(files: readonly GeneratedFile[]): ReadBack {
  const result: ReadBack = { valid: [], invalid: 0, malformedLines: 0 };
  for (const file of files) {
    for (const item of readTrailContent(Buffer.from(fileContent(file)))) {
      if (item.kind === 'malformed') {
        result.malformedLines += 1;
        continue;
      }
      const normalized = normalizeRecord(item.value);
      if (normalized.ok) {
        const { accountId, region, eventId, time } = normalized.event;
        result.valid.push({ file, accountId, region, eventId, time });
      } else {
        result.invalid += 1;
      }
    }
  }
  return result;
}

function countDuplicates(events: ReadBack['valid']): number {
  const lastCounted = new Map<string, number>();
  let duplicates = 0;
  for (const event of [...events].sort((a, b) => a.time - b.time)) {
    const key = `${event.accountId}|${event.eventId}`;
    const seen = lastCounted.get(key);
    if (seen !== undefined && event.time - seen <= HOUR) {
      duplicates += 1;
    } else {
      lastCounted.set(key, event.time);
    }
  }
  return duplicates;
}

describe(generateTrail.name, () => {
  describe.each(['actiontrail', 'cloudtrail'] as const)('%s', (format) => {
    const options: GeneratorOptions = {
      format,
      days: 9,
      seed: 11,
      eventsPerDay: 3000,
      malformedRate: 0.01,
    };
    let files: GeneratedFile[];
    let summary: GenerationSummary;
    let records: ReadBack;

    beforeAll(() => {
      ({ files, summary } = run(options));
      records = readBack(files);
    });

    it('gives the same files for the same seed and different ones for another seed', () => {
      expect(digest(run(options).files)).toBe(digest(files));
      expect(digest(run({ ...options, seed: 12 }).files)).not.toBe(digest(files));
    });

    it('emits files in time order, each within one hour of one account and region', () => {
      expect(files.length).toBe(summary.files);
      files.forEach((file, index) => {
        expect(file.hourEnd - file.hourStart).toBe(HOUR);
        expect(file.hourStart).toBeGreaterThanOrEqual(files[index - 1]?.hourStart ?? 0);
      });
      for (const event of records.valid) {
        expect(event.accountId).toBe(event.file.accountId);
        expect(event.region).toBe(event.file.region);
        expect(event.time).toBeGreaterThanOrEqual(event.file.hourStart);
        expect(event.time).toBeLessThan(event.file.hourEnd);
      }
    });

    it('writes records that normalize, except the deliberately malformed ones', () => {
      expect(summary.invalid).toBeGreaterThan(0);
      expect(records.invalid + records.malformedLines).toBe(summary.invalid);
      expect(records.valid.length).toBe(summary.records - summary.invalid);
    });

    it('delivers duplicates that a reader skips, within one hour and later', () => {
      expect(summary.duplicates).toBeGreaterThan(0);
      expect(countDuplicates(records.valid)).toBe(summary.duplicates);
      expect(files.some((file) => file.redelivery)).toBe(true);
    });

    it('writes valid JSON documents and JSON lines with broken lines', () => {
      const documents = files.filter((file) => file.shape === 'document');
      const lines = files.filter((file) => file.shape === 'json-lines');
      expect(lines.length).toBeGreaterThan(0);
      for (const file of documents) {
        expect(() => JSON.parse(fileContent(file)) as unknown).not.toThrow();
      }
      expect(records.malformedLines).toBeGreaterThan(0);
    });

    it('encodes the same bytes with fileBytes as with fileContent', () => {
      for (const file of files.slice(0, 200)) {
        expect(fileBytes(file).equals(Buffer.from(fileContent(file)))).toBe(true);
      }
    });

    it('names files in the delivery layout', () => {
      const layout =
        format === 'actiontrail'
          ? /^AliyunLogs\/Actiontrail\/rd-\w{6}\/\d{16}\/[a-z0-9-]+\/\d{4}\/\d{2}\/\d{2}\/Actiontrail_[a-z0-9-]+_\d{14}_1002_\d+_\d+_[0-9a-f]{32}\.(gz|jsonl)$/
          : /^AWSLogs\/\d{12}\/CloudTrail\/[a-z0-9-]+\/\d{4}\/\d{2}\/\d{2}\/\d{12}_CloudTrail_[a-z0-9-]+_\d{8}T\d{4}Z_\w{16}\.(json\.gz|jsonl)$/;
      for (const file of files) {
        expect(file.path).toMatch(layout);
      }
      expect(new Set(files.map((file) => file.path)).size).toBe(files.length);
    });
  });

  it('writes no invalid record when malformedRate is 0', () => {
    const { summary } = run({
      format: 'cloudtrail',
      days: 2,
      seed: 1,
      eventsPerDay: 500,
      malformedRate: 0,
    });
    expect(summary.invalid).toBe(0);
  });

  it('rejects out-of-range options', () => {
    expect(() => generateTrail({ format: 'cloudtrail', days: 0, seed: 1 }).next()).toThrow(
      RangeError,
    );
    expect(() =>
      generateTrail({ format: 'cloudtrail', days: 1, seed: 1, startTime: 1000 }).next(),
    ).toThrow(RangeError);
  });
});
