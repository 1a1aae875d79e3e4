import { parseIpAddress, toIpv6Space } from '@trail-insight/events';

import type { InsightFilter, InsightRecord } from './console-web.types';

const ALL_ONES = (1n << 128n) - 1n;

function inBlock(ip: string, block: NonNullable<InsightFilter['ip']>): boolean {
  const address = parseIpAddress(ip);
  if (address === null) {
    return false;
  }
  const mask =
    block.prefixLength === 0 ? 0n : (ALL_ONES << BigInt(128 - block.prefixLength)) & ALL_ONES;
  return (toIpv6Space(address) & mask) === block.network;
}

/**
 * Whether a record passes the filter. The time range selects insights whose activity overlaps
 * `[from, to)`: first operation before `to` and last operation at or after `from`.
 */
export function matchesInsightFilter(record: InsightRecord, filter: InsightFilter): boolean {
  const { insight } = record;
  const start = Date.parse(insight.startTime);
  const end = Date.parse(insight.endTime);
  if (end < filter.from || (filter.to !== null && start >= filter.to)) {
    return false;
  }
  if (filter.region !== null && insight.region !== filter.region) {
    return false;
  }
  if (filter.accountId !== null && insight.accountId !== filter.accountId) {
    return false;
  }
  if (filter.states !== null && !filter.states.includes(record.state)) {
    return false;
  }
  return filter.ip === null || inBlock(insight.sourceIpAddress, filter.ip);
}
