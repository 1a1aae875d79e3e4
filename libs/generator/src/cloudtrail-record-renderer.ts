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
      type: 'IAMUser',
      principalId: principal.principalId,
      arn: `arn:aws:iam::${accountId}:user/${principal.userName}`,
      accountId,
      accessKeyId: principal.accessKeyId,
      userName: principal.userName,
    });
  }
  return JSON.stringify({
    type: 'AssumedRole',
    principalId: `${principal.principalId}:${principal.sessionName}`,
    arn: `arn:aws:sts::${accountId}:assumed-role/${principal.roleName}/${principal.sessionName}`,
    accountId,
    accessKeyId: principal.accessKeyId,
    sessionContext: {
      sessionIssuer: {
        type: 'Role',
        principalId: principal.principalId,
        arn: `arn:aws:iam::${accountId}:role/${principal.roleName}`,
        accountId,
        userName: principal.roleName,
      },
      attributes: { mfaAuthenticated: 'false' },
    },
  });
}

function hostOf(operation: OperationSpec, region: string): string {
  return operation.fixedRegion === undefined
    ? `${operation.service}.${region}.amazonaws.com`
    : `${operation.service}.amazonaws.com`;
}

/**
 * CloudTrail records as S3 delivery writes them (eventVersion 1.08). Fragments that depend only on
 * (principal, operation, region) are rendered once and cached.
 */
export class CloudTrailRecordRenderer implements RecordRenderer {
  private readonly identities = new Map<number, string>();
  private readonly fragments = new Map<number, string>();
  private readonly parameters = new Map<number, string>();
  private readonly tails = new Map<number, string>();
  private readonly errors: readonly string[];

  constructor(private readonly plan: TrailPlan) {
    this.errors = errorFragmentsOf(plan);
  }

  render(account: AccountPlan, event: ScheduledEvent): string {
    const operation = itemAt(this.plan.catalog.operations, event.operation, 'operation');
    const region = itemAt(account.regions, event.region, 'region');
    const time = eventTimeTextOf(event);
    let text =
      '{"eventVersion":"1.08","userIdentity":' +
      this.identity(account, event) +
      ',"eventTime":"' +
      time +
      '"' +
      this.cached(this.fragments, account, event, operation, region, 'fragment') +
      ',"sourceIPAddress":"' +
      event.address +
      '","userAgent":"' +
      event.agent +
      '"' +
      (event.failed ? this.errors[event.operation] : '') +
      this.cached(this.parameters, account, event, operation, region, 'parameters') +
      ',"requestID":"' +
      event.requestId +
      '","eventID":"' +
      event.eventId +
      '"' +
      this.cached(this.tails, account, event, operation, region, 'tail') +
      '}';
    if (event.flaw !== RecordFlaw.None) {
      text = this.applyFlaw(text, event, account, operation, region);
    }
    return text;
  }

  private identity(account: AccountPlan, event: ScheduledEvent): string {
    const principal = itemAt(account.principals, event.principal, 'principal');
    if (principal.kind === 'service') {
      return '{"type":"AWSService","invokedBy":"' + event.address + '"}';
    }
    const key = account.index * 16 + event.principal;
    let identity = this.identities.get(key);
    if (identity === undefined) {
      identity = identityOf(principal, account.accountId);
      this.identities.set(key, identity);
    }
    return identity;
  }

  private cached(
    cache: Map<number, string>,
    account: AccountPlan,
    event: ScheduledEvent,
    operation: OperationSpec,
    region: string,
    part: 'fragment' | 'parameters' | 'tail',
  ): string {
    const key = ((account.index * 256 + event.operation) * 16 + event.parameter) * 8 + event.region;
    let text = cache.get(key);
    if (text !== undefined) {
      return text;
    }
    switch (part) {
      case 'fragment':
        text =
          `,"eventSource":${JSON.stringify(operation.eventSource)}` +
          `,"eventName":${JSON.stringify(operation.eventName)},"awsRegion":${JSON.stringify(region)}`;
        break;
      case 'parameters':
        text = `,"requestParameters":${fillTemplate(itemAt(operation.parameters, event.parameter, 'parameters'), region, account.accountId)},"responseElements":null`;
        break;
      case 'tail':
        text =
          `,"readOnly":${operation.readOnly},"eventType":"AwsApiCall","managementEvent":true` +
          `,"recipientAccountId":"${account.accountId}","eventCategory":"Management"` +
          `,"tlsDetails":{"tlsVersion":"TLSv1.3","cipherSuite":"TLS_AES_128_GCM_SHA256","clientProvidedHostHeader":"${hostOf(operation, region)}"}`;
        break;
    }
    cache.set(key, text);
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
        return text.replace(`,"eventID":"${event.eventId}"`, '');
      case RecordFlaw.MissingRegion:
        return text.replace(`"awsRegion":"${region}"`, '"awsRegion":""');
      case RecordFlaw.MissingAccount:
        return text
          .replaceAll(`"accountId":"${account.accountId}",`, '')
          .replace(`,"recipientAccountId":"${account.accountId}"`, '');
      case RecordFlaw.BrokenJson:
        return text.slice(0, Math.floor(text.length * 0.6));
      case RecordFlaw.NanValue:
        return text.replace(`"readOnly":${operation.readOnly}`, '"readOnly":NaN');
      case RecordFlaw.None:
      case RecordFlaw.RedactedTime:
      case RecordFlaw.DateOnlyTime:
        return text;
    }
  }
}
