/** Injection token of {@link OssSinkConfig}. */
export const OSS_SINK_CONFIG = Symbol('sink-oss:config');

/** The bucket and how to reach it. */
export interface OssSinkConfig {
  bucket: string;
  prefix: string;
  /** SigV4 signing region, e.g. `cn-hangzhou`. */
  region: string;
  endpoint: string;
  forcePathStyle: boolean;
  accessKeyId: string;
  accessKeySecret: string;
}

/** OSS's S3-compatible public endpoint of a region. */
export function defaultOssEndpoint(region: string): string {
  return `https://s3.oss-${region}.aliyuncs.com`;
}
