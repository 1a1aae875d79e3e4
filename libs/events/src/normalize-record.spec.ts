import { normalizeRecord } from './normalize-record';
import { InvalidReason } from './normalized-event';

import type { NormalizeResult } from './normalized-event';

const actionTrail = {
  eventId: 'A1',
  eventTime: '2026-03-10T02:03:04Z',
  acsRegion: 'cn-hangzhou',
  sourceIpAddress: '42.120.1.2',
  userIdentity: { accountId: '1234', principalId: 'p-1', type: 'ram-user' },
  recipientAccountId: '5678',
  userAgent: 'aliyun-cli',
  eventName: 'DescribeInstances',
};

const cloudTrail = {
  eventID: 'c-1',
  eventTime: '2026-03-10T02:03:04Z',
  awsRegion: 'us-east-1',
  sourceIPAddress: '3.225.16.109',
  eventSource: 'ec2.amazonaws.com',
  recipientAccountId: '218007301253',
  userIdentity: { accountId: '999', principalId: 'AIDA' },
  errorCode: 'AccessDenied',
};

function ok(result: NormalizeResult) {
  if (!result.ok) {
    throw new Error(`expected a valid record, got ${result.reason}`);
  }
  return result.event;
}

function reason(result: NormalizeResult): InvalidReason | null {
  return result.ok ? null : result.reason;
}

describe(normalizeRecord.name, () => {
  it('normalizes an ActionTrail record, account from userIdentity first', () => {
    expect(ok(normalizeRecord(actionTrail))).toEqual({
      time: Date.UTC(2026, 2, 10, 2, 3, 4),
      eventId: 'A1',
      accountId: '1234',
      region: 'cn-hangzhou',
      isGlobal: false,
      sourceIp: '42.120.1.2',
      provider: 'actiontrail',
      userAgent: 'aliyun-cli',
      principalId: 'p-1',
      eventName: 'DescribeInstances',
      errorCode: null,
    });
  });

  it('normalizes a CloudTrail record, account from recipientAccountId first', () => {
    const event = ok(normalizeRecord(cloudTrail));
    expect(event).toMatchObject({
      accountId: '218007301253',
      eventId: 'c-1',
      region: 'us-east-1',
      provider: 'cloudtrail',
    });
    expect(event.errorCode).toBe('AccessDenied');
  });

  it('decodes an SLS row once and detects the shape inside', () => {
    expect(
      ok(normalizeRecord({ event: JSON.stringify(cloudTrail), __topic__: 'x' })).provider,
    ).toBe('cloudtrail');
    expect(ok(normalizeRecord({ event: JSON.stringify(actionTrail) })).accountId).toBe('1234');
    expect(reason(normalizeRecord({ event: '{not json' }))).toBe(InvalidReason.BadSlsEvent);
    expect(reason(normalizeRecord({ event: '[1]' }))).toBe(InvalidReason.BadSlsEvent);
    expect(
      reason(normalizeRecord({ event: JSON.stringify({ event: JSON.stringify(actionTrail) }) })),
    ).toBe(InvalidReason.InvalidTime);
  });

  it('treats a record with an awsRegion key as CloudTrail even when it is not a string', () => {
    expect(reason(normalizeRecord({ ...actionTrail, awsRegion: null }))).toBe(
      InvalidReason.MissingEventId,
    );
  });

  it.each([
    [{ userIdentity: { accountId: 100.0 } }, '100'],
    [{ userIdentity: { accountId: 1e2 } }, '100'],
    [{ userIdentity: { accountId: -7 } }, '-7'],
    [{ userIdentity: { accountId: 2 ** 53 - 1 } }, '9007199254740991'],
    [{ userIdentity: { accountId: 2 ** 53 } }, '5678'],
    [{ userIdentity: { accountId: 1.5 } }, '5678'],
    [{ userIdentity: { accountId: '' } }, '5678'],
    [{ userIdentity: { accountId: true } }, '5678'],
    [{ userIdentity: 'x' }, '5678'],
    [{ userIdentity: { accountId: ' ' } }, ' '],
  ])('picks the first usable account of %j', (patch, expected) => {
    expect(ok(normalizeRecord({ ...actionTrail, ...patch })).accountId).toBe(expected);
  });

  it('rejects a record without any usable account', () => {
    expect(
      reason(normalizeRecord({ ...actionTrail, userIdentity: {}, recipientAccountId: 2 ** 60 })),
    ).toBe(InvalidReason.MissingAccount);
  });

  it.each([
    [{ eventTime: 'redacted' }, InvalidReason.InvalidTime],
    [{ eventTime: undefined }, InvalidReason.InvalidTime],
    [{ eventTime: 1_700_000_000_000 }, InvalidReason.InvalidTime],
    [{ eventId: '' }, InvalidReason.MissingEventId],
    [{ eventId: 7 }, InvalidReason.MissingEventId],
    [{ acsRegion: '' }, InvalidReason.MissingRegion],
    [{ acsRegion: ['cn'] }, InvalidReason.MissingRegion],
  ])('rejects %j', (patch, expected) => {
    expect(reason(normalizeRecord({ ...actionTrail, ...patch }))).toBe(expected);
  });

  it.each([null, 3, 'x', [actionTrail]])('rejects the non-object %j', (value) => {
    expect(reason(normalizeRecord(value))).toBe(InvalidReason.NotAnObject);
  });

  it.each([
    [{ isGlobal: true }, true],
    [{ isGlobal: 'TRUE' }, true],
    [{ isGlobal: 'True' }, true],
    [{ isGlobal: 'false' }, false],
    [{ isGlobal: 1 }, false],
    [{ acsRegion: 'global' }, true],
    [{ acsRegion: 'Global' }, false],
  ])('reads the ActionTrail global flag from %j', (patch, expected) => {
    expect(ok(normalizeRecord({ ...actionTrail, ...patch })).isGlobal).toBe(expected);
  });

  it.each([
    ['iam.amazonaws.com', true],
    ['sts.amazonaws.com', true],
    ['signin.amazonaws.com', true],
    ['organizations.amazonaws.com', true],
    ['route53.amazonaws.com', true],
    ['cloudfront.amazonaws.com', true],
    ['s3.amazonaws.com', false],
    ['IAM.amazonaws.com', false],
    ['iam', false],
  ])('reads CloudTrail eventSource %s as global=%s', (eventSource, expected) => {
    expect(ok(normalizeRecord({ ...cloudTrail, eventSource })).isGlobal).toBe(expected);
  });

  it.each([
    ['ecs.aliyuncs.com', null],
    ['AWS Internal', null],
    ['', null],
    [42, null],
    ['::ffff:42.120.1.2', '42.120.1.2'],
    ['2001:DB8::0:1', '2001:db8::1'],
    ['253.252.51.07', null],
  ])('canonicalizes source %j to %j', (sourceIpAddress, expected) => {
    expect(ok(normalizeRecord({ ...actionTrail, sourceIpAddress })).sourceIp).toBe(expected);
  });
});
