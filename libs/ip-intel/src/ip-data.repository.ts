import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

import { parseAsnCsv } from './asn-csv.parser';
import type { AsnRangeTable } from './asn-range-table';
import { CountryDatabase } from './country-database';
import { ASN_DATA_SOURCE, COUNTRY_DATA_SOURCE } from './ip-data.constants';
import { IpDataError } from './ip-data.error';
import type { IpWords } from './ip-words';
import type { IpIntel, NetworkInfo } from './network-info';

/** Where the data files are; {@link installedIpDataFiles} finds those of the npm packages. */
export interface IpDataFiles {
  asnIpv4Csv: string;
  asnIpv6Csv: string;
  countryMmdb: string;
}

/** Sizes of what is loaded, for docs and health output. */
export interface IpDataStats {
  ipv4Ranges: number;
  ipv6Ranges: number;
  rangeBytes: number;
  countryBuildTime: string;
}

function packageDir(resolve: () => string, packageName: string): string {
  try {
    return dirname(resolve());
  } catch (error) {
    throw new IpDataError(`IP data package ${packageName} is not installed (run npm install)`, {
      cause: error,
    });
  }
}

/** The data files of the installed `@ip-location-db/*` packages (resolved, not read). */
export function installedIpDataFiles(): IpDataFiles {
  const asnDir = packageDir(
    () => require.resolve('@ip-location-db/asn/package.json'),
    ASN_DATA_SOURCE.packageName,
  );
  const countryDir = packageDir(
    () => require.resolve('@ip-location-db/geo-whois-asn-country-mmdb/package.json'),
    COUNTRY_DATA_SOURCE.packageName,
  );
  return {
    asnIpv4Csv: join(asnDir, 'asn-ipv4.csv'),
    asnIpv6Csv: join(asnDir, 'asn-ipv6.csv'),
    countryMmdb: join(countryDir, 'geo-whois-asn-country.mmdb'),
  };
}

function readDataFile(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    throw new IpDataError(`IP data file ${path} cannot be read`, { cause: error });
  }
}

/**
 * Offline IP → ASN/country lookups over the installed data packages. Each part (IPv4 ranges, IPv6
 * ranges, country MMDB) is read on its first use and kept for the life of the process.
 */
export class IpDataRepository implements IpIntel {
  private ipv4: AsnRangeTable | null = null;
  private ipv6: AsnRangeTable | null = null;
  private countries: CountryDatabase | null = null;

  constructor(private readonly files: IpDataFiles) {}

  lookup(ip: IpWords): NetworkInfo {
    const match = this.table(ip.version).lookup(ip);
    return {
      asn: match?.asn ?? null,
      asOrganization: match?.organization ?? null,
      country: this.countryDatabase().countryOf(ip.text),
    };
  }

  /** Loads every part now, e.g. at service start, so that no evaluation pays for it. */
  load(): IpDataStats {
    const ipv4 = this.table(4);
    const ipv6 = this.table(6);
    return {
      ipv4Ranges: ipv4.size,
      ipv6Ranges: ipv6.size,
      rangeBytes: ipv4.byteLength + ipv6.byteLength,
      countryBuildTime: this.countryDatabase().buildTime.toISOString(),
    };
  }

  private table(version: 4 | 6): AsnRangeTable {
    if (version === 4) {
      return (this.ipv4 ??= parseAsnCsv(readDataFile(this.files.asnIpv4Csv), 4));
    }
    return (this.ipv6 ??= parseAsnCsv(readDataFile(this.files.asnIpv6Csv), 6));
  }

  private countryDatabase(): CountryDatabase {
    return (this.countries ??= new CountryDatabase(readDataFile(this.files.countryMmdb)));
  }
}

let shared: IpDataRepository | null = null;

/** The process-wide repository over the installed packages, created on first call. */
export function sharedIpData(): IpDataRepository {
  return (shared ??= new IpDataRepository(installedIpDataFiles()));
}
