/**
 * Needs: a real Redis (REDIS_URL from the integration globalSetup).
 *
 * Proves: a checkpoint writes only the preview fields that changed, deletes those that went,
 * renews the expiry, and replaces the hash whole on a runtime's first write and once half the
 * expiry passed without a write.
 */
import { Redis } from 'ioredis';

import { requireTestEnv, uniqueName } from '@trail-insight/testing';

import { PreviewRepository, WrittenPreviews } from './preview.repository';

import type { ProvisionalInsight } from './provisional-preview';

const TTL_SECONDS = 100;

function insight(ip: string, eventCount: number): ProvisionalInsight {
  return {
    insightType: 'IPInsight',
    insightId: `insight-${ip}`,
    accountId: 'acct',
    region: 'cn-hangzhou',
    sourceIpAddress: ip,
    startTime: '2026-03-10T08:00:00Z',
    endTime: '2026-03-10T08:00:00Z',
    verdictTime: '2026-03-17T08:00:00Z',
    eventCount,
    heterogeneity: 1,
    predictedValue: 0,
    threshold: 0,
    buckets: [],
    eventIds: [`${ip}-1`],
    state: 'provisional',
  };
}

describe(PreviewRepository.name, () => {
  let redis: Redis;
  let sut: PreviewRepository;
  let key: string;

  beforeAll(() => {
    redis = new Redis(requireTestEnv('REDIS_URL'));
  });

  afterAll(() => redis.quit());

  beforeEach(() => {
    sut = new PreviewRepository(redis, `${uniqueName('preview')}:`, TTL_SECONDS);
    key = sut.key('acct');
  });

  const previews = (...insights: ProvisionalInsight[]) =>
    new Map([
      ['acct', new Map(insights.map((item) => [`cn-hangzhou\u0000${item.sourceIpAddress}`, item]))],
    ]);

  it('writes the changed fields only, deletes the gone ones and renews the expiry', async () => {
    const written = new WrittenPreviews();
    await sut.write(previews(insight('a', 1), insight('b', 1), insight('c', 1)), written, 0);
    // marks what a rewrite would overwrite: only changed fields may lose their mark
    await redis.hset(key, 'cn-hangzhou\u0000a', 'untouched');
    await redis.expire(key, 5);

    await sut.write(previews(insight('a', 1), insight('b', 2)), written, 1_000);

    expect(await redis.hgetall(key)).toEqual({
      'cn-hangzhou\u0000a': 'untouched',
      'cn-hangzhou\u0000b': JSON.stringify(insight('b', 2)),
    });
    expect(await redis.ttl(key)).toBeGreaterThan(TTL_SECONDS - 5);
  });

  it('does not write an unchanged preview at all', async () => {
    const written = new WrittenPreviews();
    await sut.write(previews(insight('a', 1)), written, 0);
    await redis.hset(key, 'stray', 'x');

    await sut.write(previews(insight('a', 1)), written, 1_000);

    expect(await redis.hget(key, 'stray')).toBe('x');
  });

  it('replaces the hash whole on a first write and after half the expiry without one', async () => {
    const written = new WrittenPreviews();
    await redis.hset(key, 'left-by-an-earlier-owner', 'x');
    await sut.write(previews(insight('a', 1)), written, 0);
    expect(Object.keys(await redis.hgetall(key))).toEqual(['cn-hangzhou\u0000a']);

    await redis.hset(key, 'stray', 'x');
    await sut.write(previews(insight('a', 1)), written, (TTL_SECONDS * 1_000) / 2);

    expect(await redis.hgetall(key)).toEqual({
      'cn-hangzhou\u0000a': JSON.stringify(insight('a', 1)),
    });
  });

  it('deletes the hash when the last provisional insight goes', async () => {
    const written = new WrittenPreviews();
    await sut.write(previews(insight('a', 1)), written, 0);

    await sut.write(new Map([['acct', new Map()]]), written, 1_000);

    expect(await redis.exists(key)).toBe(0);
  });
});
