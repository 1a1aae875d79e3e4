import { PERMISSION_ERROR_PATTERN, SENSITIVE_OPERATIONS } from './sensitive-operations.constants';
import type { SignalContext, SignalFinding } from './signal';

/**
 * Fires when the operation that opened the window manages credentials or identities, tampers with
 * the trail, or was refused for lack of permission.
 */
export function sensitiveOperationSignal(context: SignalContext): SignalFinding | null {
  const { eventName, errorCode } = context.event;
  if (eventName !== null && SENSITIVE_OPERATIONS.has(eventName)) {
    return {
      signal: 'sensitiveOperation',
      reason: `opening operation ${eventName} manages credentials, identities or the trail`,
    };
  }
  if (errorCode !== null && PERMISSION_ERROR_PATTERN.test(errorCode)) {
    const name = eventName ?? 'operation';
    return { signal: 'sensitiveOperation', reason: `opening ${name} refused (${errorCode})` };
  }
  return null;
}
