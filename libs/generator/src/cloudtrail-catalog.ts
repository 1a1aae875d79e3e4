import { CLOUDTRAIL_IP_POOLS } from './ip-pools';

import type { ApiError, OperationSpec, TrailCatalog } from './trail-catalog';

const ACCESS_DENIED: ApiError = {
  code: 'AccessDenied',
  message:
    'User is not authorized to perform this operation because no identity-based policy allows the action',
};
const EC2_UNAUTHORIZED: ApiError = {
  code: 'Client.UnauthorizedOperation',
  message: 'You are not authorized to perform this operation.',
};

function ec2(eventName: string, readOnly: boolean, parameters: readonly string[]): OperationSpec {
  return {
    eventName,
    service: 'ec2',
    eventSource: 'ec2.amazonaws.com',
    readOnly,
    global: false,
    parameters,
    error: EC2_UNAUTHORIZED,
  };
}

function iam(eventName: string, readOnly: boolean, parameters: readonly string[]): OperationSpec {
  return {
    eventName,
    service: 'iam',
    eventSource: 'iam.amazonaws.com',
    readOnly,
    global: true,
    fixedRegion: 'us-east-1',
    parameters,
    error: ACCESS_DENIED,
  };
}

function sts(eventName: string, parameters: readonly string[]): OperationSpec {
  return {
    eventName,
    service: 'sts',
    eventSource: 'sts.amazonaws.com',
    readOnly: true,
    global: true,
    parameters,
    error: ACCESS_DENIED,
  };
}

function regional(
  eventName: string,
  service: string,
  readOnly: boolean,
  parameters: readonly string[],
): OperationSpec {
  return {
    eventName,
    service,
    eventSource: `${service}.amazonaws.com`,
    readOnly,
    global: false,
    parameters,
    error: ACCESS_DENIED,
  };
}

const OPERATIONS: readonly OperationSpec[] = [
  ec2('DescribeInstances', true, [
    '{"instancesSet":{},"filterSet":{}}',
    '{"instancesSet":{},"filterSet":{"items":[{"name":"instance-state-name","valueSet":{"items":[{"value":"running"}]}}]}}',
    '{"instancesSet":{"items":[{"instanceId":"i-0a1b2c3d4e5f67890"}]},"filterSet":{}}',
  ]),
  ec2('DescribeVolumes', true, ['{"volumeSet":{},"filterSet":{}}']),
  ec2('DescribeSecurityGroups', true, [
    '{"securityGroupSet":{},"securityGroupIdSet":{},"filterSet":{}}',
  ]),
  ec2('DescribeRegions', true, ['{"regionSet":{}}']),
  ec2('DescribeImages', true, [
    '{"executableBySet":{},"imagesSet":{},"ownersSet":{"items":[{"owner":"amazon"}]},"filterSet":{}}',
  ]),
  ec2('DescribeInstanceTypes', true, ['{"DescribeInstanceTypesRequest":{"MaxResults":100}}']),
  ec2('StartInstances', false, [
    '{"instancesSet":{"items":[{"instanceId":"i-0a1b2c3d4e5f67890"}]}}',
  ]),
  ec2('StopInstances', false, [
    '{"instancesSet":{"items":[{"instanceId":"i-0a1b2c3d4e5f67890"}]},"force":false}',
  ]),
  ec2('CreateSnapshot', false, ['{"volumeId":"vol-0fc2e34e74650e145","description":"nightly"}']),
  ec2('RunInstances', false, [
    '{"instancesSet":{"items":[{"imageId":"ami-0c101f26f147fa7fd","minCount":1,"maxCount":1}]},"instanceType":"t3.micro","availabilityZone":"{region}a","monitoring":{"enabled":false},"disableApiTermination":false}',
    '{"instancesSet":{"items":[{"imageId":"ami-0e86e20dae9224db8","minCount":10,"maxCount":10}]},"instanceType":"p3.16xlarge","availabilityZone":"{region}b","monitoring":{"enabled":false},"disableApiTermination":false}',
  ]),
  ec2('TerminateInstances', false, [
    '{"instancesSet":{"items":[{"instanceId":"i-07f3c2e1d0b9a8765"}]}}',
  ]),
  ec2('CreateSecurityGroup', false, [
    '{"groupName":"default-ssh","groupDescription":"ssh","vpcId":"vpc-0e1d2c3b4a5968778"}',
  ]),
  ec2('AuthorizeSecurityGroupIngress', false, [
    '{"groupId":"sg-0a9b8c7d6e5f43210","ipPermissions":{"items":[{"ipProtocol":"tcp","fromPort":22,"toPort":22,"ipRanges":{"items":[{"cidrIp":"0.0.0.0/0"}]}}]}}',
  ]),
  ec2('ImportKeyPair', false, ['{"keyName":"k1"}']),
  regional('DescribeDBInstances', 'rds', true, ['null']),
  regional('ListBuckets', 's3', true, ['{"Host":"s3.{region}.amazonaws.com"}']),
  regional('DescribeStacks', 'cloudformation', true, ['null', '{"stackName":"web-prod"}']),
  regional('UpdateStack', 'cloudformation', false, [
    '{"stackName":"web-prod","usePreviousTemplate":true,"capabilities":["CAPABILITY_IAM"]}',
  ]),
  regional('ListFunctions20150331', 'lambda', true, ['null']),
  regional('UpdateFunctionCode20150331v2', 'lambda', false, [
    '{"functionName":"thumbnailer","publish":true,"dryRun":false}',
  ]),
  regional('DescribeLogGroups', 'logs', true, ['{"limit":50}']),
  regional('GetParameter', 'ssm', true, [
    '{"name":"/prod/web/feature-flags","withDecryption":false}',
  ]),
  regional('GetAuthorizationToken', 'ecr', true, ['{"registryIds":["{account}"]}']),
  regional('Decrypt', 'kms', true, ['{"encryptionAlgorithm":"SYMMETRIC_DEFAULT"}']),
  regional('GetSecretValue', 'secretsmanager', true, ['{"secretId":"prod/db/master"}']),
  regional('ListSecrets', 'secretsmanager', true, ['{"maxResults":100}']),
  regional('LookupEvents', 'cloudtrail', true, ['{"maxResults":50}']),
  iam('GetUser', true, ['{"userName":"alice"}']),
  iam('ListUsers', true, ['null']),
  iam('ListRoles', true, ['null']),
  iam('ListAttachedUserPolicies', true, ['{"userName":"alice"}']),
  iam('GetAccountAuthorizationDetails', true, ['{"filter":["User","Role","LocalManagedPolicy"]}']),
  iam('CreateUser', false, ['{"userName":"support-sync"}']),
  iam('CreateAccessKey', false, ['{"userName":"support-sync"}']),
  iam('AttachUserPolicy', false, [
    '{"userName":"support-sync","policyArn":"arn:aws:iam::aws:policy/AdministratorAccess"}',
  ]),
  iam('CreateLoginProfile', false, ['{"userName":"support-sync","passwordResetRequired":false}']),
  sts('GetCallerIdentity', ['null']),
  sts('AssumeRole', [
    '{"roleArn":"arn:aws:iam::{account}:role/partner-readonly","roleSessionName":"sync","durationSeconds":900}',
  ]),
  sts('AssumeRoleWithWebIdentity', [
    '{"roleArn":"arn:aws:iam::{account}:role/ci-deploy","roleSessionName":"GitHubActions","durationSeconds":3600}',
  ]),
];

/** CloudTrail records: AWS, home region `us-east-1`, 12-digit accounts. */
export const CLOUDTRAIL_CATALOG: TrailCatalog = {
  format: 'cloudtrail',
  homeRegion: 'us-east-1',
  otherRegions: ['eu-west-1', 'ap-northeast-1', 'us-west-2', 'eu-central-1'],
  accountIdDigits: 12,
  utcOffsetHours: -5,
  operations: OPERATIONS,
  mixes: {
    office: [
      ['DescribeInstances', 25],
      ['DescribeSecurityGroups', 8],
      ['DescribeVolumes', 8],
      ['DescribeDBInstances', 6],
      ['ListBuckets', 6],
      ['DescribeStacks', 6],
      ['ListFunctions20150331', 5],
      ['DescribeLogGroups', 5],
      ['GetParameter', 3],
      ['StartInstances', 1],
      ['StopInstances', 1],
      ['CreateSnapshot', 1],
      ['LookupEvents', 2],
      ['GetUser', 3],
      ['ListUsers', 2],
      ['GetCallerIdentity', 3],
    ],
    'office-regional': [
      ['DescribeInstances', 25],
      ['DescribeSecurityGroups', 8],
      ['DescribeVolumes', 8],
      ['DescribeStacks', 6],
      ['StartInstances', 1],
    ],
    ci: [
      ['GetAuthorizationToken', 8],
      ['AssumeRoleWithWebIdentity', 8],
      ['GetCallerIdentity', 4],
      ['DescribeStacks', 8],
      ['UpdateStack', 2],
      ['UpdateFunctionCode20150331v2', 2],
      ['DescribeInstances', 5],
      ['RunInstances', 1],
      ['TerminateInstances', 1],
    ],
    service: [
      ['Decrypt', 10],
      ['AssumeRole', 15],
      ['DescribeInstances', 5],
      ['DescribeLogGroups', 5],
    ],
    recon: [
      ['DescribeInstances', 8],
      ['GetCallerIdentity', 10],
      ['ListUsers', 8],
      ['ListRoles', 5],
      ['ListAttachedUserPolicies', 5],
      ['GetAccountAuthorizationDetails', 3],
      ['ListBuckets', 6],
      ['DescribeRegions', 4],
      ['ListSecrets', 3],
      ['GetSecretValue', 4],
      ['CreateUser', 2],
      ['CreateAccessKey', 3],
      ['AttachUserPolicy', 2],
      ['CreateLoginProfile', 1],
    ],
    mining: [
      ['DescribeRegions', 3],
      ['DescribeInstanceTypes', 3],
      ['DescribeImages', 3],
      ['CreateSecurityGroup', 2],
      ['AuthorizeSecurityGroupIngress', 2],
      ['ImportKeyPair', 1],
      ['RunInstances', 5],
      ['DescribeInstances', 5],
    ],
    partner: [['AssumeRole', 1]],
    mobile: [
      ['DescribeInstances', 3],
      ['DescribeLogGroups', 2],
    ],
  },
  userAgents: {
    office: [
      'aws-cli/2.15.30 Python/3.11.8 Linux/6.5.0-1014-aws exe/x86_64.ubuntu.22 prompt/off command/ec2.describe-instances',
      'Boto3/1.34.69 md/Botocore#1.34.69 ua/2.0 os/macos#23.4.0 md/arch#arm64 lang/python#3.12.2 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.34.69',
      'APN/1.0 HashiCorp/1.0 Terraform/1.7.5 (+https://www.terraform.io) terraform-provider-aws/5.42.0 (+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.26.0 os/linux lang/go#1.22.1',
    ],
    console: [
      'console.amazonaws.com',
      'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0.0.0 Safari/537.36',
    ],
    ci: [
      'aws-sdk-js/3.540.0 ua/2.0 os/linux#6.5.0-1016-azure lang/js md/nodejs#20.11.1 api/cloudformation#3.540.0',
      'aws-cli/2.15.30 Python/3.11.8 Linux/6.5.0-1016-azure exe/x86_64.ubuntu.22 prompt/off command/ecr.get-login-password',
    ],
    mobile: [
      'AWS Console Mobile App/3.4.1 (iPhone; iOS 17.3.1)',
      'AWS Console Mobile App/3.4.1 (Android 14)',
    ],
    attacker: [
      'aws-cli/1.29.62 Python/3.11.6 Linux/6.5.0-kali3-amd64 botocore/1.31.62',
      'Boto3/1.28.57 Python/3.11.6 Linux/6.5.0-kali3-amd64 Botocore/1.31.57',
      'python-requests/2.31.0',
    ],
    partner: [
      'aws-sdk-java/2.25.11 Linux/5.10.210-201.852.amzn2.x86_64 OpenJDK_64-Bit_Server_VM/17.0.10+7-LTS Java/17.0.10 vendor/Amazon.com_Inc. exec-env/AWS_ECS_FARGATE',
    ],
  },
  serviceSources: [
    'AWS Internal',
    'ec2.amazonaws.com',
    'autoscaling.amazonaws.com',
    'lambda.amazonaws.com',
    'cloudformation.amazonaws.com',
    'internal',
  ],
  ipPools: CLOUDTRAIL_IP_POOLS,
};
