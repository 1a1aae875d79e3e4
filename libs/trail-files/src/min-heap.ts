/** A binary min-heap over a caller-supplied order. */
export class MinHeap<T> {
  private readonly items: T[] = [];

  constructor(readonly less: (left: T, right: T) => boolean) {}

  get size(): number {
    return this.items.length;
  }

  peek(): T | undefined {
    return this.items[0];
  }

  push(item: T): void {
    const items = this.items;
    items.push(item);
    let index = items.length - 1;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      // Hot loop: 0 <= parent < index < length, so the `!`s below hold.
      const above = items[parent]!;
      if (!this.less(item, above)) {
        break;
      }
      items[index] = above;
      index = parent;
    }
    items[index] = item;
  }

  pop(): T | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (items.length > 0 && last !== undefined) {
      this.sinkFromRoot(last);
    }
    return top;
  }

  /** Replaces the top with `item` (cheaper than pop + push). */
  replaceTop(item: T): void {
    this.sinkFromRoot(item);
  }

  private sinkFromRoot(item: T): void {
    const items = this.items;
    const length = items.length;
    let index = 0;
    for (;;) {
      const left = index * 2 + 1;
      if (left >= length) {
        break;
      }
      const right = left + 1;
      // Hot loop: left < length and right is read only below length, so the `!`s below hold.
      const child = right < length && this.less(items[right]!, items[left]!) ? right : left;
      const below = items[child]!;
      if (!this.less(below, item)) {
        break;
      }
      items[index] = below;
      index = child;
    }
    items[index] = item;
  }
}
