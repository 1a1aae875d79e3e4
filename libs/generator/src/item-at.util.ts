/**
 * `items[index]` for an index the caller knows to be in range; an out-of-range index is a
 * broken invariant and throws instead of yielding `undefined`.
 */
export function itemAt<T>(items: ArrayLike<T>, index: number, what: string): T {
  const item = items[index];
  if (item === undefined) {
    throw new Error(`${what}: index ${index} out of range (length ${items.length})`);
  }
  return item;
}
