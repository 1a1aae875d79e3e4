import { PartitionLoad } from './partition-load';

describe(PartitionLoad.name, () => {
  let now = 0;
  const clock = (): number => now;

  beforeEach(() => {
    now = 1_000_000;
  });

  it('sums the bytes of a partition and halves them every half-life', () => {
    const load = new PartitionLoad(60_000, clock);
    load.add('raw', 0, 1_000, 0);
    now += 30_000;
    load.add('raw', 0, 1_000, 0);
    load.add('raw', 1, 10, 0);
    now += 60_000;

    const weights = load.weights()['raw'];

    // (1,000 · 2^-0.5 + 1,000) · 2^-1
    expect(weights?.get(0)).toBeCloseTo(853.55, 1);
    expect(weights?.get(1)).toBeCloseTo(5, 5);
  });

  it('adds what the log holds beyond the last batch: a backlog tells the heavy partition', () => {
    const load = new PartitionLoad(60_000, clock);
    // reading a backlog, every partition gives a full fetch; one has far more left
    load.add('raw', 0, 4_000_000, 30_000_000);
    load.add('raw', 1, 4_000_000, 1_000_000);
    load.add('raw', 1, 4_000_000, 0);

    const weights = load.weights()['raw'];

    expect(weights?.get(0)).toBe(34_000_000);
    expect(weights?.get(1)).toBe(8_000_000);
  });

  it('takes a batch as its bytes, and its lag in messages at their average size', () => {
    const load = new PartitionLoad(60_000, clock);
    const value = (length: number): { value: Buffer } => ({ value: Buffer.alloc(length) });

    load.addBatch('raw', 0, [value(100), value(300), { value: null }], 30);
    load.addBatch('raw', 1, [], 50);

    expect(load.weights()).toEqual({
      raw: new Map([
        [0, 400 + 30 * (400 / 3)],
        [1, 0],
      ]),
    });
  });

  it('averages the size of the messages read, by topic, across partitions', () => {
    const load = new PartitionLoad(60_000, clock);
    const value = (length: number): { value: Buffer } => ({ value: Buffer.alloc(length) });

    load.addBatch('raw', 0, [value(100), value(300)], 0);
    load.addBatch('raw', 1, [value(500)], 0);
    load.addBatch('other', 0, [], 0);
    load.retain({});

    // a size outlives the partitions it was read from: it is the topic's
    expect(load.messageSizes()).toEqual({ raw: 300 });
  });

  it('forgets the partitions a join took away, topic by topic', () => {
    const load = new PartitionLoad(60_000, clock);
    load.add('raw', 0, 5, 0);
    load.add('raw', 1, 5, 0);
    load.add('other', 2, 5, 0);

    load.retain({ raw: [1, 4] });

    expect(load.weights()).toEqual({ raw: new Map([[1, 5]]) });
  });
});
