import { ACTIONTRAIL_IP_POOLS } from './ip-pools';

import type { ApiError, OperationSpec, TrailCatalog } from './trail-catalog';

const RAM_DENIED: ApiError = {
  code: 'Forbidden.RAM',
  message:
    "User not authorized to operate on the specified resource, or this API doesn't support RAM.",
};
const NO_PERMISSION: ApiError = {
  code: 'NoPermission',
  message: 'You are not authorized to do this action. You should be authorized by RAM.',
};
const OSS_DENIED: ApiError = {
  code: 'AccessDenied',
  message: 'You have no right to access this object because of bucket acl.',
};

function ecs(eventName: string, readOnly: boolean, parameters: readonly string[]): OperationSpec {
  return {
    eventName,
    service: 'Ecs',
    eventSource: 'ecs.aliyuncs.com',
    readOnly,
    global: false,
    apiVersion: '2014-05-26',
    parameters,
    error: RAM_DENIED,
  };
}

function ram(eventName: string, readOnly: boolean, parameters: readonly string[]): OperationSpec {
  return {
    eventName,
    service: 'Ram',
    eventSource: 'ram.aliyuncs.com',
    readOnly,
    global: true,
    apiVersion: '2015-05-01',
    parameters,
    error: NO_PERMISSION,
  };
}

function sts(eventName: string, parameters: readonly string[]): OperationSpec {
  return {
    eventName,
    service: 'Sts',
    eventSource: 'sts.aliyuncs.com',
    readOnly: true,
    global: true,
    apiVersion: '2015-04-01',
    parameters,
    error: NO_PERMISSION,
  };
}

function regional(
  eventName: string,
  service: string,
  eventSource: string,
  apiVersion: string | undefined,
  readOnly: boolean,
  parameters: readonly string[],
  error: ApiError = RAM_DENIED,
): OperationSpec {
  return apiVersion === undefined
    ? { eventName, service, eventSource, readOnly, global: false, parameters, error }
    : { eventName, service, eventSource, readOnly, global: false, apiVersion, parameters, error };
}

const OPERATIONS: readonly OperationSpec[] = [
  ecs('DescribeInstances', true, [
    '{"RegionId":"{region}","PageSize":"50","PageNumber":"1"}',
    '{"RegionId":"{region}","Status":"Running","PageSize":"100"}',
    '{"RegionId":"{region}","InstanceIds":"[\\"i-bp1g6zv0ce8oghu7k4m2\\"]"}',
  ]),
  ecs('DescribeDisks', true, ['{"RegionId":"{region}","PageSize":"50"}']),
  ecs('DescribeSecurityGroups', true, ['{"RegionId":"{region}","PageSize":"50"}']),
  ecs('DescribeRegions', true, ['{"AcceptLanguage":"en-US"}']),
  ecs('DescribeImages', true, [
    '{"RegionId":"{region}","ImageOwnerAlias":"system","PageSize":"100"}',
  ]),
  ecs('DescribeInstanceTypes', true, ['{"InstanceTypeFamily":"ecs.gn6i"}']),
  ecs('StartInstance', false, ['{"InstanceId":"i-bp1g6zv0ce8oghu7k4m2"}']),
  ecs('StopInstance', false, ['{"InstanceId":"i-bp1g6zv0ce8oghu7k4m2","ForceStop":"false"}']),
  ecs('CreateSnapshot', false, ['{"DiskId":"d-bp1ffhbuq8ajp4sm1ze2","SnapshotName":"nightly"}']),
  ecs('ModifyInstanceAttribute', false, [
    '{"InstanceId":"i-bp1g6zv0ce8oghu7k4m2","Description":"web"}',
  ]),
  ecs('RunInstances', false, [
    '{"RegionId":"{region}","InstanceType":"ecs.g7.large","ImageId":"aliyun_3_x64_20G_alibase_20240528.vhd","Amount":"1"}',
    '{"RegionId":"{region}","InstanceType":"ecs.gn6i-c24g1.12xlarge","ImageId":"ubuntu_22_04_x64_20G_alibase_20240508.vhd","Amount":"10"}',
  ]),
  ecs('DeleteInstance', false, ['{"InstanceId":"i-bp18hgdkyq2ag0qpvxrv","Force":"true"}']),
  ecs('CreateSecurityGroup', false, ['{"RegionId":"{region}","SecurityGroupName":"default-ssh"}']),
  ecs('AuthorizeSecurityGroup', false, [
    '{"RegionId":"{region}","IpProtocol":"tcp","PortRange":"22/22","SourceCidrIp":"0.0.0.0/0"}',
  ]),
  ecs('ImportKeyPair', false, ['{"RegionId":"{region}","KeyPairName":"k1"}']),
  regional('DescribeVpcs', 'Vpc', 'vpc.aliyuncs.com', '2016-04-28', true, [
    '{"RegionId":"{region}"}',
  ]),
  regional('DescribeDBInstances', 'Rds', 'rds.aliyuncs.com', '2014-08-15', true, [
    '{"RegionId":"{region}","PageSize":"30"}',
  ]),
  regional(
    'GetBucketInfo',
    'Oss',
    'oss-{region}.aliyuncs.com',
    undefined,
    true,
    [
      '{"bucketInfo":"","BucketName":"prod-assets"}',
      '{"bucketInfo":"","BucketName":"build-cache"}',
    ],
    OSS_DENIED,
  ),
  regional('ListBuckets', 'Oss', 'oss-{region}.aliyuncs.com', undefined, true, ['{}'], OSS_DENIED),
  regional('ListProject', 'SLS', '{region}.log.aliyuncs.com', undefined, true, [
    '{"offset":"0","size":"500"}',
  ]),
  regional('DescribeClustersV1', 'CS', 'cs.{region}.aliyuncs.com', '2015-12-15', true, [
    '{"page_size":"50","page_number":"1"}',
  ]),
  regional('DescribeMetricList', 'Cms', 'metrics.{region}.aliyuncs.com', '2019-01-01', true, [
    '{"Namespace":"acs_ecs_dashboard","MetricName":"CPUUtilization","Period":"60"}',
  ]),
  regional('LookupEvents', 'Actiontrail', 'actiontrail.{region}.aliyuncs.com', '2020-07-06', true, [
    '{"MaxResults":"50"}',
  ]),
  ram('GetUser', true, ['{"UserName":"alice"}']),
  ram('ListUsers', true, ['{"MaxItems":"100"}']),
  ram('ListPolicies', true, ['{"PolicyType":"System","MaxItems":"100"}']),
  ram('ListAccessKeys', true, ['{"UserName":"alice"}']),
  ram('CreateUser', false, ['{"UserName":"support-sync","DisplayName":"support-sync"}']),
  ram('CreateAccessKey', false, ['{"UserName":"support-sync"}']),
  ram('AttachPolicyToUser', false, [
    '{"PolicyType":"System","PolicyName":"AdministratorAccess","UserName":"support-sync"}',
  ]),
  ram('CreateLoginProfile', false, ['{"UserName":"support-sync","MFABindRequired":"false"}']),
  sts('GetCallerIdentity', ['{}']),
  sts('AssumeRole', [
    '{"RoleArn":"acs:ram::{account}:role/ci-deploy","RoleSessionName":"pipeline","DurationSeconds":"3600"}',
    '{"RoleArn":"acs:ram::{account}:role/partner-readonly","RoleSessionName":"sync","DurationSeconds":"900"}',
  ]),
];

/** ActionTrail records: Alibaba Cloud, home region `cn-hangzhou`, 16-digit accounts. */
export const ACTIONTRAIL_CATALOG: TrailCatalog = {
  format: 'actiontrail',
  homeRegion: 'cn-hangzhou',
  otherRegions: ['cn-shanghai', 'ap-southeast-1', 'cn-beijing', 'eu-central-1'],
  accountIdDigits: 16,
  utcOffsetHours: 8,
  operations: OPERATIONS,
  mixes: {
    office: [
      ['DescribeInstances', 30],
      ['DescribeDisks', 10],
      ['DescribeSecurityGroups', 8],
      ['DescribeVpcs', 8],
      ['DescribeDBInstances', 8],
      ['GetBucketInfo', 6],
      ['ListProject', 6],
      ['DescribeMetricList', 4],
      ['StartInstance', 2],
      ['StopInstance', 2],
      ['CreateSnapshot', 2],
      ['ModifyInstanceAttribute', 2],
      ['LookupEvents', 2],
      ['GetUser', 3],
      ['ListUsers', 2],
      ['GetCallerIdentity', 3],
    ],
    'office-regional': [
      ['DescribeInstances', 30],
      ['DescribeDisks', 10],
      ['DescribeSecurityGroups', 8],
      ['DescribeVpcs', 8],
      ['GetBucketInfo', 6],
      ['StartInstance', 2],
    ],
    ci: [
      ['DescribeImages', 8],
      ['AssumeRole', 10],
      ['GetCallerIdentity', 5],
      ['DescribeInstances', 10],
      ['RunInstances', 3],
      ['DeleteInstance', 3],
      ['DescribeClustersV1', 8],
      ['GetBucketInfo', 5],
      ['DescribeSecurityGroups', 5],
    ],
    service: [
      ['DescribeInstances', 5],
      ['CreateSnapshot', 5],
      ['AssumeRole', 10],
      ['DescribeMetricList', 10],
      ['ListProject', 4],
    ],
    recon: [
      ['DescribeInstances', 10],
      ['GetCallerIdentity', 10],
      ['ListUsers', 10],
      ['ListPolicies', 5],
      ['ListAccessKeys', 5],
      ['ListBuckets', 5],
      ['DescribeRegions', 5],
      ['CreateUser', 2],
      ['CreateAccessKey', 3],
      ['AttachPolicyToUser', 2],
      ['CreateLoginProfile', 1],
    ],
    mining: [
      ['DescribeRegions', 3],
      ['DescribeInstanceTypes', 3],
      ['DescribeImages', 3],
      ['CreateSecurityGroup', 2],
      ['AuthorizeSecurityGroup', 2],
      ['ImportKeyPair', 1],
      ['RunInstances', 5],
      ['DescribeInstances', 5],
    ],
    partner: [['AssumeRole', 1]],
    mobile: [
      ['DescribeInstances', 3],
      ['DescribeMetricList', 2],
    ],
  },
  userAgents: {
    office: [
      'aliyun-cli/3.0.202',
      'AlibabaCloud (Darwin; arm64) Python/3.11.7 Core/2.14.0 python-requests/2.31.0',
      'Terraform/1.7.5 terraform-provider-alicloud/1.219.0',
    ],
    console: ['ecs.console.aliyun.com', 'ram.console.aliyun.com', 'oss.console.aliyun.com'],
    ci: [
      'Terraform/1.7.5 terraform-provider-alicloud/1.219.0',
      'AlibabaCloud (Linux; x86_64) Java/1.8.0_402 tea-util/0.2.21 TeaDSL/1',
    ],
    mobile: ['AliyunApp/5.8.2 (iPhone; iOS 17.3.1)', 'AliyunApp/5.8.2 (Android 14; 23127PN0CC)'],
    attacker: ['aliyun-cli/3.0.170', 'python-requests/2.28.2', 'Go-http-client/1.1'],
    partner: ['AlibabaCloud (Linux; x86_64) Java/17.0.9 Core/4.6.4 saas-connector/2.3.1'],
  },
  serviceSources: [
    'ecs.aliyuncs.com',
    'ess.aliyuncs.com',
    'actiontrail.aliyuncs.com',
    'cs.aliyuncs.com',
    'internal',
  ],
  ipPools: ACTIONTRAIL_IP_POOLS,
};
