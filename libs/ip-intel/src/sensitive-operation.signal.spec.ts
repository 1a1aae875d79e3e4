import { sensitiveOperationSignal } from './sensitive-operation.signal';
import { mockEvent } from './network-info.mock';
import { signalContext } from './signal.mock';

function withEvent(eventName: string | null, errorCode: string | null = null) {
  const context = signalContext('45.55.1.1', ['115.192.1.1']);
  return { ...context, event: mockEvent({ eventName, errorCode }) };
}

describe(sensitiveOperationSignal.name, () => {
  it.each(['CreateAccessKey', 'AttachPolicyToUser', 'StopLogging', 'GetCallerIdentity'])(
    'fires for %s',
    (name) => {
      expect(sensitiveOperationSignal(withEvent(name))).toEqual({
        signal: 'sensitiveOperation',
        reason: `opening operation ${name} manages credentials, identities or the trail`,
      });
    },
  );

  it.each(['AccessDenied', 'NoPermission', 'Forbidden.RAM', 'UnauthorizedOperation'])(
    'fires for a refused operation (%s)',
    (errorCode) => {
      expect(sensitiveOperationSignal(withEvent('DescribeInstances', errorCode))?.reason).toBe(
        `opening DescribeInstances refused (${errorCode})`,
      );
    },
  );

  it('stays quiet for ordinary operations and errors', () => {
    expect(sensitiveOperationSignal(withEvent('DescribeInstances'))).toBeNull();
    expect(sensitiveOperationSignal(withEvent('RunInstances', 'InvalidParameter'))).toBeNull();
    expect(sensitiveOperationSignal(withEvent(null))).toBeNull();
  });
});
