import { formatEventTime } from './event-time-text.util';
import { RecordFlaw } from './trail-schedule';

import type { ScheduledEvent } from './trail-schedule';
import type { AccountPlan, TrailPlan } from './trail-plan';

/** Turns scheduled events into record JSON text (one line, no trailing newline). */
export interface RecordRenderer {
  render(account: AccountPlan, event: ScheduledEvent): string;
}

/** Replaces the `{region}` and `{account}` placeholders of catalog templates. */
export function fillTemplate(template: string, region: string, accountId: string): string {
  return template.replaceAll('{region}', region).replaceAll('{account}', accountId);
}

/** `,"errorCode":…,"errorMessage":…` of each catalog operation, by operation index. */
export function errorFragmentsOf(plan: TrailPlan): readonly string[] {
  return plan.catalog.operations.map(
    (operation) =>
      `,"errorCode":${JSON.stringify(operation.error.code)},"errorMessage":${JSON.stringify(operation.error.message)}`,
  );
}

/** The `eventTime` text of an event, flawed as its schedule asks (`redacted`, a date alone). */
export function eventTimeTextOf(event: ScheduledEvent): string {
  if (event.flaw === RecordFlaw.RedactedTime) {
    return 'redacted';
  }
  const text = formatEventTime(event.time);
  return event.flaw === RecordFlaw.DateOnlyTime ? text.slice(0, 10) : text;
}
