/**
 * Records which parts of an {@link AccountState} an engine call touched, so a durable store can
 * write only those (and the account's counters) instead of the whole state.
 */
export class StateChanges {
  /** `region\u0000ip` keys whose usual entry was set or deleted. */
  readonly usual = new Set<string>();
  /** `region\u0000ip` keys whose window was set or deleted. */
  readonly windows = new Set<string>();
  /** Event ids counted, with their times. */
  readonly ids: Array<[string, number]> = [];

  static key(region: string, ip: string): string {
    return `${region}\u0000${ip}`;
  }

  static split(key: string): [region: string, ip: string] {
    const separator = key.indexOf('\u0000');
    return [key.slice(0, separator), key.slice(separator + 1)];
  }

  get isEmpty(): boolean {
    return this.usual.size === 0 && this.windows.size === 0 && this.ids.length === 0;
  }

  clear(): void {
    this.usual.clear();
    this.windows.clear();
    this.ids.length = 0;
  }
}
