import { itemAt } from './item-at.util';

const UINT32 = 4_294_967_296;

function splitmix32(state: number): number {
  let z = (state + 0x9e3779b9) | 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

function rotl(value: number, bits: number): number {
  return (value << bits) | (value >>> (32 - bits));
}

/**
 * A small deterministic PRNG (xoshiro128**, seeded through splitmix32). The same keys always give
 * the same sequence; {@link SeededRandom.derive} makes independent streams, e.g. one per account and
 * hour, so that one part of a trail can be regenerated without replaying the others.
 */
export class SeededRandom {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  private constructor(hash: number) {
    this.a = splitmix32(hash);
    this.b = splitmix32(this.a ^ 0x6a09e667);
    this.c = splitmix32(this.b ^ 0xbb67ae85);
    this.d = splitmix32(this.c ^ 0x3c6ef372);
    if ((this.a | this.b | this.c | this.d) === 0) {
      this.a = 1;
    }
  }

  /** A stream for a seed (any safe integer) and further integer keys naming the stream. */
  static derive(seed: number, ...keys: readonly number[]): SeededRandom {
    let hash = splitmix32((seed >>> 0) ^ 0x2545f491);
    hash = splitmix32(hash ^ (Math.floor(seed / UINT32) >>> 0));
    for (const key of keys) {
      hash = splitmix32(hash ^ (key >>> 0));
      hash = splitmix32(hash ^ (Math.floor(key / UINT32) >>> 0));
    }
    return new SeededRandom(hash);
  }

  /** A uniformly distributed unsigned 32-bit integer. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.b, 5), 7), 9) >>> 0;
    const shifted = this.b << 9;
    this.c ^= this.a;
    this.d ^= this.b;
    this.b ^= this.c;
    this.a ^= this.d;
    this.c ^= shifted;
    this.d = rotl(this.d, 11);
    return result;
  }

  /** A float in [0, 1). */
  next(): number {
    return this.nextUint32() / UINT32;
  }

  /** An integer in [0, bound). */
  int(bound: number): number {
    return Math.floor(this.next() * bound);
  }

  /** An integer in [min, max]. */
  between(min: number, max: number): number {
    return min + this.int(max - min + 1);
  }

  /** True with probability `probability`. */
  chance(probability: number): boolean {
    return this.next() < probability;
  }

  /** One item of a non-empty list. */
  pick<T>(items: readonly T[]): T {
    return itemAt(items, this.int(items.length), 'pick');
  }
}
