/**
 * `trail-insight replay` against the REAL Kafka of deploy/local/stack.sh (needs: kafka).
 *
 * Proves: records of every file shape (gzip JSON array, JSON lines with a malformed line, a
 * `Records` object in a subfolder) are produced one per message, keyed by account, valid ones in
 * event-time order (ties in input order) exactly as `analyze` sorts them, even when the sort spills
 * to disk; invalid records and malformed lines are produced first, with their bytes; `--rate`
 * paces the production; the bundled CLI exits 0 and prints a summary.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';

import { createProducer, parseBrokerList } from '@trail-insight/kafka';
import {
  bundleServices,
  collectTestTopics,
  createTestTopics,
  requireTestEnv,
  uniqueName,
  waitFor,
} from '@trail-insight/testing';

import type { PlainProducer, TopicCollector } from '@trail-insight/kafka';
import type { TestTopics } from '@trail-insight/testing';

import { parseReplayArgs, replayTrailPaths } from './replay.command';

jest.setTimeout(180_000);

const ROOT = resolve(__dirname, '../../../..');

function at(id: string, time: string, account = '111') {
  return {
    eventId: id,
    eventTime: time,
    acsRegion: 'cn-hangzhou',
    sourceIpAddress: '42.120.1.2',
    userIdentity: { accountId: account },
  };
}

function ct(id: string, time: string) {
  return {
    eventID: id,
    eventTime: time,
    awsRegion: 'us-east-1',
    sourceIPAddress: '3.3.3.3',
    recipientAccountId: '222',
  };
}

describe('replay (real Kafka)', () => {
  let topics: TestTopics<'a' | 'b' | 'c'>;
  let producer: PlainProducer;
  let collector: TopicCollector;
  let dir: string;
  const brokers = () => requireTestEnv('KAFKA_BROKERS');

  beforeAll(async () => {
    topics = await createTestTopics({ a: 1, b: 1, c: 1 });
    dir = mkdtempSync(join(tmpdir(), 'replay-test-'));
    writeFileSync(
      join(dir, 'a.json.gz'),
      gzipSync(
        JSON.stringify([
          at('a-3', '2026-03-10T02:00:03Z'),
          at('a-1', '2026-03-10T02:00:01Z'),
          at('a-tie', '2026-03-10T02:00:02Z'),
        ]),
      ),
    );
    writeFileSync(
      join(dir, 'b.jsonl'),
      [
        JSON.stringify(ct('c-2', '2026-03-10T02:00:02Z')),
        '{broken',
        JSON.stringify(at('no-time', 'redacted')),
        JSON.stringify(ct('c-0', '2026-03-10T01:59:59.999+00:00')),
      ].join('\n'),
    );
    mkdirSync(join(dir, 'sub'));
    writeFileSync(
      join(dir, 'sub', 'c.json'),
      JSON.stringify({ Records: [ct('c-5', '2026-03-10T02:00:05Z')] }),
    );
    writeFileSync(join(dir, 'ignored.txt'), 'not a trail file');
    producer = createProducer(brokers(), uniqueName('replay'));
    await producer.connect();
    collector = await collectTestTopics(Object.values(topics.names));
  });

  afterAll(async () => {
    await collector?.stop();
    await producer?.disconnect();
    await topics?.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  const expectedOrder = ['{broken', 'no-time', 'c-0', 'a-1', 'a-tie', 'c-2', 'a-3', 'c-5'];

  function idsOf(topic: string): string[] {
    return collector.of(topic).map((message) => {
      const text = String(message.value);
      try {
        const value = JSON.parse(text) as { eventId?: string; eventID?: string };
        return value.eventId ?? value.eventID ?? text;
      } catch {
        return text;
      }
    });
  }

  it('produces invalid records first, then valid ones in event-time order, keyed by account', async () => {
    const options = parseReplayArgs([dir, '--brokers', brokers(), '--topic', topics.names.a]);
    const summary = await replayTrailPaths({ ...options, maxBuffered: 2 }, producer);
    expect(summary).toMatchObject({ filesRead: 3, valid: 6, invalid: 2 });
    expect(summary.spilledRuns).toBeGreaterThan(0);
    await waitFor(() => collector.of(topics.names.a).length >= 8, 30_000, '8 replayed records');
    expect(idsOf(topics.names.a)).toEqual(expectedOrder);
    expect(collector.of(topics.names.a).map((m) => m.key?.toString() ?? null)).toEqual([
      null,
      null,
      '222',
      '111',
      '111',
      '222',
      '111',
      '222',
    ]);
  });

  it('paces production with --rate', async () => {
    const options = parseReplayArgs([
      dir,
      '--brokers',
      brokers(),
      '--topic',
      topics.names.b,
      '--rate',
      '20',
    ]);
    const summary = await replayTrailPaths(options, producer);
    // 8 records at 20/s: the last one is due 0.4 s after the start
    expect(summary.seconds).toBeGreaterThanOrEqual(0.35);
    await waitFor(() => collector.of(topics.names.b).length >= 8, 30_000, 'paced records');
    expect(idsOf(topics.names.b)).toEqual(expectedOrder);
  });

  it('works as the bundled CLI and prints a summary', async () => {
    bundleServices('cli');
    const { stderr } = await promisify(execFile)(
      process.execPath,
      [
        join(ROOT, 'services/cli/bin/trail-insight.js'),
        'replay',
        dir,
        '--brokers',
        parseBrokerList(brokers()).join(','),
        '--topic',
        topics.names.c,
      ],
      { cwd: ROOT },
    );
    expect(stderr).toContain('produced 8 records');
    await waitFor(() => collector.of(topics.names.c).length >= 8, 30_000, 'CLI records');
    expect(idsOf(topics.names.c)).toEqual(expectedOrder);
  });
});
