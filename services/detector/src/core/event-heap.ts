import { compareBuffered } from './buffered-event';

import type { BufferedEvent } from './buffered-event';

/** Binary min-heap of buffered events in (time, offset) order: the reorder buffer in memory. */
export class EventHeap {
  private readonly items: BufferedEvent[] = [];

  get size(): number {
    return this.items.length;
  }

  push(item: BufferedEvent): void {
    const items = this.items;
    items.push(item);
    let index = items.length - 1;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      // Hot loop: 0 <= parent < index < length, so the `!` holds.
      const above = items[parent]!;
      if (compareBuffered(above, item) <= 0) {
        break;
      }
      items[index] = above;
      index = parent;
    }
    items[index] = item;
  }

  peek(): BufferedEvent | undefined {
    return this.items[0];
  }

  pop(): BufferedEvent | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (top === undefined || last === undefined || items.length === 0) {
      return top;
    }
    let index = 0;
    const length = items.length;
    for (;;) {
      const left = 2 * index + 1;
      if (left >= length) {
        break;
      }
      const right = left + 1;
      // Hot loop: left < length and right is read only below length, so the `!`s hold.
      const child =
        right < length && compareBuffered(items[right]!, items[left]!) < 0 ? right : left;
      const below = items[child]!;
      if (compareBuffered(below, last) >= 0) {
        break;
      }
      items[index] = below;
      index = child;
    }
    items[index] = last;
    return top;
  }

  /**
   * Removes and returns, in (time, offset) order, the events with time strictly below `time`,
   * at most `limit` of them.
   */
  popBelow(time: number, limit = Number.POSITIVE_INFINITY): BufferedEvent[] {
    const out: BufferedEvent[] = [];
    for (
      let top = this.peek();
      top !== undefined && top.event.time < time && out.length < limit;
      top = this.peek()
    ) {
      out.push(this.pop() as BufferedEvent);
    }
    return out;
  }
}
