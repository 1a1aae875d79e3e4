import type { NormalizedEvent } from '@trail-insight/events';

import type { BufferedEvent } from './buffered-event';

/** Decodes a sealed entry's bytes back into its events, by index. */
export type EntryDecoder = (bytes: Buffer) => readonly NormalizedEvent[];

/**
 * The default {@link EntryDecoder}: a sealed entry holds bytes the detector validated when it
 * absorbed them (a consumed message whose every event passed the schema, a buffer entry loaded
 * through it, or the detector's own encoding of such events), kept in its own memory since. So
 * no schema runs again: zod would double the garbage of every released event. Properties a newer
 * producer may add stay on the objects, where nothing reads them.
 */
export function decodeSealedEntry(bytes: Buffer): readonly NormalizedEvent[] {
  const parsed = JSON.parse(bytes.toString('utf8')) as NormalizedEvent | NormalizedEvent[];
  return Array.isArray(parsed) ? parsed : [parsed];
}

/** Where a buffered event's object comes from, for readers that hold slots (the preview). */
export interface BufferedEvents {
  /** The events of buffered slots, in the given order (decoded again once sealed). */
  eventsOf(slots: readonly number[]): NormalizedEvent[];
  /** Input order, (offset, index), of two buffered slots. */
  compareInput(left: number, right: number): number;
}

/** A released event and the slot it left (the preview's key for it). */
export interface ReleasedEvent extends BufferedEvent {
  slot: number;
}

/** Where an entry came from and whether Redis holds a copy of it. */
export interface EntrySource {
  /** Offset of its last message (a coalesced run spans several); default: its own offset. */
  last?: number;
  /** Wall-clock time it was absorbed (epoch ms), for {@link ReorderBuffer.spill}. */
  absorbedAt?: number;
  /** Redis holds a copy (a spilled entry, reloaded): the input need not be read again for it. */
  spilled?: boolean;
}

/** An entry {@link ReorderBuffer.spill} hands out, to be copied to Redis. */
export interface SpilledEntry {
  /** Offsets of its first and last message. */
  offset: number;
  last: number;
  /** Its latest event time: it leaves Redis once the watermark passes it. */
  latest: number;
  bytes: Buffer;
}

/** One absorbed buffer entry: a consumed message, or a coalesced run of raw records. */
interface Entry {
  /** Its events, while the checkpoint that absorbed it runs; null once sealed. */
  events: readonly NormalizedEvent[] | null;
  /** Its JSON: as consumed (null = encode `events` at sealing), then an owned copy once sealed. */
  bytes: Buffer | null;
  /** Its slots, until sealed (those still its own are buffered). */
  slots: number[] | null;
  /** How many of its events are still buffered. */
  live: number;
  offset: number;
  last: number;
  latest: number;
  absorbedAt: number;
  spilled: boolean;
}

const INITIAL_CAPACITY = 1_024;

/**
 * The reorder buffer of one partition: a min-heap of its absorbed, not yet applied events in
 * (time, offset, index) order, kept off the JavaScript heap.
 *
 * The buffer holds rate × lateness events (6 million at 10,000 events/s and 10 minutes). Held as
 * objects, they made every major garbage collection mark millions of objects, and the detector's
 * pauses grew with the buffer (docs/benchmarks.md). So only the checkpoint that absorbs an entry
 * holds its events as objects; {@link seal} then keeps the entry's JSON bytes (a Buffer, outside the
 * JS heap) and each event's position and time in typed arrays, and an event is decoded again
 * from its entry's bytes when it is released. Events released by the checkpoint that absorbed
 * them (a replay of history, where the watermark runs far ahead) are never decoded twice.
 */
export class ReorderBuffer implements BufferedEvents {
  /** Per slot: event time, offset and index of its position, and its entry. */
  private times = new Float64Array(INITIAL_CAPACITY);
  private offsets = new Float64Array(INITIAL_CAPACITY);
  private indices = new Int32Array(INITIAL_CAPACITY);
  /** Per slot: where its event is in its entry's sealed JSON (its index until repacked). */
  private positions = new Int32Array(INITIAL_CAPACITY);
  private entryOf = new Int32Array(INITIAL_CAPACITY);
  /** Binary min-heap of slots. */
  private heap = new Int32Array(INITIAL_CAPACITY);
  private heapSize = 0;
  /** Slots below `slotTop` not in use, as a stack. */
  private freeSlots = new Int32Array(INITIAL_CAPACITY);
  private freeCount = 0;
  private slotTop = 0;
  private readonly entries: Array<Entry | undefined> = [];
  private readonly freeEntries: number[] = [];
  private readonly unsealed: number[] = [];
  /** Entries not spilled, in the order they were added (offset order); dead ones left lazily. */
  private readonly retained: Entry[] = [];
  private retainedHead = 0;

  constructor(private readonly decode: EntryDecoder = decodeSealedEntry) {}

  /** Events buffered (the heap's size). */
  get size(): number {
    return this.heapSize;
  }

  /**
   * Buffers the events of one entry at positions (offset, index), all of them or those whose
   * index `keep` accepts (a reloaded entry partly applied). Returns each buffered event's slot, in
   * index order. The entry's events stay objects until {@link seal}.
   */
  add(
    offset: number,
    events: readonly NormalizedEvent[],
    bytes: Buffer | null,
    keep: (index: number) => boolean = () => true,
    source: EntrySource = {},
  ): Array<{ slot: number; event: NormalizedEvent }> {
    const entryId = this.freeEntries.pop() ?? this.entries.length;
    const entry: Entry = {
      events,
      bytes,
      slots: [],
      live: 0,
      offset,
      last: source.last ?? offset,
      latest: Number.NEGATIVE_INFINITY,
      absorbedAt: source.absorbedAt ?? 0,
      spilled: source.spilled ?? false,
    };
    this.entries[entryId] = entry;
    const added: Array<{ slot: number; event: NormalizedEvent }> = [];
    events.forEach((event, index) => {
      entry.latest = Math.max(entry.latest, event.time);
      if (!keep(index)) {
        return;
      }
      const slot = this.allocate();
      this.times[slot] = event.time;
      this.offsets[slot] = offset;
      this.indices[slot] = index;
      this.positions[slot] = index;
      this.entryOf[slot] = entryId;
      entry.live += 1;
      entry.slots?.push(slot);
      this.push(slot);
      added.push({ slot, event });
    });
    if (entry.live === 0) {
      this.entries[entryId] = undefined;
      this.freeEntries.push(entryId);
    } else {
      this.unsealed.push(entryId);
      if (!entry.spilled) {
        this.retained.push(entry);
      }
    }
    return added;
  }

  /**
   * The offset of the earliest entry with events left that Redis holds no copy of: the input must
   * be read again from there to rebuild the buffer (null: from nowhere, the buffer is in Redis or
   * empty). Never decreases while entries are added in offset order.
   */
  retainedFrom(): number | null {
    this.skipGone();
    const head = this.retained[this.retainedHead];
    return head === undefined ? null : head.offset;
  }

  /**
   * Marks spilled, and returns, the entries absorbed at or before `absorbedBefore` (wall clock)
   * that still hold events and have no copy in Redis, oldest first, at most `limit`: the caller
   * copies them to Redis so that {@link retainedFrom} moves past them (an event far in the
   * future, or a quiet partition without idle advance, would otherwise keep every restart reading
   * the input from it).
   */
  spill(absorbedBefore: number, limit: number): SpilledEntry[] {
    const out: SpilledEntry[] = [];
    this.skipGone();
    for (let i = this.retainedHead; i < this.retained.length && out.length < limit; i += 1) {
      const entry = this.retained[i] as Entry;
      if (entry.absorbedAt > absorbedBefore) {
        break;
      }
      if (entry.live === 0 || entry.spilled) {
        continue;
      }
      entry.spilled = true;
      out.push({
        offset: entry.offset,
        last: entry.last,
        latest: entry.latest,
        bytes: entry.bytes ?? Buffer.from(JSON.stringify(entry.events)),
      });
    }
    this.skipGone();
    return out;
  }

  private skipGone(): void {
    const { retained } = this;
    let head = this.retainedHead;
    while (head < retained.length) {
      const entry = retained[head] as Entry;
      if (entry.live > 0 && !entry.spilled) {
        break;
      }
      head += 1;
    }
    if (head > 1_024 && head * 2 > retained.length) {
      retained.splice(0, head);
      head = 0;
    }
    this.retainedHead = head;
  }

  /**
   * Ends the absorbing checkpoint's hold on the objects: entries with events left keep an owned
   * copy of their JSON (the consumed bytes may share a fetch response's memory) and drop their
   * objects. An entry whose checkpoint released part of it (a replay of history, where the
   * watermark runs close behind the newest events) keeps only the JSON of the events left, so
   * they are not decoded again with the others each time some are released: always when it must
   * be encoded anyway, and when less than half of a consumed message is left.
   */
  seal(): void {
    for (const entryId of this.unsealed) {
      const entry = this.entries[entryId];
      if (entry === undefined || entry.events === null) {
        continue;
      }
      const { events } = entry;
      const live = (entry.slots ?? []).filter((slot) => this.entryOf[slot] === entryId);
      const repack =
        live.length < events.length && (entry.bytes === null || live.length * 2 < events.length);
      if (repack) {
        const kept = live.map((slot, position) => {
          const event = events[this.positions[slot] as number] as NormalizedEvent;
          this.positions[slot] = position;
          return event;
        });
        entry.bytes = Buffer.from(JSON.stringify(kept));
      } else {
        entry.bytes =
          entry.bytes === null ? Buffer.from(JSON.stringify(events)) : Buffer.from(entry.bytes);
      }
      entry.events = null;
      entry.slots = null;
    }
    this.unsealed.length = 0;
  }

  /** Time of the earliest buffered event. */
  peekTime(): number | undefined {
    return this.heapSize === 0 ? undefined : this.times[this.heap[0] as number];
  }

  timeOf(slot: number): number {
    return this.times[slot] as number;
  }

  /**
   * Removes from the heap, in (time, offset, index) order, the slots of events with time strictly
   * below `time`, at most `limit`; they stay allocated until {@link take} or {@link unpop}.
   */
  popBelow(time: number, limit = Number.POSITIVE_INFINITY): number[] {
    const out: number[] = [];
    while (this.heapSize > 0 && out.length < limit) {
      const top = this.heap[0] as number;
      if ((this.times[top] as number) >= time) {
        break;
      }
      this.pop();
      out.push(top);
    }
    return out;
  }

  /** Puts a popped slot back in the heap. */
  unpop(slot: number): void {
    this.push(slot);
  }

  /** The events of popped slots, in the given order; the slots are freed. */
  take(slots: readonly number[]): ReleasedEvent[] {
    const events = this.eventsOf(slots);
    return slots.map((slot, i) => {
      const item: ReleasedEvent = {
        slot,
        offset: this.offsets[slot] as number,
        index: this.indices[slot] as number,
        event: events[i] as NormalizedEvent,
      };
      this.release(slot);
      return item;
    });
  }

  eventsOf(slots: readonly number[]): NormalizedEvent[] {
    const decoded = new Map<number, readonly NormalizedEvent[]>();
    return slots.map((slot) => {
      const entryId = this.entryOf[slot] as number;
      let events = decoded.get(entryId);
      if (events === undefined) {
        const entry = this.entries[entryId];
        if (entry === undefined) {
          throw new Error(`slot ${slot} has no entry`);
        }
        events = entry.events ?? this.decode(entry.bytes as Buffer);
        decoded.set(entryId, events);
      }
      const event = events[this.positions[slot] as number];
      if (event === undefined) {
        throw new Error(`entry ${entryId} has no event ${this.positions[slot]}`);
      }
      return event;
    });
  }

  compareInput(left: number, right: number): number {
    return (
      (this.offsets[left] as number) - (this.offsets[right] as number) ||
      (this.indices[left] as number) - (this.indices[right] as number)
    );
  }

  private release(slot: number): void {
    const entryId = this.entryOf[slot] as number;
    const entry = this.entries[entryId] as Entry;
    entry.live -= 1;
    this.entryOf[slot] = -1;
    if (entry.live === 0) {
      this.entries[entryId] = undefined;
      this.freeEntries.push(entryId);
      // The retained list may still reference it (behind an older live entry): not its bytes.
      entry.bytes = null;
      entry.events = null;
      entry.slots = null;
    }
    this.freeSlots[this.freeCount] = slot;
    this.freeCount += 1;
  }

  private allocate(): number {
    if (this.freeCount > 0) {
      this.freeCount -= 1;
      return this.freeSlots[this.freeCount] as number;
    }
    if (this.slotTop === this.times.length) {
      this.grow(this.times.length * 2);
    }
    const slot = this.slotTop;
    this.slotTop += 1;
    return slot;
  }

  private grow(capacity: number): void {
    const grown = <T extends Float64Array | Int32Array>(from: T, make: (n: number) => T): T => {
      const to = make(capacity);
      to.set(from);
      return to;
    };
    this.times = grown(this.times, (n) => new Float64Array(n));
    this.offsets = grown(this.offsets, (n) => new Float64Array(n));
    this.indices = grown(this.indices, (n) => new Int32Array(n));
    this.positions = grown(this.positions, (n) => new Int32Array(n));
    this.entryOf = grown(this.entryOf, (n) => new Int32Array(n));
    this.heap = grown(this.heap, (n) => new Int32Array(n));
    this.freeSlots = grown(this.freeSlots, (n) => new Int32Array(n));
  }

  /** (time, offset, index) order of two slots: negative when `left` comes first. */
  private less(left: number, right: number): boolean {
    const times = this.times;
    const byTime = (times[left] as number) - (times[right] as number);
    return byTime < 0 || (byTime === 0 && this.compareInput(left, right) < 0);
  }

  private push(slot: number): void {
    // Hot loops: every index read below is within 0 .. heapSize, so the casts hold.
    const heap = this.heap;
    let index = this.heapSize;
    this.heapSize += 1;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      const above = heap[parent] as number;
      if (!this.less(slot, above)) {
        break;
      }
      heap[index] = above;
      index = parent;
    }
    heap[index] = slot;
  }

  private pop(): void {
    const heap = this.heap;
    this.heapSize -= 1;
    const length = this.heapSize;
    if (length === 0) {
      return;
    }
    const last = heap[length] as number;
    let index = 0;
    for (;;) {
      const left = 2 * index + 1;
      if (left >= length) {
        break;
      }
      const right = left + 1;
      const child =
        right < length && this.less(heap[right] as number, heap[left] as number) ? right : left;
      const below = heap[child] as number;
      if (!this.less(below, last)) {
        break;
      }
      heap[index] = below;
      index = child;
    }
    heap[index] = last;
  }
}
