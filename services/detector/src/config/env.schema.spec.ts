import { Topic } from '@trail-insight/kafka';
import { EnvValidationError } from '@trail-insight/observability';

import { loadDetectorConfig } from './env.schema';

describe('detector env schema', () => {
  it('applies the documented defaults', () => {
    const config = loadDetectorConfig({
      KAFKA_BROKERS: '127.0.0.1:9092',
      REDIS_URL: 'redis://127.0.0.1:6379',
    });
    expect(config.http.port).toBe(8082);
    expect(config.kafka.consumer?.topics).toEqual([Topic.NormalizedEvents]);
    expect(config.kafka.consumer?.maxBytesPerPartition).toBe(4 * 1024 * 1024);
    expect(config.kafka.consumer?.heartbeatIntervalMs).toBe(1_000);
    expect(config.detector).toEqual({
      input: Topic.NormalizedEvents,
      keyPrefix: 'ti:',
      minBaseline: 10_000,
      homeRegion: null,
      allowList: [],
      model: 'default',
      allowedLatenessMs: 600_000,
      idleAdvance: true,
      idleAfterMs: 30_000,
      stateCacheSize: 10_000,
      spillAfterMs: 1_800_000,
    });
  });

  it('reads the raw topic itself with DETECTOR_INPUT=raw (ingest folded in)', () => {
    const config = loadDetectorConfig({
      KAFKA_BROKERS: '127.0.0.1:9092',
      REDIS_URL: 'redis://127.0.0.1:6379',
      DETECTOR_INPUT: 'raw',
      DETECTOR_RAW_INPUT_TOPIC: 'trail-raw',
    });
    expect(config.detector.input).toBe(Topic.RawEvents);
    expect(config.kafka.consumer?.topics).toEqual([Topic.RawEvents]);
    expect(config.kafka.topics?.[Topic.RawEvents]).toBe('trail-raw');
    expect(config.kafka.produces).toEqual([Topic.IpInsights]);
  });

  it('parses the allow list as CIDRs', () => {
    const config = loadDetectorConfig({
      KAFKA_BROKERS: '127.0.0.1:9092',
      REDIS_URL: 'redis://127.0.0.1:6379',
      DETECTOR_ALLOW_CIDRS: '10.0.0.0/8, ::ffff:45.32.0.0/112',
      DETECTOR_IDLE_ADVANCE: 'false',
    });
    expect(config.detector.allowList).toHaveLength(2);
    expect(config.detector.idleAdvance).toBe(false);
  });

  it('names every bad variable at once', () => {
    let error: unknown;
    try {
      loadDetectorConfig({
        KAFKA_BROKERS: '127.0.0.1:9092',
        REDIS_URL: 'redis://127.0.0.1:6379',
        DETECTOR_ALLOW_CIDRS: '10.0.0.0/33',
        DETECTOR_MODEL: 'fancy',
        DETECTOR_ALLOWED_LATENESS_MS: '-1',
        REDIS_PREFIX: 'a{b}',
        HTTP_PORT: 'x',
        DETECTOR_INPUT: 'normalised',
        DETECTOR_RAW_INPUT_TOPIC: '',
      });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(EnvValidationError);
    const message = (error as Error).message;
    for (const name of [
      'DETECTOR_ALLOW_CIDRS',
      'DETECTOR_MODEL',
      'DETECTOR_ALLOWED_LATENESS_MS',
      'REDIS_PREFIX',
      'HTTP_PORT',
      'DETECTOR_INPUT',
      'DETECTOR_RAW_INPUT_TOPIC',
    ]) {
      expect(message).toContain(name);
    }
  });

  it('requires exactly one Redis target', () => {
    expect(() => loadDetectorConfig({ KAFKA_BROKERS: '127.0.0.1:9092' })).toThrow(/REDIS_URL/);
  });
});
