import { itemAt } from './item-at.util';
import { errorFragmentsOf, eventTimeTextOf, fillTemplate } from './record-renderer';
import { RecordFlaw } from './trail-schedule';

import type { RecordRenderer } from './record-renderer';
import type { OperationSpec } from './trail-catalog';
import type { AccountPlan, Principal, TrailPlan } from './trail-plan';
import type { ScheduledEvent } from './trail-schedule';

function identityOf(principal: Principal, accountId: string): string {
  if (principal.kind === 'user') {
    return JSON.stringify({
      type: 'ram-user',
      principalId: principal.principalId,
      accountId,
      accessKeyId: principal.accessKeyId,
      userName: principal.userName,
    });
  }
  return JSON.stringify({
    type: 'assumed-role',
    principalId: `${principal.principalId}:${principal.sessionName}`,
    accountId,
    accessKeyId: principal.accessKeyId,
    userName: `${principal.roleName}:${principal.sessionName}`,
    sessionContext: { attributes: { mfaAuthenticated: 'false' } },
  });
}

/**
 * ActionTrail management events as OSS delivery writes them. Everything that depends only on
 * (principal, operation, region) is rendered once and cached; an event costs a few concatenations.
 */
export class ActionTrailRecordRenderer implements RecordRenderer {
  private readonly fragments = new Map<number, string>();
  private readonly parameters = new Map<number, string>();
  private readonly errors: readonly string[];

  constructor(private readonly plan: TrailPlan) {
    this.errors = errorFragmentsOf(plan);
  }

  render(account: AccountPlan, event: ScheduledEvent): string {
    const operation = itemAt(this.plan.catalog.operations, event.operation, 'operation');
    const region = itemAt(account.regions, event.region, 'region');
    const id = event.eventId;
    const time = eventTimeTextOf(event);
    let text =
      '{"eventId":"' +
      id +
      '","eventVersion":"1","sourceIpAddress":"' +
      event.address +
      '","userAgent":"' +
      event.agent +
      '"' +
      this.fragment(account, event, operation, region) +
      ',"requestId":"' +
      id +
      '","eventTime":"' +
      time +
      '"' +
      this.parameter(account, event, operation, region) +
      (event.failed ? this.errors[event.operation] : '') +
      '}';
    if (event.flaw !== RecordFlaw.None) {
      text = this.applyFlaw(text, event, account, operation, region);
    }
    if (event.slsRow) {
      text =
        '{"__topic__":"actiontrail_audit_event","__source__":"actiontrail_internal","__time__":"' +
        Math.floor(event.time / 1000) +
        '","event":' +
        JSON.stringify(text) +
        '}';
    }
    return text;
  }

  private fragment(
    account: AccountPlan,
    event: ScheduledEvent,
    operation: OperationSpec,
    region: string,
  ): string {
    const key = ((account.index * 16 + event.principal) * 256 + event.operation) * 8 + event.region;
    let fragment = this.fragments.get(key);
    if (fragment === undefined) {
      const principal = itemAt(account.principals, event.principal, 'principal');
      fragment =
        `,"eventSource":${JSON.stringify(fillTemplate(operation.eventSource, region, account.accountId))}` +
        `,"eventType":"ApiCall","serviceName":${JSON.stringify(operation.service)}` +
        `,"userIdentity":${identityOf(principal, account.accountId)}` +
        `,"eventName":${JSON.stringify(operation.eventName)}` +
        `,"eventRW":"${operation.readOnly ? 'Read' : 'Write'}"` +
        `,"acsRegion":${JSON.stringify(region)},"isGlobal":${operation.global}` +
        ',"eventCategory":"Management"';
      this.fragments.set(key, fragment);
    }
    return fragment;
  }

  private parameter(
    account: AccountPlan,
    event: ScheduledEvent,
    operation: OperationSpec,
    region: string,
  ): string {
    const key = ((account.index * 256 + event.operation) * 16 + event.parameter) * 8 + event.region;
    let text = this.parameters.get(key);
    if (text === undefined) {
      const template = itemAt(operation.parameters, event.parameter, 'parameters');
      text =
        `,"requestParameters":${fillTemplate(template, region, account.accountId)}` +
        (operation.apiVersion === undefined ? '' : `,"apiVersion":"${operation.apiVersion}"`);
      this.parameters.set(key, text);
    }
    return text;
  }

  private applyFlaw(
    text: string,
    event: ScheduledEvent,
    account: AccountPlan,
    operation: OperationSpec,
    region: string,
  ): string {
    switch (event.flaw) {
      case RecordFlaw.MissingEventId:
        return text.replace(`{"eventId":"${event.eventId}",`, '{');
      case RecordFlaw.MissingRegion:
        return text.replace(`"acsRegion":"${region}"`, '"acsRegion":""');
      case RecordFlaw.MissingAccount:
        return text.replaceAll(`"accountId":"${account.accountId}",`, '');
      case RecordFlaw.BrokenJson:
        return text.slice(0, Math.floor(text.length * 0.6));
      case RecordFlaw.NanValue:
        return text.replace(`"isGlobal":${operation.global}`, '"isGlobal":NaN');
      case RecordFlaw.None:
      case RecordFlaw.RedactedTime:
      case RecordFlaw.DateOnlyTime:
        return text;
    }
  }
}
