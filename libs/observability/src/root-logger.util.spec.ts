import { Writable } from 'node:stream';

import { createRootLogger } from './root-logger.util';
import { metricsPrefixOf } from './metrics-prefix.util';

function capture(): { stream: Writable; lines: () => Array<Record<string, unknown>> } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(chunk.toString());
      callback();
    },
  });
  return {
    stream,
    lines: () =>
      chunks
        .join('')
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

describe(createRootLogger.name, () => {
  it('writes JSON with the level label, base bindings and redacted secrets', () => {
    const out = capture();
    const sut = createRootLogger({
      service: 'ingest',
      version: '1.2.3',
      destination: out.stream,
    });
    sut.info(
      {
        kafka: { sasl: { password: 'p' }, brokers: ['b:1'] },
        redis: { password: 'secret' },
        authorization: 'Bearer x',
      },
      'hello',
    );
    const [line] = out.lines();
    expect(line).toMatchObject({
      level: 'info',
      service: 'ingest',
      version: '1.2.3',
      msg: 'hello',
      kafka: { sasl: '[redacted]', brokers: ['b:1'] },
      redis: { password: '[redacted]' },
      authorization: '[redacted]',
    });
    expect(JSON.stringify(line)).not.toContain('secret');
  });

  it('honours the level', () => {
    const out = capture();
    const sut = createRootLogger({
      service: 's',
      version: '0',
      logLevel: 'warn',
      destination: out.stream,
    });
    sut.info('hidden');
    sut.warn('shown');
    expect(out.lines().map((line) => line['msg'])).toEqual(['shown']);
  });
});

describe(metricsPrefixOf.name, () => {
  it('snake-cases the service name', () => {
    expect(metricsPrefixOf('sink-oss')).toBe('sink_oss_');
    expect(metricsPrefixOf('ingest')).toBe('ingest_');
    expect(() => metricsPrefixOf('9lives')).toThrow();
  });
});
