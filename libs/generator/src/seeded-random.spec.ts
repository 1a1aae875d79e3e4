import { SeededRandom } from './seeded-random';

function draws(random: SeededRandom, count: number): number[] {
  return Array.from({ length: count }, () => random.nextUint32());
}

describe(SeededRandom.name, () => {
  it('gives the same sequence for the same seed and keys', () => {
    expect(draws(SeededRandom.derive(42, 1, 2), 100)).toEqual(
      draws(SeededRandom.derive(42, 1, 2), 100),
    );
  });

  it('gives different sequences for different seeds or keys', () => {
    const base = draws(SeededRandom.derive(42, 1, 2), 8);
    expect(draws(SeededRandom.derive(43, 1, 2), 8)).not.toEqual(base);
    expect(draws(SeededRandom.derive(42, 2, 1), 8)).not.toEqual(base);
    expect(draws(SeededRandom.derive(42 + 2 ** 32, 1, 2), 8)).not.toEqual(base);
  });

  it('stays in range', () => {
    const sut = SeededRandom.derive(7);
    for (let index = 0; index < 10_000; index += 1) {
      const float = sut.next();
      const integer = sut.between(3, 5);
      expect(float >= 0 && float < 1).toBe(true);
      expect([3, 4, 5]).toContain(integer);
    }
  });

  it('is roughly uniform', () => {
    const sut = SeededRandom.derive(1);
    const buckets = new Array<number>(10).fill(0);
    for (let index = 0; index < 100_000; index += 1) {
      const bucket = sut.int(10);
      buckets[bucket] = (buckets[bucket] ?? 0) + 1;
    }
    for (const count of buckets) {
      expect(Math.abs(count - 10_000)).toBeLessThan(500);
    }
  });
});
