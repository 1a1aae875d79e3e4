/**
 * Operations that create or widen credentials and identities, or blind the audit trail: what a
 * stolen key is used for first. ActionTrail (RAM, STS, ActionTrail, ECS) and CloudTrail (IAM, STS,
 * CloudTrail, EC2) names.
 */
export const SENSITIVE_OPERATIONS: ReadonlySet<string> = new Set([
  'AddUserToGroup',
  'AttachGroupPolicy',
  'AttachPolicyToGroup',
  'AttachPolicyToRole',
  'AttachPolicyToUser',
  'AttachRolePolicy',
  'AttachUserPolicy',
  'CreateAccessKey',
  'CreateKeyPair',
  'CreateLoginProfile',
  'CreatePolicy',
  'CreatePolicyVersion',
  'CreateRole',
  'CreateUser',
  'DeactivateMFADevice',
  'DeleteTrail',
  'GetCallerIdentity',
  'ImportKeyPair',
  'PutEventSelectors',
  'PutGroupPolicy',
  'PutRolePolicy',
  'PutUserPolicy',
  'SetDefaultPolicyVersion',
  'SetSecurityPreference',
  'StopLogging',
  'UnbindMFADevice',
  'UpdateAccessKey',
  'UpdateAssumeRolePolicy',
  'UpdateLoginProfile',
  'UpdateRole',
  'UpdateTrail',
]);

/** Error codes of an operation refused for lack of permission (probing with a stolen key). */
export const PERMISSION_ERROR_PATTERN =
  /denied|forbidden|unauthori[sz]ed|nopermission|notauthorized/i;
