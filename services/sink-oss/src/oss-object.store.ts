import {
  GetObjectCommand,
  HeadBucketCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';

import { contentMd5Of } from './oss-object-layout.util';
import { OssSinkErrorCode, OssSinkException } from './oss-sink.exception';

import type { OssSinkConfig } from './config/sink-oss.config';
import type { OssSinkMetrics, S3Outcome } from './metrics';

interface SdkError {
  name?: string;
  code?: string;
  $metadata?: { httpStatusCode?: number };
}

function statusOf(error: unknown): number | undefined {
  return (error as SdkError | null)?.$metadata?.httpStatusCode;
}

function outcomeOf(error: unknown): S3Outcome {
  const status = statusOf(error);
  const name = (error as SdkError | null)?.name;
  if (name === 'NoSuchKey' || (status === 404 && name !== 'NoSuchBucket')) {
    return 'not_found';
  }
  if (status === undefined) {
    return 'network_error';
  }
  return status >= 500 ? 'server_error' : 'client_error';
}

function describe(error: unknown): string {
  const { name, code } = (error ?? {}) as SdkError;
  return [name ?? 'Error', code].filter((part) => part !== undefined && part !== name).join(' ');
}

/**
 * The bucket, through OSS's S3-compatible API: SigV4, virtual-hosted style unless path style is
 * forced (local S3 servers), and no default checksums (`WHEN_REQUIRED`; OSS rejects the SDK's
 * CRC32 trailers). Bodies carry `Content-MD5` instead.
 */
export class OssObjectStore {
  private readonly client: S3Client;

  constructor(
    private readonly config: OssSinkConfig,
    private readonly metrics: OssSinkMetrics,
  ) {
    this.client = new S3Client({
      endpoint: config.endpoint,
      region: config.region,
      forcePathStyle: config.forcePathStyle,
      credentials: { accessKeyId: config.accessKeyId, secretAccessKey: config.accessKeySecret },
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      maxAttempts: 3,
    });
  }

  /** The object's bytes, or null when the key does not exist. */
  async get(key: string): Promise<Buffer | null> {
    return this.request(
      'get',
      `GET ${key}`,
      async () => {
        const response = await this.client.send(
          new GetObjectCommand({ Bucket: this.config.bucket, Key: key }),
        );
        const bytes = await response.Body?.transformToByteArray();
        return bytes === undefined ? Buffer.alloc(0) : Buffer.from(bytes);
      },
      true,
    );
  }

  async put(key: string, body: Buffer): Promise<void> {
    await this.request('put', `PUT ${key}`, () =>
      this.client.send(
        new PutObjectCommand({
          Bucket: this.config.bucket,
          Key: key,
          Body: body,
          ContentType: 'application/gzip',
          ContentMD5: contentMd5Of(body),
          ContentLength: body.length,
        }),
      ),
    );
  }

  /** Readiness: the bucket exists and the credentials may use it. */
  async checkBucket(): Promise<void> {
    await this.request('head_bucket', `HEAD bucket ${this.config.bucket}`, () =>
      this.client.send(new HeadBucketCommand({ Bucket: this.config.bucket })),
    );
  }

  destroy(): void {
    this.client.destroy();
  }

  private async request<T>(
    operation: 'get' | 'put' | 'head_bucket',
    what: string,
    run: () => Promise<T>,
    notFoundIsNull = false,
  ): Promise<T | null> {
    const stop = this.metrics.requestDuration.startTimer({ operation });
    try {
      const result = await run();
      this.metrics.requests.inc({ operation, outcome: 'ok' });
      return result;
    } catch (error) {
      const outcome = outcomeOf(error);
      this.metrics.requests.inc({ operation, outcome });
      if (outcome === 'not_found' && notFoundIsNull) {
        return null;
      }
      const status = statusOf(error);
      throw new OssSinkException(
        OssSinkErrorCode.ObjectStoreFailed,
        `${what} failed: ${describe(error)}${status === undefined ? '' : ` (HTTP ${status})`}`,
        { cause: error },
      );
    } finally {
      stop();
    }
  }
}
