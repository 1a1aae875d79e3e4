import { topValues, usualIpCount } from './signal';
import type { SignalContext, SignalFinding } from './signal';

/** Fires when the new IP's country is, or is not, a country of the usual IPs (both known). */
export function sameCountrySignal(context: SignalContext): SignalFinding | null {
  const { candidate, summary } = context;
  const country = candidate.country;
  if (country === null || summary.withCountry === 0) {
    return null;
  }
  if (summary.sameCountry > 0) {
    return {
      signal: 'sameCountry',
      reason: `same country ${country} as ${usualIpCount(summary.sameCountry)}`,
    };
  }
  const usual = topValues(
    context.usual,
    (profile) => profile.country,
    (code) => code,
  );
  return { signal: 'differentCountry', reason: `different country (${country} vs usual ${usual})` };
}
