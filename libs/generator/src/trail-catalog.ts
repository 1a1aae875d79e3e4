import type { IpPoolSet } from './ip-pools';

/** Which audit trail the generator writes. */
export type TrailFormat = 'actiontrail' | 'cloudtrail';

/** An error a call may fail with (`errorCode`, `errorMessage`). */
export interface ApiError {
  readonly code: string;
  readonly message: string;
}

/** One management API, with the record fields that depend on it. */
export interface OperationSpec {
  readonly eventName: string;
  /** ActionTrail `serviceName`; for CloudTrail the endpoint prefix used in `tlsDetails`. */
  readonly service: string;
  /** `eventSource`; `{region}` is replaced by the record's region. */
  readonly eventSource: string;
  readonly readOnly: boolean;
  /** RAM/STS (ActionTrail `isGlobal`) or IAM/STS (CloudTrail global services). */
  readonly global: boolean;
  /** CloudTrail: the region every such event carries (IAM is always `us-east-1`). */
  readonly fixedRegion?: string;
  readonly apiVersion?: string;
  /** `requestParameters` as JSON texts; `{region}` is replaced by the record's region. */
  readonly parameters: readonly string[];
  readonly error: ApiError;
}

/** A weighted choice of operations for one kind of caller. */
export type OperationMix =
  'office' | 'office-regional' | 'ci' | 'service' | 'recon' | 'mining' | 'partner' | 'mobile';

/** A family of `userAgent` values. */
export type AgentKind = 'office' | 'console' | 'ci' | 'mobile' | 'attacker' | 'partner';

/** Everything provider-specific about the records a trail holds. */
export interface TrailCatalog {
  readonly format: TrailFormat;
  /** Where the trail was created: global events are analyzed only here (SPEC §2). */
  readonly homeRegion: string;
  readonly otherRegions: readonly string[];
  readonly accountIdDigits: number;
  /** Offset of the operators' local time from UTC, in hours (office hours, evenings). */
  readonly utcOffsetHours: number;
  readonly operations: readonly OperationSpec[];
  /** Mixes as (eventName, weight); the first entry must be regional (it is used for anchors). */
  readonly mixes: Readonly<Record<OperationMix, readonly (readonly [string, number])[]>>;
  readonly userAgents: Readonly<Record<AgentKind, readonly string[]>>;
  /** `sourceIpAddress` values of service-initiated calls: not IP addresses (SPEC §1). */
  readonly serviceSources: readonly string[];
  readonly ipPools: IpPoolSet;
}
