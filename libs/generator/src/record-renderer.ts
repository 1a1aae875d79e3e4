import type { ScheduledEvent } from './trail-schedule';
import type { AccountPlan } from './trail-plan';

/** Turns scheduled events into record JSON text (one line, no trailing newline). */
export interface RecordRenderer {
  render(account: AccountPlan, event: ScheduledEvent): string;
}

/** Replaces the `{region}` and `{account}` placeholders of catalog templates. */
export function fillTemplate(template: string, region: string, accountId: string): string {
  return template.replaceAll('{region}', region).replaceAll('{account}', accountId);
}
