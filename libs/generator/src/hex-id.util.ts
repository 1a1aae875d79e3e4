import { itemAt } from './item-at.util';
import type { SeededRandom } from './seeded-random';

const LOWER = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, '0'));
const UPPER = LOWER.map((pair) => pair.toUpperCase());

function bytesOf(word: number, table: readonly string[]): string {
  return (
    itemAt(table, word >>> 24, 'hex') +
    itemAt(table, (word >>> 16) & 255, 'hex') +
    itemAt(table, (word >>> 8) & 255, 'hex') +
    itemAt(table, word & 255, 'hex')
  );
}

/** A random version-4 UUID, lower-case (CloudTrail) or upper-case (ActionTrail). */
export function randomUuid(random: SeededRandom, upperCase: boolean): string {
  const table = upperCase ? UPPER : LOWER;
  const first = bytesOf(random.nextUint32(), table);
  const second = bytesOf(((random.nextUint32() & 0xffff0fff) | 0x00004000) >>> 0, table);
  const third = bytesOf(((random.nextUint32() & 0x3fffffff) | 0x80000000) >>> 0, table);
  const fourth = bytesOf(random.nextUint32(), table);
  return `${first}-${second.slice(0, 4)}-${second.slice(4)}-${third.slice(0, 4)}-${third.slice(4)}${fourth}`;
}
