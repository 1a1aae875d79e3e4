import type { NormalizedEvent } from '@trail-insight/events';

/** Distinct strings a pool holds before it starts afresh (a bound on its own memory). */
const DEFAULT_CAPACITY = 100_000;

/**
 * One copy of each repeated string of the buffered events. The reorder buffer holds rate ×
 * lateness events in memory (millions live), and every parsed event carries its own copies of
 * its account, region, IP, user agent, principal, event name and error code, which repeat from
 * event to event: sharing them shrinks the buffer's heap and the garbage collector's work. Equal
 * strings are interchangeable, so this changes no result. Bounded: when `capacity` distinct
 * strings are held, the pool is cleared and fills again.
 */
export class StringPool {
  private readonly strings = new Map<string, string>();

  constructor(private readonly capacity = DEFAULT_CAPACITY) {}

  intern(value: string): string {
    const held = this.strings.get(value);
    if (held !== undefined) {
      return held;
    }
    if (this.strings.size >= this.capacity) {
      this.strings.clear();
    }
    this.strings.set(value, value);
    return value;
  }

  /** Replaces the event's repeated strings by the pool's copies (in place; its id stays its own). */
  internEvent(event: NormalizedEvent): void {
    event.accountId = this.intern(event.accountId);
    event.region = this.intern(event.region);
    event.sourceIp = this.internNullable(event.sourceIp);
    event.userAgent = this.internNullable(event.userAgent);
    event.principalId = this.internNullable(event.principalId);
    event.eventName = this.internNullable(event.eventName);
    event.errorCode = this.internNullable(event.errorCode);
  }

  private internNullable(value: string | null): string | null {
    return value === null ? null : this.intern(value);
  }
}
