import { UsageError } from '../cli-command';

import { parseReplayArgs } from './replay.command';

describe(parseReplayArgs.name, () => {
  it('reads the SPEC §7 options with their defaults', () => {
    expect(parseReplayArgs(['a', 'b', '--brokers', '127.0.0.1:9092,k2:19092'])).toEqual({
      paths: ['a', 'b'],
      brokers: ['127.0.0.1:9092', 'k2:19092'],
      topic: 'actiontrail-events',
      rate: null,
      clientId: 'trail-insight-replay',
      maxBuffered: 100_000,
      quiet: false,
    });
    expect(
      parseReplayArgs(['a', '--brokers', 'k:1', '--topic', 'raw.v2', '--rate', '2.5']),
    ).toMatchObject({ topic: 'raw.v2', rate: 2.5 });
  });

  it.each([
    [['--brokers', 'k:1']],
    [['a']],
    [['a', '--brokers', 'no-port']],
    [['a', '--brokers', 'k:1', '--rate', '0']],
    [['a', '--brokers', 'k:1', '--rate', 'fast']],
    [['a', '--brokers', 'k:1', '--topic', 'bad topic']],
    [['a', '--brokers', 'k:1', '--unknown']],
    [['a', '--brokers', 'k:1', '--max-buffered', '0']],
  ])('rejects %j as a usage error', (argv) => {
    expect(() => parseReplayArgs(argv)).toThrow(UsageError);
  });
});
