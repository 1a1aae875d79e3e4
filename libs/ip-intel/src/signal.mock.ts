import { profileIp } from './ip-profile';
import type { IpProfile } from './ip-profile';
import { mockEvent, StaticIpIntel, TEST_NETWORKS } from './network-info.mock';
import { summarizeUsual } from './signal';
import type { SignalContext } from './signal';

const intel = new StaticIpIntel(TEST_NETWORKS);

/** Profile of an address over {@link TEST_NETWORKS}. */
export function testProfile(ip: string): IpProfile {
  const profile = profileIp(ip, intel);
  if (profile === null) {
    throw new RangeError(ip);
  }
  return profile;
}

/** A signal context for a new IP and usual IPs (all last seen at `lastSeen`, default 10:00 UTC). */
export function signalContext(
  candidate: string,
  usual: readonly string[],
  options: { time?: number; lastSeen?: readonly number[] } = {},
): SignalContext {
  const time = options.time ?? Date.UTC(2026, 2, 10, 9, 30);
  const profiles = usual.map((ip, index) => ({
    profile: testProfile(ip),
    lastSeen: options.lastSeen?.[index] ?? Date.UTC(2026, 2, 9, 10, 0),
  }));
  const profile = testProfile(candidate);
  return {
    candidate: profile,
    usual: profiles,
    summary: summarizeUsual(profile, profiles),
    time,
    event: mockEvent({ time, sourceIp: candidate }),
  };
}
