import { utcHour } from './signal';
import type { SignalContext, SignalFinding } from './signal';

/** When the off-hours signal may fire. */
export interface OffHoursOptions {
  /** Fewer usual IPs than this say too little about the account's hours. */
  minUsualIps: number;
  /** Fires when the hour is more than this many hours from every usual IP's last activity. */
  gapHours: number;
}

/**
 * Fires when the opening operation's UTC hour is far from the hours at which the usual IPs were last
 * active (their last-seen times are the only record of the account's hours a model is given).
 */
export function offHoursSignal(
  context: SignalContext,
  options: OffHoursOptions,
): SignalFinding | null {
  const { summary } = context;
  if (summary.count < options.minUsualIps) {
    return null;
  }
  const hour = utcHour(context.time);
  let nearest = 12;
  for (let usualHour = 0; usualHour < 24; usualHour += 1) {
    if ((summary.lastSeenHours & (1 << usualHour)) !== 0) {
      const distance = Math.abs(usualHour - hour);
      nearest = Math.min(nearest, distance, 24 - distance);
    }
  }
  if (nearest <= options.gapHours) {
    return null;
  }
  const label = String(hour).padStart(2, '0');
  return {
    signal: 'offHours',
    reason: `off-hours: ${label}h UTC is ${nearest} h from any usual IP's last activity`,
  };
}
