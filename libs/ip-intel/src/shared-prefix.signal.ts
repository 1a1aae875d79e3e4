import { PREFIX_LENGTHS, usualIpCount } from './signal';
import type { SignalContext, SignalFinding } from './signal';

/** Fires when usual IPs share the /24 (/48 for IPv6), or else the /16 (/32), of the new IP. */
export function sharedPrefixSignal(context: SignalContext): SignalFinding | null {
  const { narrow, wide } = PREFIX_LENGTHS[context.candidate.version];
  const { sameNarrowPrefix, sameWidePrefix } = context.summary;
  if (sameNarrowPrefix > 0) {
    return {
      signal: 'sameNarrowPrefix',
      reason: `same /${narrow} as ${usualIpCount(sameNarrowPrefix)}`,
    };
  }
  if (sameWidePrefix > 0) {
    return { signal: 'sameWidePrefix', reason: `same /${wide} as ${usualIpCount(sameWidePrefix)}` };
  }
  return null;
}
