import type { IpWords } from './ip-words';

/** The autonomous system an address belongs to. */
export interface AsnMatch {
  asn: number;
  organization: string | null;
}

/**
 * Sorted, non-overlapping inclusive IP ranges with their ASN, held in typed arrays and searched
 * by bisection: one IP family per table, `width` words per address (1 for IPv4, 4 for IPv6).
 */
export class AsnRangeTable {
  private readonly width: number;

  constructor(
    readonly version: 4 | 6,
    private readonly starts: Uint32Array,
    private readonly ends: Uint32Array,
    private readonly asns: Uint32Array,
    private readonly organizations: ReadonlyMap<number, string>,
  ) {
    this.width = version === 4 ? 1 : 4;
  }

  /** Number of ranges. */
  get size(): number {
    return this.asns.length;
  }

  /** Bytes held by the typed arrays (organization names not included). */
  get byteLength(): number {
    return this.starts.byteLength + this.ends.byteLength + this.asns.byteLength;
  }

  /** Number of distinct autonomous systems with a name. */
  get organizationCount(): number {
    return this.organizations.size;
  }

  lookup(ip: IpWords): AsnMatch | null {
    if (ip.version !== this.version) {
      return null;
    }
    let low = 0;
    let high = this.asns.length - 1;
    let found = -1;
    while (low <= high) {
      const middle = (low + high) >>> 1;
      if (this.compare(this.starts, middle, ip.words) <= 0) {
        found = middle;
        low = middle + 1;
      } else {
        high = middle - 1;
      }
    }
    if (found === -1 || this.compare(this.ends, found, ip.words) < 0) {
      return null;
    }
    const asn = this.asns[found]!; // a row found by the bisection above
    return { asn, organization: this.organizations.get(asn) ?? null };
  }

  organizationOf(asn: number): string | null {
    return this.organizations.get(asn) ?? null;
  }

  private compare(array: Uint32Array, row: number, words: IpWords['words']): number {
    const offset = row * this.width;
    for (let index = 0; index < this.width; index += 1) {
      // Hot loop: row < rows and index < width <= 4, the length of the words tuple.
      const left = array[offset + index]!;
      const right = words[index]!;
      if (left !== right) {
        return left < right ? -1 : 1;
      }
    }
    return 0;
  }
}
