import { Reader } from 'mmdb-lib';
import type { Response } from 'mmdb-lib';

import { IpDataError } from './ip-data.error';

function countryCode(record: unknown): string | null {
  if (typeof record !== 'object' || record === null) {
    return null;
  }
  const code = (record as { country_code?: unknown }).country_code;
  return typeof code === 'string' && /^[A-Z]{2}$/.test(code) ? code : null;
}

/** IP → ISO 3166-1 alpha-2 country, from an ip-location-db country MMDB read with mmdb-lib. */
export class CountryDatabase {
  private readonly reader: Reader<Response>;

  constructor(mmdb: Buffer) {
    try {
      this.reader = new Reader<Response>(mmdb);
    } catch (error) {
      throw new IpDataError('country MMDB cannot be read', { cause: error });
    }
  }

  /** When the database was built. */
  get buildTime(): Date {
    return this.reader.metadata.buildEpoch;
  }

  /** Country code of a canonical IP text, or null when the database has none. */
  countryOf(ip: string): string | null {
    return countryCode(this.reader.get(ip));
  }
}
