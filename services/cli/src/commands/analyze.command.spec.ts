import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { ExitCode, UsageError } from '../cli-command';

import { parseAnalyzeArgs, runAnalyze } from './analyze.command';

describe(parseAnalyzeArgs.name, () => {
  it('reads every SPEC §7 option', () => {
    const sut = parseAnalyzeArgs([
      'a',
      'b',
      '--model',
      'none',
      '--home-region',
      'cn-hangzhou',
      '--allow',
      '10.0.0.0/8',
      '--allow',
      '::ffff:45.32.0.0/112',
      '--min-baseline',
      '0',
      '--format',
      'table',
      '--out',
      'x.jsonl',
    ]);
    expect(sut).toMatchObject({
      paths: ['a', 'b'],
      model: 'none',
      homeRegion: 'cn-hangzhou',
      minBaseline: 0,
      format: 'table',
      out: 'x.jsonl',
    });
    expect(sut.allowList.map((cidr) => cidr.text)).toEqual(['10.0.0.0/8', '::ffff:45.32.0.0/112']);
  });

  it('defaults to the default model, jsonl and a baseline of 10000', () => {
    expect(parseAnalyzeArgs(['dir'])).toMatchObject({
      model: 'default',
      format: 'jsonl',
      minBaseline: 10_000,
      homeRegion: null,
    });
  });

  it.each([
    [['dir', '--bogus']],
    [['dir', '--model', 'fancy']],
    [['dir', '--allow', '10.0.0.0/33']],
    [['dir', '--allow', 'nope']],
    [['dir', '--min-baseline', '-1']],
    [['dir', '--min-baseline', '1.5']],
    [['dir', '--format', 'csv']],
    [['dir', '--model']],
    [[]],
  ])('rejects %j as a usage error', (argv) => {
    expect(() => parseAnalyzeArgs(argv)).toThrow(UsageError);
  });
});

describe(runAnalyze.name, () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'cli-spec-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  const options = (paths: string[], out: string) => ({
    ...parseAnalyzeArgs([...paths, '--model', 'none', '--min-baseline', '0', '--out', out]),
    quiet: true,
  });

  it('exits 1 when no input could be read at all', async () => {
    expect(await runAnalyze(options([join(dir, 'missing')], join(dir, 'out.jsonl')))).toBe(
      ExitCode.NoInput,
    );
  });

  it('writes one IPInsight per line, sorted, and exits 0 despite invalid records', async () => {
    const record = (time: string, id: string, ip: string): string =>
      JSON.stringify({
        eventId: id,
        eventTime: time,
        acsRegion: 'cn-hangzhou',
        sourceIpAddress: ip,
        recipientAccountId: '1',
      });
    writeFileSync(
      join(dir, 'trail.jsonl'),
      [
        record('2026-03-10T00:00:00Z', 'a', '2001:db8::1'),
        record('2026-03-10T00:00:00Z', 'b', '9.9.9.9'),
        record('2026-03-10T00:00:00Z', 'c', '10.0.0.1'),
        '{broken',
        record('2026-03-17T00:00:00Z', 'd', 'internal'),
      ].join('\n'),
    );
    const out = join(dir, 'out.jsonl');
    expect(await runAnalyze(options([dir], out))).toBe(ExitCode.Ok);
    const { readFileSync } = await import('node:fs');
    const lines = readFileSync(out, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines.map((line) => line['sourceIpAddress'])).toEqual([
      '9.9.9.9',
      '10.0.0.1',
      '2001:db8::1',
    ]);
    expect(lines[0]).toEqual({
      insightType: 'IPInsight',
      insightId: '3511debfaa8b7ad75a3bd0ce179106ef727e04c0dadcbeb8886eb2d70b5e19ab',
      accountId: '1',
      region: 'cn-hangzhou',
      sourceIpAddress: '9.9.9.9',
      startTime: '2026-03-10T00:00:00.000Z',
      endTime: '2026-03-10T00:00:00.000Z',
      verdictTime: '2026-03-17T00:00:00.000Z',
      eventCount: 1,
      heterogeneity: 100,
      predictedValue: 0,
      threshold: 0.5,
      buckets: [{ startTime: '2026-03-10T00:00:00.000Z', durationSeconds: 300, count: 1 }],
      eventIds: ['b'],
    });
  });
});
