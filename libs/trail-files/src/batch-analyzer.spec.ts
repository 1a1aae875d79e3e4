import { mkdtempSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

import fc from 'fast-check';

import { NONE_MODEL, WINDOW_MS } from '@trail-insight/detection';

import { analyzeTrailPaths } from './batch-analyzer';

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 2, 1);
const config = { minBaseline: 0, homeRegion: null, allowList: [], model: NONE_MODEL };

function record(time: number, id: string, ip: string, account = '1234'): Record<string, unknown> {
  return {
    eventId: id,
    eventTime: new Date(time).toISOString(),
    acsRegion: 'cn-hangzhou',
    sourceIpAddress: ip,
    userIdentity: { accountId: account },
  };
}

describe(analyzeTrailPaths.name, () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'analyze-spec-'));
    for (const folder of ['a', 'b', 'c']) {
      mkdirSync(join(dir, folder), { recursive: true });
    }
  });

  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads a folder in byte-wise name order, files before subfolders, skipping other names', async () => {
    rmSync(join(dir, 'b'), { recursive: true });
    rmSync(join(dir, 'c'), { recursive: true });
    mkdirSync(join(dir, 'B'));
    mkdirSync(join(dir, 'zz'));
    const put = (path: string, id: string, time = T0): void =>
      writeFileSync(join(dir, path), JSON.stringify(record(time, id, '1.1.1.1')));
    put('z.json', 'z-root');
    put('a/x.jsonl', 'a-x');
    put('B/y.ndjson', 'b-y');
    put('c.JSON', 'ignored-case');
    put('notes.txt', 'ignored-ext');
    put('zz/close.json', 'close', T0 + WINDOW_MS);
    writeFileSync(join(dir, 'Y.gz'), gzipSync(JSON.stringify([record(T0, 'y-gz', '1.1.1.1')])));
    symlinkSync(join(dir, 'a'), join(dir, 'link-to-dir.json'));
    symlinkSync(join(dir, 'z.json'), join(dir, 'link.json'));
    const { insights, summary } = await analyzeTrailPaths([dir], { config });
    expect(summary.filesRead).toBe(6);
    expect(summary.duplicates).toBe(1);
    expect(insights.map((insight) => insight.eventIds)).toEqual([['y-gz', 'z-root', 'b-y', 'a-x']]);
  });

  it('reads files and folders whose names are not UTF-8, in byte order of the raw names', async () => {
    const named = (...parts: Array<string | number[]>): Buffer =>
      Buffer.concat([
        Buffer.from(`${dir}/`),
        ...parts.map((part) => (typeof part === 'string' ? Buffer.from(part) : Buffer.from(part))),
      ]);
    const put = (path: Buffer, id: string, time = T0): void =>
      writeFileSync(path, JSON.stringify(record(time, id, '1.1.1.1')));
    put(named([0xff], '.json'), 'ff');
    put(named([0xfe], '.json'), 'fe');
    put(named('é.json'), 'e-acute'); // UTF-8 c3 a9: before fe and ff
    writeFileSync(named([0xfd], '.json'), '{"not json');
    mkdirSync(named([0x80]));
    put(named([0x80], '/', [0xc0], '.jsonl'), 'in-folder');
    put(named('zz.json'), 'close', T0 + WINDOW_MS);

    const { insights, summary } = await analyzeTrailPaths([dir], { config });

    expect(summary.filesSkipped).toEqual([]);
    expect(summary.filesRead).toBe(6);
    expect(insights.map((insight) => insight.eventIds)).toEqual([
      ['e-acute', 'fe', 'ff', 'in-folder'],
    ]);
    // reported under its name as text, U+FFFD for the byte that is not UTF-8
    expect(summary.invalidExamples.map((example) => example.path)).toEqual([
      join(dir, '\uFFFD.json'),
    ]);
  });

  it('keeps input order for equal times: arguments, then files, then records', async () => {
    writeFileSync(
      join(dir, 'b.json'),
      JSON.stringify([record(T0, 'b1', '2.2.2.2'), record(T0, 'b2', '2.2.2.2')]),
    );
    writeFileSync(join(dir, 'a.json'), JSON.stringify([record(T0, 'a1', '2.2.2.2')]));
    writeFileSync(
      join(dir, 'close.json'),
      JSON.stringify([record(T0 + WINDOW_MS, 'c', '3.3.3.3')]),
    );
    const { insights } = await analyzeTrailPaths([join(dir, 'b.json'), dir], { config });
    expect(insights[0]?.eventIds).toEqual(['b1', 'b2', 'a1']);
  });

  it('skips a file that cannot be decompressed completely and goes on', async () => {
    const good = gzipSync(`${JSON.stringify(record(T0, 'g', '4.4.4.4'))}\n`);
    writeFileSync(
      join(dir, '1-multi.gz'),
      Buffer.concat([good, gzipSync(JSON.stringify(record(T0, 'h', '4.4.4.4')))]),
    );
    writeFileSync(
      join(dir, '2-padded.json.gz'),
      Buffer.concat([gzipSync(JSON.stringify(record(T0, 'p', '4.4.4.4'))), Buffer.alloc(512)]),
    );
    writeFileSync(join(dir, '3-trailing.gz'), Buffer.concat([good, Buffer.from('garbage')]));
    writeFileSync(join(dir, '4-truncated.gz'), good.subarray(0, good.length - 4));
    writeFileSync(join(dir, '5-plain.gz'), 'not gzip');
    const { summary } = await analyzeTrailPaths([dir, join(dir, 'missing')], { config });
    expect(summary.filesRead).toBe(2);
    expect(summary.counted).toBe(3);
    expect(summary.filesSkipped.map((s) => s.path)).toEqual([
      join(dir, '3-trailing.gz'),
      join(dir, '4-truncated.gz'),
      join(dir, '5-plain.gz'),
      join(dir, 'missing'),
    ]);
  });

  it('applies delivery files as they come and falls back to a full sort when a name lies', async () => {
    const hour = (h: number): string =>
      `2026030${1 + Math.floor(h / 24)}T${String(h % 24).padStart(2, '0')}00Z`;
    const write = (name: string, time: number, id: string): void =>
      writeFileSync(join(dir, name), JSON.stringify({ Records: [record(time, id, '7.7.7.7')] }));
    write(`b/acct_CloudTrail_us-east-1_${hour(0)}_x.json`, T0 + 5 * 60_000, 'first');
    write(`a/acct_CloudTrail_eu-west-1_${hour(1)}_y.json`, T0 + 65 * 60_000, 'second');
    write(`a/acct_CloudTrail_eu-west-1_${hour(0)}_z.json`, T0 + 10 * 60_000, 'between');
    write(`c/late_${hour(30)}_w.json`, T0 + WINDOW_MS + 3_600_000, 'close');
    const ordered = await analyzeTrailPaths([dir], { config });
    expect(ordered.summary.fellBackToSort).toBe(false);
    expect(ordered.insights[0]?.eventIds).toEqual(['first', 'between', 'second']);

    write(`c/lying_${hour(40)}_v.json`, T0 + 1, 'liar');
    const fallback = await analyzeTrailPaths([dir], { config });
    expect(fallback.summary.fellBackToSort).toBe(true);
    expect(fallback.insights[0]?.eventIds).toEqual(['liar', 'first', 'between', 'second']);
    expect(fallback.summary.records).toBe(5);
  });

  it('falls back when a later-read file holds an event tied with an applied one but earlier in input order', async () => {
    const stamp = (h: number): string => `20260301T${String(h).padStart(2, '0')}00Z`;
    const write = (name: string, records: Array<Record<string, unknown>>): void =>
      writeFileSync(join(dir, name), JSON.stringify(records));
    const tie = T0 + 60_000;
    write(`a/early_${stamp(9)}_x.json`, [record(tie, 'walk-first', '8.8.8.8')]);
    write(`b/late_${stamp(0)}_y.json`, [record(tie, 'walk-second', '8.8.8.8')]);
    write(`c/close_${stamp(23)}_z.json`, [record(T0 + WINDOW_MS + 3_600_000, 'close', '9.9.9.9')]);
    const result = await analyzeTrailPaths([dir], { config });
    expect(result.insights[0]?.eventIds).toEqual(['walk-first', 'walk-second']);
  });

  it('reads a file named on the command line whatever its name', async () => {
    writeFileSync(join(dir, 'trail.log'), `${JSON.stringify(record(T0, 'l', '5.5.5.5'))}\n`);
    const { summary } = await analyzeTrailPaths([join(dir, 'trail.log')], { config });
    expect(summary.counted).toBe(1);
  });

  it('closes only windows whose verdict is at or before the latest counted event', async () => {
    writeFileSync(
      join(dir, 'a.jsonl'),
      [
        record(T0, 'w1', '6.6.6.6'),
        record(T0 + 1000, 'w2', '6.6.6.7'),
        record(T0 + WINDOW_MS, 'end', '9.9.9.9'),
        record(T0 + WINDOW_MS + 5000, 'end', '9.9.9.9'),
        { eventTime: new Date(T0 + 30 * DAY).toISOString() },
      ]
        .map((r) => JSON.stringify(r))
        .join('\n'),
    );
    const { insights, open, summary } = await analyzeTrailPaths([dir], { config });
    expect(insights.map((i) => i.sourceIpAddress)).toEqual(['6.6.6.6']);
    expect(summary.openWindows).toBe(2);
    // what stays open is provisional, in output order, with its running counts
    expect(open.map((i) => [i.sourceIpAddress, i.eventCount])).toEqual([
      ['6.6.6.7', 1],
      ['9.9.9.9', 1],
    ]);
    expect(summary.latestEventTime).toBe(T0 + WINDOW_MS);
    expect(summary.invalidExamples[0]).toMatchObject({ line: 5, reason: 'missing-event-id' });
  });

  it('gives the same answer whatever the file order, record order and spill size', async () => {
    const ips = ['1.1.1.1', '1.1.1.2', '2001:db8::1', '::ffff:1.1.1.3'];
    const arbitraryEvent = fc.record({
      offset: fc.integer({ min: 0, max: 20 * DAY }),
      ip: fc.constantFrom(...ips, 'internal'),
      account: fc.constantFrom('1', '2'),
      dupOf: fc.option(fc.integer({ min: 0, max: 5 }), { nil: undefined }),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(arbitraryEvent, { minLength: 1, maxLength: 60, selector: (e) => e.offset }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer(),
        async (events, fileCount, seed) => {
          const records = events.map((e, index) =>
            record(
              T0 + e.offset,
              e.dupOf === undefined ? `id-${index}` : `dup-${e.dupOf}`,
              e.ip,
              e.account,
            ),
          );
          const case1 = mkdtempSync(join(dir, 'c1-'));
          const case2 = mkdtempSync(join(dir, 'c2-'));
          const files: Array<Array<Record<string, unknown>>> = Array.from(
            { length: fileCount },
            () => [],
          );
          records.forEach((r, index) => files[index % fileCount]?.push(r));
          files.forEach((content, index) => {
            writeFileSync(join(case1, `f${index}.json`), JSON.stringify(content));
            const shuffled =
              fc.sample(fc.shuffledSubarray(content, { minLength: content.length }), {
                seed,
                numRuns: 1,
              })[0] ?? [];
            writeFileSync(
              join(case2, `f${fileCount - index}.jsonl`),
              shuffled.map((r) => JSON.stringify(r)).join('\n'),
            );
          });
          const expected = await analyzeTrailPaths([case1], { config, strategy: 'sort' });
          for (const actual of [
            await analyzeTrailPaths([case2], { config, strategy: 'sort', maxBuffered: 7 }),
            await analyzeTrailPaths([case2], { config }),
            await analyzeTrailPaths([case1], { config }),
          ]) {
            expect(actual.insights).toEqual(expected.insights);
            expect(actual.summary.openWindows).toBe(expected.summary.openWindows);
            expect(actual.summary.duplicates).toBe(expected.summary.duplicates);
          }
        },
      ),
      { numRuns: 60 },
    );
  });
});
